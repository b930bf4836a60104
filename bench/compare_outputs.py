"""Snapshot the public outputs on `examples/`, or check them against an earlier snapshot.

A refactor must not change what users and other tools read: this runs `storyfold run
examples/corpus --json`, `stories --json`, and `story ID --json` and `--format markdown` for
every story, through the real CLI in one process, and writes each output to a file. With
`--against DIR` it compares byte for byte and lists every file that differs.

    .venv/bin/python bench/compare_outputs.py --out bench/out/before
    ... change the code ...
    .venv/bin/python bench/compare_outputs.py --out bench/out/after --against bench/out/before
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
import tempfile
from pathlib import Path

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent


def snapshot(out: Path) -> list[str]:
    """Write every output to `out`; returns the file names written."""
    from storyfold.cli import app

    out.mkdir(parents=True, exist_ok=True)
    runner = CliRunner()
    written: list[str] = []

    def invoke(name: str, args: list[str]) -> str:
        res = runner.invoke(app, args, catch_exceptions=False)
        if res.exit_code != 0:
            raise SystemExit(f"{' '.join(args)} exited {res.exit_code}: {res.output[-2000:]}")
        (out / name).write_text(res.stdout, encoding="utf-8")
        written.append(name)
        return res.stdout

    cwd = os.getcwd()
    os.chdir(ROOT)  # paths in the JSON are as given on the command line
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = f"sqlite:///{tmp}/compare.db"
            invoke("run.json", ["run", "examples/corpus", "--db", db, "--json", "-q"])
            listing = json.loads(invoke("stories.json", ["stories", "--db", db, "--json"]))
            for s in listing["stories"]:
                sid = s["id"]
                invoke(f"story-{sid}.json", ["story", sid, "--db", db, "--json"])
                invoke(f"story-{sid}.md", ["story", sid, "--db", db, "--format", "markdown"])
    finally:
        os.chdir(cwd)
    return written


def compare(a: Path, b: Path) -> list[str]:
    """Names of files that differ (or exist on one side only), with a short diff printed."""
    names = sorted({p.name for p in a.iterdir()} | {p.name for p in b.iterdir()})
    bad = []
    for name in names:
        pa, pb = a / name, b / name
        if not pa.exists() or not pb.exists():
            bad.append(name)
            print(f"only in {'after' if not pa.exists() else 'before'}: {name}")
            continue
        if pa.read_bytes() != pb.read_bytes():
            bad.append(name)
            diff = difflib.unified_diff(pa.read_text().splitlines(), pb.read_text().splitlines(),
                                        str(pa), str(pb), lineterm="", n=1)
            print("\n".join(list(diff)[:40]))
    return bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True, help="folder to write the snapshot to")
    ap.add_argument("--against", type=Path, help="an earlier snapshot to compare with")
    args = ap.parse_args()
    files = snapshot(args.out)
    print(f"wrote {len(files)} outputs to {args.out}")
    if args.against:
        bad = compare(args.against, args.out)
        print(f"{len(files) - len(bad)} identical, {len(bad)} different")
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
