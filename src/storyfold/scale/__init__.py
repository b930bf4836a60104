"""Scale-out on Ray (`run --engine ray`, `backfill`): the per-article work (`prepare`) on
workers, placement in the driver through the plain run's `Pipeline`.

Ray is an optional extra (`pip install 'storyfold[scale]'`): nothing here imports it until
a command asks for it, and the one line a user sees without it says what to install."""

from storyfold.scale.worker import Preparer

__all__ = ["Preparer"]
