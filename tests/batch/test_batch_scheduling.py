"""How the batch spreads its episodes: planned in groups, voiced longest first, and each local worker
kept to a core of its own."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from briefing.batch import run
from briefing.batch.tasks import EpisodeJob, EpisodeOutcome, Planned
from briefing.models import Cue, CueKind, Script
from briefing.pipeline import BuildOptions

if TYPE_CHECKING:
    from distributed import Client

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def planned(chars: int) -> Planned:
    script = Script(
        title=f"{chars}",
        show="Le Briefing",
        date=dt.date(2026, 12, 5),
        chapters=("Ouverture",),
        cues=(Cue(CueKind.TEXT, "x" * chars, 0),),
    )
    return Planned(script)


def test_a_planned_episode_is_as_long_as_its_text() -> None:
    assert planned(1234).size == 1234
    assert Planned(None, error="paywall").size == 0


def hold_the_worker() -> bool:
    """A task that says it started, then holds its worker until the test lets it go."""
    from distributed import Event

    Event("started").set()
    return Event("gate").wait(30)


def _known(client: Client) -> int:
    """How many tasks the scheduler knows."""
    return int(client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)))


def test_the_longest_episodes_are_voiced_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One worker of one thread, in this process, busy while two plan groups' episodes arrive: it
    then voices them by length, across the groups, whatever the order of the sources."""
    from distributed import Client, Event, LocalCluster

    lengths = {"a": 300, "b": 5000, "c": 1200, "d": 4000, "e": 100, "f": 2500, "g": 800}

    def build_planned(job: EpisodeJob, plan: Planned) -> EpisodeOutcome:
        return EpisodeOutcome(job.show, job.sources, elapsed=time.monotonic())  # when it started

    monkeypatch.setattr(run, "build_planned", build_planned)
    options = BuildOptions(out_dir=tmp_path)
    jobs = [(i, EpisodeJob("s", (name,), options)) for i, name in enumerate(lengths)]
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        busy = client.submit(hold_the_worker, pure=False)
        assert Event("started").wait(30)
        futures = []
        for group in (jobs[:4], jobs[4:]):
            plans = [planned(lengths[job.sources[0]]) for _, job in group]
            futures += [f for f, _ in run._submit_longest_first(client, "test", group, plans)]
        while _known(client) < 1 + len(lengths):
            time.sleep(0.01)  # until the scheduler has every episode: the client sends them on its own time
        Event("gate").set()
        outcomes = client.gather(futures)
        assert busy.result() is True
    voiced = [o.sources[0] for o in sorted(outcomes, key=lambda o: o.elapsed)]
    assert voiced == sorted(lengths, key=lambda name: -lengths[name])


def test_a_plan_group_that_fails_fails_its_episodes_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import Client, LocalCluster

    def plan_jobs(jobs: list[EpisodeJob]) -> tuple[Planned, ...]:
        if any(job.sources[0] == "bad" for job in jobs):
            raise RuntimeError("a bug in planning")
        return tuple(planned(100) for _ in jobs)

    def build_planned(job: EpisodeJob, plan: Planned) -> EpisodeOutcome:
        return EpisodeOutcome(job.show, job.sources)

    monkeypatch.setattr(run, "plan_jobs", plan_jobs)
    monkeypatch.setattr(run, "build_planned", build_planned)
    options = BuildOptions(out_dir=tmp_path)
    jobs = [EpisodeJob("s", (name,), options) for name in ("bad", "good", "ugly", "fine")]
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        done = {o.sources[0]: o for o in run._outcomes(client, jobs)}
    # two groups: bad and ugly together, good and fine together
    assert done["good"].ok and done["fine"].ok
    assert done["bad"].error == done["ugly"].error == "RuntimeError: a bug in planning"


PIN = """
import json, os, subprocess, sys, threading
from briefing.batch.tasks import pin_to_core

class Worker:
    address = "tcp://127.0.0.1:1"

core = int(sys.argv[1])
threading.Thread(target=threading.Event().wait, args=(5,), daemon=True).start()  # a thread already there
result = pin_to_core({Worker.address: core, "tcp://127.0.0.1:2": -1}, dask_worker=Worker())
unknown = pin_to_core({}, dask_worker=Worker())
threads = {tuple(sorted(os.sched_getaffinity(int(t)))) for t in os.listdir("/proc/self/task")}
later = []
thread = threading.Thread(target=lambda: later.append(sorted(os.sched_getaffinity(0))))
thread.start(); thread.join()
child = subprocess.run([sys.executable, "-c", "import os; print(sorted(os.sched_getaffinity(0)))"],
                       capture_output=True, text=True, check=True).stdout.strip()
print(json.dumps({"result": result, "unknown": unknown, "threads": sorted(threads), "later": later[0],
                  "child": child}))
"""


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="pinning needs Linux's sched_setaffinity")
def test_a_worker_pinned_to_a_core_keeps_its_threads_and_children_there() -> None:
    core = max(os.sched_getaffinity(0))
    out = subprocess.run(
        [sys.executable, "-c", PIN, str(core)], capture_output=True, text=True, check=True, timeout=60
    )
    seen = json.loads(out.stdout)
    assert seen == {
        "result": core,
        "unknown": None,
        "threads": [[core]],
        "later": [core],
        "child": f"[{core}]",
    }


@pytest.mark.slow
@pytest.mark.skipif(
    not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="a core per worker needs two cores",
)
def test_local_workers_each_keep_to_a_core_of_their_own() -> None:
    with run.connect(workers=2, dashboard=False) as client:
        cores = client.run(lambda: sorted(os.sched_getaffinity(0)))
    assert sorted(len(c) for c in cores.values()) == [1, 1]
    assert len({c[0] for c in cores.values()}) == 2


@pytest.mark.slow
def test_more_local_workers_than_cores_are_left_to_the_system() -> None:
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    with run.connect(workers=len(cores) + 1, dashboard=False) as client:
        seen = client.run(lambda: sorted(os.sched_getaffinity(0)) if cores else [])
    assert all(c == cores for c in seen.values())


PEAK = """
import subprocess, sys
held = bytearray(300 * 1024 * 1024)
held[::4096] = b"x" * len(held[::4096])  # 300 MiB resident in the parent
del held
child = "from briefing.batch.tasks import peak_rss_kib; print(peak_rss_kib())"
print(subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=True).stdout)
"""


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="VmHWM is Linux's /proc")
def test_a_workers_peak_memory_is_its_own_not_its_parents() -> None:
    """`ru_maxrss` carries over through fork and exec: a worker would report its parent's peak."""
    out = subprocess.run([sys.executable, "-c", PEAK], capture_output=True, text=True, check=True, timeout=60)
    kib = int(out.stdout)
    assert 10 * 1024 < kib < 200 * 1024
