"""What one Ray worker does: clean and fingerprint documents, or read a whole WARC file and
do the same for its records. A plain class (no Ray import), made an actor by `engine`, so
the encoder is loaded once per worker and kept for every task it is given."""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from pathlib import Path

from storyfold.errors import IngestError
from storyfold.fingerprint import Embedder, MultilingualEncoder
from storyfold.ingest.files import read_path
from storyfold.model import RawDocument
from storyfold.prepare import Prepared, fingerprint_prepared, prepare
from storyfold.settings import DEFAULTS, Settings


class Preparer:
    """Per-article work with its own encoder: the same stages as a plain run's (`prepare`),
    minus what needs the store, which the driver's pipeline does when it places."""

    def __init__(self, settings: Settings = DEFAULTS, threads: int | None = None) -> None:
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

    def documents(self, items: list[RawDocument | IngestError]) -> list[Prepared]:
        """Documents read by the driver, cleaned and fingerprinted, in the order given."""
        start = time.perf_counter()
        out = fingerprint_prepared(list(prepare(items, self.settings)), self.embedder,
                                   self.settings, self.multilingual)
        self.busy += time.perf_counter() - start
        self.articles += sum(p.article is not None for p in out)
        return out

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
        return {"articles": self.articles, "busy_s": self.busy,
                "encoder_s": self.embedder.seconds,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
