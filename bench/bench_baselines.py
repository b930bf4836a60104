"""storyfold against the baselines a user would reach for, on the same labelled data.

    .venv/bin/python bench/bench_baselines.py                       # ECB+ dev and GoogleNews-TS
    .venv/bin/python bench/bench_baselines.py --datasets ecb        # ECB+ only (about a minute)
    .venv/bin/python bench/bench_baselines.py --datasets gn --limit 2000   # quick GoogleNews run
    .venv/bin/python bench/bench_baselines.py --json bench/out/baselines.json

Why: a quality number for storyfold means little on its own. The question a user asks is
"would TF-IDF + agglomerative clustering, river's TextClust or k-means have done as well?",
so every method runs in one process, on the same items, scored by the same function
(`storyfold.eval.metrics.cluster_scores`), and one table per dataset is printed.

Honesty rules the table follows:
- A threshold picked on the data it is scored on is an *oracle*; the row says so, and a second
  row applies the threshold picked on the *other* dataset (a fair out-of-sample figure; it needs
  both datasets in one run). Tuning maximises B-cubed F1.
- k-means is given the true number of clusters, which no online system knows.
- storyfold runs with its shipped defaults, which were themselves chosen on ECB+ dev among
  others (bench/RESULTS.md), so its ECB+ figure is in-sample too.
- ECB+ is read as content only (title + text): the URL/source fields, present in one half of
  each topic only, would separate events for free. storyfold uses them only for article ids.

Data: `../shared/eval` next to the project (see its README), or `--data DIR`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
FILES = {"ecb": "ecbplus/dev.jsonl", "gn": "googlenews_ts/googlenews.jsonl"}
NAMES = {"ecb": "ECB+ dev", "gn": "GoogleNews-TS"}
OTHER = {"ecb": "gn", "gn": "ecb"}
TUNE_ON = "bcubed_f1"

# Small grids, fixed in advance. Cosine distance for average linkage: TF-IDF vectors of one
# story are far apart (few shared words), sentence embeddings much closer.
TFIDF_AGGLO_GRID = [*(float(round(x, 2)) for x in np.arange(0.50, 0.951, 0.05)), 0.975, 0.99]
EMB_AGGLO_GRID = [float(round(x, 2)) for x in np.arange(0.30, 0.851, 0.05)]
# TextClust: the merge radius (cosine distance) and the fading factor; auto_r replaces radius.
TEXTCLUST_GRID: list[dict[str, Any]] = [
    *({"radius": r, "fading_factor": 0.0005} for r in (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)),
    *({"radius": r, "fading_factor": 0.00005} for r in (0.6, 0.8)),
    {"auto_r": True, "fading_factor": 0.0005},
]


@dataclass
class Item:
    id: str
    text: str  # title + text: content only
    gold: str


@dataclass
class Row:
    """One line of the table: a method, how it was set, its scores and its throughput."""

    method: str
    setting: str
    scores: dict[str, Any] | None
    docs_per_s: float | None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def load(path: Path, limit: int | None) -> list[Item]:
    items = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            rec = json.loads(line)
            title, text = (rec.get("title") or "").strip(), (rec.get("text") or "").strip()
            items.append(Item(str(rec.get("id") or f"line {n}"),
                              f"{title}. {text}" if title else text, str(rec["cluster"])))
            if limit and len(items) >= limit:
                break
    return items


def score(gold: Sequence[str], pred: Sequence[Any]) -> dict[str, Any]:
    from storyfold.eval.metrics import cluster_scores

    return cluster_scores(list(gold), [str(p) for p in pred]).as_dict()


# ---------------------------------------------------------------- storyfold


def run_storyfold(path: Path, items: list[Item], limited: bool, embedder: Any) -> Row:
    """The shipped `eval` path: ingest → clean → fingerprint → place → consolidate, in SQLite."""
    from storyfold.eval.runners import eval_stories
    from storyfold.settings import DEFAULTS
    from storyfold.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        src = path
        if limited:  # --limit: the same first N records, written outside the project
            src = Path(tmp) / path.name
            keep = {it.id for it in items}
            with path.open(encoding="utf-8") as fh, src.open("w", encoding="utf-8") as out:
                out.writelines(ln for ln in fh if ln.strip() and json.loads(ln)["id"] in keep)
        store = open_store(f"sqlite:///{tmp}/bench.db")
        try:
            fig = eval_stories(src, store, embedder=embedder).figures
        finally:
            store.close()
    scores = {k: fig[k] for k in ("pairwise_p", "pairwise_r", "pairwise_f1", "bcubed_p",
                                  "bcubed_r", "bcubed_f1", "nmi", "ari", "ami", "n_pred",
                                  "n_gold") if k in fig}
    note = f"scored {fig.get('articles')}/{len(items)}, embedding {fig['embed_share']:.0%} of time"
    if fig.get("skipped"):
        note += f", {fig['skipped']} skipped"
    return Row("storyfold", f"defaults, threshold={DEFAULTS.place.threshold}", scores,
               fig.get("docs_per_s"), note, {"seconds": fig.get("seconds")})


# ---------------------------------------------------------------- vectors


def tfidf(items: list[Item]) -> Any:
    """L2-normalised sublinear TF-IDF, English stop words removed (GoogleNews has none left)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(stop_words="english", sublinear_tf=True, dtype=np.float32)
    return vec.fit_transform([it.text for it in items])


