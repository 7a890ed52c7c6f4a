"""Synthesis on a process pool (`--jobs N`): pieces are dealt to N worker processes, each with its own
engine instance sized to one core, and the clips come back in the order asked. Each piece is voiced on
its own, so the result is the same, sample for sample, as a serial run.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from briefing.errors import SpeechError
from briefing.models import Pcm
from briefing.speech.engines import VoiceSettings, get_engine

# Engines whose audio for a piece does not depend on what they said before, so pieces may be dealt out
# to several processes. eSpeak NG carries state from one utterance to the next (its output for a piece
# changes with the pieces said before it, even after re-initialization), and it runs at ~0.002 real
# time anyway: it always runs in one process, in order.
PER_PIECE_ENGINES = frozenset({"kokoro", "gtts"})
# Engines that already keep every core busy in one process: Kokoro runs one inference per core on
# threads, which measured faster than one process per core (RTF 0.31 vs 0.36 on 2 cores) with one
# copy of the model instead of two. They take several processes only when asked.
SELF_THREADED_ENGINES = frozenset({"kokoro"})

_worker_cores = 1


def _init_worker(cores: int) -> None:
    global _worker_cores
    _worker_cores = cores
    os.environ.setdefault("OMP_NUM_THREADS", str(cores))


def _synthesize(engine_name: str, pieces: list[str], settings: VoiceSettings) -> list[Pcm]:
    from briefing.speech.engines import _instances  # a worker's own registry

    if engine_name == "kokoro" and "kokoro" not in _instances:
        from briefing.speech.engines.kokoro import KokoroEngine

        _instances["kokoro"] = KokoroEngine(workers=1, threads=_worker_cores)
    return get_engine(engine_name).synthesize(pieces, settings)


def processes_for(engine_name: str, jobs: int | None) -> int:
    """How many synthesis processes voice `engine_name`: `jobs` when given (and the engine allows it),
    by default as many as make the best use of the cores."""
    if jobs is not None and jobs < 1:
        raise SpeechError(f"--jobs {jobs} must be at least 1")
    if engine_name not in PER_PIECE_ENGINES:
        return 1
    if jobs is None:
        return 1 if engine_name in SELF_THREADED_ENGINES else os.cpu_count() or 1
    return jobs


def synthesize_parallel(
    engine_name: str, pieces: Sequence[str], settings: VoiceSettings, jobs: int
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
    with ProcessPoolExecutor(
        len(hands), mp_context=context, initializer=_init_worker, initargs=(cores,)
    ) as pool:
        futures = [
            (hand, pool.submit(_synthesize, engine_name, [pieces[i] for i in hand], settings))
            for hand in hands
        ]
        for hand, future in futures:
            try:
                clips = future.result()
            except BrokenProcessPool as e:
                raise SpeechError(
                    f"a synthesis process of {engine_name} died",
                    cause="out of memory, or a script started briefing without an "
                    "`if __name__ == '__main__':` guard; try --jobs 1",
                ) from e
            if len(clips) != len(hand):
                raise SpeechError(f"engine {engine_name} returned {len(clips)} clips for {len(hand)} pieces")
            for index, clip in zip(hand, clips, strict=True):
                results[index] = clip
    return [clip for clip in results if clip is not None]
