"""Command line: `storyfold run|repair|stories|story|eval|serve|settings`, and the commands
that follow sources (`sources`, `watch`, `fetch`: `cli_follow`). Rich on a terminal, JSON with
--json."""

from __future__ import annotations

import json
import logging
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from storyfold.errors import IngestError, StoryfoldError
from storyfold.output.json import story_json
from storyfold.output.terminal import stories_table as _stories_table
from storyfold.settings import Settings, load
from storyfold.store import open_store

if TYPE_CHECKING:  # the pipeline is imported where a command needs it: start-up stays quick
    from storyfold.model import RawDocument, StoryRecord
    from storyfold.pipeline import Pipeline, RunReport
    from storyfold.store import Store

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Fold news coverage from many outlets into stories.")
out = Console()
err = Console(stderr=True)


def _print_json(data: object) -> None:
    """JSON on stdout: coloured for a person at a terminal, plain when piped. Rich lays out
    and highlights every token, which took 3.5 s of a 3.7 s `story ID --format json` on a
    47-article story (a script reading the output gains nothing from it)."""
    if out.is_terminal:
        out.print_json(json.dumps(data, ensure_ascii=False), indent=1)
    else:
        sys.stdout.write(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        sys.stdout.flush()

DEFAULT_DB = "sqlite:///storyfold.db"
DbOpt = Annotated[str, typer.Option("--db", envvar="STORYFOLD_DB",
                                    help="Store URL: sqlite:///file.db (default) or a path.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
AddressOpt = Annotated[str | None, typer.Option(
    "--address", help="Ray cluster to join (auto: the one `ray start` began here); default: "
                      "a local Ray started for this command.")]
WorkersOpt = Annotated[int | None, typer.Option(
    "--workers", min=1, help="Ray workers (default: one per CPU of the cluster).")]
SettingsOpt = Annotated[Path | None, typer.Option(
    "--settings", help="Settings file (TOML, one [section] per stage); default: "
                       "$STORYFOLD_SETTINGS. STORYFOLD_<SECTION>__<FIELD> variables override it.")]


def _fail(exc: StoryfoldError) -> typer.Exit:
    err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, markup=True)
    return typer.Exit(2)


def _settings(path: Path | None) -> Settings:
    """The effective settings, or a one-line error and exit status 2."""
    try:
        return load(path)
    except StoryfoldError as exc:
        raise _fail(exc) from exc


def _estimate(paths: list[str]) -> int:
    """Documents to expect, for the progress bar: JSON Lines files count their lines.

    Only a guess, so it never fails and never waits: anything but a readable regular file (a
    FIFO named `x.jsonl` would block `open` forever, a broken link would raise) counts as one;
    the walker then reports it on its own line."""
    from storyfold.ingest import iter_files  # the readers load trafilatura: only `run` needs them

    total = 0
    for f in iter_files(paths):
        if isinstance(f, IngestError) or f.suffix.lower() not in {".jsonl", ".ndjson"}:
            total += 1
            continue
        try:
            if not stat.S_ISREG(f.stat().st_mode) or not os.access(f, os.R_OK):
                total += 1
                continue
            with f.open("rb") as fh:
                total += sum(1 for line in fh if line.strip())
        except OSError:
            total += 1
    return total


@app.command()
def run(
    paths: Annotated[list[str], typer.Argument(help="Files or folders to ingest.")],
    db: DbOpt = DEFAULT_DB,
    as_json: JsonOpt = False,
    max_file_mb: Annotated[float | None, typer.Option(
        help="Largest single-article file to read (default: the setting ingest.max_file_mb, "
             "10).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    settings_file: SettingsOpt = None,
    no_analyze: Annotated[bool, typer.Option(
        "--no-analyze", help="Skip the comparison and write-up of changed stories (bare "
        "ingestion speed); a story is then analysed when first shown.")] = False,
    engine: Annotated[str, typer.Option(
        help="local (default: this process) or ray: clean, fingerprint and embed on Ray "
             "workers, place here (needs storyfold[scale]).")] = "local",
    address: AddressOpt = None,
    workers: WorkersOpt = None,
) -> None:
    """Ingest files or folders, fold them into stories, and print the stories."""
    from storyfold.pipeline import Pipeline

    if engine not in {"local", "ray"}:
        raise _fail(StoryfoldError(f"unknown engine {engine!r}; use local or ray"))
    if engine == "ray":
        from storyfold.scale.engine import require_ray

        try:
            require_ray()
        except StoryfoldError as exc:
            raise _fail(exc) from exc
    settings = _settings(settings_file)
    if max_file_mb is None:
        max_file_mb = settings.ingest.max_file_mb
    try:
        store = open_store(db)
    except StoryfoldError as exc:
        raise _fail(exc) from exc
    show = not quiet and err.is_terminal
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                        MofNCompleteColumn(), TimeElapsedColumn(), console=err, disable=not show)

    def on_error(e: IngestError) -> None:
        # escaped: a file name or a record's text may hold `[...]` that rich reads as markup
        progress.console.print(f"[yellow]skipped[/yellow] {escape(e.path)}: {escape(e.reason)}",
                               highlight=False, markup=True, soft_wrap=True)

    with progress:
        task = progress.add_task("folding articles", total=_estimate(paths) or None)
        pipe = Pipeline(store, settings, on_error=on_error, analyze=not no_analyze,
                        on_progress=lambda n: progress.advance(task, n),
                        on_wait=lambda: progress.console.print(WAITING, highlight=False,
                                                               soft_wrap=True))
        from storyfold.ingest import iter_documents

        docs = iter_documents(paths, max_bytes=int(max_file_mb * 1024 * 1024))
        try:
            report = (pipe.add(docs) if engine == "local"
                      else _on_ray(pipe, docs, address, workers, db))
        except StoryfoldError as exc:
            store.close()
            raise _fail(exc) from exc
    _print_run(store, report, as_json)
    store.close()
    if report.added == 0 and report.already_stored == 0 and report.errors:
        raise typer.Exit(1)


def _on_ray(pipe: Pipeline, docs: Iterable[RawDocument | IngestError], address: str | None,
            workers: int | None, db: str) -> RunReport:
    """The run's documents prepared on Ray workers (which read the store at `db` to leave
    out what is stored), placed here by one placer per language shard, each made like
    `pipe` (`scale.shards`)."""
    from storyfold.scale.engine import Workers, connected
    from storyfold.scale.shards import ShardedPlacer

    cpus = workers * pipe.settings.scale.worker_cpus if workers else None
    with connected(address, cpus) as ray, Workers(ray, pipe.settings, workers, db) as pool:
        return ShardedPlacer(pipe).add_prepared(pool.documents(docs))


def _print_run(store: Store, report: RunReport, as_json: bool) -> None:
    """What a run did (`run`, `fetch`): warnings and counts on stderr, the stories touched."""
    stories = [story_json(store, rec) for rec in _touched_in_order(store, report)]
    _print_counts(report)
    if as_json:
        _print_json({"stories": stories})
    elif stories:
        out.print(_stories_table(stories, "stories touched by this run"))


def _print_counts(report: RunReport) -> None:
    """Warnings, stories an interrupted run left, and what a run did, on stderr."""
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}", highlight=False, markup=True,
                  soft_wrap=True)
    if report.resumed:
        err.print(_resumed(report.resumed), highlight=False, soft_wrap=True)
    err.print(f"added {report.added} article(s), {report.already_stored} already stored, "
              f"{len(report.errors)} skipped; {report.new_stories} new stor"
              f"{'y' if report.new_stories == 1 else 'ies'}, {len(report.touched)} touched",
              highlight=False)


def _touched_in_order(store: Store, report: RunReport) -> list[StoryRecord]:
    """Stories holding any input article (new or already stored), oldest first."""
    sids = set(store.story_of(report.seen_ids).values()) | report.touched
    recs = [store.story(s) for s in sids]
    recs.sort(key=lambda r: (r.first_seen is None, r.first_seen or 0, r.id), reverse=False)
    return recs


WAITING = "another run holds the store; waiting…"


def _resumed(sids: set[str]) -> str:
    n = len(sids)
    return (f"finished {n} stor{'y' if n == 1 else 'ies'} an interrupted run left pending "
            "(consolidation and provenance)")


@app.command()
def repair(db: DbOpt = DEFAULT_DB, settings_file: SettingsOpt = None) -> None:
    """Finish what an interrupted (killed) run left undone: consolidate and give provenance
    (headline, roles, links) to every story still pending. `run` does this too."""
    from storyfold.pipeline import Pipeline

    settings = _settings(settings_file)
    try:
        store = open_store(db)
    except StoryfoldError as exc:
        raise _fail(exc) from exc
    try:
        report = Pipeline(store, settings,
                          on_wait=lambda: err.print(WAITING, highlight=False,
                                                    soft_wrap=True)).repair()
    finally:
        store.close()
    if report.resumed:
        err.print(f"{_resumed(report.resumed)}; {report.new_stories} new stor"
                  f"{'y' if report.new_stories == 1 else 'ies'} from splits, "
                  f"{len(report.touched)} stor{'y' if len(report.touched) == 1 else 'ies'} "
                  "now up to date", highlight=False, soft_wrap=True)
    else:
        err.print("nothing to repair: no run left work pending", highlight=False)


@app.command()
def stories(db: DbOpt = DEFAULT_DB, as_json: JsonOpt = False,
            lang: Annotated[str | None, typer.Option(
                "--lang", help="Only stories with an article in this language (de, en, …).")
            ] = None) -> None:
    """List the stories in the store, newest first."""
    try:
        store = open_store(db, must_exist=True)
    except StoryfoldError as exc:
        raise _fail(exc) from exc
    recs = store.iter_stories() if not lang else _stories_in(store, lang.strip().lower())
    data = [story_json(store, rec) for rec in recs]
    if as_json:
        _print_json({"stories": data})
    else:
        out.print(_stories_table(data, f"{len(data)} stories in {db}"))
    store.close()


def _stories_in(store: Store, lang: str) -> Iterator[StoryRecord]:
    """Every story with an article in `lang`, newest first, read a page at a time."""
    after = None
    while page := store.list_stories(lang=lang, limit=100, after=after):
        yield from page
        after = store.page_key(page[-1])


@app.command()
def story(
    story_id: Annotated[str, typer.Argument(help="Story id (from `storyfold stories`).")],
    db: DbOpt = DEFAULT_DB,
    as_json: JsonOpt = False,
    fmt: Annotated[str, typer.Option(
        "--format", help="table (default), json, or markdown: a report to paste.")] = "table",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the JSON or Markdown to this file instead.")] = None,
    settings_file: SettingsOpt = None,
) -> None:
    """One story: summary with citations, timeline, articles and roles, quotes, conflicts."""
    from storyfold.analyze.service import StoryAnalyzer
    from storyfold.output.json import story_detail

    settings = _settings(settings_file)
    fmt = "json" if as_json else fmt.lower()
    if fmt not in {"table", "json", "markdown", "md"}:
        raise _fail(StoryfoldError(f"unknown format {fmt!r}; use table, json or markdown"))
    try:
        store = open_store(db, must_exist=True)
        rec = store.story(story_id)
        busy = (err.status("reading the story (first time: quotes, claims, summary)…")
                if err.is_terminal else nullcontext())
        with busy:
            data = story_detail(store, rec, analyzer=StoryAnalyzer(settings.analyze))
        store.close()
    except StoryfoldError as exc:
        raise _fail(exc) from exc
    if fmt == "table":
        from storyfold.output.terminal import print_story

        print_story(out, data, settings=settings.output)
        return
    if fmt == "json":
        text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    else:
        from storyfold.output.markdown import story_markdown

        text = story_markdown(data, settings=settings.output)
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise _fail(StoryfoldError(f"cannot write {output}: {exc.strerror}")) from exc
        err.print(f"wrote {output}", highlight=False)
    elif fmt == "json":
        _print_json(data)
    else:
        sys.stdout.write(text)


@app.command("eval")
def eval_cmd(
    file: Annotated[Path, typer.Argument(help="Labelled JSON Lines file.")],
    mode: Annotated[str, typer.Option(
        help="stories (field `cluster`), pairs (`label`) or same-story (article pairs with "
             "a graded `label`, 1 = same story).")] = "stories",
    db: Annotated[str | None, typer.Option(
        "--db", help="Store URL; default: a fresh temporary store.")] = None,
    train_folds: Annotated[int, typer.Option(
        "--train-folds", min=0,
        help="pairs: train the pair model K times on the other folds (minutes per fold) "
             "instead of scoring with the shipped one.")] = 0,
    scores: Annotated[Path | None, typer.Option(
        "--scores", help="pairs: also write each pair's scores and label (JSON Lines).")] = None,
    as_json: JsonOpt = False,
    settings_file: SettingsOpt = None,
) -> None:
    """Score clustering or rewrite linking on a labelled file, through the `run` code path."""
    import tempfile

    from storyfold.eval.runners import EvalResult, eval_pairs, eval_stories

    settings = _settings(settings_file)
    if not file.is_file():
        raise _fail(StoryfoldError(f"{file}: no such file"))
    if mode == "pairs":
        progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                            MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                            disable=not err.is_terminal or not train_folds)
        with progress:
            task = progress.add_task("training per fold", total=None)
            result = eval_pairs(file, train_folds=train_folds,
                                on_progress=lambda s, n: progress.update(task, completed=s,
                                                                         total=n),
                                settings=settings)
        if scores and result.per_item:
            cols = result.per_item
            with scores.open("w", encoding="utf-8") as fh:
                for n in range(len(cols["label"])):
                    fh.write(json.dumps({k: (bool(v[n]) if v.dtype == bool else
                                             round(float(v[n]), 5)) for k, v in cols.items()})
                             + "\n")
        if result.figures.get("in_sample"):
            err.print("[yellow]warning:[/yellow] the shipped pair model was trained on this "
                      "file, so its figures here are in-sample; --train-folds 10 gives the "
                      "cross-validated figure.", highlight=False)
    elif mode == "same-story":
        from storyfold.eval.same_story import eval_same_story

        try:
            figures = eval_same_story(file, settings=settings)
        except StoryfoldError as exc:
            raise _fail(exc) from exc
        result = EvalResult(figures)
    elif mode == "stories":
        with tempfile.TemporaryDirectory() as tmp:
            try:
                store = open_store(db or f"sqlite:///{tmp}/eval.db")
            except StoryfoldError as exc:
                raise _fail(exc) from exc
            progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                                disable=not err.is_terminal)
            with progress:
                task = progress.add_task("evaluating", total=_estimate([str(file)]))
                result = eval_stories(file, store,
                                      on_progress=lambda n: progress.advance(task, n),
                                      settings=settings)
            store.close()
    else:
        raise _fail(StoryfoldError(f"unknown mode {mode!r}; use stories, pairs or same-story"))
    if as_json:
        _print_json(result.figures)
        return
    table = Table(title=f"eval {file.name} ({mode})")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for k, v in result.figures.items():
        table.add_row(k, str(v))
    out.print(table)


