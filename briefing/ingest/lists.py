"""The sources of a build: article files and URLs, with list files opened up."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from briefing.errors import IngestError

Source = str | Path
LIST_SUFFIXES = (".list", ".lst")


def expand_sources(sources: Source | Sequence[Source]) -> list[str]:
    """Files and URLs, with list files (`*.list`: one source a line, `#` comments) opened up."""
    items = [sources] if isinstance(sources, str | Path) else list(sources)
    expanded: list[str] = []
    for item in items:
        name = str(item)
        if name.lower().endswith(LIST_SUFFIXES):
            expanded += _read_list(Path(name))
        else:
            expanded.append(name)
    if not expanded:
        raise IngestError("no article given")
    return expanded


def _read_list(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise IngestError(f"{path}: cannot read the list of articles ({e})") from e
    entries = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    base = path.parent
    return [e if "://" in e or Path(e).is_absolute() else str(base / e) for e in entries]
