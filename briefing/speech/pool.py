"""Synthesis on a process pool (`--jobs N`): pieces are dealt to N worker processes, each with its own
engine instance sized to its share of the cores, and the clips come back in the order asked. Each piece
is voiced on its own, so the result is the same, sample for sample, as a serial run.

Whether an engine may be pooled, and how, is its own declaration (`Capabilities.parallel`).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from briefing.errors import SpeechError
from briefing.models import Pcm
from briefing.speech.engines import Engine, Parallel, VoiceSettings, build_engine

#: A worker's engines, each built on its first piece (a worker process voices for one engine).
_worker_engines: dict[str, Engine] = {}
_worker_options: dict[str, object] = {}


def _init_worker(cores: int, options: dict[str, object]) -> None:
    _worker_options.update(options)
    os.environ.setdefault("OMP_NUM_THREADS", str(cores))


def _synthesize(engine_name: str, pieces: list[str], settings: VoiceSettings) -> list[Pcm]:
    engine = _worker_engines.get(engine_name)
    if engine is None:
        engine = _worker_engines[engine_name] = build_engine(engine_name, **_worker_options)
    return engine.synthesize(pieces, settings)


def processes_for(engine: Engine, jobs: int | None) -> int:
    """How many synthesis processes voice with `engine`: `jobs` when given (and the engine allows it),
    by default as many as make the best use of the cores."""
    if jobs is not None and jobs < 1:
        raise SpeechError(f"--jobs {jobs} must be at least 1")
    parallel = engine.capabilities.parallel
    if parallel is Parallel.SERIAL:
        return 1
    if jobs is None:
        return 1 if parallel is Parallel.THREADS else os.cpu_count() or 1
    return jobs


def worker_options(engine: Engine, cores: int) -> dict[str, object]:
    """The options that build a worker process's copy of `engine` for `cores` cores."""
    if engine.capabilities.parallel is Parallel.THREADS:
        return {"workers": 1, "threads": cores}  # one piece at a time, on the process's cores
    return {}


def synthesize_parallel(
    engine: Engine, pieces: Sequence[str], settings: VoiceSettings, jobs: int
) -> list[Pcm]:
    """Voice `pieces` on `jobs` processes; the same clips, in the same order, as one process would."""
    if jobs < 1:
        raise SpeechError(f"--jobs {jobs} must be at least 1")
    cores = max(1, (os.cpu_count() or 1) // jobs)
    # Deal pieces round-robin so long and short ones spread evenly, then put them back in order.
    hands = [list(range(i, len(pieces), jobs)) for i in range(jobs)]
    hands = [h for h in hands if h]
    results: list[Pcm | None] = [None] * len(pieces)
    context = multiprocessing.get_context("spawn")  # no fork of a process that may hold model threads
    options = worker_options(engine, cores)
    with ProcessPoolExecutor(
        len(hands), mp_context=context, initializer=_init_worker, initargs=(cores, options)
    ) as pool:
        futures = [
            (hand, pool.submit(_synthesize, engine.name, [pieces[i] for i in hand], settings))
            for hand in hands
        ]
        for hand, future in futures:
            try:
                clips = future.result()
            except BrokenProcessPool as e:
                raise SpeechError(
                    f"a synthesis process of {engine.name} died",
                    cause="out of memory, or a script started briefing without an "
                    "`if __name__ == '__main__':` guard; try --jobs 1",
                ) from e
            if len(clips) != len(hand):
                raise SpeechError(f"engine {engine.name} returned {len(clips)} clips for {len(hand)} pieces")
            for index, clip in zip(hand, clips, strict=True):
                results[index] = clip
    return [clip for clip in results if clip is not None]
