"""The newsroom batch measure of `scripts/bench.py --dask-batch N`: N episodes of the test articles
with the default voice, built by `briefing batch` on a LocalCluster of 2 workers, against the same
builds one after another (`briefing build --each`, one process). Caches start empty for both.

Run alone: `.venv/bin/python scripts/bench.py --dask-batch 12 --only-dask-batch` (prints, writes nothing).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "data" / "holdout"
WORKERS = 2
#: What 2 workers on 2 cores must reach over the same builds one after another.
SPEED_UP_TARGET = 1.7


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


def bench_dask_batch(episodes: int) -> list[tuple[str, str]]:
    """Rows of the measure: both wall times, the speed-up, the episodes' length, the peak memory of
    each worker and of the one-process run, and the machine's load average around each."""
    from briefing.batch import load_plan, run_batch

    articles = sorted(ARTICLES.glob("*.flat.txt"))[:episodes]
    if len(articles) < episodes:
        raise SystemExit(f"only {len(articles)} test articles in {ARTICLES}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        load_seq = _load()
        start = time.monotonic()
        command = [sys.executable, "-m", "briefing", "build", *map(str, articles), "--each"]
        command += ["--out", str(root / "seq"), "--cache-dir", str(root / "seq-cache")]
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
        sequential_s = time.monotonic() - start
        sequential_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        sources = ", ".join(f'"{a}"' for a in articles)
        plan = root / "plan.toml"
        plan.write_text(
            f'[defaults]\ncache_dir = "batch-cache"\n\n[[show]]\nname = "bench"\nout = "batch"\n'
            f"each = true\nsources = [{sources}]\n",
            encoding="utf-8",
        )
        load_batch = _load()
        start = time.monotonic()
        report = run_batch(load_plan(plan), workers=WORKERS, dashboard=False)
        batch_s = time.monotonic() - start
    (show,) = report.shows
    if not report.ok or len(show.published) != episodes:
        raise SystemExit(
            f"the batch published {len(show.published)} of {episodes} episodes: {show.all_notes()}"
        )
    minutes = show.seconds / 60
    speed_up = sequential_s / batch_s
    verdict = "reaches" if speed_up >= SPEED_UP_TARGET else "below"
    peaks = ", ".join(f"{kib / 1024:.0f}" for kib in sorted(report.peak_rss_kib.values()))
    seq_peak = f"{sequential_kib / 1024:.0f} MiB" if sequential_kib > before else "not measured"
    voice = ", ".join(show.voices)
    return [
        (
            f"newsroom batch: {episodes} episodes ({minutes:.0f} min), default voice ({voice}), one after "
            "another (`briefing build --each`, one process)",
            f"{sequential_s:.1f} s (load average before: {load_seq})",
        ),
        (
            f"same, `briefing batch` on a LocalCluster of {WORKERS} workers (1 thread each)",
            f"{batch_s:.1f} s, cluster start included; speed-up {speed_up:.2f}× ({verdict} the target of "
            f"{SPEED_UP_TARGET}×) (load average before: {load_batch})",
        ),
        (
            "same, peak memory (RSS)",
            f"per worker: {peaks} MiB; the one-process build: {seq_peak} (its French-model process included)",
        ),
        (
            "same, capacity",
            f"{show.seconds / (batch_s * WORKERS):.1f} episode-minutes per core-minute in the batch "
            f"({WORKERS} cores busy); {show.seconds / sequential_s:.1f} per minute of the one-process build",
        ),
    ]
