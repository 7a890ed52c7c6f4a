"""Fixtures of the page tests: one short real episode (espeak, no jingles), built once per session.

pytest puts only a test file's own folder on sys.path: the helpers in tests/ (folders.py, the
episode maker of test_publish_library.py) are found through the line below.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from briefing.config.loader import load_show  # noqa: E402
from briefing.config.show import Show  # noqa: E402
from briefing.publish.records import EpisodeRecord, read_library  # noqa: E402

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


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    from briefing.pipeline import BuildOptions, build_episode

    root = tmp_path_factory.mktemp("pages")
    show_path = root / "show.toml"
    show_path.write_text(SHOW_TOML, encoding="utf-8")
    script = root / "tramway.script.md"
    script.write_text(SCRIPT, encoding="utf-8")
    out = root / "out"
    options = BuildOptions(out_dir=out, voice="espeak", show=show_path, cache_dir=root / "cache", jobs=1)
    build_episode(script, options)
    (record,) = read_library(out).episodes
    return Built(out, load_show(show_path), show_path, record)
