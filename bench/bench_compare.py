"""Score `compare_story` on labelled stories and time it.

Prints precision and recall for quote extraction, speaker attribution, variant
classification and conflict detection on the labelled stories (tests/fixtures/compare by
default; `--data DIR` points at another folder of the same format, see its README.md),
then the speed of the analysis stage: one 10-article story (cold, and again with the
per-article cache warm) and a generated corpus grouped into stories by its `cluster`
field, with the peak resident memory of the process.

Usage: .venv/bin/python bench/bench_compare.py [--data DIR] [--n 1000] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from storyfold.analyze.analysis import AnalysisCache, analyze_articles  # noqa: E402
from storyfold.analyze.compare import Comparison, compare_story  # noqa: E402
from storyfold.analyze.entities import load_pipeline  # noqa: E402
from storyfold.clean import clean  # noqa: E402
from storyfold.model import Article, RawDocument  # noqa: E402

DEFAULT_DATA = ROOT / "tests" / "fixtures" / "compare"
CACHE = AnalysisCache()  # the articles' readings, as a running server keeps them


@dataclass
class Score:
    """Counts for one measure; precision and recall from them."""

    tp_p: int = 0  # predictions that are right
    n_p: int = 0  # predictions
    tp_r: int = 0  # gold items found
    n_r: int = 0  # gold items

    def add(self, other: Score) -> None:
        self.tp_p += other.tp_p
        self.n_p += other.n_p
        self.tp_r += other.tp_r
        self.n_r += other.n_r

    @property
    def precision(self) -> float:
        return self.tp_p / self.n_p if self.n_p else 1.0

    @property
    def recall(self) -> float:
        return self.tp_r / self.n_r if self.n_r else 1.0

    def line(self, name: str) -> str:
        return (f"{name:<24} precision {self.precision:.3f} ({self.tp_p}/{self.n_p})   "
                f"recall {self.recall:.3f} ({self.tp_r}/{self.n_r})")


def load_story(path: Path) -> tuple[list[Article], dict[str, str | None], dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    arts = []
    for a in data["articles"]:
        pub = datetime.fromisoformat(a["published"]).replace(tzinfo=UTC) if a.get(
            "published") else None
        arts.append(Article(id=a["id"], source=a.get("source"), url=None, title=a.get("title"),
                            text=a["text"], published=pub,
                            published_from="metadata" if pub else None))
    derived = {a["id"]: a.get("derived_from") for a in data["articles"]}
    return arts, derived, data


def same_speaker(pred: str | None, gold: str | None) -> bool:
    if pred is None or gold is None:
        return pred is None and gold is None
    p, g = pred.lower(), gold.lower()
    return p == g or p.split()[-1] == g.split()[-1] or SequenceMatcher(None, p, g).ratio() >= 0.85


def _norm_value(v: str) -> str:
    try:
        return f"{float(v.replace(',', '')):g}"
    except ValueError:
        return v.strip().lower()


def score_story(arts: list[Article], comp: Comparison, gold: dict[str, Any],
                verbose: bool = False) -> dict[str, Score]:
    """Scores of one story: quotes, speakers, variants, conflicts."""
    texts = {a.id: a.text for a in arts}
    preds = [(gi, v) for gi, g in enumerate(comp.quotes) for v in g.variants]
    golds = []
    for q in gold["quotes"]:
        pos = texts[q["article"]].find(q["text"])
        if pos < 0:
            raise ValueError(f"{gold['story']}: quote not in {q['article']}: {q['text']!r}")
        golds.append((q, pos, pos + len(q["text"])))
    # one-to-one matching of predicted quotes to gold quotes by span overlap
    match: dict[int, int] = {}  # gold index -> pred index
    used: set[int] = set()
    for gi_, (q, s, e) in enumerate(golds):
        best, best_ov = None, 0
        for pi, (_, v) in enumerate(preds):
            if pi in used or v.article != q["article"]:
                continue
            ov = min(e, v.end) - max(s, v.start)
            if ov > best_ov:
                best, best_ov = pi, ov
        if best is not None and best_ov >= 0.5 * min(e - s, preds[best][1].end
                                                     - preds[best][1].start):
            match[gi_] = best
            used.add(best)
    inv = {p: g for g, p in match.items()}
    out = {k: Score() for k in MEASURES}
    out["quotes"] = Score(len(match), len(preds), len(match), len(golds))
    sp = out["speakers"]
    for gi_, (q, _, _) in enumerate(golds):
        pi = match.get(gi_)
        pred_speaker = preds[pi][1].speaker if pi is not None else None
        ok = pi is not None and same_speaker(pred_speaker, q["speaker"])
        if q["speaker"] is not None:
            sp.n_r += 1
            sp.tp_r += int(ok and pred_speaker is not None)
        if pred_speaker is not None:
            sp.n_p += 1
            sp.tp_p += int(ok)
        if verbose and not ok:
            print(f"   speaker  {q['article']}: gold {q['speaker']!r} pred {pred_speaker!r} "
                  f"— {q['text'][:50]!r}")
    for pi in range(len(preds)):
        if pi not in inv and preds[pi][1].speaker is not None:
            sp.n_p += 1  # a quote that is not one, with a speaker
    # variants: right group (same reference) and right kind
    gold_ref = {}
    for gi_, (q, _, _) in enumerate(golds):
        if q["kind"] is None:
            gold_ref[q["group"]] = gi_
    va = out["variants"]
    for gi_, (q, _, _) in enumerate(golds):
        if q["kind"] is None:
            continue
        va.n_r += 1
        pi = match.get(gi_)
        if pi is None:
            if verbose:
                print(f"   variant  {q['article']}: not extracted — {q['text'][:50]!r}")
            continue
        group = comp.quotes[preds[pi][0]]
        ref_v = group.variants[0]
        ref_pi = next(k for k, (g, v) in enumerate(preds) if g == preds[pi][0] and v is ref_v)
        ok = inv.get(ref_pi) == gold_ref.get(q["group"]) and preds[pi][1].kind == q["kind"] and (
            not preds[pi][1].reference)
        va.tp_r += int(ok)
        if verbose and not ok:
            print(f"   variant  {q['article']}: gold {q['kind']} pred {preds[pi][1].kind} "
                  f"ref-ok {inv.get(ref_pi) == gold_ref.get(q['group'])} — {q['text'][:50]!r}")
    for pi, (g, v) in enumerate(preds):
        if v.reference or len(comp.quotes[g].variants) < 2:
            continue
        va.n_p += 1
        gi_ = inv.get(pi)
        if gi_ is None or golds[gi_][0]["kind"] is None:
            if verbose:
                print(f"   variant  {v.article}: spurious {v.kind} — {v.text[:50]!r}")
            continue
        q = golds[gi_][0]
        ref_pi = next(k for k, (gg, vv) in enumerate(preds) if gg == g and vv.reference)
        va.tp_p += int(inv.get(ref_pi) == gold_ref.get(q["group"]) and v.kind == q["kind"])
    # conflicts: same kind, values, and articles split the same way (some may be missing)
    cf = out["conflicts"]
    gold_c = gold.get("conflicts", [])
    cf.n_r, cf.n_p = len(gold_c), len(comp.conflicts)

    def partition(values: list[dict[str, Any]] | list[Any]) -> frozenset[frozenset[str]]:
        return frozenset(frozenset(v["articles"] if isinstance(v, dict) else v.articles)
                         for v in values)

    taken: set[int] = set()
    for gc in gold_c:
        gp = partition(gc["values"])
        gv = {_norm_value(v["value"]) for v in gc["values"]}

        def fits(c: Any, gp: frozenset[frozenset[str]] = gp) -> bool:
            """Each predicted block inside its own gold block (articles may be missing)."""
            blocks = partition(c.values)
            homes = [next((g for g in gp if b <= g), None) for b in blocks]
            return len(blocks) >= 2 and None not in homes and len(set(homes)) == len(homes)

        cands = [k for k, c in enumerate(comp.conflicts)
                 if k not in taken and c.kind == gc["kind"] and fits(c)]
        overlap = {k: len(gv & {_norm_value(v.value) for v in comp.conflicts[k].values})
                   for k in cands}
        if gc["kind"] in {"number", "date"}:
            cands = [k for k in cands if overlap[k]]  # the values must be the right ones
        cands.sort(key=lambda k: (partition(comp.conflicts[k].values) != gp, -overlap[k]))
        if cands:
            taken.add(cands[0])
            cf.tp_r += 1
        elif verbose:
            print(f"   conflict missed: {gc['kind']} {gc['slot']} {gc['values']}")
    cf.tp_p = len(taken)
    if verbose:
        for k, c in enumerate(comp.conflicts):
            if k not in taken:
                print(f"   conflict spurious: {c.kind} {c.slot} "
                      f"{[(v.value, v.articles) for v in c.values]}")
    if gold.get("claims"):
        out["single"] = score_single_source(comp, gold, verbose)
    return out


def gold_roots(gold: dict[str, Any]) -> dict[str, str]:
    """Each labelled article's original (itself when it derives from none)."""
    parent = {a["id"]: a.get("derived_from") for a in gold["articles"]}
    out = {}
    for a in parent:
        cur, seen = a, {a}
        while parent.get(cur) and parent[cur] not in seen:
            cur = parent[cur]
            seen.add(cur)
        out[a] = cur
    return out


