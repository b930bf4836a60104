"""Benchmark MinHash signing (128 permutations, word 3-gram shingles) for storyfold.

Compares datasketch, rensa and our numpy implementation (bench/own_minhash.py) on the
same documents from bench/gen_corpus.py.  Why the harness looks like this:

* Tokenising and building shingle strings are shared by every method, so they are timed
  once and reported on their own; each method's time starts from the input it needs
  (tokens, shingle strings or bytes) and ends with an (n_docs, num_perm) numpy matrix,
  the form storyfold stores and feeds to LSH.  "from tokens" adds the shared steps a
  method depends on, for an end-to-end comparison.
* Each method runs in a forked child process, so one method's garbage, caches and
  allocator high-water mark never bleed into the next.  Peak RSS is the child's VmHWM
  (reset via /proc/self/clear_refs) minus its RSS at start: it sees Rust/C allocations
  that tracemalloc cannot.  tracemalloc's peak is measured in a second child, because
  tracing slows allocation-heavy Python code and would distort the timing.
* Accuracy is the mean absolute error of the estimated Jaccard against the true Jaccard
  of the shingle sets, over random pairs from the same story (other pairs have J ~ 0 and
  would flatter every method).

Usage: ``python bench/bench_minhash.py [--n 10000] [--corpus bench/out/gen10k.jsonl]``
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing as mp
import os
import random
import re
import resource
import sys
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import own_minhash  # noqa: E402

TOKEN = re.compile(r"\w+")
K = 3


@dataclass
class Corpus:
    """Everything the methods may start from, built once in the parent and shared by fork."""

    labels: list[str]
    tokens: list[list[str]]
    shingles: list[list[str]]
    shingle_bytes: list[list[bytes]]
    pairs: np.ndarray  # (n_pairs, 2) document indices, same story
    true_j: np.ndarray  # (n_pairs,)


@dataclass
class Method:
    name: str
    needs: str  # "tokens" | "strings" | "bytes"
    run: Callable[[Corpus], tuple[np.ndarray, float]]  # -> (signatures, seconds spent hashing)


def load_records(path: Path, n: int, seed: int) -> tuple[list[dict], str]:
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            recs = [json.loads(line) for _, line in zip(range(n), fh, strict=False)]
        if len(recs) >= n:
            return recs, str(path)
    import gen_corpus  # generate in memory when no (big enough) corpus file exists

    return gen_corpus.generate(n, seed), f"gen_corpus.generate(n={n}, seed={seed})"


def sample_pairs(labels: list[str], n_pairs: int, seed: int) -> np.ndarray:
    """Uniform over documents in multi-article stories, partner uniform within the story."""
    by: dict[str, list[int]] = defaultdict(list)
    for i, lab in enumerate(labels):
        by[lab].append(i)
    pool = [i for members in by.values() if len(members) > 1 for i in members]
    rng = random.Random(seed)
    seen: set[tuple[int, int]] = set()
    out: list[tuple[int, int]] = []
    for _ in range(50 * n_pairs):
        if len(out) == n_pairs or not pool:
            break
        i = rng.choice(pool)
        j = rng.choice([m for m in by[labels[i]] if m != i])
        key = (min(i, j), max(i, j))
        if key not in seen:
            seen.add(key)
            out.append(key)
    return np.array(out, dtype=np.int64).reshape(-1, 2)


def true_jaccard(shingles: list[list[str]], pairs: np.ndarray) -> np.ndarray:
    sets: dict[int, set[str]] = {}
    out = np.empty(len(pairs))
    for k, (i, j) in enumerate(pairs):
        a = sets.setdefault(i, set(shingles[i]))
        b = sets.setdefault(j, set(shingles[j]))
        out[k] = len(a & b) / len(a | b) if a or b else 1.0
    return out


# ---- methods --------------------------------------------------------------------------
def ds_update_batch(c: Corpus, num_perm: int, seed: int) -> tuple[np.ndarray, float]:
    from datasketch import MinHash

    sigs = []
    for doc in c.shingle_bytes:
        m = MinHash(num_perm=num_perm, seed=seed)
        m.update_batch(doc)
        sigs.append(m.hashvalues)
    return np.stack(sigs), 0.0


def ds_bulk(c: Corpus, num_perm: int, seed: int) -> tuple[np.ndarray, float]:
    from datasketch import MinHash

    return np.stack(
        [m.hashvalues for m in MinHash.bulk(c.shingle_bytes, num_perm=num_perm, seed=seed)]
    ), 0.0


def rensa_loop(
    cls_name: str, digest: str
) -> Callable[[Corpus, int, int], tuple[np.ndarray, float]]:
    def run(c: Corpus, num_perm: int, seed: int) -> tuple[np.ndarray, float]:
        import rensa

        cls = getattr(rensa, cls_name)
        sigs = []
        for doc in c.shingles:
            m = cls(num_perm, seed)
            m.update(doc)
            sigs.append(getattr(m, digest)())
        return np.array(sigs, dtype=np.uint64 if digest == "digest_u64" else np.uint32), 0.0

    return run


def rensa_bulk(fn: str, dtype: type) -> Callable[[Corpus, int, int], tuple[np.ndarray, float]]:
    def run(c: Corpus, num_perm: int, seed: int) -> tuple[np.ndarray, float]:
        import rensa

        cls_name, meth = fn.split(".")
        res = getattr(getattr(rensa, cls_name), meth)(c.shingles, num_perm, seed)
        rows = res.to_rows() if hasattr(res, "to_rows") else res
        return np.array(rows, dtype=dtype), 0.0

    return run


def own_hash_tokens(c: Corpus) -> list[np.ndarray]:
    hasher = own_minhash.ShingleHasher(K)
    return [hasher.shingle_hashes(t) for t in c.tokens]


def own(bits: int, mode: str = "batch") -> Callable[[Corpus, int, int], tuple[np.ndarray, float]]:
    """mode: "batch" (minhash_signatures_many over all documents), "per-doc" (one
    minhash_signatures call per article, as a fingerprinting step would make), "strings"
    (blake2b per shingle string instead of combining cached word hashes)."""

    def run(c: Corpus, num_perm: int, seed: int) -> tuple[np.ndarray, float]:
        if mode == "per-doc":
            hasher = own_minhash.ShingleHasher(K)
            t_hash, sigs = (
                0.0,
                np.empty((len(c.tokens), num_perm), np.uint64 if bits == 64 else np.uint32),
            )
            for i, toks in enumerate(c.tokens):
                t0 = time.perf_counter()
                h = hasher.shingle_hashes(toks)
                t_hash += time.perf_counter() - t0
                sigs[i] = own_minhash.minhash_signatures(h, num_perm, seed, bits=bits)
            return sigs, t_hash
        t0 = time.perf_counter()
        if mode == "strings":
            hasher = own_minhash.ShingleHasher(K)
            hashes = [hasher.hash_strings(s) for s in c.shingles]
        else:
            hashes = own_hash_tokens(c)
        t_hash = time.perf_counter() - t0
        return own_minhash.minhash_signatures_many(hashes, num_perm, seed, bits=bits), t_hash

    return run


def rensa_flat(meth: str) -> Callable[[Corpus, int, int], tuple[np.ndarray, float]]:
    """rensa's Rust signing fed with our vectorised shingle hashes (no shingle strings)."""

    def run(c: Corpus, num_perm: int, seed: int) -> tuple[np.ndarray, float]:
        import rensa

        t0 = time.perf_counter()
        hashes = own_hash_tokens(c)
        flat = np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.uint64)
        offsets = np.zeros(len(hashes) + 1, dtype=np.uint64)
        np.cumsum([len(h) for h in hashes], out=offsets[1:])
        t_hash = time.perf_counter() - t0
        res = getattr(rensa.RMinHash, meth)(flat, offsets, num_perm, seed)
        return np.array(res.to_rows(), dtype=np.uint32), t_hash

    return run


