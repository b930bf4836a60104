"""`storyfold import miniflux|greader`: articles from the readers people already use, folded
into stories a page at a time, resumable (`follow.importers`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from storyfold.cli import DEFAULT_DB, WAITING, DbOpt, SettingsOpt, _fail, _settings, app, err
from storyfold.errors import IngestError, StoryfoldError
from storyfold.store import open_store

if TYPE_CHECKING:
    from storyfold.follow.importers import Page, Subscription
    from storyfold.settings import Settings

import_app = typer.Typer(no_args_is_help=True,
                         help="Import articles from a feed reader (resumable).")
app.add_typer(import_app, name="import")
SubscribeOpt = Annotated[bool, typer.Option(
    "--subscribe", help="Also follow the reader's subscriptions as sources (for `watch`).")]


@import_app.command("miniflux")
def import_miniflux(
    url: Annotated[str, typer.Argument(help="The Miniflux server, e.g. https://reader.example")],
    token: Annotated[str, typer.Option("--token", envvar="STORYFOLD_MINIFLUX_TOKEN",
                                       help="An API key (Settings > API Keys).")],
    subscribe: SubscribeOpt = False, db: DbOpt = DEFAULT_DB,
    settings_file: SettingsOpt = None,
) -> None:
    """Every entry of a Miniflux account, oldest first, from where the last import stopped."""
    from storyfold.follow.fetcher import Fetcher
    from storyfold.follow.importers import Miniflux

    settings = _settings(settings_file)
    with Fetcher(settings.fetch) as fetcher:
        client = Miniflux(fetcher, url, token)
        _import(settings, db, f"miniflux:{client.base}", client.pages,
                client.subscriptions if subscribe else None)


@import_app.command("greader")
def import_greader(
    url: Annotated[str, typer.Argument(
        help="The Google Reader API address, e.g. https://host/api/greader.php (FreshRSS)")],
    user: Annotated[str, typer.Option("--user", help="The account's user name.")],
    password: Annotated[str, typer.Option("--password", envvar="STORYFOLD_GREADER_PASSWORD",
                                          help="Its API password.")],
    subscribe: SubscribeOpt = False, db: DbOpt = DEFAULT_DB,
    settings_file: SettingsOpt = None,
) -> None:
    """The reading list of a Google Reader API account (FreshRSS, Inoreader, …), oldest
    first, from where the last import stopped."""
    from storyfold.follow.fetcher import Fetcher
    from storyfold.follow.importers import GoogleReader

    settings = _settings(settings_file)
    with Fetcher(settings.fetch) as fetcher:
        client = GoogleReader(fetcher, url, user, password)
        _import(settings, db, f"greader:{client.base}:{user}", client.pages,
                client.subscriptions if subscribe else None)


def _import(settings: Settings, db: str, name: str,
            pages: Callable[[str | None], Iterator[Page]],
            subscriptions: Callable[[], list[Subscription]] | None) -> None:
    """Fold each page into stories, then move the cursor past it (one writer at a time)."""
    from storyfold.pipeline import Pipeline

    try:
        store = open_store(db)
    except StoryfoldError as exc:
        raise _fail(exc) from exc
    added = stored = skipped = n_pages = 0

    def on_error(e: IngestError) -> None:
        err.print(f"[yellow]skipped[/yellow] {escape(e.path)}: {escape(e.reason)}",
                  highlight=False, soft_wrap=True)

    try:
        pipe = Pipeline(store, settings, on_error=on_error,
                        on_wait=lambda: err.print(WAITING, highlight=False))
        for docs, cursor in pages(store.import_cursor(name)):
            with store.writer_lock():
                if docs:
                    report = pipe.add(docs)
                    added += report.added
                    stored += report.already_stored
                    skipped += len(report.errors)
                with store.transaction():
                    store.save_import_cursor(name, cursor)
            n_pages += 1
        new_sources = 0
        if subscriptions is not None:
            new_sources = sum(store.add_source(s.url, s.title, s.site_url)[1]
                              for s in subscriptions())
    except StoryfoldError as exc:
        err.print(f"stopped after {n_pages} page(s), {added} article(s) added; the next "
                  "import resumes from there", highlight=False)
        raise _fail(exc) from exc
    finally:
        store.close()
    err.print(f"{n_pages} page(s): added {added} article(s), {stored} already stored, "
              f"{skipped} skipped" + (f"; {new_sources} new source(s)" if subscriptions
                                      else ""), highlight=False)
