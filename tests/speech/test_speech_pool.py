from __future__ import annotations

from pathlib import Path

import pytest
from test_speech_voicing import FakeEngine, script

from briefing.errors import SpeechError
from briefing.models import Pcm
from briefing.speech import pool, voicing
from briefing.speech.cache import SpeechCache
from briefing.speech.engines import VoiceSettings
from briefing.speech.pool import processes_for
from briefing.speech.voicing import plan_voicing, voice_plans


def test_processes_by_default_use_the_cores_the_fastest_way(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool.os, "cpu_count", lambda: 4)
    assert processes_for("kokoro", None) == 1  # its own threads beat one process per core
    assert processes_for("gtts", None) == 4
    assert processes_for("espeak", None) == 1  # carries state from piece to piece: never split


def test_asked_processes_are_given_where_the_engine_allows_them() -> None:
    assert processes_for("kokoro", 2) == 2 and processes_for("gtts", 3) == 3
    assert processes_for("espeak", 4) == 1
    with pytest.raises(SpeechError, match="at least 1"):
        processes_for("gtts", 0)


@pytest.mark.parametrize(
    ("name", "jobs", "pooled"), [("kokoro", None, 0), ("kokoro", 2, 2), ("gtts", None, 2)]
)
def test_voicing_takes_a_pool_only_when_it_helps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, jobs: int | None, pooled: int
) -> None:
    monkeypatch.setattr(pool.os, "cpu_count", lambda: 2)
    engine = FakeEngine(name=name)
    asked: list[int] = []

    def parallel(engine_name: str, pieces: list[str], settings: VoiceSettings, n: int) -> list[Pcm]:
        asked.append(n)
        return engine.synthesize(pieces, settings)

    monkeypatch.setattr(voicing, "synthesize_parallel", parallel)
    plans = plan_voicing(script(), engine.max_chars)
    voice_plans(plans, engine, VoiceSettings(), SpeechCache(tmp_path), jobs=jobs)
    assert asked == ([pooled] if pooled else [])
    assert engine.calls  # every piece was voiced either way