def methods(num_perm: int, seed: int) -> list[Method]:
    import rensa

    def bind(f: Callable[[Corpus, int, int], tuple[np.ndarray, float]]):
        return lambda c: f(c, num_perm, seed)

    out = [
        Method("datasketch MinHash.update_batch", "bytes", bind(ds_update_batch)),
    ]
    from datasketch import MinHash

    if hasattr(MinHash, "bulk"):
        out.append(Method("datasketch MinHash.bulk", "bytes", bind(ds_bulk)))
    rm = getattr(rensa, "RMinHash", None)
    if rm is not None:
        out.append(
            Method("rensa RMinHash.update", "strings", bind(rensa_loop("RMinHash", "digest")))
        )
        if hasattr(rm, "digest_matrix_from_token_sets"):
            out.append(
                Method(
                    "rensa RMinHash matrix (bulk)",
                    "strings",
                    bind(rensa_bulk("RMinHash.digest_matrix_from_token_sets", np.uint32)),
                )
            )
        if hasattr(rm, "digest_matrix_from_token_sets_rho"):
            out.append(
                Method(
                    "rensa RMinHash rho sketch (bulk)",
                    "strings",
                    bind(rensa_bulk("RMinHash.digest_matrix_from_token_sets_rho", np.uint32)),
                )
            )
    if hasattr(rensa, "CMinHash"):
        digest = "digest_u64" if hasattr(rensa.CMinHash, "digest_u64") else "digest"
        out.append(Method("rensa CMinHash.update", "strings", bind(rensa_loop("CMinHash", digest))))
        if hasattr(rensa.CMinHash, "digests64_from_token_sets"):
            out.append(
                Method(
                    "rensa CMinHash digests64 (bulk)",
                    "strings",
                    bind(rensa_bulk("CMinHash.digests64_from_token_sets", np.uint64)),
                )
            )
    for name in ("OptDensMinHash", "RMinHashOptDens"):
        if hasattr(rensa, name):  # older rensa releases
            out.append(Method(f"rensa {name}.update", "strings", bind(rensa_loop(name, "digest"))))
    out += [
        Method("own numpy 64-bit", "tokens", bind(own(64))),
        Method("own numpy 32-bit", "tokens", bind(own(32))),
        Method("own numpy 32-bit, per-doc calls", "tokens", bind(own(32, "per-doc"))),
        Method("own numpy 64-bit, blake2b/shingle", "strings", bind(own(64, "strings"))),
    ]
    if rm is not None and hasattr(rm, "digest_matrix_from_flat_token_hashes"):
        out.append(
            Method(
                "own hashes -> rensa RMinHash flat",
                "tokens",
                bind(rensa_flat("digest_matrix_from_flat_token_hashes")),
            )
        )
    if rm is not None and hasattr(rm, "digest_matrix_from_flat_token_hashes_rho"):
        out.append(
            Method(
                "own hashes -> rensa rho flat",
                "tokens",
                bind(rensa_flat("digest_matrix_from_flat_token_hashes_rho")),
            )
        )
    return out


