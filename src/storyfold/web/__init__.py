"""The web side of `storyfold serve`: shared services, presentation helpers, pages."""
