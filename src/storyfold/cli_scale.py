"""`storyfold backfill FOLDER`: a folder of WARC files (a crawl's archive, CC-NEWS) folded
into stories on Ray — each worker reads, cleans and fingerprints whole files, this process
places their articles in file order, then in record order within a file, with one placer
per language shard (`scale.shards`).

File order, not publication time: placement must never wait for articles it has not read,
and sorting a backfill by date would mean reading all of it first. Crawl files are named
by crawl time, and a crawl fetches an article soon after it is published, so file order
is close to publication order; what a file holds out of order is what a live run sees
too, and placement already allows for it (`place.grace_days`, consolidation). The order
is fixed by the folder's contents, so a re-run places the same way.

Crash-safe as `run` is (it is `run`'s pipeline): articles already stored are skipped, and
stories a killed backfill left pending are finished first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from storyfold.cli import (
    DEFAULT_DB,
    WAITING,
    AddressOpt,
    DbOpt,
    SettingsOpt,
    WorkersOpt,
    _fail,
    _print_counts,
    _settings,
    app,
    err,
)
from storyfold.errors import IngestError, StoryfoldError
from storyfold.store import open_store


@app.command()
def backfill(
    folder: Annotated[Path, typer.Argument(help="Folder of .warc / .warc.gz files.")],
    db: DbOpt = DEFAULT_DB,
    address: AddressOpt = None,
    workers: WorkersOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    settings_file: SettingsOpt = None,
    no_analyze: Annotated[bool, typer.Option(
        "--no-analyze", help="Skip the write-up of changed stories (done when first shown)."
    )] = False,
) -> None:
    """Fold a folder of WARC files into stories on Ray (needs storyfold[scale]); re-run it
    after an interruption to finish."""
    from storyfold.ingest.files import max_bytes_of
    from storyfold.pipeline import Pipeline
    from storyfold.scale.engine import Workers, connected, require_ray, warc_files
    from storyfold.scale.shards import ShardedPlacer

    try:
        require_ray()
    except StoryfoldError as exc:
        raise _fail(exc) from exc
    settings = _settings(settings_file)
    if not folder.is_dir():
        raise _fail(StoryfoldError(f"{folder}: not a folder"))
    try:
        store = open_store(db)
    except StoryfoldError as exc:
        raise _fail(exc) from exc
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                        TextColumn("{task.completed} articles"), TimeElapsedColumn(),
                        console=err, disable=quiet or not err.is_terminal)

    def on_error(e: IngestError) -> None:
        progress.console.print(f"skipped {e.path}: {e.reason}", highlight=False, markup=False,
                               soft_wrap=True)

    cpus = workers * settings.scale.worker_cpus if workers else None
    try:
        with progress:
            task = progress.add_task("backfilling", total=None)
            pipe = Pipeline(store, settings, on_error=on_error, analyze=not no_analyze,
                            on_progress=lambda n: progress.advance(task, n),
                            on_wait=lambda: progress.console.print(WAITING, highlight=False))
            with connected(address, cpus) as ray, Workers(ray, settings, workers, db) as pool:
                report = ShardedPlacer(pipe).add_prepared(pool.files(warc_files(folder),
                                                      max_bytes_of(settings.ingest)))
    except StoryfoldError as exc:
        raise _fail(exc) from exc
    finally:
        store.close()
    _print_counts(report)
    if report.added == 0 and report.already_stored == 0 and report.errors:
        raise typer.Exit(1)
