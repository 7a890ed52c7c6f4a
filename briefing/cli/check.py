"""`briefing check`: verify one built episode before it airs (files, sound, chapters, subtitles, and
speech recognition of each chapter with the `qa` extra).

`register(app)` adds the command to the main typer app; it parses options, calls
`briefing.qa.check.check_episode` and prints the report (or JSON), exiting 1 when anything is wrong.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from briefing.cli.common import fail

if TYPE_CHECKING:
    from briefing.qa.check import CheckReport


def _print(report: CheckReport) -> None:
    loud = report.loudness
    head = f"{report.mp3.name}"
    if report.seconds is not None:
        head += f": {report.seconds:.1f} s"
    if loud is not None:
        head += f", {loud.integrated_lufs:.1f} LUFS, true peak {loud.true_peak_dbtp:.2f} dBTP"
    if report.preset:
        head += f" (preset {report.preset!r})"
    typer.echo(head)
    for problem in report.problems:
        typer.echo(f"  {problem}")
    if report.asr_note:
        typer.echo(f"  speech recognition {report.asr_note}")
    elif report.scores:
        typer.echo(f"  speech recognition (word error rate, flagged over {report.threshold:.0%}):")
        for s in report.scores:
            mark = "  <- over the threshold" if s.flagged else ""
            if s.judged_with is not None:
                mark += f" (too short to judge alone: judged with chapter {s.judged_with})"
            mark += " (the recognizer looped: listen to it)" if s.looped else ""
            typer.echo(f"  {s.index:>3}  {s.wer:>5.0%}  {s.words:>4} words  {s.title[:50]}{mark}")
        if report.overall_wer is not None:
            typer.echo(f"  all chapters: {report.overall_wer:.0%}")
    if report.ok:
        warnings = len(report.problems)
        typer.echo("OK" + (f" ({warnings} warning(s))" if warnings else ""))
    else:
        typer.echo(
            f"FAILED: {len(report.errors)} error(s), {len(report.flagged)} chapter(s) over the threshold"
        )


def check(
    episode: Annotated[
        Path, typer.Argument(help="The episode JSON, its MP3, or their common base name (folder/base).")
    ],
    asr: Annotated[
        bool | None,
        typer.Option(
            "--asr/--no-asr",
            help="Transcribe each chapter and score it against its script (needs the qa extra). "
            "Default: when installed.",
            show_default=False,
        ),
    ] = None,
    threshold: Annotated[
        float,
        typer.Option(help="Flag a chapter whose word error rate is over this (0.35 = 35 %).", min=0.0),
    ] = 0.35,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Verify a built episode: files, duration, loudness, chapters, subtitles, and intelligibility."""
    from briefing.errors import BriefingError
    from briefing.qa.check import check_episode

    try:
        report = check_episode(episode, asr=asr, threshold=threshold, log=lambda m: typer.echo(m, err=True))
    except BriefingError as e:
        fail(e)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print(report)
    if not report.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `check` to `app`."""
    app.command("check")(check)
