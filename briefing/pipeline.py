"""The pipeline, stage by stage: article → sections → script (→ speech → audio → export → publish)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .ingest import read_article
from .models import Script
from .script import looks_like_script, read_script
from .sections import find_sections
from .show import load_show


def is_script_file(source: str | Path) -> bool:
    """A Markdown file written by `briefing script` (perhaps edited since)."""
    path = Path(source)
    if str(source) == "-" or path.suffix.lower() not in (".md", ".markdown") or not path.is_file():
        return False
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            head = f.read(4096)
    except OSError:
        return False
    return looks_like_script(head)


def plan_script(
    source: str | Path,
    *,
    show: Path | None = None,
    title: str | None = None,
    date: dt.date | None = None,
) -> Script:
    """Read an article and narrate it; a script file (edited or not) is read back as it is."""
    from dataclasses import replace

    from .script import build_script

    if is_script_file(source):
        script = read_script(Path(source))
        if title:
            script = replace(script, title=title)
        if date:
            script = replace(script, date=date)
        return script
    article = find_sections(read_article(source, title=title))
    return build_script(article, load_show(show), date=date)
