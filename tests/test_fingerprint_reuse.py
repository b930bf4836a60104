"""Exact copies need no encoding: an article with the words of a stored or earlier article
takes its article vector; a near copy (other words) keeps its own."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from storyfold.ingest import iter_documents
from storyfold.pipeline import Pipeline
from storyfold.store import open_store

BODY = ("The harbour authority of Quillmouth said on Tuesday that the northern pier would close "
        "for six weeks from March for repairs costing 4.2 million euros. Ferries to the islands "
        "will leave from the southern terminal instead, the authority's director Ansel Varga "
        "told reporters. Local traders warned that the closure would hit the spring season, "
        "when visitor numbers usually double. The pier was last rebuilt in 1987.")
OTHER = ("Voters in Brenmoor chose the independent candidate Lise Okonjo as mayor on Sunday, "
         "ending twenty years of rule by the Harbour Party. Turnout was 58 percent. Okonjo "
         "promised to freeze bus fares and build 2,000 homes before the next election.")


def _write(folder: Path, name: str, title: str, body: str, source: str) -> None:
    (folder / name).write_text(f"---\ntitle: {title}\nsource: {source}\ndate: 2025-03-04\n"
                               f"---\n{body}\n", encoding="utf-8")


def _counting(pipe: Pipeline) -> list[str]:
    encoded: list[str] = []
    real = pipe.embedder.embed

    def embed(texts, max_tokens=None):  # noqa: ANN001, ANN202
        encoded.extend(texts)
        return real(texts, max_tokens)

    pipe.embedder.embed = embed  # type: ignore[method-assign]
    return encoded


def test_copies_in_one_chunk_and_of_stored_articles_are_not_encoded(
        tmp_path: Path, embedder) -> None:
    first, later = tmp_path / "first", tmp_path / "later"
    first.mkdir()
    later.mkdir()
    _write(first, "a.txt", "Quillmouth pier to close for repairs", BODY, "Coast Wire")
    _write(first, "b.txt", "Quillmouth pier closes", BODY, "Aggregator One")  # exact copy
    _write(first, "c.txt", "Pier closure in Quillmouth", BODY.replace("Tuesday", "Tuesday "
           "morning") + " Read more at Coast Wire.", "Aggregator Two")  # a near copy
    _write(first, "d.txt", "Brenmoor elects a new mayor", OTHER, "Civic Post")
    store = open_store(f"sqlite:///{tmp_path}/s.db")
    pipe = Pipeline(store, embedder=embedder, provenance=False)
    encoded = _counting(pipe)
    report = pipe.add(iter_documents([str(first)]))
    assert report.added == 4
    titles = [t for t in encoded if "Quillmouth" in t and "pier" in t.lower()]
    assert len(titles) == 2 and pipe.reused == 1  # the exact copy is not encoded
    ids = {Path(a.path).name: a.id for a in store.articles(report.assignments).values()}
    fps = store.fingerprints(ids.values())
    source = fps[ids["a.txt"]].embedding
    assert np.array_equal(fps[ids["b.txt"]].embedding, source)
    assert not np.array_equal(fps[ids["c.txt"]].embedding, source)  # a near copy: its own
    assert not np.array_equal(fps[ids["d.txt"]].embedding, source)
    assert len({report.assignments[ids[n]] for n in ("a.txt", "b.txt", "c.txt")}) == 1

    # a later run: a copy of a stored article takes the stored vector
    _write(later, "e.txt", "Quillmouth pier shut for six weeks", BODY, "Aggregator Three")
    encoded.clear()
    again = pipe.add(iter_documents([str(later)]))
    assert again.added == 1 and pipe.reused == 2 and not encoded
    (eid,) = again.assignments
    assert np.array_equal(store.fingerprints([eid])[eid].embedding, source)
    assert again.assignments[eid] == report.assignments[ids["a.txt"]]
    store.close()
