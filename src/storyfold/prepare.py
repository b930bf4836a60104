"""The per-article part of a run: what happens to one document before placement, and needs
no store — cleaning, and optionally the fingerprint (hash, MinHash, embedding, terms).

This is the seam between the work that can run anywhere and the ordered placement that
must run in one place (`pipeline.Pipeline`). A plain run cleans here, in its own process,
and fingerprints a chunk at a time inside the pipeline; `--engine ray` and `backfill` run
`prepare` and `fingerprint_prepared` on Ray workers (`scale.worker`) and hand the results
to the same pipeline, which then only checks them against the store (`reuse.copies`) and
places them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from storyfold.clean import clean
from storyfold.errors import IngestError
from storyfold.fingerprint import Embedder, MultilingualEncoder, fingerprint_batch, signatures
from storyfold.fingerprint.reuse import copies
from storyfold.model import Article, Fingerprint, RawDocument
from storyfold.settings import DEFAULTS, Settings

if TYPE_CHECKING:
    from storyfold.store.base import Store


@dataclass
class Prepared:
    """One input document after the per-article stages: an error, or its article (with a
    note for the user when its encoding was guessed) and, once computed, its fingerprint."""

    path: str
    record: str | None
    article: Article | None = None
    error: IngestError | None = None
    warning: str | None = None
    fingerprint: Fingerprint | None = None


def clean_document(item: RawDocument, settings: Settings = DEFAULTS) -> Prepared:
    """The article of a document, or the error that says why there is none."""
    where = item.path + (f":{item.record}" if item.record else "")
    try:
        article = clean(item, settings.clean)
    except Exception as exc:  # a hostile document must not end the batch
        return Prepared(item.path, item.record, error=IngestError(where,
                                                                  f"could not clean ({exc})"))
    if len(f"{article.title or ''} {article.text}".split()) < settings.clean.min_words:
        return Prepared(item.path, item.record,
                        error=IngestError(where, "no article text after cleaning"))
    warning = None
    if item.encoding_guess:  # kept, but the user should know its reading was a guess
        warning = (f"{where}: not UTF-8; read as {item.encoding_guess} "
                   "(a guess: check its text)")
    return Prepared(item.path, item.record, article=article, warning=warning)


def prepare(items: Iterable[RawDocument | IngestError], settings: Settings = DEFAULTS
            ) -> Iterator[Prepared]:
    """Each document cleaned, in input order; errors of reading pass through as they came."""
    for item in items:
        if isinstance(item, IngestError):
            yield Prepared(item.path, None, error=item)
        else:
            yield clean_document(item, settings)


@dataclass
class StoredAlready:
    """What the store holds of a batch before it is encoded: the articles stored already
    (their id is; the placer skips them) and the exact copies of stored articles, with the
    stored source's vector — found by `reuse.copies`, the rule the placer applies to them
    afterwards in any case. Both stay true until the placer sees the batch — nothing stored
    is ever deleted, and `Store.by_content_hash` names the same first source to any reader —
    so leaving their encoding out changes no result, only the time."""

    ids: set[str] = field(default_factory=set)
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    # the (content hash, MinHash) computed to find the copies, handed on to the fingerprint
    signed: dict[str, tuple[str, np.ndarray]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids) + len(self.vectors)

    @classmethod
    def of(cls, store: Store | None, items: Sequence[Prepared],
           settings: Settings = DEFAULTS) -> StoredAlready:
        articles = [p.article for p in items if p.article is not None]
        if store is None or not articles:
            return cls()
        ids = store.known_ids(a.id for a in articles)
        fresh = [a for a in articles if a.id not in ids]
        signed = signatures(fresh, settings.fingerprint)
        # only a stored source counts: an earlier copy in this batch (`same_as`) may fall
        # in another of the placer's chunks, where the copy keeps its own vector
        known = copies(store, fresh, signed).known
        return cls(ids, known, {a.id: sig for a, sig in zip(fresh, signed, strict=True)})


def fingerprint_prepared(items: Sequence[Prepared], embedder: Embedder,
                         settings: Settings = DEFAULTS,
                         multilingual: MultilingualEncoder | None = None,
                         stored: StoredAlready | None = None) -> list[Prepared]:
    """The same items with the fingerprints of their articles, computed in one batch.

    Exact copies within the batch are encoded too: which copy takes which source's vector
    depends on the pipeline's chunks (`reuse.copies`), which a worker does not see, so the
    pipeline applies that rule when it places them (`fingerprint.reuse_vectors`) and a chunk
    ends with the vectors it would have had if fingerprinted in the pipeline itself. What
    `stored` says is left out: articles stored already get no fingerprint (the placer skips
    them), copies of stored articles take their source's vector unencoded."""
    stored = stored or StoredAlready()
    at = [i for i, p in enumerate(items)
          if p.article is not None and p.article.id not in stored.ids]
    articles = [a for a in (items[i].article for i in at) if a is not None]
    out = list(items)
    if not articles:
        return out
    signed = [stored.signed[a.id] for a in articles] if stored.signed else None
    fps = fingerprint_batch(articles, embedder, settings.fingerprint, signed,
                            known=stored.vectors, multilingual=multilingual)
    for i, fp in zip(at, fps, strict=True):
        out[i] = replace(items[i], fingerprint=fp)
    return out
