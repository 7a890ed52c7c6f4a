"""`briefing batch PLAN`: many shows in one run on Dask distributed (`briefing[batch]`).

`register(app)` adds the command to the app (`briefing.cli.app`). It prints a line per finished episode while
the batch runs, then a summary table (show, episodes, duration, voice, time, status), and exits 1
when a show failed (2 for a bad plan or an unreachable cluster).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from briefing.cli.common import fail
from briefing.errors import BatchError, BriefingError

if TYPE_CHECKING:
    from briefing.batch import BatchReport, EpisodeOutcome, Plan


def _minutes(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def _progress(done: int, total: int, outcome: EpisodeOutcome) -> None:
    if outcome.ok:
        what = f"« {outcome.title} » n° {outcome.number}, {_minutes(outcome.seconds)}"
    else:
        what = f"échec : {outcome.error}"
    typer.echo(f"[{done}/{total}] {outcome.show} : {what} ({outcome.elapsed:.1f} s)", err=True)


def summary_table(report: BatchReport) -> str:
    """The summary: one row per show, then the total."""
    rows = [("émission", "épisodes", "durée", "voix", "temps", "état")]
    for show in report.shows:
        made = len(show.published)
        rows.append(
            (
                show.name,
                f"{made}/{made + len(show.failed)}",
                _minutes(show.seconds) if made else "-",
                ", ".join(show.voices) or "-",
                f"{show.worker_seconds:.0f} s",
                "ok" if show.ok else "échec",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    made = sum(len(s.published) for s in report.shows)
    total = sum(s.seconds for s in report.shows)
    lines.append(
        f"Total : {made} épisode(s), {_minutes(total)} d'écoute, en {_minutes(report.seconds)} "
        f"sur {report.workers} worker(s)"
    )
    return "\n".join(lines)


def _dry_run(plan: Plan) -> None:
    """Print each show's episodes and what was left out; a show left with nothing to build fails
    the dry run (exit 1), as it would fail the batch."""
    from briefing.batch import gather

    empty = []
    for show in gather(plan):
        typer.echo(f"{show.show.name} -> {show.show.out}")
        for job in show.jobs:
            typer.echo("  épisode : " + " + ".join(job.sources))
        for note in show.notes:
            typer.echo(f"  {note}")
        if not show.jobs:
            empty.append(show.show.name)
    if empty:
        names = ", ".join(repr(name) for name in empty)
        fail(BatchError(f"nothing to build for show {names}: see what was left out"), code=1)


def _quiet_dask() -> None:
    """Dask's own messages (cluster start and stop, each connection) only when something is wrong."""
    import logging

    import distributed  # noqa: F401  (sets up its loggers on import)

    logging.getLogger("distributed").setLevel(logging.WARNING)
    logging.getLogger("bokeh").setLevel(logging.ERROR)  # its warning of the dashboard's host wildcard


def register(app: typer.Typer) -> None:
    @app.command()
    def batch(
        plan: Annotated[
            Path,
            typer.Argument(
                help="Plan file (TOML): the shows, their configs, outputs and sources.", dir_okay=False
            ),
        ],
        scheduler: Annotated[
            str | None,
            typer.Option(
                "--scheduler",
                help="Address of a running Dask scheduler (tcp://HOST:8786); default: a local cluster.",
            ),
        ] = None,
        workers: Annotated[
            int | None,
            typer.Option(
                "--workers", help="Worker processes of the local cluster (default: one per core).", min=1
            ),
        ] = None,
        dashboard: Annotated[
            bool,
            typer.Option("--dashboard/--no-dashboard", help="Serve the Dask dashboard of the local cluster."),
        ] = True,
        dry_run: Annotated[
            bool,
            typer.Option("--dry-run", help="Read the plan and feeds, print the episodes; build nothing."),
        ] = False,
    ) -> None:
        """Build many shows in one run on Dask distributed, from files, URLs and RSS or Atom feeds."""
        try:
            from briefing.batch import check_plan, load_plan, run_batch

            if scheduler and workers:
                raise BatchError("--workers sizes the local cluster; it cannot go with --scheduler")
            loaded = load_plan(plan)
            _quiet_dask()
            if dry_run:
                check_plan(loaded)
                _dry_run(loaded)
                return
            report = run_batch(
                loaded,
                scheduler=scheduler,
                workers=workers,
                dashboard=dashboard,
                progress=_progress,
                log=lambda line: typer.echo(line, err=True),
            )
        except ImportError as e:
            fail(BatchError(f"the batch needs Dask distributed ({e})", cause="pip install 'briefing[batch]'"))
        except BriefingError as e:
            fail(e)
        for show in report.shows:
            for note in show.all_notes():
                typer.echo(f"briefing: warning: {show.name}: {note}", err=True)
        typer.echo(summary_table(report))
        if not report.ok:
            raise typer.Exit(1)
