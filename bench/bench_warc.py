"""Reading web archives: WARC records/s and articles/s through `run`'s reader.

    .venv/bin/python bench/bench_warc.py [--n 2000]

Writes a WARC.gz with warcio (bench/out/, once): per article of bench/gen_corpus.py a request
record and an HTML response, plus one image response in every ten, so 2.1 records per article.
Then reads it with `storyfold.ingest.iter_documents` (warcio's streaming ArchiveIterator, then
trafilatura on each HTML page) and prints records/s, articles/s and peak RSS. The pipeline
(embedding, placement) is not included: `bench_run.py` measures that.
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import time
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

from gen_corpus import generate  # noqa: E402
from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from storyfold.errors import IngestError  # noqa: E402
from storyfold.ingest import iter_documents  # noqa: E402


def build(path: Path, n: int) -> int:
    records = 0
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        for i, rec in enumerate(generate(n, seed=23)):
            url = f"https://outlet{i % 40}.example/news/{i}"
            paras = "".join(f"<p>{escape(p)}</p>" for p in str(rec["text"]).split("\n\n"))
            page = (f"<!doctype html><html><head><title>{escape(str(rec['title']))}</title>"
                    f"</head><body><nav>Home | World</nav><article><h1>"
                    f"{escape(str(rec['title']))}</h1>{paras}</article><footer>Contact"
                    "</footer></body></html>").encode()
            req = StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")], is_http_request=True)
            w.write_record(w.create_warc_record(url, "request", http_headers=req))
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                    protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(page),
                                                http_headers=http))
            records += 2
            if i % 10 == 0:
                img = StatusAndHeaders("200 OK", [("Content-Type", "image/png")],
                                       protocol="HTTP/1.1")
                w.write_record(w.create_warc_record(url + ".png", "response",
                                                    payload=io.BytesIO(b"\x89PNG" * 100),
                                                    http_headers=img))
                records += 1
    return records


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    args = ap.parse_args()
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    path = out / f"crawl{args.n}.warc.gz"
    t = time.perf_counter()
    records = build(path, args.n)
    print(f"wrote {records} records ({path.stat().st_size / 1e6:.1f} MB) in "
          f"{time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    docs = errors = 0
    for item in iter_documents([str(path)]):
        if isinstance(item, IngestError):
            errors += 1
        else:
            docs += 1
    took = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"read {records} records in {took:.1f} s: {records / took:.0f} records/s, "
          f"{docs / took:.0f} articles/s ({docs} articles, {errors} errors); "
          f"peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
