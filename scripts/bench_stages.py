"""Wall time per stage of a real `briefing build`, its peak memory and its warm rebuild, each build in
a fresh process (so one build's memory does not count in another's). Used by `bench.py`.

Stages are timed by wrapping the library's own functions for the length of the build; a stage's time
excludes the stages it calls (normalization is not counted again under voicing). What no stage
claims (planning, the cover, staging and moving files) is "other".
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import multiprocessing
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.bench_audio import _status_mib, peak_rss_mib  # noqa: E402  (VmHWM: starts again in a spawned child)

if TYPE_CHECKING:
    from briefing.models import Script

STAGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ingest", "briefing.pipeline", ("read_article",)),
    ("sections", "briefing.pipeline", ("find_sections",)),
    ("French model load (a process of its own)", "briefing.sections.tagger", ("_start_child",)),
    ("script", "briefing.pipeline", ("build_script", "build_briefing_script")),
    ("normalize + split", "briefing.speech.voicing", ("plan_voicing",)),
    ("voice", "briefing.speech.voicing", ("voice_plans",)),
    ("assemble", "briefing.audio.assemble", ("assemble",)),
    (
        "master + encode + decode check",
        "briefing.export.episode",
        ("master_and_encode", "_audio_digest", "_check_audio_kept"),
    ),
    ("tags", "briefing.export.episode", ("write_tags",)),
    (
        "side files",
        "briefing.export.episode",
        ("plan_cues", "to_vtt", "to_srt", "_write_text", "write_chapters_json", "write_episode_json"),
    ),
    ("library + feed", "briefing.publish.library", ("publish_episode",)),
)
STAGE_NAMES = tuple(stage for stage, _, _ in STAGES)
MODEL_LOAD = STAGE_NAMES[2]
DATA = ROOT / "tests" / "data"
TEXT_SOURCES = (DATA / "corpus", DATA / "holdout", DATA)


class StageClock:
    """Seconds spent in each stage, exclusive of the stages it calls, and the peak memory (MiB) while
    each stage ran, inclusive of them (Linux: VmHWM, started again at each stage's start and end)."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.peaks: defaultdict[str, float] = defaultdict(float)
        self.overall_peak = 0.0
        self._inner: list[float] = []  # per active stage: time spent in stages it called
        self._active_peaks: list[float] = []  # per active stage: its peak so far

    def fold_peak(self) -> float:
        """The peak since the last fold, counted for every active stage; the count starts again."""
        peak = peak_rss_mib(reset=True)
        self._active_peaks = [max(p, peak) for p in self._active_peaks]
        self.overall_peak = max(self.overall_peak, peak)
        return self.overall_peak

    def wrap(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.fold_peak()
            start = time.perf_counter()
            self._inner.append(0.0)
            self._active_peaks.append(0.0)
            try:
                return fn(*args, **kwargs)
            finally:
                spent, inner = time.perf_counter() - start, self._inner.pop()
                self.seconds[stage] += spent - inner
                if self._inner:
                    self._inner[-1] += spent
                self.fold_peak()
                self.peaks[stage] = max(self.peaks[stage], self._active_peaks.pop())

        return timed

    @contextlib.contextmanager
    def patched(self) -> Iterator[StageClock]:
        saved = []
        for stage, module_name, names in STAGES:
            module = importlib.import_module(module_name)
            for name in names:
                original = getattr(module, name)
                saved.append((module, name, original))
                setattr(module, name, self.wrap(stage, original))
        try:
            yield self
        finally:
            for module, name, original in reversed(saved):
                setattr(module, name, original)


@dataclass(frozen=True)
class StageRun:
    label: str
    engine: str
    stages: dict[str, float]
    total_s: float
    episode_s: float
    warm_s: float
    pieces: int
    script_chars: int
    peak_rss_mb: float
    stage_peaks_mb: dict[str, float]
    tagger_peak_mb: float = 0.0  # the French model's own process (Linux), ended before voicing

    @property
    def non_voice_s(self) -> float:
        return self.total_s - self.stages.get("voice", 0.0)

    @property
    def non_voice_warm_s(self) -> float:
        """The non-voice stages without the French model load, which a warm build skips."""
        return self.non_voice_s - self.stages.get(MODEL_LOAD, 0.0)


def measure_build(article: Path, engine: str, label: str) -> StageRun:
    """A cold build of `article` with `engine` (empty caches), stage by stage, then a warm one."""
    from briefing.pipeline import BuildOptions, build_episode

    with tempfile.TemporaryDirectory() as tmp:
        options = BuildOptions(out_dir=Path(tmp) / "out", voice=engine, cache_dir=Path(tmp) / "cache")
        clock = StageClock()
        start = time.perf_counter()
        with clock.patched(), tagger_peaks() as tagger_mb:
            result = build_episode(article, options)
        total = time.perf_counter() - start
        peak = clock.fold_peak()
        start = time.perf_counter()
        build_episode(article, options)
        warm = time.perf_counter() - start
    stages = dict(clock.seconds)
    stages["other"] = total - sum(stages.values())
    chars = script_chars(result.script)
    return StageRun(
        label,
        engine,
        stages,
        total,
        result.episode.info.duration_seconds,
        warm,
        result.pieces,
        chars,
        peak,
        dict(clock.peaks),
        max(tagger_mb, default=0.0),
    )


@contextlib.contextmanager
def tagger_peaks() -> Iterator[list[float]]:
    """The peak memory (MiB) of each French model process, read as it is ended (Linux: its VmHWM).
    It counts apart from the build's peak: the build ends it before voicing starts."""
    from briefing.sections import tagger

    peaks: list[float] = []
    close = tagger._Child.close

    def watched(child: tagger._Child) -> None:
        peaks.append(_status_mib("VmHWM", child.process.pid) or 0.0)
        close(child)

    tagger._Child.close = watched  # type: ignore[method-assign, assignment]
    try:
        yield peaks
    finally:
        tagger._Child.close = close  # type: ignore[method-assign]


def script_chars(script: Script) -> int:
    return sum(len(cue.text) for cue in script.cues)


def in_fresh_process(article: Path, engine: str, label: str) -> StageRun:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(measure_build, article, engine, label).result()


def sized_long_article(target_chars: int, folder: Path) -> Path:
    """`long_article` grown until its script has about `target_chars` characters to say."""
    from briefing.config.show import Show
    from briefing.pipeline import plan_script

    raw = target_chars
    for _ in range(3):
        path = long_article(raw, folder)
        said = script_chars(plan_script([path], show=Show()))
        if said >= 0.98 * target_chars:
            break
        raw = round(raw * target_chars / said * 1.02)
    return path


def long_article(chars: int, folder: Path) -> Path:
    """A flattened article of at least `chars` characters (if the test data holds that many), made of
    distinct real articles: no text repeats, so the speech cache cannot shorten the voicing."""
    texts: list[str] = []
    for source in TEXT_SOURCES:
        for path in sorted(source.glob("*.flat.txt")):
            if sum(map(len, texts)) >= chars:
                break
            texts.append(path.read_text(encoding="utf-8").strip())
    text = "\n\n".join(texts)
    path = folder / "long-article.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def stage_table(runs: list[StageRun]) -> str:
    """Markdown: a column per build, a row per stage, then the totals and ratios."""

    def cell(seconds: float) -> str:
        return f"{seconds:.2f} s" if seconds >= 0.01 else f"{seconds * 1000:.0f} ms"

    head = ["stage", *(f"{r.label}, {r.engine}" for r in runs)]
    rows = [[stage, *(cell(r.stages.get(stage, 0.0)) for r in runs)] for stage in (*STAGE_NAMES, "other")]
    rows += [
        ["episode length", *(f"{r.episode_s / 60:.1f} min ({r.pieces} pieces)" for r in runs)],
        ["whole build, cold", *(f"{r.total_s:.1f} s" for r in runs)],
        ["voice ÷ episode length", *(f"{r.stages.get('voice', 0.0) / r.episode_s:.3f}" for r in runs)],
        [
            "non-voice stages",
            *(f"{r.non_voice_s:.1f} s, {r.episode_s / r.non_voice_s:.0f}× real time" for r in runs),
        ],
        [
            "non-voice stages without the model load",
            *(f"{r.non_voice_warm_s:.1f} s, {r.episode_s / r.non_voice_warm_s:.0f}× real time" for r in runs),
        ],
        ["warm rebuild", *(f"{r.warm_s:.1f} s ({r.total_s / r.warm_s:.0f}× faster than cold)" for r in runs)],
        ["peak memory (RSS)", *(f"{r.peak_rss_mb:.0f} MiB" for r in runs)],
    ]
    return _markdown(head, rows)


def peak_table(runs: list[StageRun]) -> str:
    """Markdown: the peak memory while each stage ran (stages it calls included), a column per build."""
    head = ["stage", *(f"{r.label}, {r.engine}" for r in runs)]
    rows = [
        [stage, *(f"{r.stage_peaks_mb[stage]:.0f} MiB" if stage in r.stage_peaks_mb else "" for r in runs)]
        for stage in STAGE_NAMES
    ]
    rows.append(["whole build", *(f"{r.peak_rss_mb:.0f} MiB" for r in runs)])
    rows.append(["French model's own process", *(f"{r.tagger_peak_mb:.0f} MiB" for r in runs)])
    return _markdown(head, rows)


def _markdown(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])
