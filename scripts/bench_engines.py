"""Real-time factor of the offline speech engines on an article.

    .venv/bin/python scripts/bench_engines.py --engine kokoro
    .venv/bin/python scripts/bench_engines.py --engine espeak --text examples/anchorage-2025-08-15.txt

Splits the article into sentences with a simple regex (then at commas/spaces to the engine's
max_chars), synthesizes them in one `synthesize` call, and prints model load time, synthesis wall
time, process CPU time, seconds of audio (trimmed, as returned), real-time factors (wall and CPU)
and peak memory. RTF = synthesis wall time / audio seconds; CPU RTF counts the time of every
thread, so it shows when other processes share the machine (wall RTF > CPU RTF / cores).
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing.speech.engines import build_engine, engine_names, get_engine  # noqa: E402
from briefing.speech.engines.base import VoiceSettings  # noqa: E402

DEFAULT_TEXT = Path("/work/shared/articles/anchorage-2025-08-15.txt")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+")


def pieces_of(text: str, max_chars: int) -> list[str]:
    """Sentences, cut at commas then spaces when longer than `max_chars` (bench only)."""
    out: list[str] = []
    for sentence in _SENTENCE.split(" ".join(text.split())):
        current = ""
        for word in re.split(r"(?<=,) ", sentence) if len(sentence) > max_chars else [sentence]:
            for token in [word] if len(word) <= max_chars else word.split(" "):
                if current and len(current) + 1 + len(token) > max_chars:
                    out.append(current)
                    current = token
                else:
                    current = f"{current} {token}" if current else token
        if current.strip():
            out.append(current)
    return out


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=engine_names(), default="kokoro")
    parser.add_argument("--voice", default="", help="engine voice/style ('' = its default)")
    parser.add_argument("--rate", type=float, default=1.0, help="speed factor")
    parser.add_argument("--text", type=Path, default=DEFAULT_TEXT, help="article (plain text)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pieces")
    parser.add_argument("--workers", type=int, default=None, help="kokoro: parallel inferences")
    parser.add_argument("--threads", type=int, default=None, help="kokoro: threads per inference")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    if args.workers or args.threads:  # engines with threads of their own (Kokoro) take these
        engine = build_engine(args.engine, workers=args.workers, threads=args.threads)
    else:
        engine = get_engine(args.engine)
    status = engine.available()
    if not status.ok:
        print(f"{args.engine} is not available: {status.reason}", file=sys.stderr)
        return 1
    settings = engine.default_settings()
    settings = VoiceSettings(
        voice=args.voice or settings.voice, rate=args.rate, pitch=0, extra=settings.extra
    )
    pieces = pieces_of(args.text.read_text(encoding="utf-8"), engine.max_chars)
    if args.limit:
        pieces = pieces[: args.limit]

    start, cpu0 = time.perf_counter(), cpu_seconds()
    engine.synthesize(["Bonjour."], settings)  # loads the model: timed apart
    load_s, load_cpu = time.perf_counter() - start, cpu_seconds() - cpu0
    start, cpu0 = time.perf_counter(), cpu_seconds()
    voiced = engine.synthesize(pieces, settings)
    wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu0
    audio = sum(p.seconds for p in voiced)
    report = {
        "engine": engine.name,
        "voice": settings.voice,
        "pieces": len(pieces),
        "chars": sum(len(p) for p in pieces),
        "load_s": round(load_s, 2),
        "load_cpu_s": round(load_cpu, 2),
        "synth_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "audio_s": round(audio, 2),
        "rtf": round(wall / audio, 3),
        "cpu_rtf": round(cpu / audio, 3),
        "chars_per_audio_s": round(sum(len(p) for p in pieces) / audio, 1),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "loadavg_1m": round(float(Path("/proc/loadavg").read_text().split()[0]), 2)
        if Path("/proc/loadavg").exists()
        else None,
    }
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:>18}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
