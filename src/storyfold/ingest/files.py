"""Walk files and folders and read each one with the reader its content calls for.

Every problem with one input becomes an IngestError value in the stream (never an
exception that ends the batch), so the caller can print one line and go on.
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from storyfold.errors import IngestError
from storyfold.ingest.decode import NotText, binary_kind, decode_bytes, decode_guessing
from storyfold.ingest.jsonl import megabytes, read_json_lines
from storyfold.ingest.readers import JSON_LINES_SUFFIXES, reader_for, reader_for_bytes
from storyfold.model import RawDocument
from storyfold.settings import DEFAULTS, IngestSettings

_SKIP_DIRS = {".git", "__pycache__", ".venv", "node_modules"}


def max_bytes_of(settings: IngestSettings) -> int:
    """The per-file limit in bytes (the setting is in MiB, as `--max-file-mb`)."""
    return round(settings.max_file_mb * 1024 * 1024)


DEFAULT_MAX_BYTES = max_bytes_of(DEFAULTS.ingest)


def display_path(path: str | os.PathLike[str]) -> str:
    """A path as text that can be printed and stored: bytes that are not UTF-8 in a file name
    (`caf\\xe9.txt` from a Latin-1 system) become `\\xe9` escapes instead of lone surrogates,
    which SQLite, JSON and the terminal all refuse."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path | IngestError]:
    """Expand folders recursively in a stable (sorted) order so runs are reproducible.

    Entries that are not regular files (FIFOs, sockets, broken links) are yielded too: reading
    them gives their one error line. A folder that cannot be listed is one error line."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            unlisted: list[OSError] = []
            for root, dirs, files in os.walk(path, onerror=unlisted.append):
                yield from _unlisted(unlisted)
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield Path(root) / name
            yield from _unlisted(unlisted)
        elif path.is_file():
            yield path
        elif path.exists():
            yield IngestError(display_path(path), "not a regular file")
        elif path.is_symlink():
            yield IngestError(display_path(path), "broken symbolic link")
        else:
            yield IngestError(display_path(path), "no such file or folder")


def _unlisted(errors: list[OSError]) -> Iterator[IngestError]:
    while errors:
        exc = errors.pop(0)
        yield IngestError(display_path(exc.filename or "?"),
                          f"cannot list folder ({exc.strerror or exc})")


def _open_regular(path: Path) -> tuple[BinaryIO, int]:
    """Open without ever blocking (a FIFO named `x.jsonl` would wait for a writer forever) and
    refuse what is not a regular file; raises OSError with a reason a user can act on."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(0, "not a regular file")
        fh = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    return fh, st.st_size


def _long_first_record(head_text: str, suffix: str, fh: BinaryIO, max_bytes: int) -> bool:
    """A first JSON object longer than the head: JSON Lines when named so, or when its first line
    (read through, up to one article's size) ends and more lines follow."""
    stripped = head_text.lstrip("\ufeff").lstrip()
    if not stripped.startswith("{") or "\n" in stripped or suffix == ".json":
        return False
    if suffix in JSON_LINES_SUFFIXES:
        return True
    fh.seek(0)
    first = fh.readline(max_bytes + 1)
    return first.endswith(b"\n") and first.rstrip().endswith(b"}") and bool(fh.read(4096).strip())


def _bounded_lines(stream: io.TextIOWrapper, limit: int) -> Iterator[str]:
    """Lines of a stream, each cut after `limit` characters (the rest of it skipped), so one
    enormous record is reported as too large without being held in memory."""
    while line := stream.readline(limit + 2):
        if len(line) > limit and not line.endswith("\n"):
            while (rest := stream.readline(1 << 20)) and not rest.endswith("\n"):
                pass
        yield line


def read_path(
    path: Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[RawDocument | IngestError]:
    """Read one file into zero or more documents (JSON Lines files hold many)."""
    name = display_path(path)
    try:
        fh, size = _open_regular(path)
    except OSError as exc:
        if exc.errno == 0:
            yield IngestError(name, "not a regular file")
        elif path.is_symlink() and not path.exists():
            yield IngestError(name, f"broken symbolic link ({exc.strerror or exc})")
        else:
            yield IngestError(name, f"cannot read ({exc.strerror or exc})")
        return
    try:
        with fh:
            if size == 0:
                yield IngestError(name, "empty file")
                return
            head = fh.read(65536)
            binary = reader_for_bytes(head, path.suffix.lower())
            if binary is not None and binary.read_stream is not None:
                fh.seek(0)  # an archive: streamed record by record, any size
                yield from binary.read_stream(name, fh, max_bytes)
                return
            suffix = path.suffix.lower()
            what = binary_kind(head)
            if what is not None:
                yield IngestError(name, f"binary file ({what}), not a text article")
                return
            if suffix in JSON_LINES_SUFFIXES:
                # one record per line, whatever its size: a line of junk (NUL bytes, another
                # encoding) is that line's error, not the whole file's
                head_text: str | None = head.decode("utf-8", "replace")
            else:
                try:
                    head_text = decode_bytes(head) if size > len(head) else None
                except NotText as exc:
                    yield IngestError(name, str(exc))
                    return
                except UnicodeDecodeError:
                    head_text = None
            streaming = (reader_for(head_text, suffix).read_lines
                         if head_text is not None else None)
            if (streaming is None and head_text is not None
                    and _long_first_record(head_text, suffix, fh, max_bytes)):
                streaming = read_json_lines
            if streaming is not None:
                # a kind read line by line (JSON Lines) may be large: stream it, never all in
                # memory; the size limit is then one record's, not the file's
                fh.seek(0)
                stream = io.TextIOWrapper(fh, encoding="utf-8", errors="replace")
                yield from streaming(name, _bounded_lines(stream, max_bytes), max_chars=max_bytes)
                return
            if size > max_bytes:
                yield IngestError(
                    name,
                    f"file too large ({size / 1e6:.1f} MB > {megabytes(max_bytes)} MB limit for "
                    "one article; split it or raise --max-file-mb)",
                )
                return
            data = head + fh.read()
    except OSError as exc:
        yield IngestError(name, f"cannot read ({exc.strerror or exc})")
        return
    try:
        text, guessed = decode_guessing(data)
    except NotText as exc:
        yield IngestError(name, str(exc))
        return
    if not text.strip():
        yield IngestError(name, "empty file (only whitespace)")
        return
    try:
        for doc in reader_for(text, path.suffix.lower()).read(name, text):
            yield replace(doc, encoding_guess=guessed) if guessed and isinstance(
                doc, RawDocument) else doc
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
