"""The commands that follow sources: `storyfold sources add|import-opml|list|remove`,
`storyfold watch` and `storyfold fetch`, registered on the app of `storyfold.cli`."""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Group
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from storyfold.cli import (
    DEFAULT_DB,
    WAITING,
    DbOpt,
    JsonOpt,
    SettingsOpt,
    _fail,
    _print_run,
    _settings,
    app,
    err,
    out,
)
from storyfold.errors import IngestError, StoryfoldError
from storyfold.store import open_store

if TYPE_CHECKING:
    from storyfold.follow.watch import Event
    from storyfold.model import Source
    from storyfold.store import Store

sources_app = typer.Typer(no_args_is_help=True,
                          help="The feeds `watch` follows: add, import, list, remove.")
app.add_typer(sources_app, name="sources")


def _open(db: str) -> Store:
    try:
        return open_store(db)
    except StoryfoldError as exc:
        raise _fail(exc) from exc


@sources_app.command("add")
def sources_add(
    urls: Annotated[list[str], typer.Argument(help="Feed URLs, or home pages whose feeds "
                                                   "(<link rel=\"alternate\">) are followed.")],
    db: DbOpt = DEFAULT_DB, settings_file: SettingsOpt = None,
) -> None:
    """Follow feeds: each URL is fetched once to find and check its feeds."""
    from storyfold.follow.fetcher import Fetcher
    from storyfold.follow.sources import add_sources

    settings = _settings(settings_file)
    store = _open(db)
    try:
        with Fetcher(settings.fetch) as fetcher:
            results = add_sources(store, fetcher, urls)
    finally:
        store.close()
    for r in results:
        if r.source is None:
            err.print(f"[red]error:[/red] {escape(r.error or r.given)}", highlight=False,
                      soft_wrap=True)
        else:
            what = "added" if r.new else "already followed"
            title = f" ({escape(r.source.title)})" if r.source.title else ""
            err.print(f"{what} {escape(r.source.url)}{title}", highlight=False, soft_wrap=True)
    if not any(r.source for r in results):
        raise typer.Exit(1)


@sources_app.command("import-opml")
def sources_import_opml(
    file: Annotated[Path, typer.Argument(help="OPML file exported from a feed reader.")],
    db: DbOpt = DEFAULT_DB,
) -> None:
    """Follow every feed of an OPML file (each is checked when `watch` first polls it)."""
    from storyfold.follow.sources import read_opml

    try:
        feeds = read_opml(file)
    except StoryfoldError as exc:
        raise _fail(exc) from exc
    store = _open(db)
    try:
        new = sum(store.add_source(url, title, site)[1] for url, title, site in feeds)
    finally:
        store.close()
    err.print(f"{len(feeds)} feed(s) in {file}: {new} added, {len(feeds) - new} already "
              "followed", highlight=False, soft_wrap=True)


@sources_app.command("list")
def sources_list(db: DbOpt = DEFAULT_DB, as_json: JsonOpt = False) -> None:
    """Every source: last fetch, status, last error, next fetch, articles."""
    try:
        store = open_store(db, must_exist=True)
    except StoryfoldError as exc:
        raise _fail(exc) from exc
    try:
        rows = store.sources()
    finally:
        store.close()
    if as_json:
        sys.stdout.write(json.dumps({"sources": [_source_json(s) for s in rows]}, indent=1,
                                    ensure_ascii=False) + "\n")
        return
    table = Table(title=f"{len(rows)} source(s) in {db}")
    for col in ("id", "source", "last fetch", "status", "next fetch", "articles"):
        table.add_column(col, justify="right" if col in {"id", "articles"} else "left")
    for s in rows:
        name = Text(s.title or "", style="bold")
        name.append(("\n" if s.title else "") + s.url, style="dim")
        if s.last_error:
            name.append(f"\n{s.last_error}", style="red")
        status = s.disabled and f"disabled: {s.disabled}" or s.last_status or "never polled"
        table.add_row(str(s.id), name, _when(s.last_fetch), Text(status),
                      "—" if s.disabled else _when(s.next_fetch) or "now", str(s.articles))
    out.print(table)


@sources_app.command("remove")
def sources_remove(
    which: Annotated[list[str], typer.Argument(help="Source URLs or ids (`sources list`).")],
    db: DbOpt = DEFAULT_DB,
) -> None:
    """Stop following sources (their articles stay in the store)."""
    store = _open(db)
    missing = []
    try:
        known = store.sources()
        for item in which:
            match = next((s for s in known if s.url == item or str(s.id) == item), None)
            if match is None or not store.remove_source(match.id):
                missing.append(item)
            else:
                err.print(f"removed {escape(match.url)}", highlight=False, soft_wrap=True)
    finally:
        store.close()
    for item in missing:
        err.print(f"[red]error:[/red] no source {escape(item)} (see `storyfold sources list`)",
                  highlight=False, soft_wrap=True)
    if missing:
        raise typer.Exit(1)


