"""`briefing voices`: list the voices and whether each can run here; with `--sample`, audition them.

`register(app)` adds the command to the main typer app; it parses options and calls the library.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from briefing.cli.common import fail

if TYPE_CHECKING:
    from briefing.speech.voices import VoiceInfo

AUDITION_DIR = Path("output") / "audition"


def voices(
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
    sample: Annotated[
        str | None,
        typer.Option(
            help="Audition: say this phrase with every available voice, one WAV each, at the same "
            "loudness, and print the files.",
        ),
    ] = None,
    out: Annotated[
        Path,
        typer.Option("-o", "--out", help="Folder for the audition WAV files.", file_okay=False),
    ] = AUDITION_DIR,
    show: Annotated[
        Path | None,
        typer.Option(
            help="Show config (TOML) whose pronunciation lexicon the audition uses.", dir_okay=False
        ),
    ] = None,
    voice: Annotated[
        list[str] | None,
        typer.Option(help="Only this voice, listed or auditioned (repeat for several; default: every one)."),
    ] = None,
) -> None:
    """List voice profiles and engines, and whether each can be used right now."""
    from briefing.errors import BriefingError
    from briefing.speech.voices import default_voice, list_voices
    from briefing.util.resources import voice_dirs

    try:
        if sample is not None:
            _audition(sample, out, show, voice or [], as_json)
            return
        if show is not None or out != AUDITION_DIR:
            raise BriefingError("--show and --out go with --sample", cause='add --sample "a phrase"')
        dirs = voice_dirs()
        infos = _only(list_voices(dirs), voice or [], dirs)
        default = default_voice(dirs).name
    except BriefingError as e:
        fail(e)
    if as_json:
        rows = [{**v.as_dict(), "default": v.name == default} for v in infos]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for v in infos:
        mark = "oui" if v.available else "non"
        extra = f", secours : {v.fallback}" if v.fallback else ""
        name = f"{v.name} *" if v.name == default else v.name
        typer.echo(f"{name:<20} {v.engine:<8} utilisable : {mark:<4} {v.reason}{extra}")
    typer.echo(f"* voix par défaut (sans --voice ni voix dans le show) : {default}")


def _only(infos: Sequence[VoiceInfo], names: list[str], dirs: Sequence[Path]) -> Sequence[VoiceInfo]:
    """The voices `names` (all of them when none is named); an unknown name is the usual error."""
    from briefing.speech.voices import find_profile

    listed = {v.name for v in infos}
    for name in names:
        if name not in listed:
            find_profile(name, dirs)  # raises: "Unknown voice 'x'. Choose from: …"
    return [v for v in infos if v.name in names] if names else infos


def _audition(text: str, out: Path, show: Path | None, voices: list[str], as_json: bool) -> None:
    from briefing.config.loader import load_show
    from briefing.errors import SpeechError
    from briefing.pipeline import pronunciations
    from briefing.speech.audition import audition
    from briefing.speech.cache import SpeechCache, default_cache_dir
    from briefing.util.resources import voice_dirs

    dirs = voice_dirs()
    lexicons = pronunciations(load_show(show), dirs)
    samples = audition(
        text, out, dirs, pronunciations=lexicons, cache=SpeechCache(default_cache_dir()), voices=voices
    )
    if as_json:
        rows = [
            {"voice": s.voice, "engine": s.engine, "path": str(s.path) if s.path else None,
             "seconds": round(s.seconds, 3), "problem": s.problem or None}
            for s in samples
        ]  # fmt: skip
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for s in samples:
            if s.path is not None:
                typer.echo(f"{s.voice:<20} {s.seconds:5.1f} s  {s.path}")
            else:
                typer.echo(f"{s.voice:<20} échec : {s.problem}")
    if not any(s.path for s in samples):
        raise SpeechError("no voice could say the audition phrase", cause="see `briefing voices`")


def register(app: typer.Typer) -> None:
    """Add `voices` to `app`."""
    app.command("voices")(voices)
