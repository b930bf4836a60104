"""Readers: turn files and folders into RawDocuments, one clear error per unreadable input."""

from storyfold.ingest.files import DEFAULT_MAX_BYTES, iter_documents, iter_files

__all__ = ["DEFAULT_MAX_BYTES", "iter_documents", "iter_files"]