@app.command()
def serve(
    db: DbOpt = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = (
        "127.0.0.1"),
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    settings_file: SettingsOpt = None,
    workers: Annotated[int, typer.Option(
        min=1, help="Server processes, each with its own store connections: more than one "
                    "suits a shared store (PostgreSQL).")] = 1,
) -> None:
    """Serve the JSON API and the web pages (writes need $STORYFOLD_TOKEN)."""
    from storyfold.web.app import serve as serve_app

    settings = _settings(settings_file)
    logging.basicConfig(level=os.environ.get("STORYFOLD_LOG", "INFO"))
    try:
        serve_app(db, host=host, port=port, settings=settings, workers=workers,
                  settings_file=settings_file)
    except StoryfoldError as exc:
        raise _fail(exc) from exc


@app.command("settings")
def settings_cmd(settings_file: SettingsOpt = None, as_json: JsonOpt = False) -> None:
    """Every effective setting: its value, where it came from, and what it does."""
    from storyfold.settings import digest
    from storyfold.settings_load import describe

    current = _settings(settings_file)
    rows = describe(current)
    if as_json:
        sys.stdout.write(json.dumps({"digest": digest(current), "settings": rows},
                                    indent=1, ensure_ascii=False) + "\n")
        return
    table = Table(title=f"settings (digest {digest(current)[:12]})")
    table.add_column("setting", style="cyan", no_wrap=True)
    table.add_column("value", justify="right")
    table.add_column("from")
    table.add_column("what it does")
    for row in rows:
        table.add_row(row["name"], str(row["value"]), row["source"], row["doc"])
    out.print(table)


from storyfold import cli_follow, cli_import, cli_scale  # noqa: E402,F401 - register commands


def main() -> None:  # pragma: no cover - console entry
    logging.basicConfig(level=os.environ.get("STORYFOLD_LOG", "WARNING"))
    app()


if __name__ == "__main__":  # pragma: no cover
    # `python -m storyfold.cli`: run the module proper, on whose app `cli_follow` registered
    # its commands (this copy, __main__, is another module object)
    from storyfold.cli import main as _main

    _main()
