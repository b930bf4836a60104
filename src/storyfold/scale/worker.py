"""What one Ray worker does: clean and fingerprint documents, or read a whole WARC file and
do the same for its records. A plain class (no Ray import), made an actor by `engine`, so
the encoder is loaded once per worker and kept for every task it is given.

A worker reads the run's store (never writes it) to leave out the encoder's work the
placer would throw away: articles stored already, and exact copies of stored articles,
which take their source's stored vector (`prepare.StoredAlready`). A worker that cannot
open the store (a SQLite file on another machine of the cluster) encodes everything, as
before: the placer's own checks then do the same, so only the speed differs."""

from __future__ import annotations

import logging
import resource
import time
from collections.abc import Iterator
from pathlib import Path

from storyfold.errors import IngestError, StoryfoldError
from storyfold.fingerprint import Embedder, MultilingualEncoder
from storyfold.ingest.files import read_path
from storyfold.model import RawDocument
from storyfold.prepare import Prepared, StoredAlready, fingerprint_prepared, prepare
from storyfold.settings import DEFAULTS, Settings
from storyfold.store import Store, open_store

log = logging.getLogger(__name__)


class Preparer:
    """Per-article work with its own encoder: the same stages as a plain run's (`prepare`),
    minus what needs the store, which the driver's pipeline does when it places."""

    def __init__(self, settings: Settings = DEFAULTS, threads: int | None = None,
                 store_url: str | None = None) -> None:
        fs = settings.fingerprint
        self.settings = settings
        self.embedder = Embedder(fs.embed_max_tokens, fs.embed_batch,
                                 None if fs.precision == "auto" else fs.precision,
                                 threads or fs.threads or None)
        # loaded now, once: every task this worker runs uses it
        Embedder.model(self.embedder.precision, self.embedder.threads)
        self.multilingual = (MultilingualEncoder() if settings.languages.multilingual
                             else None)
        self.busy = 0.0  # seconds spent preparing, and articles prepared: its throughput
        self.articles = 0
        self.skipped = 0  # articles not encoded: stored already, or copies of stored ones
        self.store_url = store_url
        self._store: Store | None = None
        self._store_tried = False

    def documents(self, items: list[RawDocument | IngestError]) -> list[Prepared]:
        """Documents read by the driver, cleaned and fingerprinted, in the order given."""
        start = time.perf_counter()
        prepared = list(prepare(items, self.settings))
        stored = StoredAlready.of(self.store(), prepared, self.settings)
        out = fingerprint_prepared(prepared, self.embedder, self.settings, self.multilingual,
                                   stored)
        self.busy += time.perf_counter() - start
        self.articles += sum(p.article is not None for p in out)
        self.skipped += len(stored)
        return out

    def store(self) -> Store | None:
        """The run's store, opened once, to read; None when there is none to open here."""
        if not self._store_tried:
            self._store_tried = True
            if self.store_url:
                try:
                    self._store = open_store(self.store_url, must_exist=True)
                except StoryfoldError as exc:
                    log.warning("worker reads no store (%s): every article is encoded", exc)
        return self._store

    def file(self, path: str, max_bytes: int) -> Iterator[list[Prepared]]:
        """Every record of one file (a WARC, for `backfill`), read here, in record order, as
        batches of `scale.batch` records: each batch is encoded and handed back (a Ray
        streaming generator) before the next is read, so neither this worker nor the
        driver holds a whole file's results."""
        batch: list[RawDocument | IngestError] = []
        for item in read_path(Path(path), max_bytes):
            batch.append(item)
            if len(batch) >= self.settings.scale.batch:
                yield self.documents(batch)
                batch = []
        if batch:
            yield self.documents(batch)

    def stats(self) -> dict[str, float]:
        """What this worker did (`bench/bench_scale.py`): articles, seconds busy, of which
        in the encoder, and its peak resident memory in MB."""
        return {"articles": self.articles, "busy_s": self.busy, "skipped": self.skipped,
                "encoded": self.embedder.texts,
                "encoder_s": self.embedder.seconds,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
