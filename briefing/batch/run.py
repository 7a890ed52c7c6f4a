"""Run a plan on Dask distributed: a `LocalCluster` sized to this machine, or an existing cluster.

The client (this process) reads the feeds and list files, checks that every worker sees the shared
output and cache folders, has the articles planned in a few groups (`tasks.plan_jobs`), then makes a
task of each planned episode (`tasks.build_planned`) and collects the outcomes as they come. Workers
build and publish; publication into one feed holds a `distributed.Lock` named after it, on top of the
library's file lock. When a worker dies, the scheduler runs its task again elsewhere; the episode is
then published once, under its key and GUID.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import os
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.batch.plan import Plan, check_plan
from briefing.batch.sources import ShowJobs, gather
from briefing.batch.tasks import (
    EpisodeJob,
    EpisodeOutcome,
    Planned,
    Probe,
    build_planned,
    check_visible,
    pin_to_core,
    plan_jobs,
)
from briefing.errors import BatchError, BriefingError
from briefing.publish.staging import sweep
from briefing.speech.cache import default_cache_dir

if TYPE_CHECKING:
    from distributed import Client, Future

#: How long to wait for the workers of an existing cluster, and for its scheduler to answer.
WORKERS_TIMEOUT_S = 60.0
#: The most articles planned by one task: the French model loads once for them (3-4 s).
PLAN_GROUP = 16
#: A plan group goes before any episode: it is short and gives the workers more to choose from.
PLAN_FIRST = 1 << 40
#: Tasks the scheduler hands a worker at a time, per thread. Dask's default, 1.1, gives a worker of one
#: thread two episodes at once, which it then runs in its own order: 1.0 keeps the others in the
#: scheduler's queue, so every free worker takes the longest episode left.
SATURATION = "distributed.scheduler.worker-saturation"
SPAWN_ENVIRON = "distributed.nanny.pre-spawn-environ"
#: What is said of each finished episode as it comes: (episodes done, episodes in all, outcome).
Progress = Callable[[int, int, EpisodeOutcome], None]
Log = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class ShowReport:
    """What a show got: the episodes published, those that failed, the notes on the way."""

    name: str
    out: Path
    published: tuple[EpisodeOutcome, ...] = ()
    failed: tuple[EpisodeOutcome, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """A show fails when it publishes nothing: every source failed (or it had none)."""
        return bool(self.published)

    @property
    def seconds(self) -> float:
        return sum(o.seconds for o in self.published)

    @property
    def worker_seconds(self) -> float:
        return sum(o.elapsed for o in self.published + self.failed)

    @property
    def voices(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(o.voice for o in self.published))

    def all_notes(self) -> tuple[str, ...]:
        """Every source left out, and why: while gathering, inside a briefing, or as a failed episode."""
        failures = (f"{', '.join(o.sources)}: {o.error}" for o in self.failed)
        inside = (n for o in self.published + self.failed for n in o.notes)
        return (*self.notes, *inside, *failures)


@dataclass(frozen=True, slots=True)
class BatchReport:
    shows: tuple[ShowReport, ...]
    seconds: float
    workers: int
    dashboard: str | None = None
    peak_rss_kib: dict[str, int] = field(default_factory=dict)  # by worker

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.shows)


@contextlib.contextmanager
def connect(
    scheduler: str | None = None, workers: int | None = None, dashboard: bool = True
) -> Iterator[Client]:
    """A client of the cluster at `scheduler` (`tcp://HOST:8786`), or of a `LocalCluster` of
    `workers` processes (default: one per core) of one thread each: voicing is CPU-bound. With no
    more workers than cores, each local worker keeps to a core of its own."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=f"{WORKERS_TIMEOUT_S:.0f}s")
        except (OSError, TimeoutError) as e:
            raise BatchError(
                f"cannot reach the Dask scheduler at {scheduler}",
                cause=f"{e}; start it with `dask scheduler` and check the address",
            ) from e
        with client:
            try:
                client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_S)
            except TimeoutError as e:
                raise BatchError(
                    f"no worker joined the scheduler at {scheduler} within {WORKERS_TIMEOUT_S:.0f} s",
                    cause=f"start one on each machine with `dask worker {scheduler} --nthreads 1`",
                ) from e
            yield client
        return
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    count = workers or len(cores) or os.cpu_count() or 1
    with (
        _environment_kept(),
        dask.config.set({SATURATION: 1.0, SPAWN_ENVIRON: _worker_environ()}),
        LocalCluster(
            n_workers=count,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":8787" if dashboard else None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        if count <= len(cores):
            addresses = sorted(client.scheduler_info()["workers"])
            client.run(pin_to_core, dict(zip(addresses, cores, strict=False)))
        yield client


def _worker_environ() -> dict[str, object]:
    """The variables Dask sets in its worker processes, less `MALLOC_TRIM_THRESHOLD_`: setting it also
    fixes glibc's mmap threshold, so that every audio buffer of a short episode would be mapped afresh
    and its pages faulted in again. A build sets the allocator itself (`util.memory.allocate_for`)."""
    import dask

    return {k: v for k, v in dask.config.get(SPAWN_ENVIRON).items() if k != "MALLOC_TRIM_THRESHOLD_"}


@contextlib.contextmanager
def _environment_kept() -> Iterator[None]:
    """Put this process's environment back as it was: Dask's nannies set their workers' variables
    (MALLOC_TRIM_THRESHOLD_, OMP_NUM_THREADS=1, PYTHONHASHSEED...) in the process that starts them,
    where every later child process would inherit them."""
    before = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(before)


def probes_for(plan: Plan, shows: Sequence[ShowJobs]) -> tuple[Probe, ...]:
    """One probe per output folder, and one for the speech cache."""
    token = secrets.token_hex(8)
    found = [Probe(s.show.out, token, f"the output folder of show {s.show.name!r}") for s in shows]
    found.append(Probe(plan.cache_dir or default_cache_dir(), token, "the speech cache"))
    return tuple(found)


def check_workers(client: Client, probes: Sequence[Probe], configs: Sequence[Path]) -> int:
    """Every worker sees the shared folders and the show configs, else a BatchError for the first
    that does not; returns the number of workers."""
    answers = client.run(check_visible, list(probes), list(configs), on_error="return")
    for answer in answers.values():
        if isinstance(answer, BaseException):
            if isinstance(answer, BriefingError):
                raise answer
            raise BatchError(f"a worker failed its check ({type(answer).__name__}: {answer})")
    return len(answers)


def run_batch(
    plan: Plan,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    dashboard: bool = True,
    progress: Progress | None = None,
    log: Log | None = None,
    now: dt.datetime | None = None,
) -> BatchReport:
    """Build every show of `plan` on the cluster; a show whose sources all fail is a failed row,
    the others publish. Bad plans and unreachable clusters raise BatchError before anything runs."""
    start = time.monotonic()
    check_plan(plan)
    shows = gather(plan, now)
    probes = probes_for(plan, shows)
    outcomes: dict[str, list[EpisodeOutcome]] = {s.show.name: [] for s in shows}
    try:
        for probe in probes:
            probe.write()
    except OSError as e:
        raise BatchError(f"cannot write into {e.filename}", cause=e.strerror or str(e)) from e
    try:
        with connect(scheduler, workers, dashboard) as client:
            link = client.dashboard_link if dashboard else None
            if log and link:
                log(f"Tableau de bord : {link}")
            configs = sorted({s.show.config for s in shows if s.show.config is not None})
            count = check_workers(client, probes, configs)
            jobs = [replace(job, probes=probes) for s in shows for job in s.jobs]
            if log:
                log(f"{len(jobs)} épisode(s) pour {len(shows)} émission(s), sur {count} worker(s)")
            for done, outcome in enumerate(_outcomes(client, jobs), start=1):
                outcomes[outcome.show].append(outcome)
                if progress:
                    progress(done, len(jobs), outcome)
    finally:
        for probe in probes:
            probe.remove()
        _sweep(s.show.out for s in shows)
    reports = tuple(_report(s, outcomes[s.show.name]) for s in shows)
    every = [o for found in outcomes.values() for o in found]
    peaks: dict[str, int] = {}
    for o in every:
        peaks[o.worker] = max(peaks.get(o.worker, 0), o.peak_rss_kib)
    return BatchReport(reports, time.monotonic() - start, count, link, peaks)


def _outcomes(client: Client, jobs: Sequence[EpisodeJob]) -> Iterator[EpisodeOutcome]:
    """Each job's outcome as it finishes. The jobs are planned in a few groups (the French model
    loads once per group); as a group's plans come back, each of its episodes becomes a task of its
    own, the longest first, so that short ones fill the workers' last gaps instead of a long one
    running alone at the end. A task whose worker died is run again by the scheduler; one that kills
    workers again and again ends as failed."""
    from distributed import as_completed

    run = secrets.token_hex(4)
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    count = min(max(workers, math.ceil(len(jobs) / PLAN_GROUP)), len(jobs))
    groups = {f"plan-{run}-{g}": [(i, jobs[i]) for i in range(g, len(jobs), count)] for g in range(count)}
    pending = as_completed(
        client.submit(plan_jobs, [job for _, job in group], key=key, priority=PLAN_FIRST, pure=False)
        for key, group in groups.items()
    )
    episodes: dict[str, EpisodeJob] = {}
    for future in pending:
        key = str(future.key)  # every key here is a str of ours
        if key in episodes:
            yield _outcome(future, episodes.pop(key))
            continue
        group = groups.pop(key)
        try:
            plans: tuple[Planned, ...] = future.result()
        except Exception as e:  # its worker died each time it ran, or a bug: the group fails
            yield from (EpisodeOutcome(job.show, job.sources, error=_failure(e)) for _, job in group)
            continue
        finally:
            future.release()
        futures = _submit_longest_first(client, run, group, plans)
        episodes.update({str(future.key): job for future, job in futures})
        pending.update(future for future, _ in futures)


def _submit_longest_first(
    client: Client, run: str, group: list[tuple[int, EpisodeJob]], plans: Sequence[Planned]
) -> list[tuple[Future[EpisodeOutcome], EpisodeJob]]:
    """A task per planned episode, the longest to voice first. They go to the scheduler in one graph:
    Dask keeps a group of tasks larger than twice the cluster's threads in its own queue, and hands
    each free worker the highest priority left (smaller groups go to the workers' queues at once,
    each worker still taking its longest first)."""
    from dask.base import annotate
    from dask.delayed import delayed

    tasks = []
    for (index, job), planned in zip(group, plans, strict=True):
        with annotate(priority=planned.size):
            key = f"episode-{run}-{index}-{job.show}"
            tasks.append(delayed(build_planned, pure=False)(job, planned, dask_key_name=key))
    futures: list[Future[EpisodeOutcome]] = client.compute(tasks)
    return list(zip(futures, (job for _, job in group), strict=True))


def _outcome(future: Future[EpisodeOutcome], job: EpisodeJob) -> EpisodeOutcome:
    try:
        return future.result()
    except Exception as e:
        return EpisodeOutcome(job.show, job.sources, error=_failure(e))
    finally:
        future.release()


def _failure(e: Exception) -> str:
    from distributed.scheduler import KilledWorker

    if isinstance(e, KilledWorker):
        return f"its worker died each time it ran ({e})"
    return f"{type(e).__name__}: {e}"  # a bug in a task: the other episodes go on


def _sweep(folders: Iterator[Path]) -> None:
    """Undo what builds killed on the way left in the output folders (a staging folder nobody holds)."""
    for folder in folders:
        if folder.is_dir():
            sweep(folder)


def _report(show: ShowJobs, outcomes: list[EpisodeOutcome]) -> ShowReport:
    published = tuple(o for o in outcomes if o.ok)
    failed = tuple(o for o in outcomes if not o.ok)
    notes = show.notes if show.jobs else (*show.notes, "no source to build from")
    return ShowReport(show.show.name, show.show.out, published, failed, notes)