def score_single_source(comp: Comparison, gold: dict[str, Any], verbose: bool) -> Score:
    """"Single source" badges against the labelled facts.

    A labelled fact is single-source when every article stating it derives from one
    original (by the labelled `derived_from`). A predicted claim is matched to the fact
    whose labelled sentence (same article) its text contains. Precision: predicted
    single-source claims that are single-source facts, over predicted single-source claims
    matched to a fact (unmatched ones are printed with --verbose). Recall: single-source
    facts whose every matched claim is marked single-source.
    """
    roots = gold_roots(gold)
    facts: dict[str, set[str]] = defaultdict(set)
    for f in gold["claims"]:
        facts[f["fact"]].add(roots[f["article"]])
    single = {f: len(r) == 1 for f, r in facts.items()}
    sc = Score()
    marked: dict[str, list[bool]] = defaultdict(list)
    for c in comp.claims:
        fact = next((f["fact"] for f in gold["claims"]
                     if f["article"] == c.article and f["text"] in c.text), None)
        if fact is None:
            if verbose and c.single_source:
                print(f"   single-source claim not labelled: {c.article} {c.text[:60]!r}")
            continue
        marked[fact].append(c.single_source)
        if c.single_source:
            sc.n_p += 1
            sc.tp_p += int(single[fact])
            if verbose and not single[fact]:
                print(f"   single source wrong: {fact} {c.support} — {c.text[:60]!r}")
    for f, is_single in single.items():
        if is_single:
            sc.n_r += 1
            ok = bool(marked[f]) and all(marked[f])
            sc.tp_r += int(ok)
            if verbose and not ok:
                print(f"   single source missed: {f} {marked[f]}")
    return sc


