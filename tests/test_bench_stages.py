"""The stage clock of scripts/bench_stages.py counts each stage without the stages it calls."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from scripts import bench_stages
from scripts.bench_stages import STAGES, StageClock, long_article


def test_a_stage_excludes_the_stages_it_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = itertools.count()
    monkeypatch.setattr(bench_stages.time, "perf_counter", lambda: float(next(ticks)))
    clock = StageClock()
    inner = clock.wrap("normalize", lambda: None)  # 1 tick inside

    def outer_body() -> None:
        inner()
        inner()

    outer = clock.wrap("voice", outer_body)
    outer()
    assert clock.seconds == {"normalize": 2.0, "voice": 3.0}  # 5 ticks in all, each counted once


@pytest.mark.parametrize(
    ("readings", "inner_peak", "outer_peak"),
    [
        ([100, 300, 900, 400], 900, 900),  # the peak was in the inner stage: it counts for the outer too
        ([100, 300, 200, 700], 200, 700),  # the outer stage peaked after the inner one ended
    ],
)
def test_a_stage_peak_includes_the_stages_it_calls(
    monkeypatch: pytest.MonkeyPatch, readings: list[float], inner_peak: float, outer_peak: float
) -> None:
    # Each reading is VmHWM since the last one: at the outer start, inner start, inner end, outer end.
    values = iter(readings)
    monkeypatch.setattr(bench_stages, "peak_rss_mib", lambda reset=False: next(values))
    clock = StageClock()
    inner = clock.wrap("voice", lambda: None)
    clock.wrap("build", inner)()
    assert clock.peaks == {"voice": inner_peak, "build": outer_peak}
    assert clock.overall_peak == max(readings)


def test_patching_puts_every_function_back() -> None:
    import importlib

    modules = [(importlib.import_module(m), n) for _, m, names in STAGES for n in names]
    before = [getattr(m, n) for m, n in modules]
    with StageClock().patched():
        assert all(getattr(m, n) is not f for (m, n), f in zip(modules, before, strict=True))
    assert [getattr(m, n) for m, n in modules] == before


def test_the_long_article_repeats_no_article(tmp_path: Path) -> None:
    path = long_article(60_000, tmp_path)
    parts = path.read_text(encoding="utf-8").split("\n\n")
    assert len(parts) == len(set(parts)) > 10
    assert sum(map(len, parts)) >= 60_000


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="reads /proc (Linux)")
def test_the_french_model_process_is_measured_as_it_ends_and_the_watch_undone() -> None:
    import subprocess
    import sys
    import tempfile

    from briefing.sections.tagger import _Child

    # A stand-in for the model's process: it holds 64 MiB until its input ends, as the tagger does.
    holder = "import sys; held = b'x' * (64 << 20); print('ready', flush=True); sys.stdin.read()"
    process = subprocess.Popen([sys.executable, "-c", holder], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    child = _Child(process, tempfile.TemporaryFile())
    assert process.stdout is not None and process.stdout.readline() == b"ready\n"
    close = _Child.close
    with bench_stages.tagger_peaks() as peaks:
        child.close()
    assert process.returncode == 0
    assert len(peaks) == 1 and 64 <= peaks[0] < 200
    assert _Child.close is close
