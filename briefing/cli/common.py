"""What every command module of the CLI shares: argument and option types, one-line failure, French
sizes and dates, warnings on stderr."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from briefing.errors import BriefingError

ArticleArg = Annotated[
    str,
    typer.Argument(
        help="Article file (.txt, .md, .json, .html), an https:// URL, or - for stdin.", show_default=False
    ),
]
ArticlesArg = Annotated[
    list[str],
    typer.Argument(
        help="Article files (.txt, .md, .json, .html), URLs, list files (.list), or - for stdin; "
        "several make one briefing (or one episode each with --each).",
        show_default=False,
    ),
]
TitleOpt = Annotated[str | None, typer.Option("--title", help="Episode title (default: the article's own).")]
DateOpt = Annotated[
    str | None,
    typer.Option("--date", help="Episode date YYYY-MM-DD (default: the article's, else today)."),
]
ShowOpt = Annotated[Path | None, typer.Option("--show", help="Show config file (TOML).", dir_okay=False)]


CacheDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir", help="Speech cache folder (default: the user cache folder).", file_okay=False
    ),
]


def human_size(size: int) -> str:
    """A file size as a French reader writes it: 2,83 Mo, 14 ko, 512 o."""
    if size >= 1_000_000:
        return f"{size / 1e6:.2f} Mo".replace(".", ",")
    if size >= 1000:
        return f"{size / 1e3:.0f} ko"
    return f"{size} o"


def fail(error: BriefingError, code: int | None = None) -> NoReturn:
    """Print `error` on one line and exit with its code (or `code`)."""
    typer.echo(f"briefing: error: {error.one_line()}", err=True)
    raise typer.Exit(error.exit_code if code is None else code)


#: The dates `--date` takes: feed readers misread years before 1900 (RFC 2822 dates), and a date
#: years ahead (a typo: 2205) would keep its episode at the top of every podcast app for good.
FIRST_YEAR, MAX_DAYS_AHEAD = 1900, 366


def parse_date(value: str | None, today: dt.date | None = None) -> dt.date | None:
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        fail(BriefingError(f"--date {value!r} is not a date in the form YYYY-MM-DD"))
    latest = (today or dt.date.today()) + dt.timedelta(days=MAX_DAYS_AHEAD)
    if not dt.date(FIRST_YEAR, 1, 1) <= day <= latest:
        fail(
            BriefingError(
                f"--date {value} is not a plausible episode date",
                cause=f"a typo? dates from {FIRST_YEAR} to a year from today ({latest}) are taken",
            )
        )
    return day


def warn(message: str) -> None:
    typer.echo(f"briefing: warning: {message}", err=True)
