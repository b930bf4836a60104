"""Walk files and folders and read each one with the reader its content calls for.

Every problem with one input becomes an IngestError value in the stream (never an
exception that ends the batch), so the caller can print one line and go on.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from storyfold.errors import IngestError
from storyfold.ingest.decode import NotText, decode_bytes
from storyfold.ingest.readers import reader_for
from storyfold.model import RawDocument
from storyfold.settings import DEFAULTS, IngestSettings

_SKIP_DIRS = {".git", "__pycache__", ".venv", "node_modules"}


def max_bytes_of(settings: IngestSettings) -> int:
    """The per-file limit in bytes (the setting is in MiB, as `--max-file-mb`)."""
    return round(settings.max_file_mb * 1024 * 1024)


DEFAULT_MAX_BYTES = max_bytes_of(DEFAULTS.ingest)


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
            streaming = (reader_for(head_text, path.suffix.lower()).read_lines
                         if head_text is not None else None)
            if streaming is not None:
                # a kind read line by line (JSON Lines) may be large: stream it, never all in memory
                fh.seek(0)
                stream = io.TextIOWrapper(fh, encoding="utf-8", errors="replace")
                yield from streaming(name, stream)
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
    try:
        yield from reader_for(text, path.suffix.lower()).read(name, text)
    except IngestError as err:
        yield err


def iter_documents(
    paths: Iterable[str | os.PathLike[str]], max_bytes: int | None = None,
    settings: IngestSettings = DEFAULTS.ingest,
) -> Iterator[RawDocument | IngestError]:
    """All documents under the given paths, errors interleaved as values.

    `max_bytes` (the CLI's `--max-file-mb`) wins over `settings.max_file_mb`.
    """
    if max_bytes is None:
        max_bytes = max_bytes_of(settings)
    for item in iter_files(paths):
        if isinstance(item, IngestError):
            yield item
        else:
            yield from read_path(item, max_bytes=max_bytes)
