"""Every statement a run sends to SQLite finds its rows through an index: none reads a whole
table that grows with the store, so a run costs the same per article at 10k articles as at
1M. The statements are the ones really executed (a trace of a run), not a list kept by hand."""

from __future__ import annotations

import re
from pathlib import Path

from storyfold.ingest import iter_documents
from storyfold.pipeline import Pipeline
from storyfold.store import open_store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "corpus"

# Tables that grow with every article or story stored.
GROWING = {"articles", "fingerprints", "lsh", "memberships", "stories", "links",
           "sentence_vectors", "story_writeups", "summary_vectors", "story_aliases"}
# Whole-table reads that are whole by design, each read once per process (or per pass over
# a small set): idf statistics, and the pending to-do set (small: one pass of work).
ALLOWED = [re.compile(p) for p in (r"FROM term_df\b", r"FROM pending_stories\b")]
_SCAN = re.compile(r"\bSCAN (\w+)")


def test_no_statement_of_a_run_scans_a_growing_table(tmp_path: Path, embedder) -> None:
    store = open_store(f"sqlite:///{tmp_path}/plans.db")
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)  # type: ignore[attr-defined]
    files = sorted(p for p in EXAMPLES.rglob("*") if p.is_file())[:14]
    Pipeline(store, embedder=embedder, analyze=False).add(iter_documents([str(f) for f in files]))
    # and a second run over an existing store, which loads its active stories
    Pipeline(store, embedder=embedder, analyze=False).add(
        iter_documents([str(f) for f in sorted(p for p in EXAMPLES.rglob("*") if p.is_file())
                        [14:20]]))
    store.db.set_trace_callback(None)  # type: ignore[attr-defined]
    queries = {s for s in statements
               if s.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH"))}
    assert len(queries) > 10  # the trace did see the run
    scans = []
    for sql in sorted(queries):
        if any(p.search(sql) for p in ALLOWED):
            continue
        plan = " ; ".join(row[-1] for row in store.db.execute(  # type: ignore[attr-defined]
            "EXPLAIN QUERY PLAN " + sql))
        hit = [t for t in _SCAN.findall(plan) if t in GROWING]
        if hit:
            scans.append(f"{sql[:160]}  ->  {plan}")
    store.close()
    assert not scans, "\n".join(scans)
