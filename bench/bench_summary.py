"""Score story write-ups against labelled references and time them.

Quality, on the multi-article stories of examples/ (grouped by their gold labels, with the
gold derivations, so that clustering mistakes do not blur the figures):

* ROUGE-1/2/L F1 of the summary against the reference summaries in
  examples/summaries.json, for storyfold's summary and two baselines: lead-3 of the
  earliest article, and a centroid summary (the sentences closest to the story centroid,
  as many as storyfold picks, no redundancy removal, no consensus);
* citation precision and recall: a sentence matches the labelled key facts it contains,
  and an article really states it when the labels say it states all of them. Compared
  with citing only the article the sentence was taken from, and with similarity alone
  (no check of names, figures and dates); a threshold sweep shows the trade-off.

Speed: seconds per story write-up (comparison included, models loaded beforehand) for
generated stories (bench/gen_corpus.py) of 2, 10 and 50 articles: cold, and again when
one article joins (the others' sentence vectors cached, as the store keeps them; their
spaCy reading redone, as in a fresh CLI process, or kept, as in a running server).

Usage: .venv/bin/python bench/bench_summary.py [--sizes 2 10 50] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from storyfold.analyze import selection  # noqa: E402
from storyfold.analyze.analysis import AnalysisCache, analyze_articles  # noqa: E402
from storyfold.analyze.candidates import candidate_spans, sentence_vectors  # noqa: E402
from storyfold.analyze.compare import compare_story  # noqa: E402
from storyfold.analyze.summary import cited_sentences, write_up  # noqa: E402
from storyfold.analyze.timeline import timeline_order  # noqa: E402
from storyfold.clean import clean  # noqa: E402
from storyfold.eval.labels import article_key  # noqa: E402
from storyfold.fingerprint import Embedder  # noqa: E402
from storyfold.ingest import iter_documents  # noqa: E402
from storyfold.ingest.jsonl import record_to_document  # noqa: E402
from storyfold.model import Article, Membership  # noqa: E402

CORPUS = ROOT / "examples" / "corpus"
CACHE = AnalysisCache()  # the articles' readings, as a running server keeps them
LABELS = ROOT / "examples" / "labels.json"
REFERENCES = ROOT / "examples" / "summaries.json"


# ---- the labelled stories ------------------------------------------------------------------
def load_stories() -> dict[str, dict]:
    """Gold stories of examples/ that have a reference: articles, members, alias → id."""
    gold = {a["key"]: a for a in json.loads(LABELS.read_text())["articles"]}
    refs = json.loads(REFERENCES.read_text())["stories"]
    arts: dict[str, Article] = {}
    for doc in iter_documents([str(CORPUS)]):
        if hasattr(doc, "reason"):
            continue
        a = clean(doc)
        key = article_key(a.url, a.path, CORPUS)
        if key in gold:
            arts[key] = a
    out = {}
    for name, ref in refs.items():
        keys = list(ref["articles"].values())
        members = [Membership(arts[k].id, gold[k]["role"],
                              arts[gold[k]["derived_from"]].id if gold[k]["derived_from"] else None)
                   for k in keys]
        out[name] = {"articles": [arts[k] for k in keys], "members": members,
                     "alias": {al: arts[k].id for al, k in ref["articles"].items()},
                     "reference": ref["summary"], "facts": ref["key_facts"]}
    return out


def _matcher(alternatives: str) -> re.Pattern[str]:
    alts = [re.escape(a) for a in alternatives.split("|")]
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + ")", re.I)


def stated_by(sentence: str, facts: list[dict], alias: dict[str, str]) -> set[str] | None:
    """Articles that state every labelled fact the sentence contains (None: matches none)."""
    matched = [f for f in facts if all(_matcher(g).search(sentence) for g in f["match"])]
    if not matched:
        return None
    out = set(alias.values())
    for f in matched:
        out &= {alias[a] for a in f["stated_by"]}
    return out


# ---- baselines ---------------------------------------------------------------------------------
def lead3(story: dict) -> list[str]:
    first = timeline_order(story["articles"], story["members"])[0]
    return [sp.text for sp in candidate_spans(first)[:3]]


def centroid_summary(story: dict, vectors: dict[str, np.ndarray], k: int) -> list[str]:
    ordered = timeline_order(story["articles"], story["members"])
    means = [vectors[a.id].mean(axis=0) for a in ordered if len(vectors[a.id])]
    c = np.mean(means, axis=0)
    c /= np.linalg.norm(c)
    cands, seen = [], set()
    for i, a in enumerate(ordered):
        for p, sp in enumerate(candidate_spans(a)):
            if sp.text.lower() not in seen:
                seen.add(sp.text.lower())
                cands.append((float(vectors[a.id][p] @ c), i, p, sp.text))
    top = sorted(cands, reverse=True)[:k]
    return [t for _, _, _, t in sorted(top, key=lambda x: (x[1], x[2]))]


# ---- scoring -----------------------------------------------------------------------------------
class Citations:
    """Micro-averaged citation precision and recall over labelled summary sentences."""

    def __init__(self) -> None:
        self.right = self.cited = self.stating = self.sentences = self.unlabelled = 0

    def add(self, sentence: str, cited: set[str], story: dict) -> None:
        truth = stated_by(sentence, story["facts"], story["alias"])
        if truth is None:
            self.unlabelled += 1
            return
        self.sentences += 1
        self.right += len(cited & truth)
        self.cited += len(cited)
        self.stating += len(truth)

    def row(self) -> str:
        p = self.right / self.cited if self.cited else 1.0
        r = self.right / self.stating if self.stating else 1.0
        return (f"P {p:.3f}  R {r:.3f}  ({self.sentences} sentences labelled, "
                f"{self.unlabelled} unlabelled)")


def quality(verbose: bool) -> None:
    from rouge_score import rouge_scorer

    embedder = Embedder()
    stories = load_stories()
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    rouge: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    ours, source_only, similarity_only = Citations(), Citations(), Citations()
    every = Citations()
    sweep = {t: Citations() for t in (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)}
    lengths = []
    for name, story in stories.items():
        ordered = timeline_order(story["articles"], story["members"])
        vectors = sentence_vectors(ordered, embedder)
        wu = write_up(story["articles"], story["members"], embedder, vectors=vectors,
                      cache=CACHE)
        summary = [s.text for s in wu.summary]
        lengths.append(len(summary))
        systems = {"storyfold": summary, "lead-3": lead3(story),
                   "centroid": centroid_summary(story, vectors, len(summary))}
        for sys_name, sents in systems.items():
            scores = scorer.score(story["reference"], " ".join(sents))
            for k, v in scores.items():
                rouge[sys_name][k].append(v.fmeasure)
        for s in wu.summary:
            ours.add(s.text, set(s.citations), story)
            source_only.add(s.text, {s.article}, story)
        for s in cited_sentences(story["articles"], story["members"], embedder,
                                 vectors=vectors, cache=CACHE):
            every.add(s.text, set(s.citations), story)
        for t, acc in sweep.items():
            for s in cited_sentences(story["articles"], story["members"], embedder,
                                     vectors=vectors, cite_threshold=t, cache=CACHE):
                acc.add(s.text, set(s.citations), story)
        checks = selection.states
        selection.states = lambda *_: True  # ablation: similarity alone decides
        try:
            for s in write_up(story["articles"], story["members"], embedder,
                              vectors=vectors, cache=CACHE).summary:
                similarity_only.add(s.text, set(s.citations), story)
        finally:
            selection.states = checks
        if verbose:
            print(f"\n## {name}\nheadline: {wu.headline}")
            names = {v: k for k, v in story["alias"].items()}
            for s in wu.summary:
                truth = stated_by(s.text, story["facts"], story["alias"])
                print(f"- {s.text}\n    cites {sorted(names[c] for c in s.citations)}"
                      f"  labels {sorted(names[c] for c in truth) if truth is not None else '-'}")
    n = len(stories)
    print(f"examples/: {n} multi-article stories, summary length {np.mean(lengths):.1f} sentences"
          f" (references: {REFERENCES.relative_to(ROOT)})")
    print(f"{'ROUGE F1':<12}{'R-1':>8}{'R-2':>8}{'R-L':>8}")
    for sys_name, per in rouge.items():
        print(f"{sys_name:<12}" + "".join(f"{np.mean(per[k]):>8.3f}"
                                          for k in ("rouge1", "rouge2", "rougeL")))
    print("citations of the summary sentences (does a cited article state the sentence? "
          "by the labelled key facts)")
    print(f"  storyfold          {ours.row()}")
    print(f"  similarity only    {similarity_only.row()}")
    print(f"  source article only {source_only.row()}")
    print(f"  every candidate    {every.row()}")
    print("  every candidate, by similarity threshold: " + "  ".join(
        f"{t:.2f}: P {a.right / max(a.cited, 1):.2f} R {a.right / max(a.stating, 1):.2f}"
        for t, a in sweep.items()))


# ---- speed ---------------------------------------------------------------------------------------
def generated_story(n: int, seed: int = 11) -> tuple[list[Article], list[Membership]]:
    """One generated story of n articles: an original, then copies, near copies, rewrites and
    independent reports of it (gen_corpus.py's own mix of roles)."""
    from gen_corpus import CorpusGenerator

    gen = CorpusGenerator(seed)
    rng = random.Random(seed)
    story = gen.new_story("s0")
    made = [gen.original(story)]
    for _ in range(n - 1):
        role = rng.choices(["copy", "near", "rewrite", "independent"], [0.3, 0.25, 0.25, 0.2])[0]
        made.append(gen.derive(made[0], role))
    recs = [gen.record(a) for a in made]
    arts = [clean(record_to_document("gen.jsonl", r, str(i))) for i, r in enumerate(recs)]
    ids = {r["id"]: a.id for r, a in zip(recs, arts, strict=True)}
    roles = {"near": "copy"}
    members = [Membership(a.id, roles.get(str(r["role"]), str(r["role"])),
                          ids.get(str(r["derived_from"])) if r["derived_from"] else None)
               for r, a in zip(recs, arts, strict=True)]
    return arts, members


def speed(sizes: list[int]) -> None:
    embedder = Embedder()
    embedder.embed(["warm up the model"])
    analyze_articles([Article("warm", None, None, None, "Warm up the tagger, please.")])
    print("write-up time per story (compare + summary; models loaded beforehand)")
    for n in sizes:
        arts, members = generated_story(n)
        derived = {m.article_id: m.derived_from for m in members}
        CACHE.clear()
        t0 = time.perf_counter()
        ordered = timeline_order(arts, members)
        comp = compare_story(ordered, derived, CACHE)
        vectors = sentence_vectors(ordered, embedder)
        wu = write_up(arts, members, embedder, comp, vectors, cache=CACHE)
        cold = time.perf_counter() - t0
        # one more article joins: the others' sentence vectors come from the store's cache;
        # their NLP reading is redone in a fresh process (the CLI), kept in a server's
        extra, extra_m = generated_story(n + 1)
        new, new_m = extra[-1], extra_m[-1]
        arts2, members2 = [*arts, new], [*members, new_m]
        derived2 = {m.article_id: m.derived_from for m in members2}
        joined = {}
        for where in ("cli", "server"):
            if where == "cli":
                CACHE.clear()
            else:
                analyze_articles(arts, CACHE)
            t0 = time.perf_counter()
            ordered2 = timeline_order(arts2, members2)
            comp2 = compare_story(ordered2, derived2, CACHE)
            vectors2 = {**vectors, **sentence_vectors([new], embedder)}
            write_up(arts2, members2, embedder, comp2, vectors2, cache=CACHE)
            joined[where] = time.perf_counter() - t0
        words = sum(len(a.text.split()) for a in arts)
        print(f"  {n:>3} articles ({words:>6} words, {len(wu.summary)} summary sentences): "
              f"cold {cold:5.2f} s   one joins {joined['cli']:5.2f} s "
              f"({joined['server']:.2f} s with the members' NLP kept in memory)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[2, 10, 50])
    ap.add_argument("--verbose", action="store_true", help="print each write-up and its labels")
    ap.add_argument("--no-quality", action="store_true")
    args = ap.parse_args()
    if not args.no_quality:
        quality(args.verbose)
    if args.sizes:
        speed(args.sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
