"""Commands on one article before anything is voiced: `sections`, `script`, `normalize`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from briefing.cli.common import ArticleArg, ArticlesArg, DateOpt, ShowOpt, TitleOpt, fail, parse_date
from briefing.errors import BriefingError


def sections(
    article: ArticleArg,
    title: TitleOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON: title, lead and sections.")] = False,
) -> None:
    """Show the sections found in an article."""
    from briefing.ingest.core import read_article
    from briefing.sections.finder import find_sections

    try:
        found = find_sections(read_article(article, title=title))
    except BriefingError as e:
        fail(e)
    if as_json:
        data: dict[str, object] = {
            "title": found.title,
            "lead": found.lead,
            "sections": [{"heading": s.heading, "text": s.text} for s in found.sections],
        }
        extra = {
            "date": found.date.isoformat() if found.date else None,
            "author": found.author,
            "source": found.source,
            "url": found.url,
        }
        data.update({k: v for k, v in extra.items() if v})
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo(f"Titre : {found.title}")
    typer.echo(f"Chapeau : {_preview(found.lead)}")
    for i, section in enumerate(found.sections, start=1):
        typer.echo(f"{i}. {section.heading}  ({len(section.text.split())} mots)")


def _preview(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def script(
    articles: ArticlesArg,
    out: Annotated[
        Path | None,
        typer.Option(
            "-o", "--out", help="Write the script to this file (default: print it).", dir_okay=False
        ),
    ] = None,
    title: TitleOpt = None,
    date: DateOpt = None,
    show: ShowOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an --out file that holds other text (an edited script).")
    ] = False,
    old_output: Annotated[
        Path | None, typer.Option("--output", hidden=True, help="Old spelling of --out.", dir_okay=False)
    ] = None,
) -> None:
    """Write the narrated script of an article, to read and edit before voicing."""
    from briefing.pipeline import plan_script
    from briefing.script.build import render_script, write_script

    output = out or old_output
    try:
        result = plan_script(articles, show=show, title=title, date=parse_date(date))
        if output is None:
            typer.echo(render_script(result), nl=False)
        else:
            write_script(result, output, replace=force)
            typer.echo(f"Script écrit : {output}", err=True)
    except BriefingError as e:
        fail(e)


def normalize_cmd(
    text: Annotated[
        str, typer.Argument(help="French text to read aloud, or - for stdin.", show_default=False)
    ],
    show: Annotated[
        Path | None,
        typer.Option(help="Show config (TOML) whose pronunciation lexicon and voice to use.", dir_okay=False),
    ] = None,
    voice: Annotated[
        str | None,
        typer.Option(
            help="Voice profile whose lexicon to use (default: the show's, else the default voice)."
        ),
    ] = None,
) -> None:
    """Print the spoken form of French text, as the voice will read it (pronunciation lists included)."""
    from briefing.config.loader import load_show
    from briefing.ingest.source import decode
    from briefing.pipeline import spoken_form

    # Read as an article is: UTF-8 or Windows-1252 (stdin, or an argument a Latin-1 terminal typed),
    # binary refused.
    data = sys.stdin.buffer.read() if text == "-" else os.fsencode(text)
    if not data.strip():
        fail(BriefingError("nothing to normalize: the text is empty"))
    try:
        text = decode(data, "<stdin>" if text == "-" else "the text")
        typer.echo(spoken_form(text, load_show(show), voice))
    except BriefingError as e:
        fail(e)


def register(app: typer.Typer) -> None:
    """Add `sections` and `script` to `app` (`normalize` comes after `build`: see `app`)."""
    app.command("sections")(sections)
    app.command("script")(script)


def register_normalize(app: typer.Typer) -> None:
    app.command("normalize")(normalize_cmd)
