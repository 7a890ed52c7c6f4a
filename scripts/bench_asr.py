"""Word error rate per engine: build the reference article with each voice, transcribe every chapter
with Whisper base (the `qa` extra) and score it against the chapter's script text.

    .venv/bin/python scripts/bench_asr.py                  # espeak and kokoro
    .venv/bin/python scripts/bench_asr.py --engine espeak

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

from briefing import asr  # noqa: E402
from briefing.check import check_episode  # noqa: E402
from briefing.pipeline import BuildOptions, build_episode  # noqa: E402
from briefing.speech.engines import get_engine  # noqa: E402

REFERENCE = ROOT / "examples" / "anchorage-2025-08-15.txt"
ENGINES = ("espeak", "kokoro")
T = TypeVar("T")


def asr_wer_per_engine(
    article: Path = REFERENCE,
    engines: Sequence[str] = ENGINES,
    threshold: float = 0.35,
    cache_dir: Path | None = None,
) -> list[tuple[str, str]]:
    """Rows (what, measure) for bench.py's table: per engine, the word error rate over the whole
    episode and per chapter, how many chapters are over `threshold`, and the recognition time.
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
        for name in engines:
            available = get_engine(name).available()
            if not available.ok:
                rows.append((f"{name}: word error rate", f"not available: {available.reason}"))
                continue
            options = BuildOptions(out_dir=Path(tmp) / name, voice=name, cache_dir=cache / "speech")
            built = build_episode(article, options)
            check = functools.partial(check_episode, recognizer=recognizer, threshold=threshold)
            report, asr_s = _timed(functools.partial(check, built.episode.mp3))
            seconds = report.seconds or 0.0
            overall = report.overall_wer
            chapters = " / ".join(f"{s.wer:.0%}" for s in report.scores)
            looped = sum(s.looped for s in report.scores)
            rows.append(
                (
                    f"{name if built.voice == name else f'{name} ({built.voice})'}: word error rate",
                    f"{overall:.1%} over {sum(s.words for s in report.scores)} words; per chapter "
                    f"{chapters}; {len(report.flagged)}/{len(report.scores)} chapters over "
                    f"{threshold:.0%}" + (f"; recognizer looped in {looped}" if looped else ""),
                )
                if overall is not None
                else (f"{name}: word error rate", f"not measured: {report.asr_note}")
            )
            rows.append(
                (
                    f"{name}: recognition time",
                    f"{asr_s:.1f} s for a {seconds:.0f} s episode (RTF {asr_s / max(seconds, 1e-6):.2f})",
                )
            )
    return rows


def _timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--engine", action="append", help="engine to measure (default: espeak and kokoro)")
    parser.add_argument("--article", type=Path, default=REFERENCE)
    parser.add_argument("--threshold", type=float, default=0.35)
    parser.add_argument("--cache-dir", type=Path, help="keep voiced speech and the model here")
    args = parser.parse_args()
    rows = asr_wer_per_engine(args.article, args.engine or ENGINES, args.threshold, args.cache_dir)
    print("\n".join(["| measure | value |", "| --- | --- |"] + [f"| {a} | {b} |" for a, b in rows]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
