"""Ray as the engine of a run: a pool of `Preparer` actors does the per-article work, and
their results come back in input order, a bounded number of tasks ahead of placement.

Order is what keeps a Ray run's stories the plain run's: placement is sequential (each
article is scored against the stories the earlier ones made), so the driver must place in
the order the documents were read, whatever order the workers finish in. Tasks are handed
round-robin and read back oldest first; at most `scale.inflight` tasks per worker are out
at once, so a slow placer holds back reading instead of filling the driver's memory.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from types import ModuleType
from typing import Any

from storyfold.errors import IngestError, ScaleError
from storyfold.ingest.files import display_path, iter_files
from storyfold.model import RawDocument
from storyfold.prepare import Prepared
from storyfold.scale.worker import Preparer
from storyfold.settings import DEFAULTS, Settings

log = logging.getLogger(__name__)

INSTALL = "--engine ray and backfill need Ray: pip install 'storyfold[scale]'"
WARC_SUFFIXES = (".warc", ".warc.gz")


def require_ray() -> ModuleType:
    """The `ray` module, or the one line that says how to get it."""
    try:
        import ray
    except ImportError as exc:
        raise ScaleError(INSTALL) from exc
    return ray


@contextmanager
def connected(address: str | None = None, cpus: int | None = None) -> Iterator[ModuleType]:
    """Ray, connected: to the cluster at `address` ("auto": the one `ray start` began on this
    machine), else to a local one started here with `cpus` CPUs (default: all) and stopped
    on the way out. A session already connected (a test's, a notebook's) is used as it is."""
    ray = require_ray()
    if ray.is_initialized():
        yield ray
        return
    options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                               "logging_level": logging.WARNING, "configure_logging": False}
    try:
        if address:
            ray.init(address=address, **options)
        else:
            ray.init(num_cpus=cpus, **options)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = f"at {address}" if address else "locally"
        raise ScaleError(f"cannot start or reach Ray {where} ({_line(exc)}); start a cluster "
                         "with `ray start --head`, or leave out --address for a local one"
                         ) from exc
    try:
        yield ray
    finally:
        ray.shutdown()


class Workers:
    """`n` worker actors (default: as many as the cluster's CPUs hold), each with its own
    encoder and its own reading connection to the run's store, and the ordered, bounded
    hand-out of tasks to them."""

    def __init__(self, ray: ModuleType, settings: Settings = DEFAULTS, n: int | None = None,
                 store_url: str | None = None) -> None:
        cpus = settings.scale.worker_cpus
        if n is None:
            n = max(1, int(ray.cluster_resources().get("CPU", 1)) // cpus)
        self.ray = ray
        self.settings = settings
        actor = ray.remote(num_cpus=cpus)(Preparer)
        # each reads the run's store (`store_url`) to leave out what the placer would skip
        self.actors = [actor.remote(settings, cpus, store_url) for _ in range(n)]
        log.info("%d Ray worker(s), %d CPU(s) each", n, cpus)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        for actor in self.actors:
            self.ray.kill(actor)

    def documents(self, docs: Iterable[RawDocument | IngestError]) -> Iterator[Prepared]:
        """Documents the driver reads (`iter_documents`), prepared on the workers, in order."""
        size = self.settings.scale.batch
        it = iter(docs)
        batches = iter(lambda: list(islice(it, size)), [])
        return self._calls(("documents", (batch,)) for batch in batches)

    def files(self, files: Iterable[Path | IngestError], max_bytes: int) -> Iterator[Prepared]:
        """Whole files read and prepared on the workers, one task each; in file order. A
        file comes back as a stream of batches, and a worker stops `scale.inflight`
        batches ahead of what this process has read, so a file's results are never
        held whole."""
        return self._calls(("documents", ([f],)) if isinstance(f, IngestError)
                           else ("file", (str(f), max_bytes)) for f in files)

    def _calls(self, calls: Iterable[tuple[str, tuple[Any, ...]]]) -> Iterator[Prepared]:
        window: deque[Any] = deque()
        limit = self.settings.scale.inflight * len(self.actors)
        for n, (method, args) in enumerate(calls):
            actor = self.actors[n % len(self.actors)]
            call = getattr(actor, method)
            if method == "file":  # a generator: its batches come back as they are made
                call = call.options(num_returns="streaming",
                                    _generator_backpressure_num_objects=self.settings.scale
                                    .inflight)
            window.append(call.remote(*args))
            if len(window) >= limit:
                yield from self._result(window.popleft())
        while window:
            yield from self._result(window.popleft())

    def _result(self, ref: Any) -> Iterator[Prepared]:
        try:
            if isinstance(ref, self.ray.ObjectRef):
                yield from self.ray.get(ref)
                return
            for batch in ref:  # a streaming generator's batches, in the order made
                yield from self.ray.get(batch)
        except self.ray.exceptions.RayError as exc:
            raise ScaleError(f"a Ray worker failed ({_line(exc)}); what was placed is "
                             "stored: run the command again to finish") from exc


def warc_files(folder: str | Path) -> Iterator[Path | IngestError]:
    """The WARC and WARC.gz files under a folder, in name order (Common Crawl names them
    by crawl time: CC-NEWS-20240101120000-00001.warc.gz), each other file one error line."""
    for f in iter_files([folder]):
        if isinstance(f, IngestError) or f.name.lower().endswith(WARC_SUFFIXES):
            yield f
        else:
            yield IngestError(display_path(f), "not a WARC file (backfill reads .warc and "
                                               ".warc.gz)")


def _line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__
