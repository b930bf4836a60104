"""Readers: turn files and folders into RawDocuments, one clear error per unreadable input.

`readers.READERS` is the one table of kinds (text, HTML, JSON, JSON Lines, feeds, WARC and
`warc.paths` lists) that both the file walker and `POST /api/articles` use.
"""

from storyfold.ingest.files import DEFAULT_MAX_BYTES, iter_documents, iter_files
from storyfold.ingest.readers import READERS, Reader, reader_for, reader_for_media_type

__all__ = ["DEFAULT_MAX_BYTES", "READERS", "Reader", "iter_documents", "iter_files",
           "reader_for", "reader_for_media_type"]
