"""The one fetcher under `sources`, `watch` and `fetch`: every request storyfold makes.

Why our own, on httpcore, rather than trafilatura's or httpx's: each hop of a redirect must be
checked again (scheme, then the peer address of its connection, see `addresses`), the body
must be capped after decompression (a gzip bomb is small on the wire), and the whole fetch —
connect, redirects, a server dripping one byte a second — must end by one deadline. httpcore
sends requests and pools connections, and leaves redirects, decoding and limits to us; its
socket backend is where the peer check goes in. Certificates are verified (certifi's roots);
a certificate error is an error, never a retry without verification.

A fetch returns the response for any status (the scheduler needs 304, 404, 410, 429 and
their headers) and raises `FetchError`/`FetchRefused` for everything else, with one line a
user can act on.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpcore

from storyfold.errors import FetchError, FetchRefused
from storyfold.follow.addresses import AddressRefused, GuardedBackend, Policy
from storyfold.ingest.decode import NotText, decode_bytes
from storyfold.settings import DEFAULTS, FetchSettings

REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml",
                        "application/xml", "text/xml", "application/feed+json",
                        "application/json", "text/html", "application/xhtml+xml",
                        "text/plain"})  # text/html: a home page whose feeds are discovered
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
_CHUNK = 65536


@dataclass(frozen=True)
class Response:
    """A fetched response: the final URL, its status and headers, the decoded body."""

    url: str  # after redirects
    status: int
    headers: Mapping[str, str]  # lower-case names; repeated headers joined with ", "
    body: bytes = b""  # decompressed; empty unless the status is 2xx
    redirects: tuple[tuple[int, str], ...] = ()  # (status, the URL it pointed to) per hop
    peer: str | None = field(default=None, compare=False)

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def moved_permanently(self) -> str | None:
        """The new URL when every redirect followed was permanent (301/308), else None."""
        if self.redirects and all(status in PERMANENT for status, _ in self.redirects):
            return self.url
        return None

    def text(self) -> str:
        """The body as text: the charset the server declared, else UTF-8 and detection."""
        charset = None
        for param in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset":
                charset = value.strip().strip('"')
        if charset:
            try:
                return self.body.decode(charset)
            except (LookupError, UnicodeDecodeError):
                pass
        try:
            return decode_bytes(self.body)
        except NotText as exc:
            raise FetchError(f"{self.url}: {exc}") from exc


class Fetcher:
    """Fetches URLs under `FetchSettings`; one connection pool, closed with the fetcher."""

    def __init__(self, settings: FetchSettings = DEFAULTS.fetch,
                 clock: Callable[[], float] = time.monotonic, policy: Policy | None = None
                 ) -> None:
        """`policy` replaces the address check (tests that need one address allowed and
        another refused); by default `allow_private_networks` decides."""
        self.settings = settings
        self.clock = clock
        self._pool = httpcore.ConnectionPool(
            network_backend=GuardedBackend(settings.allow_private_networks, policy),
            max_connections=16, retries=0)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._pool.close()

    def fetch(self, url: str, *, accept: Iterable[str] | None = None,
              headers: Mapping[str, str] | None = None, method: str = "GET",
              body: bytes | None = None) -> Response:
        """GET `url`, following at most `max_redirects` redirects, each checked again.

        `accept`: the media types a 2xx body may have (a missing Content-Type passes; the
        reader sniffs it); `headers`: extra request headers (conditional GET, credentials).
        Another `method` (a login POST with its `body`) is sent once and its redirects are
        not followed: they come back as the response."""
        s = self.settings
        deadline = self.clock() + s.timeout_s
        hops: list[tuple[int, str]] = []
        current = url
        while True:
            _check_scheme(current)
            status, got, data, peer = self._one(current, headers or {}, deadline, method, body)
            location = got.get("location")
            if status in REDIRECTS and location and method == "GET":
                if len(hops) >= s.max_redirects:
                    raise FetchRefused(f"{url}: more than {s.max_redirects} redirects")
                current = urljoin(current, location.strip())
                hops.append((status, current))
                continue
            resp = Response(current, status, got, data, tuple(hops), peer)
            if accept is not None and 200 <= status < 300 and resp.media_type \
                    and resp.media_type not in set(accept):
                raise FetchRefused(f"{current} is served as {resp.media_type}, which storyfold "
                                   "does not read here")
            return resp

    def _one(self, url: str, extra: Mapping[str, str], deadline: float, method: str = "GET",
             content: bytes | None = None) -> tuple[int, dict[str, str], bytes, str | None]:
        s = self.settings
        left = self._left(url, deadline)
        timeouts = {"connect": min(s.connect_timeout_s, left), "read": left, "write": left,
                    "pool": left}
        merged = {"user-agent": ("User-Agent", s.user_agent),
                  "accept-encoding": ("Accept-Encoding", "gzip, deflate"),
                  "accept": ("Accept", "*/*")}
        for name, value in extra.items():  # the caller's Accept replaces ours, never doubles it
            if name.lower() not in {"user-agent", "accept-encoding"}:
                merged[name.lower()] = (name, value)
        req_headers = list(merged.values())
        try:
            with self._pool.stream(method, url, headers=req_headers, content=content,
                                   extensions={"timeout": timeouts}) as resp:
                got = _headers(resp.headers)
                peer = _peer(resp)
                body = b""
                if 200 <= resp.status < 300:
                    body = self._read(url, resp, got.get("content-encoding", ""), deadline)
                return resp.status, got, body, peer
        except AddressRefused as exc:
            raise FetchRefused(f"{url}: {exc}") from None
        except FetchError:
            raise
        except httpcore.TimeoutException as exc:
            raise FetchError(f"{url}: no answer within {s.timeout_s:g} s") from exc
        except httpcore.ConnectError as exc:
            text = str(exc)
            if "CERTIFICATE_VERIFY_FAILED" in text or "certificate" in text.lower():
                raise FetchError(f"{url}: TLS certificate not valid ({text})") from exc
            raise FetchError(f"{url}: cannot connect ({text or type(exc).__name__})") from exc
        except (httpcore.ProtocolError, httpcore.NetworkError) as exc:
            raise FetchError(f"{url}: connection failed ({str(exc) or type(exc).__name__})"
                             ) from exc
        except httpcore.UnsupportedProtocol as exc:
            raise FetchRefused(f"{url}: only http and https URLs are fetched") from exc

    def _read(self, url: str, resp: httpcore.Response, encoding: str, deadline: float
              ) -> bytes:
        """The body, decompressed, until the cap or the deadline (either is an error)."""
        cap = int(self.settings.max_mb * 1024 * 1024)
        encoding = encoding.strip().lower()
        if encoding in {"", "identity"}:
            inflate = None
        elif encoding in {"gzip", "x-gzip", "deflate"}:
            inflate = zlib.decompressobj(47 if encoding != "deflate" else 15)
        else:
            raise FetchError(f"{url}: served with content encoding {encoding!r}, which storyfold "
                             "did not ask for")
        out = bytearray()
        for chunk in resp.iter_stream():
            self._left(url, deadline)
            if inflate is None:
                out += chunk
            else:
                try:
                    data = inflate.decompress(chunk, cap + 1 - len(out))
                    while data:
                        out += data
                        if len(out) > cap:
                            break
                        data = inflate.decompress(inflate.unconsumed_tail, cap + 1 - len(out))
                except zlib.error as exc:
                    raise FetchError(f"{url}: body is not valid {encoding} ({exc})") from exc
            if len(out) > cap:
                raise FetchRefused(f"{url}: body larger than {self.settings.max_mb:g} MiB "
                                   "(fetch.max_mb)")
        return bytes(out)

    def _left(self, url: str, deadline: float) -> float:
        left = deadline - self.clock()
        if left <= 0:
            raise FetchError(f"{url}: took longer than {self.settings.timeout_s:g} s "
                             "(fetch.timeout_s)")
        return left


def _check_scheme(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise FetchRefused(f"{url}: only http and https URLs with a host are fetched")


def _headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in raw:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        out[key] = f"{out[key]}, {text}" if key in out else text
    return out


def _peer(resp: httpcore.Response) -> str | None:
    stream = resp.extensions.get("network_stream")
    try:
        return str(stream.get_extra_info("server_addr")[0]) if stream is not None else None
    except (TypeError, IndexError, AttributeError):
        return None