@app.command()
def watch(
    db: DbOpt = DEFAULT_DB,
    once: Annotated[bool, typer.Option("--once", help="Poll what is due once and exit "
                                                      "(for cron).")] = False,
    settings_file: SettingsOpt = None,
) -> None:
    """Poll the sources as they fall due and fold new entries into stories, until Ctrl-C
    (which finishes the batch in progress). Live status on a terminal, else one JSON line
    per event on stdout."""
    from storyfold.follow.fetcher import Fetcher
    from storyfold.follow.watch import Watcher
    from storyfold.pipeline import Pipeline

    settings = _settings(settings_file)
    store = _open(db)
    stop = threading.Event()
    view = _LiveView() if out.is_terminal else None

    def on_event(event: Event) -> None:
        if view is not None:
            view.add(event)
        else:
            sys.stdout.write(event.line() + "\n")
            sys.stdout.flush()

    def on_error(e: IngestError) -> None:
        on_event(_event("skipped", e.path, {"reason": e.reason}))

    try:
        with Fetcher(settings.fetch) as fetcher, _stopping(stop), \
                (view.live() if view is not None else _nothing()):
            pipe = Pipeline(store, settings, on_error=on_error,
                            on_wait=lambda: on_event(_event("wait", None,
                                                            {"reason": WAITING})))
            watcher = Watcher(store, pipe, fetcher, settings.watch, on_event=on_event,
                              stop=stop)
            totals = watcher.run(once=once)
    except StoryfoldError as exc:
        raise _fail(exc) from exc
    finally:
        store.close()
    err.print(f"polled {totals.polled} source(s): {totals.new_entries} new entries, "
              f"{totals.added} article(s) added, {totals.failed_polls} failed poll(s)",
              highlight=False)


@app.command()
def fetch(
    urls: Annotated[list[str], typer.Argument(help="Page URLs (http or https).")],
    db: DbOpt = DEFAULT_DB, as_json: JsonOpt = False, settings_file: SettingsOpt = None,
) -> None:
    """Fetch pages, extract their articles, and fold them into stories."""
    from storyfold.follow.fetcher import Fetcher
    from storyfold.follow.pages import fetch_page
    from storyfold.pipeline import Pipeline

    settings = _settings(settings_file)
    docs: list[Any] = []
    with Fetcher(settings.fetch) as fetcher:
        for url in urls:
            try:
                docs.append(fetch_page(fetcher, url))
            except StoryfoldError as exc:
                err.print(f"[yellow]skipped[/yellow] {escape(str(exc))}", highlight=False,
                          soft_wrap=True)
    if not docs:
        raise typer.Exit(1)
    store = _open(db)
    try:
        def on_error(e: IngestError) -> None:
            err.print(f"[yellow]skipped[/yellow] {escape(e.path)}: {escape(e.reason)}",
                      highlight=False, soft_wrap=True)

        report = Pipeline(store, settings, on_error=on_error,
                          on_wait=lambda: err.print(WAITING, highlight=False)).add(docs)
        _print_run(store, report, as_json)
    finally:
        store.close()
    if report.added == 0 and report.already_stored == 0:
        raise typer.Exit(1)


# ---- helpers ----------------------------------------------------------------------------------
def _source_json(s: Source) -> dict[str, Any]:
    return {"id": s.id, "url": s.url, "title": s.title, "site_url": s.site_url,
            "last_fetch": _iso(s.last_fetch), "status": s.last_status,
            "last_error": s.last_error, "next_fetch": _iso(s.next_fetch),
            "disabled": s.disabled, "articles": s.articles}


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def _when(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M") if when else ""


def _event(kind: str, url: str | None, fields: dict[str, Any]) -> Event:
    from storyfold.follow.watch import Event, utcnow

    return Event(kind, url, fields, utcnow())


@contextmanager
def _stopping(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM ask `watch` to finish its batch and exit; a second one ends it at
    once (the store stays consistent either way: see `follow.watch`)."""
    def ask(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    before = {sig: signal.signal(sig, ask) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


@contextmanager
def _nothing() -> Iterator[None]:
    yield


class _LiveView:
    """The live status of `watch` on a terminal: totals and the latest events."""

    def __init__(self) -> None:
        self.events: deque[Event] = deque(maxlen=12)
        self.totals: dict[str, Any] = {}
        self._live: Live | None = None

    @contextmanager
    def live(self) -> Iterator[None]:
        with Live(self._render(), console=out, refresh_per_second=4, transient=False) as live:
            self._live = live
            yield
        self._live = None

    def add(self, event: Event) -> None:
        self.events.append(event)
        if event.kind in {"batch", "stop"}:
            self.totals = dict(event.fields)
        if self._live is not None:
            self._live.update(self._render())

    def _render(self) -> Group:
        head = Text("watching — Ctrl-C finishes the batch and stops\n", style="bold")
        head.append("  ".join(f"{k.replace('_', ' ')}: {v}" for k, v in self.totals.items()
                              if k != "documents"))
        table = Table(box=None, show_header=False, pad_edge=False)
        for col in ("at", "event", "url", "detail"):
            table.add_column(col, overflow="fold")
        for e in self.events:
            detail = ", ".join(f"{k}={v}" for k, v in e.fields.items() if v is not None)
            table.add_row(e.at.strftime("%H:%M:%S") if e.at else "", e.kind, e.url or "",
                          Text(detail, style="red" if "error" in e.fields else ""))
        return Group(head, table)