# ---- measurement ----------------------------------------------------------------------
def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_hwm() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _touch(c: Corpus) -> None:
    """Reference every shared object once, so copy-on-write page copies (refcount writes
    after fork) happen here, untimed, and not inside the first method that reads them."""
    for docs in (c.tokens, c.shingles, c.shingle_bytes):
        for doc in docs:
            for _ in doc:
                pass


def _child(method: Method, corpus: Corpus, trace: bool, repeat: int, conn) -> None:
    try:
        _touch(corpus)
        gc.collect()
        hwm_ok = _reset_hwm()
        rss0 = _status_kib("VmRSS") or 0
        if trace:
            tracemalloc.start()
        res: dict = {"secs": float("inf")}
        for _ in range(1 if trace else repeat):  # keep the fastest run: less scheduling noise
            c0, t0 = time.process_time(), time.perf_counter()
            sigs, t_hash = method.run(corpus)
            secs, cpu = time.perf_counter() - t0, time.process_time() - c0
            if secs < res["secs"]:
                res = {"secs": secs, "cpu": cpu, "hash": t_hash}
        if trace:
            res["py_peak"] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            conn.send(res)
            return
        hwm = _status_kib("VmHWM") if hwm_ok else None
        res["rss_peak"] = (hwm - rss0) * 1024 if hwm is not None else None
        est = (sigs[corpus.pairs[:, 0]] == sigs[corpus.pairs[:, 1]]).mean(axis=1)
        err = est - corpus.true_j
        res.update(
            shape=sigs.shape,
            dtype=str(sigs.dtype),
            mae=float(np.abs(err).mean()),
            bias=float(err.mean()),
        )
        conn.send(res)
    except BaseException as exc:  # report, don't hang the parent
        conn.send({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        conn.close()


def measure(method: Method, corpus: Corpus, trace: bool, repeat: int = 1) -> dict:
    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(method, corpus, trace, repeat, send))
    proc.start()
    send.close()
    try:
        res = recv.recv()
    except EOFError:
        res = {"error": f"child died (exit code {proc.join() or proc.exitcode})"}
    proc.join()
    return res


def mib(x: float | None) -> str:
    return "n/a" if x is None else f"{x / 2**20:.1f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10000, help="documents to sign")
    ap.add_argument("--corpus", type=Path, default=Path("bench/out/gen10k.jsonl"))
    ap.add_argument("--seed", type=int, default=7, help="corpus (if generated) and pair seed")
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--minhash-seed", type=int, default=1)
    ap.add_argument("--pairs", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per method (fastest kept)")
    ap.add_argument("--no-tracemalloc", action="store_true", help="skip the tracemalloc runs")
    ap.add_argument("--only", default="", help="comma-separated substrings of method names")
    args = ap.parse_args(argv)
    t_start = time.perf_counter()

    t0 = time.perf_counter()
    recs, origin = load_records(args.corpus, args.n, args.seed)
    t_load = time.perf_counter() - t0
    shared: dict[str, float] = {}
    t0 = time.perf_counter()
    toks = [TOKEN.findall(f"{r['title']}\n{r['text']}".lower()) for r in recs]
    shared["tokenize (lowercase \\w+)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    shingles = [
        [" ".join(t[i : i + K]) for i in range(len(t) - K + 1)] or ([" ".join(t)] if t else [])
        for t in toks
    ]
    shared["shingle strings (word 3-grams)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    sh_bytes = [[s.encode("utf-8") for s in doc] for doc in shingles]
    shared["encode to bytes (datasketch only)"] = time.perf_counter() - t0
    labels = [r["cluster"] for r in recs]
    pairs = sample_pairs(labels, args.pairs, args.seed)
    corpus = Corpus(labels, toks, shingles, sh_bytes, pairs, true_jaccard(shingles, pairs))
    n = len(recs)
    n_sh = sum(len(s) for s in shingles)
    gc.freeze()  # keep the children's garbage collector off the shared corpus pages

    print(
        f"corpus: {origin} (loaded in {t_load:.2f}s); {n} docs, {n_sh:,} shingles "
        f"({n_sh / max(n, 1):.0f}/doc), num_perm={args.num_perm}; CPUs available: "
        f"{len(os.sched_getaffinity(0))}"
    )
    j = corpus.true_j
    print(
        f"pairs: {len(pairs)} same-story pairs, true Jaccard mean {j.mean():.3f}, "
        f"median {np.median(j):.3f}, share J=1 {np.mean(j == 1):.2f}, "
        f"share J<0.2 {np.mean(j < 0.2):.2f}"
    )
    print("\nshared preprocessing (not included in method times):")
    for k, v in shared.items():
        print(f"  {k:<36} {v:7.2f} s")

    rows = []
    for m in methods(args.num_perm, args.minhash_seed):
        if args.only and not any(s.strip() and s.strip() in m.name for s in args.only.split(",")):
            continue
        res = measure(m, corpus, trace=False, repeat=args.repeat)
        if "error" not in res and not args.no_tracemalloc:
            res["py_peak"] = measure(m, corpus, trace=True).get("py_peak")
        rows.append((m, res))
        print(f"  .. {m.name}: {res.get('secs', float('nan')):.2f}s", file=sys.stderr)

    pre = {"tokens": 0.0, "strings": shared["shingle strings (word 3-grams)"]}
    pre["bytes"] = pre["strings"] + shared["encode to bytes (datasketch only)"]
    head = (
        f"{'method':<36} {'input':<7} {'sign s':>7} {'docs/s':>8} {'cpu s':>6} {'of which':>8} "
        f"{'from tok':>8} {'RSS MiB':>8} {'py MiB':>7} {'MAE':>6} {'bias':>7}  dtype"
    )
    print("\n" + head + "\n" + "-" * len(head))
    for m, r in rows:
        if "error" in r:
            print(f"{m.name:<36} {m.needs:<7} ERROR {r['error']}")
            continue
        hash_s = f"{r['hash']:.2f}h" if r["hash"] else ""
        print(
            f"{m.name:<36} {m.needs:<7} {r['secs']:7.2f} {n / r['secs']:8.0f} {r['cpu']:6.2f} "
            f"{hash_s:>8} {r['secs'] + pre[m.needs]:8.2f} {mib(r['rss_peak']):>8} "
            f"{mib(r.get('py_peak')):>7} {r['mae']:6.4f} {r['bias']:+7.4f}  {r['dtype']}"
        )
    print(
        f"\nsign s: fastest of {args.repeat} runs, wall time from the method's input to an "
        "(n_docs, num_perm) matrix; "
        f"docs/s = {n} / sign s; cpu s > sign s means threads.\n"
        "of which: time spent hashing shingles inside 'sign s' (own methods).\n"
        "from tok: sign s + shared steps its input needs (shingle strings, bytes).\n"
        "RSS MiB: peak resident memory growth of the child (includes Rust/C allocations); "
        "py MiB: tracemalloc peak (Python and numpy only).\n"
        f"MAE / bias: |estimated - true| Jaccard, mean and signed mean, over {len(pairs)} "
        f"same-story pairs (expected MAE at J=0.5 for {args.num_perm} perms: "
        f"~{0.8 * (0.25 / args.num_perm) ** 0.5:.3f})."
    )
    ru = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    total = time.perf_counter() - t_start
    print(f"parent peak RSS {ru / 1024:.0f} MiB; total bench time {total:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
