"""Score provenance (original, role, derived_from) without and with the time of day.

Two sets:

* the L2R rewrites (`../shared/eval/l2r_rewrites/dev.jsonl`: a BBC original and up to four
  LLM rewrites per story, see its README.md), once with the publication times kept and
  once with every date cut to the day (many feeds carry only a date). Printed: originals
  found (the gold original labelled `original`), rewrites labelled `rewrite`, and rewrites
  whose `derived_from` is the true original.
* the labelled compare stories (tests/fixtures/compare, bench/data/compare-holdout*), dates
  as written there (days): the same figures, plus independent follow-ups (no
  `derived_from`, published later) labelled `independent`.

Stories are taken from the gold clusters (clustering is scored by `storyfold eval`), so the
figures are about provenance alone. Fingerprints and lead-sentence vectors are computed once
per article and reused by both date modes.

Usage: PYTHONPATH=src .venv/bin/python bench/bench_provenance.py [--l2r FILE] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from storyfold.clean import clean  # noqa: E402
from storyfold.fingerprint import Embedder, fingerprint_batch, lead_sentences  # noqa: E402
from storyfold.model import Article, RawDocument  # noqa: E402
from storyfold.provenance import needs_alignment, provenance  # noqa: E402
from storyfold.settings import DEFAULTS  # noqa: E402

L2R = ROOT.parent / "shared" / "eval" / "l2r_rewrites" / "dev.jsonl"
COMPARE = [ROOT / "tests" / "fixtures" / "compare", ROOT / "bench" / "data" / "compare-holdout",
           ROOT / "bench" / "data" / "compare-holdout-14"]


def _article(rec: dict[str, Any]) -> Article:
    raw = RawDocument(path="bench", kind="text", body=rec["text"],
                      meta={"title": rec.get("title") or None, "date": rec.get("date"),
                            "source": rec.get("source"), "url": rec.get("url")},
                      record=rec["id"])
    return clean(raw)


def _day_only(a: Article) -> Article:
    if a.published is None:
        return a
    return replace(a, published=datetime(a.published.year, a.published.month, a.published.day,
                                         tzinfo=a.published.tzinfo or UTC))


class Scorer:
    def __init__(self) -> None:
        self.n: dict[str, int] = defaultdict(int)
        self.ok: dict[str, int] = defaultdict(int)

    def add(self, name: str, ok: bool) -> None:
        self.n[name] += 1
        self.ok[name] += int(ok)

    def line(self, name: str, label: str) -> str:
        n = self.n[name]
        return f"  {label:<34} {self.ok[name] / n if n else 1:.3f} ({self.ok[name]}/{n})"


def run_stories(stories: list[list[tuple[Article, dict[str, Any]]]], embedder: Embedder,
                day_only: bool, verbose: bool) -> Scorer:
    sc = Scorer()
    fs, ps = DEFAULTS.fingerprint, DEFAULTS.provenance
    for story in stories:
        arts = [_day_only(a) if day_only else a for a, _ in story]
        gold = {a.id: g for a, g in story}
        by_record = {g["id"]: a.id for a, g in story}
        fps = {a.id: fp for a, fp in zip(arts, FPS.get_many(arts, embedder), strict=True)}
        ids = [a.id for a in arts]
        need = {z for i, x in enumerate(ids) for y in ids[i + 1:]
                if needs_alignment(fps[x], fps[y], ps) for z in (x, y)}
        sents = {aid: LEADS.get(aid, next(a for a in arts if a.id == aid), embedder, fs)
                 for aid in need}
        members, _, _ = provenance(arts, fps, sents, ps)
        for m in members:
            g = gold[m.article_id]
            true_parent = by_record.get(g.get("derived_from") or "")
            if g["role"] == "original":
                sc.add("original", m.role == "original")
            elif g["role"] == "rewrite":
                sc.add("rewrite", m.role == "rewrite")
                sc.add("derived", m.derived_from == true_parent)
            elif g["role"] in {"copy", "derived"}:
                sc.add("derived", m.derived_from == true_parent)
            elif g["role"] == "independent":
                sc.add("independent", m.role == "independent")
            if verbose and (m.role != g["role"] or m.derived_from != true_parent):
                print(f"    {g['id']}: {m.role} <- {m.derived_from and gold[m.derived_from]['id']}"
                      f" (gold {g['role']} <- {g.get('derived_from')})")
    return sc


class _FpCache:
    def __init__(self) -> None:
        self.items: dict[str, Any] = {}

    def get_many(self, arts: list[Article], embedder: Embedder) -> list[Any]:
        todo = [a for a in arts if a.id not in self.items]
        for a, fp in zip(todo, fingerprint_batch(todo, embedder, DEFAULTS.fingerprint),
                         strict=True):
            self.items[a.id] = fp
        return [self.items[a.id] for a in arts]


class _LeadCache:
    def __init__(self) -> None:
        self.items: dict[str, Any] = {}

    def get(self, aid: str, a: Article, embedder: Embedder, fs: Any) -> Any:
        if aid not in self.items:
            lead = lead_sentences(a.text, fs.lead_sentences, fs.lead_sentence_words)
            self.items[aid] = embedder.embed(lead, max_tokens=fs.sentence_max_tokens)
        return self.items[aid]


FPS, LEADS = _FpCache(), _LeadCache()


def l2r_stories(path: Path) -> list[list[tuple[Article, dict[str, Any]]]]:
    by: dict[str, list[tuple[Article, dict[str, Any]]]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            by[rec["cluster"]].append((_article(rec), rec))
    return list(by.values())


def compare_stories(folder: Path) -> list[list[tuple[Article, dict[str, Any]]]]:
    out = []
    for p in sorted(folder.glob("*.json")):
        data = json.loads(p.read_text(encoding="utf-8"))
        arts = data["articles"]
        first = min(a["published"] for a in arts)
        story = []
        for a in arts:
            role = ("original" if a["published"] == first and not a.get("derived_from")
                    else "independent" if not a.get("derived_from") else "derived")
            rec = {"id": a["id"], "role": role, "derived_from": a.get("derived_from"),
                   "text": a["text"], "title": a.get("title"), "date": a.get("published"),
                   "source": a.get("source")}
            story.append((_article(rec), rec))
        out.append(story)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--l2r", type=Path, default=L2R)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    embedder = Embedder()
    t0 = time.perf_counter()
    if args.l2r.is_file():
        stories = l2r_stories(args.l2r)
        print(f"L2R rewrites: {sum(len(s) for s in stories)} articles, {len(stories)} stories "
              f"({args.l2r})")
        for day_only, label in ((False, "times of day kept"), (True, "dates cut to the day")):
            sc = run_stories(stories, embedder, day_only, args.verbose)
            print(f" {label}")
            print(sc.line("original", "originals found"))
            print(sc.line("rewrite", "rewrites labelled rewrite"))
            print(sc.line("derived", "derived_from the true original"))
    else:
        print(f"L2R rewrites: {args.l2r} not present, skipped")
    for folder in COMPARE:
        sc = run_stories(compare_stories(folder), embedder, False, args.verbose)
        print(f"labelled compare stories: {folder.relative_to(ROOT)} (dates are days)")
        print(sc.line("original", "originals found"))
        print(sc.line("derived", "copies/rewrites derived from the truth"))
        print(sc.line("independent", "follow-ups labelled independent"))
    print(f"{time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
