"""One short real episode for the tests of the show's pages (espeak, no jingles): its script, its show,
and what a build of it leaves (`Built`). tests/publish/conftest.py builds it once per session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from briefing.config.loader import load_show
from briefing.config.show import Show
from briefing.publish.records import EpisodeRecord, read_library

SHOW_TOML = """[show]
title = "Le Briefing"
author = "La rédaction"
base_url = "https://example.org/briefing/"

[sound]
intro = ""
outro = ""
stinger = ""
bed = ""
"""
#: A script file as `briefing script` writes it (read back without the French model): three
#: chapters, a sentence long enough to be cut into several WebVTT cues, and hostile text.
SCRIPT = """<!-- briefing script -->
---
title: Le tramway ira jusqu'à la gare
show: Le Briefing
date: 2025-08-16
source: Le Journal <b>du</b> soir
author: Jeanne Dupont
---

# Ouverture

## greeting
Bonjour et bienvenue dans Le Briefing.

# Le tramway

## lead
Le tramway sera prolongé jusqu'à la gare, annonce la métropole ce matin, après deux ans de débats au conseil.

## text
Le maire a répondu : <script>alert("x")</script> & ]]> "jamais". Les travaux commencent lundi.

# Conclusion

## signoff
C'était Le Briefing. Merci de votre écoute.
"""


@dataclass(frozen=True, slots=True)
class Built:
    """An output folder holding one episode built for real, its show and its library record."""

    out: Path
    show: Show
    show_path: Path
    record: EpisodeRecord


def build_site(root: Path) -> Built:
    """Build the episode into `root / "out"` (the speech cache under `root` too)."""
    from briefing.pipeline import BuildOptions, build_episode

    show_path = root / "show.toml"
    show_path.write_text(SHOW_TOML, encoding="utf-8")
    script = root / "tramway.script.md"
    script.write_text(SCRIPT, encoding="utf-8")
    out = root / "out"
    options = BuildOptions(out_dir=out, voice="espeak", show=show_path, cache_dir=root / "cache", jobs=1)
    build_episode(script, options)
    (record,) = read_library(out).episodes
    return Built(out, load_show(show_path), show_path, record)
