"""storyfold: fold news coverage from many outlets into stories."""

__version__ = "0.1.0"
