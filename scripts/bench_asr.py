"""Word error rate per engine: build the reference article and the test articles with each voice,
transcribe every chapter with Whisper base (the `qa` extra) and score it against the chapter's script.

    .venv/bin/python scripts/bench_asr.py                  # pico, kokoro and espeak
    .venv/bin/python scripts/bench_asr.py --engine pico

The test articles are the first six of `tests/data/holdout` by name, fixed in advance: none of their
words was used to choose the house pronunciation list (which was tuned on the reference and
`tests/data/corpus`), so their figures say how a voice reads news it was not prepared for.

`scripts/bench.py --asr` calls `asr_wer_per_engine()` and adds its rows to its table. Whisper base is
a weak recognizer: compare the engines with it, do not read its figures as absolute.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.pipeline import BuildOptions, BuildResult, build_episode  # noqa: E402
from briefing.qa import asr  # noqa: E402
from briefing.qa.check import CheckReport, check_episode  # noqa: E402
from briefing.speech.engines import get_engine  # noqa: E402

REFERENCE = ROOT / "examples" / "anchorage-2025-08-15.txt"
TEST_ARTICLES = tuple(sorted((ROOT / "tests" / "data" / "holdout").glob("*.flat.txt"))[:6])
ENGINES = ("pico", "kokoro", "espeak")
T = TypeVar("T")


def asr_wer_per_engine(
    article: Path = REFERENCE,
    engines: Sequence[str] = ENGINES,
    threshold: float = 0.35,
    cache_dir: Path | None = None,
    articles: Sequence[Path] = TEST_ARTICLES,
) -> list[tuple[str, str]]:
    """Rows (what, measure) for bench.py's table: per engine, the word error rate over the reference
    episode and per chapter, how many chapters are over `threshold`, the recognition time, then the
    word error rate over the test `articles` and the time their builds took.
    `cache_dir` keeps voiced speech (and the assembled model) between runs; default: a temp folder."""
    if not asr.available():
        return [("word error rate", f"not measured: {asr.QA_HINT}")]
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        cache = cache_dir or Path(tmp)
        recognizer, load_s = _timed(lambda: asr.load_recognizer(cache / "asr"))
        versions = asr.versions()
        rows.append(
            (
                "speech recognizer",
                f"Whisper base int8 (faster-whisper {versions['faster-whisper']}, "
                f"ctranslate2 {versions['ctranslate2']}), beam {recognizer.beam_size}, "
                f"loaded in {load_s:.1f} s",
            )
        )
        check = functools.partial(check_episode, recognizer=recognizer, threshold=threshold)
        for name in engines:
            available = get_engine(name).available()
            if not available.ok:
                rows.append((f"{name}: word error rate", f"not available: {available.reason}"))
                continue

            def build(source: Path, name: str = name) -> BuildResult:
                options = BuildOptions(
                    out_dir=Path(tmp) / name / source.stem, voice=name, cache_dir=cache / "speech"
                )
                return build_episode(source, options)

            built = build(article)
            report, asr_s = _timed(functools.partial(check, built.episode.mp3))
            rows.append(_reference_row(name, built.voice, report, threshold))
            seconds = report.seconds or 0.0
            rows.append(
                (
                    f"{name}: recognition time",
                    f"{asr_s:.1f} s for a {seconds:.0f} s episode (RTF {asr_s / max(seconds, 1e-6):.2f})",
                )
            )
            if articles:
                rows += _articles_rows(name, articles, build, check)
    return rows


def _reference_row(name: str, voice: str, report: CheckReport, threshold: float) -> tuple[str, str]:
    overall = report.overall_wer
    if overall is None:
        return (f"{name}: word error rate", f"not measured: {report.asr_note}")
    chapters = " / ".join(f"{s.wer:.0%}" for s in report.scores)
    looped = sum(s.looped for s in report.scores)
    return (
        f"{name if voice == name else f'{name} ({voice})'}: word error rate, reference",
        f"{overall:.1%} over {sum(s.words for s in report.scores)} words; per chapter "
        f"{chapters}; {len(report.flagged)}/{len(report.scores)} chapters flagged over "
        f"{threshold:.0%}" + (f"; recognizer looped in {looped}" if looped else ""),
    )


def _articles_rows(
    name: str,
    articles: Sequence[Path],
    build: Callable[[Path], BuildResult],
    check: Callable[[Path], CheckReport],
) -> list[tuple[str, str]]:
    """The word error rate over all `articles` together, and each article's; their builds' time."""
    errors = words = 0
    each = []
    build_s = episode_s = 0.0
    flagged = 0
    for source in articles:
        built, seconds = _timed(functools.partial(build, source))
        build_s += seconds
        episode_s += built.episode.info.duration_seconds
        report = check(built.episode.mp3)
        article_errors = sum(s.errors for s in report.scores)
        article_words = sum(s.words for s in report.scores)
        errors += article_errors
        words += article_words
        flagged += len(report.flagged)
        each.append(f"{source.name.removesuffix('.flat.txt')} {article_errors / max(article_words, 1):.0%}")
    return [
        (
            f"{name}: word error rate, {len(articles)} test articles",
            f"{errors / max(words, 1):.1%} over {words} words ({'; '.join(each)}); "
            f"{flagged} chapters flagged",
        ),
        (
            f"{name}: builds of the test articles",
            f"{build_s:.0f} s for {episode_s / 60:.1f} min of episodes "
            f"({build_s / episode_s:.3f} × their length)",
        ),
    ]


def _timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--engine", action="append", help="engine to measure (default: pico, kokoro, espeak)")
    parser.add_argument("--article", type=Path, default=REFERENCE)
    parser.add_argument("--threshold", type=float, default=0.35)
    parser.add_argument("--cache-dir", type=Path, help="keep voiced speech and the model here")
    parser.add_argument("--no-articles", action="store_true", help="the reference only")
    args = parser.parse_args()
    articles = () if args.no_articles else TEST_ARTICLES
    rows = asr_wer_per_engine(args.article, args.engine or ENGINES, args.threshold, args.cache_dir, articles)
    print("\n".join(["| measure | value |", "| --- | --- |"] + [f"| {a} | {b} |" for a, b in rows]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
