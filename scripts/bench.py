"""Benchmarks for briefing: time per stage, real-time factor per engine, warm and edited rebuilds,
peak memory. Prints a Markdown table and writes it to docs/BENCHMARKS.md with the machine's description.

    .venv/bin/python scripts/bench.py                    # every installed offline engine
    .venv/bin/python scripts/bench.py --engine espeak    # one engine
    .venv/bin/python scripts/bench.py --no-write         # print only
    .venv/bin/python scripts/bench.py --asr --dask-batch 12 --long-engine espeak --long-engine pico \
        --long-engine kokoro                             # docs/BENCHMARKS.md (about 50 minutes)
    .venv/bin/python scripts/bench.py --dask-batch 12 --only-dask-batch   # the newsroom batch alone (#20)

Besides the measures on the reference article, whole builds are timed stage by stage (each in a fresh
process): the reference with each engine, and a synthetic article of about `--long-minutes` (60) of
speech with each `--long-engine` (espeak by default: kokoro takes a quarter of an hour for it).

Figures depend on the machine: read the ratios (real-time factor, × real time, speed-up), not only the
seconds. Targets: kokoro RTF ≤ 0.3 on 2 cores; non-voice stages ≥ 50× real time; a warm rebuild at
least 20× faster than a cold one; a 60-minute episode under 1 GiB of peak memory (RSS).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.audio.assemble import SoundDesign, assemble  # noqa: E402
from briefing.audio.presets import get_preset  # noqa: E402
from briefing.config.show import Show  # noqa: E402
from briefing.export.episode import EpisodeMeta, write_episode  # noqa: E402
from briefing.ingest.core import read_article  # noqa: E402
from briefing.models import Script  # noqa: E402
from briefing.publish.staging import staging_folder  # noqa: E402
from briefing.script.build import build_script  # noqa: E402
from briefing.sections.finder import find_sections, release_tagger  # noqa: E402
from briefing.speech.cache import SpeechCache  # noqa: E402
from briefing.speech.engines import get_engine  # noqa: E402
from briefing.speech.voices import find_profile  # noqa: E402
from briefing.speech.voicing import Voicing, plan_voicing, voice_script  # noqa: E402
from briefing.util.resources import jingles_dir, voice_dirs  # noqa: E402
from scripts.bench_audio import peak_rss_mib  # noqa: E402
from scripts.bench_stages import (  # noqa: E402
    StageRun,
    in_fresh_process,
    peak_table,
    sized_long_article,
    stage_table,
)

REFERENCE = ROOT / "examples" / "anchorage-2025-08-15.txt"
ENGINES = ("pico", "espeak", "kokoro")
#: A whole cold build with the default voice may take at most this share of the episode's length.
WHOLE_BUILD_TARGET = 0.08
T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def machine() -> str:
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("numpy", "onnxruntime", "spacy", "espeakng-loader")
        if _installed(name)
    )
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; {versions}"
    )


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def edit_one_section(script: Script) -> Script:
    """The script with one sentence of its second section changed, as a producer would."""
    cues = list(script.cues)
    for i, cue in enumerate(cues):
        if cue.kind.value == "text" and cue.chapter == 2:
            cues[i] = dataclasses.replace(cue, text=cue.text.replace(".", ", selon nos informations.", 1))
            break
    return dataclasses.replace(script, cues=tuple(cues))


def bench_engine(engine_name: str, script: Script, rows: list[tuple[str, str]]) -> None:
    dirs = voice_dirs()
    profile = find_profile(engine_name, dirs)
    engine = get_engine(engine_name)
    if not engine.available().ok:
        rows.append((f"{engine_name}", f"not available: {engine.available().reason}"))
        return
    with tempfile.TemporaryDirectory() as tmp:
        cache = SpeechCache(Path(tmp) / "cache")
        cold, cold_s = timed(lambda: voice_script(script, profile, dirs, cache))
        audio_s = sum(v.pcm.seconds for v in cold.voiced)
        warm, warm_s = timed(lambda: voice_script(script, profile, dirs, cache))
        edited: Voicing
        edited, edit_s = timed(lambda: voice_script(edit_one_section(script), profile, dirs, cache))
        preset = get_preset("podcast")
        timeline, assemble_s = timed(
            lambda: assemble(script, cold.voiced, SoundDesign.default(jingles_dir()), preset.rate)
        )
        meta = EpisodeMeta(show="Bench", artist="Bench", voice=profile.name, engine=engine_name)
        out = Path(tmp) / "out"
        with staging_folder(out) as staging:
            written, write_s = timed(
                lambda: write_episode(script, timeline, preset, meta, out, staging=staging)
            )
        episode_s = written.info.duration_seconds
    rows += [
        (
            f"{engine_name}: cold voicing",
            f"{cold_s:.1f} s for {audio_s:.0f} s of speech (RTF {cold_s / audio_s:.3f})",
        ),
        (
            f"{engine_name}: warm rebuild (voicing)",
            f"{warm_s:.2f} s, {warm.stats.synthesized}/{warm.stats.pieces} pieces voiced "
            f"({cold_s / max(warm_s, 1e-6):.0f}× faster than cold)",
        ),
        (
            f"{engine_name}: one section edited",
            f"{edit_s:.2f} s, {edited.stats.synthesized}/{edited.stats.pieces} pieces voiced again",
        ),
        (f"{engine_name}: assemble", f"{assemble_s:.2f} s"),
        (
            f"{engine_name}: master + encode + tags + side files",
            f"{write_s:.2f} s; non-voice stages {episode_s / (assemble_s + write_s):.0f}× real time "
            f"for a {episode_s / 60:.1f} min episode",
        ),
    ]


def whole_process_build(article: Path) -> tuple[str, str]:
    """`briefing build` as a user runs it, default voice, in a process of its own with empty caches:
    interpreter start, imports, French model, voicing, mastering, files and feed all count."""
    import json
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        command = [sys.executable, "-m", "briefing", "build", str(article), "--out", str(Path(tmp) / "out")]
        done, seconds = timed(
            lambda: subprocess.run([*command, "--json"], capture_output=True, text=True, env=env, check=True)
        )
    info = json.loads(done.stdout)
    episode_s = float(info["duration"]["seconds"])
    ratio = seconds / episode_s
    verdict = "within" if ratio <= WHOLE_BUILD_TARGET else "over"
    return (
        f"whole `briefing build`, default voice ({info['engine']}), cold, own process",
        f"{seconds:.1f} s for a {episode_s / 60:.1f} min episode: {ratio:.3f} × its length "
        f"({verdict} the target of {WHOLE_BUILD_TARGET})",
    )


CORPUS = ROOT / "tests" / "data" / "corpus"


def bench_batch(engine_name: str, rows: list[tuple[str, str]], articles: int, pieces_cap: int) -> None:
    """A daily briefing of `articles` real articles, voiced by one process on one core, then by two
    processes (`--jobs 2`), then the default single process with the engine's own threads. The
    speed-up is two workers against one. `pieces_cap` voices only that many pieces, taken evenly across
    the briefing, so the measure takes minutes rather than a quarter of an hour."""
    from briefing.pipeline import plan_script
    from briefing.speech.engines import Parallel, build_engine
    from briefing.speech.pool import synthesize_parallel, worker_options

    engine = get_engine(engine_name)
    if engine.capabilities.parallel is not Parallel.THREADS or not engine.available().ok:
        return  # only an engine with threads of its own has a choice between them and processes
    sources = sorted(CORPUS.glob("*.flat.txt"))[:articles]
    script = plan_script(sources, show=Show())
    every = [p for plan in plan_voicing(script, engine.max_chars) for s in plan.sentences for p in s.pieces]
    every = list(dict.fromkeys(every))
    step = max(1, len(every) // pieces_cap) if pieces_cap else 1
    pieces = every[::step][: pieces_cap or None]
    settings = find_profile(engine_name, voice_dirs()).settings

    def one_core() -> float:
        alone = build_engine(engine_name, **worker_options(engine, 1))
        return sum(p.seconds for p in alone.synthesize(pieces, settings))

    audio_s, one_s = timed(one_core)
    _, two_s = timed(lambda: synthesize_parallel(engine, pieces, settings, 2))
    _, default_s = timed(lambda: engine.synthesize(pieces, settings))
    rows += [
        (
            f"{engine_name}: briefing of {len(sources)} articles, 1 worker on 1 core",
            f"{one_s:.1f} s for {audio_s:.0f} s of speech ({len(pieces)} of {len(every)} pieces; "
            f"RTF {one_s / audio_s:.2f})",
        ),
        (
            f"{engine_name}: same, `--jobs 2` (2 processes)",
            f"{two_s:.1f} s (RTF {two_s / audio_s:.2f}); speed-up {one_s / two_s:.2f}× over 1 worker",
        ),
        (
            f"{engine_name}: same, default (1 process, engine threads)",
            f"{default_s:.1f} s (RTF {default_s / audio_s:.2f}); speed-up {one_s / default_s:.2f}×",
        ),
    ]


LONG_NOTE = (
    "The long article is distinct real articles from `tests/data` put end to end as one flattened "
    "text, sized by the reference's characters of script per second of episode with that engine. "
    "A stage's time leaves out the stages it calls."
)


def builds(article: Path, engines: list[str], long_minutes: float, long_engines: list[str]) -> list[StageRun]:
    """The reference article built with each engine, then the long article with each of `long_engines`."""
    runs = [in_fresh_process(article, name, "reference") for name in engines]
    for name in long_engines if long_minutes > 0 else []:
        if not get_engine(name).available().ok:
            continue
        reference = next((r for r in runs if r.engine == name), None)
        if reference is None:
            reference = in_fresh_process(article, name, "reference")
        chars_per_second = reference.script_chars / reference.episode_s
        with tempfile.TemporaryDirectory() as tmp:
            path = sized_long_article(round(long_minutes * 60 * chars_per_second), Path(tmp))
            runs.append(in_fresh_process(path, name, f"{long_minutes:g}-min article"))
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--engine", action="append", help="engine to measure (default: pico, espeak, kokoro)")
    parser.add_argument("--article", type=Path, default=REFERENCE)
    parser.add_argument("--no-write", action="store_true", help="do not write docs/BENCHMARKS.md")
    parser.add_argument("--asr", action="store_true", help="also word error rate per engine (briefing[qa])")
    parser.add_argument("--batch", type=int, default=10, help="articles in the batch measure (0: skip it)")
    parser.add_argument(
        "--batch-pieces", type=int, default=30, help="pieces voiced in the batch measure (0: all of them)"
    )
    parser.add_argument(
        "--long-minutes", type=float, default=60, help="length of the synthetic long article (0: skip it)"
    )
    parser.add_argument(
        "--long-engine", action="append", help="engine that voices the long article (default: espeak)"
    )
    parser.add_argument(
        "--dask-batch", type=int, default=0, help="episodes in the newsroom batch measure (0: skip it)"
    )
    parser.add_argument(
        "--only-dask-batch", action="store_true", help="run the newsroom batch measure alone (writes nothing)"
    )
    args = parser.parse_args()
    if args.only_dask_batch:
        from scripts.bench_batch import bench_dask_batch

        rows = bench_dask_batch(args.dask_batch or 12)
        print("\n".join(["| stage | measure |", "| --- | --- |"] + [f"| {a} | {b} |" for a, b in rows]))
        return 0
    engines = [e for e in args.engine or ENGINES if get_engine(e).available().ok]
    rows: list[tuple[str, str]] = []
    article, ingest_s = timed(lambda: read_article(args.article))
    sectioned, sections_s = timed(lambda: find_sections(article))
    release_tagger()
    script, script_s = timed(lambda: build_script(sectioned, Show()))
    _, normalize_s = timed(lambda: plan_voicing(script, 300))
    rows += [
        ("ingest", f"{ingest_s * 1000:.0f} ms"),
        ("sections (incl. French model load)", f"{sections_s:.2f} s"),
        ("script", f"{script_s * 1000:.0f} ms"),
        ("normalize + split", f"{normalize_s * 1000:.0f} ms"),
    ]
    rows.append(whole_process_build(args.article))
    for name in args.engine or ENGINES:
        bench_engine(name, script, rows)
        if args.batch:
            bench_batch(name, rows, args.batch, args.batch_pieces)
    rows.append(("peak memory (RSS) of this process", f"{peak_rss_mib():.0f} MiB"))
    if args.dask_batch:
        from scripts.bench_batch import bench_dask_batch

        rows += bench_dask_batch(args.dask_batch)
    runs = builds(args.article, engines, args.long_minutes, args.long_engine or ["espeak"])
    if args.asr:
        sys.path.insert(0, str(Path(__file__).parent))
        from bench_asr import asr_wer_per_engine

        rows += asr_wer_per_engine(article=args.article, engines=tuple(args.engine or ENGINES))
    table = "\n".join(["| stage | measure |", "| --- | --- |"] + [f"| {a} | {b} |" for a, b in rows])
    text = (
        f"# Benchmarks\n\nMachine: {machine()}\n\nArticle: `{args.article.name}`\n\n{table}\n\n"
        "## Stages of a whole `briefing build`\n\nEach build in a fresh process, caches empty, then "
        f"built again unchanged (warm). {LONG_NOTE}\n\n{stage_table(runs)}\n\n"
        "### Peak memory while each stage ran (the stages it calls included)\n\n"
        f"{peak_table(runs)}\n"
    )
    print(text)
    if not args.no_write:
        (ROOT / "docs").mkdir(exist_ok=True)
        (ROOT / "docs" / "BENCHMARKS.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
