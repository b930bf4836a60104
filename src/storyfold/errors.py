"""One exception hierarchy, so callers can catch storyfold's own failures and nothing else."""


class StoryfoldError(Exception):
    """Base class: the message must tell a user what went wrong and what to do about it."""


class IngestError(StoryfoldError):
    """A single input could not be read; the batch goes on without it."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type["IngestError"], tuple[str, str]]:
        """Pickled as its two fields (a Ray worker sends its errors back to the driver)."""
        return type(self), (self.path, self.reason)


class StoreError(StoryfoldError):
    """The store could not be opened or written."""


class NotFound(StoryfoldError):
    """A story or article id that the store does not hold."""


class SettingsError(StoryfoldError):
    """A settings file or variable names an unknown setting or a value that does not fit."""


class FetchError(StoryfoldError):
    """A URL could not be fetched (network, TLS, a deadline, a limit); nothing was stored."""


class FetchRefused(FetchError):
    """A fetch the guard does not allow: a scheme other than http(s), an address that is not
    public (unless `fetch.allow_private_networks`), too many redirects, a body too large or of
    the wrong type."""


class FeedError(StoryfoldError):
    """A response that should be a feed is not one (HTML with no feed link, broken XML)."""


class ReaderError(StoryfoldError):
    """A feed reader's API (Miniflux, Google Reader) refused the credentials or answered
    something other than its documented shape."""


class ScaleError(StoryfoldError):
    """Ray is not installed, its cluster cannot be reached, or a worker failed; what was
    placed before stays stored, and running the command again finishes the rest."""
