from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from test_speech_voicing import SERIAL, FakeEngine, script

from briefing.errors import SpeechError
from briefing.models import Pcm
from briefing.speech import pool, voicing
from briefing.speech.cache import SpeechCache
from briefing.speech.engines import Engine, Parallel, VoiceSettings, build_engine, get_engine
from briefing.speech.pool import processes_for, worker_options
from briefing.speech.voicing import plan_voicing, voice_plans


def fake(parallel: Parallel) -> FakeEngine:
    return FakeEngine(capabilities=replace(SERIAL, parallel=parallel))


THREADS, PROCESSES = fake(Parallel.THREADS), fake(Parallel.PROCESSES)


def test_processes_by_default_use_the_cores_the_fastest_way(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool.os, "cpu_count", lambda: 4)
    assert processes_for(THREADS, None) == 1  # its own threads beat one process per core
    assert processes_for(PROCESSES, None) == 4
    assert processes_for(FakeEngine(), None) == 1  # carries state from piece to piece: never split


def test_asked_processes_are_given_where_the_engine_allows_them() -> None:
    assert processes_for(THREADS, 2) == 2 and processes_for(PROCESSES, 3) == 3
    assert processes_for(FakeEngine(), 4) == 1
    with pytest.raises(SpeechError, match="at least 1"):
        processes_for(PROCESSES, 0)


def test_the_registered_engines_keep_their_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    # What the pool decided by name before the engines declared it: kept, engine by engine.
    monkeypatch.setattr(pool.os, "cpu_count", lambda: 4)
    decided = {
        name: (processes_for(get_engine(name), None), processes_for(get_engine(name), 3))
        for name in ("espeak", "gtts", "kokoro", "pico")
    }
    assert decided == {"espeak": (1, 1), "gtts": (4, 3), "kokoro": (1, 3), "pico": (1, 1)}


def test_a_worker_builds_a_threaded_engine_for_its_share_of_the_cores() -> None:
    assert worker_options(THREADS, 3) == {"workers": 1, "threads": 3}
    assert worker_options(PROCESSES, 3) == {} and worker_options(FakeEngine(), 3) == {}
    kokoro = get_engine("kokoro")  # built without loading a model
    alone = build_engine("kokoro", **worker_options(kokoro, 3))
    assert alone is not kokoro and (alone.workers, alone.threads) == (1, 3)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("parallel", "jobs", "pooled"),
    [(Parallel.THREADS, None, 0), (Parallel.THREADS, 2, 2), (Parallel.PROCESSES, None, 2)],
)
def test_voicing_takes_a_pool_only_when_it_helps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel: Parallel, jobs: int | None, pooled: int
) -> None:
    monkeypatch.setattr(pool.os, "cpu_count", lambda: 2)
    engine = fake(parallel)
    asked: list[int] = []

    def parallel_voicing(
        pooled_engine: Engine, pieces: list[str], settings: VoiceSettings, n: int
    ) -> list[Pcm]:
        assert pooled_engine is engine
        asked.append(n)
        return engine.synthesize(pieces, settings)

    monkeypatch.setattr(voicing, "synthesize_parallel", parallel_voicing)
    plans = plan_voicing(script(), engine.max_chars)
    voice_plans(plans, engine, VoiceSettings(), SpeechCache(tmp_path), jobs=jobs)
    assert asked == ([pooled] if pooled else [])
    assert engine.calls  # every piece was voiced either way
