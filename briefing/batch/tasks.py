"""What a worker runs: one episode from its sources to its feed, and the check that it sees the
shared folders.

A task is idempotent: it plans the episode from its sources, voices it (sentences already in the
shared speech cache are not voiced again), writes it in a staging folder and publishes it under its
key (article title + date), which keeps its GUID. A task rerun after its worker died therefore ends
with the same episode published once. Expected failures (an unreadable article, a paywall stub, a
voice that fails for good) come back as an outcome with the reason, not as an exception: the
scheduler reruns a task only when its worker dies.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from briefing.errors import BatchError, BriefingError, IngestError
from briefing.models import Article, Script
from briefing.pipeline import BuildOptions, build_episode, episode_key, plan_build
from briefing.publish.library import outer_lock
from briefing.sections.finder import release_tagger

#: An article with fewer words than this is a teaser or a paywall stub, not worth an episode.
MIN_ARTICLE_WORDS = 80
#: French text has at least this share of these common words; English has about one in a hundred.
MIN_FRENCH_SHARE = 0.12
FRENCH_WORDS = frozenset(
    "le la les l de des du d un une et est en que qu qui dans pour pas sur au aux par il elle ils elles "
    "ne n se s ce c son sa ses plus avec ont sont été cette mais ou où nous vous leur leurs lui"
    " y à été être fait comme".split()
)
LEFT_OUT = "left out: "  # how `pipeline.read_articles` notes an article it leaves out
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class Probe:
    """A file the batch writes in a folder every worker must share: a worker that reads the same
    token there sees the same folder, not a local one of the same name."""

    folder: Path
    token: str
    what: str  # what the folder is, for the error: "the output folder of show 'x'", "the speech cache"

    @property
    def file(self) -> Path:
        return self.folder / f".batch-{self.token}.probe"

    def write(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.file.write_text(self.token, encoding="ascii")

    def remove(self) -> None:
        with contextlib.suppress(OSError):
            self.file.unlink()


def check_visible(probes: Sequence[Probe], files: Sequence[Path] = ()) -> str:
    """Raise a BatchError when this worker cannot see a shared folder (or cannot write it) or one of
    `files` (show configs); else return the worker's name."""
    name = worker_name()
    shared = "every worker must see the output and cache folders at the same path (a shared folder)"
    for probe in probes:
        try:
            seen = probe.file.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            seen = None
        if seen != probe.token:
            raise BatchError(f"worker {name} cannot see {probe.what} {probe.folder}", cause=shared)
        if not os.access(probe.folder, os.W_OK | os.X_OK):
            raise BatchError(f"worker {name} cannot write into {probe.what} {probe.folder}", cause=shared)
    for file in files:
        if not file.is_file():
            raise BatchError(
                f"worker {name} cannot see the show config {file}",
                cause="the plan's files must be at the same path on every worker",
            )
    return name


def pin_to_core(cores: Mapping[str, int], dask_worker: Any = None) -> int | None:
    """Keep this worker process on the core `cores` gives its address: every thread it has, and
    what they start later (tasks, the French model's process, ffmpeg). Workers that stay on their
    own core do not chase each other's caches: measured here, two builds side by side, each kept to
    a core, took 19.3 s where the same two left to wander took 20.2 s. Returns the core, or None
    (an unknown worker, or a system that cannot pin)."""
    core = cores.get(dask_worker.address) if dask_worker is not None else None
    tasks = Path("/proc/self/task")
    if core is None or not hasattr(os, "sched_setaffinity") or not tasks.is_dir():
        return None
    for thread in tasks.iterdir():
        with contextlib.suppress(OSError, ValueError):  # a thread that ended meanwhile
            os.sched_setaffinity(int(thread.name), {core})
    return core


def worker_name() -> str:
    """The dask worker's address (with the host name), or the host name outside a worker."""
    try:
        from distributed import get_worker

        return f"{get_worker().address} ({socket.gethostname()})"
    except (ImportError, ValueError):
        return socket.gethostname()


def check_article(article: Article) -> None:
    """Refuse an article that is too short (a teaser, a paywall stub) or not in French."""
    text = " ".join([article.title, article.lead, *(s.text for s in article.sections)])
    words = _WORD.findall(text.casefold())
    if len(words) < MIN_ARTICLE_WORDS:
        raise IngestError(
            f"{article.origin}: only {len(words)} words",
            cause=f"a teaser or a page behind a paywall; an episode needs at least {MIN_ARTICLE_WORDS} words",
        )
    share = sum(w in FRENCH_WORDS for w in words) / len(words)
    if share < MIN_FRENCH_SHARE:
        raise IngestError(f"{article.origin}: not in French", cause="briefing voices French articles")


