"""The one fetcher: what it refuses, what it follows, and the limits it keeps (loopback only)."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from storyfold.errors import FetchError, FetchRefused
from storyfold.follow.addresses import why_not_public
from storyfold.follow.fetcher import FEED_TYPES, PAGE_TYPES, Fetcher
from storyfold.settings import FetchSettings, load
from tests.follow_server import _handler, drip, gzip_bomb, redirect, serve

OPEN = FetchSettings(allow_private_networks=True, timeout_s=5.0)
PAGE = "<html><body><p>The harbour bridge opened on Tuesday.</p></body></html>"


@pytest.fixture
def fx():
    with serve() as fixture:
        yield fixture


def test_a_loopback_fetch_is_refused_without_the_setting_and_nothing_is_sent(fx) -> None:
    fx.static("/page", PAGE)
    with Fetcher(FetchSettings()) as f, pytest.raises(FetchRefused) as info:
        f.fetch(fx.url("/page"))
    message = str(info.value)
    assert "loopback" in message and "STORYFOLD_ALLOW_PRIVATE_NETWORKS=1" in message
    assert "\n" not in message
    assert fx.requests == []


def test_the_environment_variable_allows_private_networks() -> None:
    assert load(env={}).fetch.allow_private_networks is False
    assert load(env={"STORYFOLD_ALLOW_PRIVATE_NETWORKS": "1"}).fetch.allow_private_networks


@pytest.mark.parametrize("address, reason", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("::ffff:127.0.0.1", "loopback"),
    ("10.1.2.3", "private"), ("192.168.0.10", "private"), ("172.16.5.4", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"), ("224.0.0.1", "multicast"),
    ("0.0.0.0", "unspecified"), ("240.0.0.1", "reserved"), ("100.64.0.1", "not globally"),
    ("fd00::1", "private"), ("93.184.216.34", None), ("2606:4700::1111", None),
])
def test_only_public_unicast_addresses_pass(address: str, reason: str | None) -> None:
    got = why_not_public(address)
    assert (got is None) if reason is None else (got is not None and got.startswith(reason))


def test_a_page_is_fetched_with_a_user_agent_naming_storyfold(fx) -> None:
    fx.static("/page", PAGE)
    with Fetcher(OPEN) as f:
        resp = f.fetch(fx.url("/page"), accept=PAGE_TYPES)
    assert resp.status == 200 and resp.text() == PAGE and resp.peer == "127.0.0.1"
    assert "storyfold" in fx.requests[0][1]["user-agent"]


def test_a_name_that_resolves_publicly_but_connects_to_loopback_is_refused(fx, monkeypatch
                                                                            ) -> None:
    """DNS rebinding: the check is on the socket's peer, not on what the name resolved to."""
    fx.static("/page", PAGE)
    real_connect, real_resolve = socket.create_connection, socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        if host != "news.example":
            return real_resolve(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    def connect(address, *args, **kwargs):  # the "public" address lands on loopback
        return real_connect(("127.0.0.1", address[1]), *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(socket, "create_connection", connect)
    with Fetcher(FetchSettings()) as f, pytest.raises(FetchRefused, match="loopback"):
        f.fetch(f"http://news.example:{fx.port}/page")
    assert fx.requests == []


def test_permanent_and_temporary_redirects_are_followed_and_told_apart(fx) -> None:
    fx.static("/feed", "<rss version='2.0'><channel></channel></rss>", ctype="application/xml")
    fx.routes["/old"] = redirect("/feed", 301)
    fx.routes["/older"] = redirect("/old", 308)
    fx.routes["/today"] = redirect("/feed", 302)
    with Fetcher(OPEN) as f:
        moved = f.fetch(fx.url("/older"), accept=FEED_TYPES)
        temporary = f.fetch(fx.url("/today"), accept=FEED_TYPES)
    assert moved.url == fx.url("/feed") and moved.moved_permanently == fx.url("/feed")
    assert [status for status, _ in moved.redirects] == [308, 301]
    assert temporary.url == fx.url("/feed") and temporary.moved_permanently is None


def test_more_than_five_redirects_are_refused(fx) -> None:
    for n in range(7):
        fx.routes[f"/r{n}"] = redirect(f"/r{n + 1}", 302)
    fx.static("/r7", PAGE)
    with Fetcher(OPEN) as f:
        with pytest.raises(FetchRefused, match="more than 5 redirects"):
            f.fetch(fx.url("/r0"))
        assert f.fetch(fx.url("/r2")).status == 200  # five hops are fine


def test_each_redirect_is_checked_again(fx) -> None:
    """A public page redirecting to an internal address: the second hop is refused."""
    with serve("127.0.0.2") as inside:
        inside.static("/secret", "internal")
        fx.routes["/jump"] = redirect(inside.url("/secret"), 302)
        fx.routes["/file"] = redirect("file:///etc/passwd", 302)
        only_first = lambda address: None if address == "127.0.0.1" else "private"  # noqa: E731
        with Fetcher(FetchSettings(), policy=only_first) as f:
            with pytest.raises(FetchRefused, match="127.0.0.2 is a private address"):
                f.fetch(fx.url("/jump"))
            with pytest.raises(FetchRefused, match="only http and https"):
                f.fetch(fx.url("/file"))
        assert inside.requests == [] and fx.hits("/jump") == 1


def test_bodies_are_capped_after_decompression(fx) -> None:
    fx.static("/bomb", gzip_bomb(30 * 1024 * 1024), Content_Encoding="gzip")
    fx.static("/big", b"a" * (3 * 1024 * 1024))
    fx.static("/small.gz", gzip_bomb(1000), ctype="text/plain", Content_Encoding="gzip")
    with Fetcher(FetchSettings(allow_private_networks=True, max_mb=1.0)) as f:
        for path in ("/bomb", "/big"):
            with pytest.raises(FetchRefused, match="larger than 1 MiB"):
                f.fetch(fx.url(path))
        assert f.fetch(fx.url("/small.gz")).body == b"\0" * 1000


def test_a_slow_drip_ends_at_the_total_deadline(fx) -> None:
    fx.routes["/drip"] = drip
    with Fetcher(FetchSettings(allow_private_networks=True, timeout_s=0.3)) as f:
        with pytest.raises(FetchError, match=r"longer than 0.3 s"):
            f.fetch(fx.url("/drip"))


def test_a_body_of_another_type_is_refused(fx) -> None:
    fx.static("/photo", b"\x89PNG\r\n\x1a\n....", ctype="image/png")
    with Fetcher(OPEN) as f, pytest.raises(FetchRefused, match="served as image/png"):
        f.fetch(fx.url("/photo"), accept=FEED_TYPES)


def test_conditional_headers_are_sent_and_304_comes_back_empty(fx) -> None:
    def conditional(h):
        if h.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}, b"<rss/>"

    fx.routes["/feed"] = conditional
    with Fetcher(OPEN) as f:
        first = f.fetch(fx.url("/feed"), accept=FEED_TYPES)
        again = f.fetch(fx.url("/feed"), accept=FEED_TYPES,
                        headers={"If-None-Match": first.headers["etag"]})
    assert first.status == 200 and again.status == 304 and again.body == b""


def test_errors_come_back_as_statuses_with_their_headers(fx) -> None:
    fx.static("/busy", "slow down", status=429, Retry_After="120")
    fx.static("/gone", "gone", status=410)
    with Fetcher(OPEN) as f:
        busy = f.fetch(fx.url("/busy"))
        gone = f.fetch(fx.url("/gone"))
    assert (busy.status, busy.headers["retry-after"], busy.body) == (429, "120", b"")
    assert gone.status == 410


def test_nothing_listening_is_one_line(fx) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with Fetcher(OPEN) as f, pytest.raises(FetchError, match="cannot connect") as info:
        f.fetch(f"http://127.0.0.1:{port}/")
    assert "\n" not in str(info.value)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_a_certificate_error_is_an_error(tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    with serve() as plain:
        plain.static("/page", PAGE)
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(plain))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with Fetcher(OPEN) as f, pytest.raises(FetchError, match="certificate"):
                f.fetch(f"https://127.0.0.1:{server.server_address[1]}/page")
        finally:
            server.shutdown()
            server.server_close()
        assert plain.requests == []