def condensed_cosine(x: Any, block: int = 1024) -> np.ndarray:
    """Upper-triangle cosine distances, filled a block of rows at a time.

    For 11k items the square matrix would be 1 GB in float64; the condensed vector SciPy's
    linkage wants is half that, and no square copy is ever held.
    """
    n = x.shape[0]
    out = np.empty(n * (n - 1) // 2, dtype=np.float64)
    pos = 0
    for start in range(0, n, block):
        stop = min(n, start + block)
        sims = x[start:stop] @ x[start:].T
        sims = sims.toarray() if hasattr(sims, "toarray") else np.asarray(sims)
        for r in range(stop - start):
            row = sims[r, r + 1:]
            out[pos:pos + row.size] = 1.0 - row
            pos += row.size
    np.clip(out, 0.0, 2.0, out=out)
    return out


def agglomerative(x: Any, grid: Sequence[float]) -> tuple[dict[float, np.ndarray], float]:
    """Average-linkage cosine clustering cut at each distance threshold of the grid.

    This is what `AgglomerativeClustering(metric="cosine", linkage="average",
    distance_threshold=t)` computes (scikit-learn calls SciPy's linkage for it), but the tree is
    built once and cut at every t, instead of refitting per threshold.
    Returns labels per threshold and the seconds to build the tree.
    """
    from scipy.cluster.hierarchy import fcluster, linkage

    t0 = time.perf_counter()
    tree = linkage(condensed_cosine(x), method="average")
    secs = time.perf_counter() - t0
    return {t: fcluster(tree, t=t, criterion="distance") for t in grid}, secs


def kmeans(x: Any, k: int, seed: int = 0) -> np.ndarray:
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=3, random_state=seed).fit_predict(x)


# ---------------------------------------------------------------- river TextClust


def textclust(items: list[Item], analyzer: Callable[[str], list[str]],
              params: dict[str, Any]) -> np.ndarray:
    """Stream items in file order through river's TextClust; label = final micro-cluster.

    TextClust's `learn_one` returns nothing and its own `predict_one` answers with the
    nearest micro-cluster however far it is, so the assignment made while learning is
    captured from `_get_closest_mc`, and micro-clusters merged later (its `auto_merge`
    clean-up, every `tgap` items) are followed with a union-find over `merged_ids`.
    Macro-clustering is not used: it needs the number of clusters and its single-linkage
    implementation is quartic in the number of micro-clusters.
    Items whose micro-cluster later fades away keep the label they were given.
    """
    from collections import Counter

    from river.cluster import TextClust

    class Tracked(TextClust):
        chosen: int | None = None

        def _get_closest_mc(self, mc: Any, idf: dict[str, float],
                            distance: Any) -> tuple[int | None, float]:
            cid, dist = super()._get_closest_mc(mc, idf, distance)
            self.chosen = cid
            return cid, dist

    model = Tracked(real_time_fading=False, tgap=100, **params)
    parent: dict[int, int] = {}

    def find(a: int) -> int:
        while parent.get(a, a) != a:
            parent[a] = parent.get(parent[a], parent[a])
            a = parent[a]
        return a

    labels: list[Any] = []
    for i, it in enumerate(items):
        terms = dict(Counter(analyzer(it.text)))
        model.chosen = -1
        before, cleaned = model._cluster_id, model.last_cleanup
        model.learn_one(terms)
        if not terms or model.chosen == -1:
            labels.append(f"empty{i}")
        elif model.chosen is None:
            labels.append(before)  # it started a new micro-cluster
        else:
            labels.append(model.chosen)
        if model.last_cleanup != cleaned:
            for key, mc in model.micro_clusters.items():
                for merged in mc.merged_ids:
                    ra, rb = find(key), find(merged)
                    if ra != rb:
                        parent[rb] = ra
    return np.array([find(x) if isinstance(x, int) else x for x in labels], dtype=object)


def describe(params: dict[str, Any]) -> str:
    head = "auto_r" if params.get("auto_r") else f"radius={params['radius']}"
    return f"{head}, fading={params['fading_factor']}"


# ---------------------------------------------------------------- one dataset


