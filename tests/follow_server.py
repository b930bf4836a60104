"""A loopback HTTP server for the follow tests: routes set per test, requests recorded.

A route is a function of the request handler returning (status, headers, body) — or None when
it wrote the response itself (the slow drip). Nothing here reaches the network.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Reply = tuple[int, dict[str, str], bytes]
Route = Callable[[BaseHTTPRequestHandler], Reply | None]


@dataclass
class Fixture:
    host: str
    port: int
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)  # of POST requests, in order

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)

    def static(self, path: str, body: bytes | str, ctype: str = "text/html; charset=utf-8",
               status: int = 200, **headers: str) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        extra = {k.replace("_", "-"): v for k, v in headers.items()}
        self.routes[path] = lambda h: (status, {"Content-Type": ctype, **extra}, data)


def _handler(fx: Fixture) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as two writes

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            fx.bodies.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            self.do_GET()

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            path = self.path
            fx.requests.append((path, {k.lower(): v for k, v in self.headers.items()}))
            route = fx.routes.get(path) or fx.routes.get(path.split("?", 1)[0])
            reply = route(self) if route else (404, {"Content-Type": "text/plain"}, b"none")
            if reply is None:
                return
            status, headers, body = reply
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up (a killed watch, a refused body) is not news here


@contextmanager
def serve(host: str = "127.0.0.1") -> Iterator[Fixture]:
    fx = Fixture(host, 0)
    server = _Server((host, 0), _handler(fx))
    server.daemon_threads = True
    fx.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield fx
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def drip(h: BaseHTTPRequestHandler, every_s: float = 0.02, total: int = 500) -> None:
    """A body sent one byte at a time, until the client hangs up."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", str(total))
    h.end_headers()
    try:
        for _ in range(total):
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(every_s)
    except OSError:
        return


def gzip_bomb(size: int) -> bytes:
    """`size` zero bytes, gzip-compressed: about a thousandth of that on the wire."""
    return gzip.compress(b"\0" * size, compresslevel=9)


def redirect(to: str, status: int = 301) -> Route:
    return lambda h: (status, {"Location": to, "Content-Type": "text/plain"}, b"")