MEASURES = ("quotes", "speakers", "variants", "conflicts", "single")


def evaluate(data: Path, verbose: bool) -> dict[str, Score]:
    totals = {k: Score() for k in MEASURES}
    for path in sorted(data.glob("*.json")):
        arts, derived, gold = load_story(path)
        comp = compare_story(arts, derived, CACHE)
        if verbose:
            print(f"-- {path.stem}")
        for k, sc in score_story(arts, comp, gold, verbose).items():
            totals[k].add(sc)
    return totals


def generated_stories(n: int) -> list[list[Article]]:
    from gen_corpus import generate

    by_cluster: dict[str, list[Article]] = defaultdict(list)
    for i, rec in enumerate(generate(n, seed=7)):
        raw = RawDocument(path=f"gen/{i}", kind="text", body=rec["text"] or "",
                          meta={"title": rec["title"], "date": rec["date"], "url": rec["url"],
                                "source": rec["source"]})
        by_cluster[rec["cluster"] or str(i)].append(clean(raw))
    return list(by_cluster.values())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--n", type=int, default=1000, help="generated articles for the speed run")
    ap.add_argument("--verbose", action="store_true", help="print every miss")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    load_pipeline()
    print(f"spaCy pipeline loaded in {time.perf_counter() - t0:.2f}s")
    totals = evaluate(args.data, args.verbose)
    stories = len(list(args.data.glob("*.json")))
    print(f"labelled stories: {stories} in {args.data}")
    measures = (("quotes", "quote extraction"), ("speakers", "speaker attribution"),
                ("variants", "variant classification"), ("conflicts", "conflict detection"),
                ("single", "single source"))
    for name, label in measures:
        if name == "single" and not totals[name].n_p + totals[name].n_r:
            continue  # no story of this folder labels its claims
        print(totals[name].line(label))

    if args.n > 0:
        stories_gen = generated_stories(args.n)
        big = max(stories_gen, key=len)[:10]
        CACHE.clear()
        t = time.perf_counter()
        compare_story(big, cache=CACHE)
        cold = time.perf_counter() - t
        t = time.perf_counter()
        compare_story(big, cache=CACHE)
        warm = time.perf_counter() - t
        words = sum(len(a.text.split()) for a in big)
        print(f"10-article story ({words} words): {cold * 1000:.0f} ms cold, "
              f"{warm * 1000:.0f} ms with the article cache warm")
        CACHE.clear()
        n_arts = sum(len(s) for s in stories_gen)
        t = time.perf_counter()
        for story in stories_gen:
            compare_story(story, cache=CACHE)
        took = time.perf_counter() - t
        print(f"generated corpus: {n_arts} articles in {len(stories_gen)} stories, "
              f"{took:.1f}s, {n_arts / took:.1f} articles/s story by story "
              f"(largest story {max(len(s) for s in stories_gen)} articles)")
        CACHE.clear()
        t = time.perf_counter()
        analyze_articles([a for story in stories_gen for a in story], CACHE)  # one NER batch
        for story in stories_gen:
            compare_story(story, cache=CACHE)
        took = time.perf_counter() - t
        print(f"generated corpus, articles read in one batch first: {took:.1f}s, "
              f"{n_arts / took:.1f} articles/s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (ru_maxrss): {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