@dataclass
class Tuned:
    """A method swept over a grid: scores per setting, so another dataset can borrow the pick."""

    scores: dict[str, dict[str, Any]]
    seconds: dict[str, float]
    display: dict[str, str]

    def best(self) -> str:
        return max(self.scores, key=lambda s: self.scores[s][TUNE_ON])


def run_dataset(key: str, path: Path, limit: int | None, embedder: Any,
                log: Callable[[str], None]) -> tuple[list[Row], dict[str, Tuned], int]:
    items = load(path, limit if key == "gn" else None)
    n = len(items)
    gold = [it.gold for it in items]
    k = len(set(gold))
    log(f"{NAMES[key]}: {n} items, {k} gold clusters")
    rows: list[Row] = []
    tuned: dict[str, Tuned] = {}

    log("  storyfold …")
    rows.append(run_storyfold(path, items, limited=limit is not None and key == "gn",
                              embedder=embedder))

    log("  TF-IDF …")
    t0 = time.perf_counter()
    x = tfidf(items)
    t_tfidf = time.perf_counter() - t0
    log("  MiniLM embeddings …")
    t0 = time.perf_counter()
    emb = embedder.embed([it.text[:2000] for it in items])
    t_emb = time.perf_counter() - t0

    for name, vecs, vec_s, grid in (("tfidf_agglo", x, t_tfidf, TFIDF_AGGLO_GRID),
                                    ("emb_agglo", emb, t_emb, EMB_AGGLO_GRID)):
        log(f"  {name} …")
        cuts, tree_s = agglomerative(vecs, grid)
        tuned[name] = Tuned({str(t): score(gold, lab) for t, lab in cuts.items()},
                            {str(t): vec_s + tree_s for t in cuts},
                            {str(t): f"t={t}" for t in cuts})

    analyzer = _analyzer()
    grid_tc: dict[str, dict[str, Any]] = {describe(p): p for p in TEXTCLUST_GRID}
    tc = Tuned({}, {}, {})
    for label, params in grid_tc.items():
        log(f"  TextClust {label} …")
        t0 = time.perf_counter()
        lab = textclust(items, analyzer, params)
        tc.seconds[label] = time.perf_counter() - t0
        tc.scores[label] = score(gold, lab)
        tc.display[label] = label
    tuned["textclust"] = tc

    log("  k-means …")
    t0 = time.perf_counter()
    km_tfidf = kmeans(x, k)
    s_km_tfidf = time.perf_counter() - t0 + t_tfidf
    t0 = time.perf_counter()
    km_emb = kmeans(emb, k)
    s_km_emb = time.perf_counter() - t0 + t_emb
    rows.append(Row("k-means, TF-IDF", f"true k={k}, n_init=3", score(gold, km_tfidf),
                    n / s_km_tfidf, "oracle k"))
    rows.append(Row("k-means, MiniLM", f"true k={k}, n_init=3", score(gold, km_emb),
                    n / s_km_emb, "oracle k"))
    return rows, tuned, n


TUNED_NAMES = {"tfidf_agglo": "TF-IDF + agglomerative avg",
               "emb_agglo": "MiniLM + agglomerative avg",
               "textclust": "river TextClust (online)"}


def tuned_rows(key: str, n: int, tuned: dict[str, Tuned],
               other: dict[str, Tuned] | None) -> list[Row]:
    """Per swept method: the oracle pick on this data, then the other dataset's pick."""
    rows = []
    for name, t in tuned.items():
        b = t.best()
        rows.append(Row(TUNED_NAMES[name], t.display[b], t.scores[b], n / t.seconds[b],
                        f"oracle: tuned on {NAMES[key]}",
                        {"grid": {t.display[s]: t.scores[s] for s in t.scores}}))
        if other is None or name not in other:
            rows.append(Row(TUNED_NAMES[name], "—", None, None,
                            "transfer: needs --datasets ecb,gn"))
        else:
            o = other[name].best()
            rows.append(Row(TUNED_NAMES[name], t.display[o], t.scores[o], n / t.seconds[o],
                            f"transfer: tuned on {NAMES[OTHER[key]]}"))
    return rows