@dataclass(frozen=True, slots=True)
class EpisodeJob:
    """One episode to build: the show it belongs to, its sources (one article, or a briefing's),
    the build options, and the cluster lock held while publishing into its feed."""

    show: str
    sources: tuple[str, ...]
    options: BuildOptions
    lock: str | None = None  # name of a `distributed.Lock`; None: the library's file lock only
    probes: tuple[Probe, ...] = ()


@dataclass(frozen=True, slots=True)
class EpisodeOutcome:
    """What became of a job: the episode published, or why not; what was left out on the way."""

    show: str
    sources: tuple[str, ...]
    title: str = ""
    key: str = ""
    guid: str = ""
    number: int = 0
    seconds: float = 0.0
    voice: str = ""
    mp3: str = ""
    notes: tuple[str, ...] = ()
    error: str | None = None
    elapsed: float = 0.0  # seconds the worker spent on it
    worker: str = ""
    peak_rss_kib: int = 0  # the worker process's peak resident memory so far

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class Planned:
    """A job's script, planned with nothing voiced, or why there is none; the notes on the way."""

    script: Script | None
    notes: tuple[str, ...] = ()
    error: str | None = None
    elapsed: float = 0.0

    @property
    def size(self) -> int:
        """How long the episode will be, in characters to voice: the batch voices the longest first."""
        return sum(len(cue.text) for cue in self.script.cues) if self.script else 0


def plan_jobs(jobs: Sequence[EpisodeJob]) -> tuple[Planned, ...]:
    """Read and narrate the articles of several jobs with one French model, loaded once (3-4 s)
    and let go at the end, as `briefing build --each` plans every article before voicing."""
    try:
        return tuple(_plan(job) for job in jobs)
    finally:
        release_tagger()


def _plan(job: EpisodeJob) -> Planned:
    """A briefing of several articles leaves out those that cannot be read (each said in a note);
    a single article that cannot be read is the error."""
    start = time.monotonic()
    notes: list[str] = []
    try:
        check_visible(job.probes)
        options = replace(job.options, keep_going=len(job.sources) > 1)
        script = plan_build(list(job.sources), options, log=notes.append, check=check_article)
    except BriefingError as e:
        left_out = [n.removeprefix(LEFT_OUT) for n in notes if n.startswith(LEFT_OUT)]
        error = e.one_line()
        if left_out and len(left_out) == len(job.sources):  # a briefing none of whose articles was read
            error, notes = "none of its articles could be read: " + "; ".join(left_out), []
        return Planned(None, tuple(notes), error, time.monotonic() - start)
    return Planned(script, tuple(notes), None, time.monotonic() - start)


def build_planned(job: EpisodeJob, planned: Planned) -> EpisodeOutcome:
    """Voice and publish the job's episode from its plan; every expected failure comes back in the
    outcome."""
    start = time.monotonic()
    notes = list(planned.notes)
    outcome = EpisodeOutcome(job.show, job.sources, worker=worker_name())
    try:
        if planned.script is None:
            raise BatchError(planned.error or "the episode could not be planned")
        check_visible(job.probes)
        with _feed_lock(job.lock):
            result = build_episode(planned.script, job.options, log=notes.append)
    except BriefingError as e:
        elapsed = planned.elapsed + time.monotonic() - start
        error = planned.error or e.one_line()
        return replace(outcome, notes=tuple(notes), error=error, elapsed=elapsed, peak_rss_kib=peak_rss_kib())
    info = result.episode.info
    return replace(
        outcome,
        title=result.script.title,
        key=episode_key(result.script),
        guid=info.guid or "",
        number=result.number,
        seconds=info.duration_seconds,
        voice=result.voice,
        mp3=str(result.episode.mp3),
        notes=tuple(notes),
        elapsed=planned.elapsed + time.monotonic() - start,
        peak_rss_kib=peak_rss_kib(),
    )


def build_job(job: EpisodeJob) -> EpisodeOutcome:
    """Plan, build and publish one job's episode."""
    (planned,) = plan_jobs([job])
    return build_planned(job, planned)


@contextlib.contextmanager
def _feed_lock(name: str | None) -> Iterator[None]:
    """While the block runs, every change of a library (publication, clean-up of a killed build) also
    holds the cluster-wide lock `name`, through this worker's client; outside a Dask worker, or with
    no name, the library's file lock alone serializes them."""
    from distributed import Lock, get_worker

    try:
        get_worker()
    except ValueError:
        name = None
    token = outer_lock.set(None if name is None else lambda _folder: Lock(name))
    try:
        yield
    finally:
        outer_lock.reset(token)


def peak_rss_kib() -> int:
    """This process's peak resident memory (KiB; 0 where the system does not say). Linux's VmHWM
    first: `ru_maxrss` carries over through fork and exec, so a worker started by a process that
    once held 1 GiB would say 1 GiB however little it used."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, UnicodeDecodeError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:  # Windows
        return 0
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
