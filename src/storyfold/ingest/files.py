"""Walk files and folders, sniff each file's kind by content, and dispatch to a reader.

Every problem with one input becomes an IngestError value in the stream (never an
exception that ends the batch), so the caller can print one line and go on.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from storyfold.errors import IngestError
from storyfold.ingest.decode import NotText, decode_bytes
from storyfold.ingest.html import read_html
from storyfold.ingest.jsonl import read_json_document, read_json_lines
from storyfold.ingest.text import read_text
from storyfold.model import RawDocument

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_SKIP_DIRS = {".git", "__pycache__", ".venv", "node_modules"}
_HTML_START = re.compile(r"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|article|div|p)\b",
                         re.I | re.S)
_HTML_ANY = re.compile(r"<(html|body|article|p|div)\b[^>]*>", re.I)
_FEED = re.compile(r"^\s*(<\?xml[^>]*>\s*)?<(rss|feed|rdf:RDF)\b", re.I)


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | IngestError]:
    """Expand folders recursively in a stable (sorted) order so runs are reproducible."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield Path(root) / name
        elif path.is_file():
            yield path
        elif path.exists():
            yield IngestError(str(path), "not a regular file")
        else:
            yield IngestError(str(path), "no such file or folder")


def sniff_kind(text: str, suffix: str) -> str:
    """Decide by content first; the extension only breaks ties."""
    head = text[:4096].lstrip("\ufeff")
    stripped = head.lstrip()
    if _FEED.match(head):
        return "feed"
    if stripped.startswith("WARC/"):
        return "warc"
    if stripped.startswith("{") or stripped.startswith("["):
        first = stripped.split("\n", 1)[0].strip()
        if first.startswith("{") and first.endswith("}") and suffix != ".json":
            return "jsonl"
        return "json"
    if _HTML_START.match(head) or (suffix in {".html", ".htm"} and _HTML_ANY.search(head)):
        return "html"
    return "text"


def read_path(
    path: Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[RawDocument | IngestError]:
    """Read one file into zero or more documents (JSON Lines files hold many)."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size == 0:
            yield IngestError(name, "empty file")
            return
        with path.open("rb") as fh:
            head = fh.read(65536)
            try:
                head_text = decode_bytes(head) if size > len(head) else None
            except NotText as exc:
                yield IngestError(name, str(exc))
                return
            except UnicodeDecodeError:
                head_text = None
            if head_text is not None and sniff_kind(head_text, path.suffix.lower()) == "jsonl":
                # JSON Lines may be large: stream it record by record, never all in memory
                fh.seek(0)
                stream = io.TextIOWrapper(fh, encoding="utf-8", errors="replace")
                yield from read_json_lines(name, stream)
                return
            if size > max_bytes:
                yield IngestError(
                    name,
                    f"file too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.0f} MB limit for one "
                    "article; split it or raise --max-file-mb)",
                )
                return
            data = head + fh.read()
    except OSError as exc:
        yield IngestError(name, f"cannot read ({exc.strerror or exc})")
        return
    try:
        text = decode_bytes(data)
    except NotText as exc:
        yield IngestError(name, str(exc))
        return
    if not text.strip():
        yield IngestError(name, "empty file (only whitespace)")
        return
    kind = sniff_kind(text, path.suffix.lower())
    if kind in {"feed", "warc"}:
        yield IngestError(name, f"{kind.upper()} input is not supported yet; export articles as "
                                "JSON Lines or HTML files")
        return
    try:
        if kind == "jsonl":
            yield from read_json_lines(name, text.splitlines())
        elif kind == "json":
            yield from read_json_document(name, text)
        elif kind == "html":
            yield read_html(name, text)
        else:
            yield read_text(name, text)
    except IngestError as err:
        yield err


def iter_documents(
    paths: Iterable[str | os.PathLike[str]], max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[RawDocument | IngestError]:
    """All documents under the given paths, errors interleaved as values."""
    for item in iter_files(paths):
        if isinstance(item, IngestError):
            yield item
        else:
            yield from read_path(item, max_bytes=max_bytes)