def _analyzer() -> Callable[[str], list[str]]:
    """The TF-IDF tokenizer (lower-case, no English stop words): TextClust sees the same terms."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(stop_words="english").build_analyzer()


# ---------------------------------------------------------------- output

COLUMNS = [("pairwise_f1", "pair F1"), ("bcubed_f1", "B³ F1"), ("nmi", "NMI"), ("ari", "ARI"),
           ("ami", "AMI")]


def print_table(key: str, n: int, rows: list[Row], console: Any) -> None:
    from rich.table import Table

    gold_k = next((r.scores["n_gold"] for r in rows if r.scores), "?")
    table = Table(title=f"{NAMES[key]} — {n} items, {gold_k} gold clusters", title_justify="left")
    table.add_column("method")
    table.add_column("setting")
    for _, head in COLUMNS:
        table.add_column(head, justify="right")
    table.add_column("#pred", justify="right")
    table.add_column("docs/s", justify="right")
    table.add_column("note")
    for r in rows:
        s = r.scores
        cells = [f"{s[c]:.3f}" for c, _ in COLUMNS] if s else ["—"] * len(COLUMNS)
        table.add_row(r.method, r.setting, *cells, str(s["n_pred"]) if s else "—",
                      f"{r.docs_per_s:,.0f}" if r.docs_per_s else "—", r.note)
    console.print(table)


FOOTNOTES = """\
Scores: storyfold.eval.metrics.cluster_scores for every method; tuned settings maximise B³ F1.
docs/s: wall time of one fit on the data, vectorising/embedding included (model load excluded);
  storyfold's figure also includes ingest, cleaning, MinHash signing, linking and SQLite writes.
  Agglomerative: one average-linkage tree (SciPy, as scikit-learn uses) cut at each threshold.
oracle = setting chosen on the very data it is scored on; transfer = chosen on the other dataset.
storyfold's defaults were chosen on ECB+ dev among others (bench/RESULTS.md): its ECB+ row is
  in-sample, like an oracle row.
TextClust: real_time_fading=False (time = item count), tgap=100, unigram TF counts; label = the
  micro-cluster an item joined, following later micro-cluster merges (no macro step: needs k).
BERTopic: not run (UMAP/HDBSCAN stack, not installed offline; not cheap on 2 cores)."""


def storyfold_tree() -> str:
    """Which storyfold was measured: commit, and whether src/ had uncommitted edits.

    Python imports the code once, so edits made while this runs do not reach the figures;
    the line printed is read at start-up, when the code was imported.
    """
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, check=True,
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src/storyfold"],
                               cwd=root, check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    n = len(dirty.splitlines())
    return f"{head}" + (f" + uncommitted edits to {n} file(s) under src/storyfold" if n else "")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared/eval folder")
    ap.add_argument("--datasets", default="ecb,gn", help="comma list of: ecb, gn")
    ap.add_argument("--limit", type=int, default=None,
                    help="first N GoogleNews items (stream order), for a quick run")
    ap.add_argument("--json", type=Path, default=None, help="write all figures here")
    args = ap.parse_args(argv)

    keys = [k.strip() for k in args.datasets.split(",") if k.strip()]
    if bad := [k for k in keys if k not in FILES]:
        ap.error(f"unknown dataset(s) {bad}; choose from {sorted(FILES)}")
    paths = {k: args.data / FILES[k] for k in keys}
    if missing := [str(p) for p in paths.values() if not p.is_file()]:
        sys.exit(f"evaluation data not found: {', '.join(missing)}\n"
                 f"expected the shared eval folder at {args.data} (see its README.md); "
                 "pass --data DIR to point elsewhere")

    from rich.console import Console

    from storyfold.fingerprint import Embedder

    console = Console(width=int(os.environ.get("COLUMNS", 160)))
    err = Console(stderr=True)

    def log(msg: str) -> None:
        err.print(f"[dim]{time.strftime('%H:%M:%S')}[/] {msg}", highlight=False)

    tree = storyfold_tree()
    import storyfold.eval.runners  # noqa: F401 - import now, with the tree just described

    t_start = time.perf_counter()
    embedder = Embedder()
    Embedder.model()  # loaded once, outside every timed part; shared by all methods
    results: dict[str, tuple[list[Row], dict[str, Tuned], int]] = {}
    for key in keys:
        results[key] = run_dataset(key, paths[key], args.limit, embedder, log)

    dump: dict[str, Any] = {}
    for key in keys:
        rows, tuned, n = results[key]
        other = results.get(OTHER[key])
        all_rows = rows[:1] + tuned_rows(key, n, tuned, other[1] if other else None) + rows[1:]
        print_table(key, n, all_rows, console)
        console.print()
        dump[key] = {"items": n, "file": str(paths[key]), "rows": [
            {"method": r.method, "setting": r.setting, "note": r.note,
             "docs_per_s": round(r.docs_per_s, 1) if r.docs_per_s else None,
             "scores": r.scores, **r.extra} for r in all_rows]}
    console.print(FOOTNOTES, highlight=False)
    console.print(f"storyfold measured: {tree}", highlight=False)
    total = time.perf_counter() - t_start
    console.print(f"total wall time {total / 60:.1f} min", highlight=False)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"datasets": dump, "seconds": round(total, 1),
                                         "storyfold": tree,
                                         "tuned_on": TUNE_ON, "limit": args.limit}, indent=1))
        console.print(f"figures written to {args.json}", highlight=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
