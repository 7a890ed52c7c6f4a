"""Jobs on a few threads, the longest first, within a budget of what they cost at once.

A Kokoro inference needs working memory in proportion to the speech it makes (about 500 MB for 20 s),
so two long pieces side by side can need more than an hour's episode is allowed. `run_within` starts
the longest job that fits in what is left of the budget, or the longest of all when nothing runs: a
long piece then shares the cores with short ones instead of another long one, and one over the whole
budget runs alone. The results are those of running every job on its own, in the order given.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class _Ledger:
    """Which jobs wait, and how much of the budget the running ones use."""

    def __init__(self, costs: Sequence[float], budget: float) -> None:
        self.costs = costs
        self.budget = budget
        self.waiting = sorted(range(len(costs)), key=lambda i: -costs[i])
        self.in_use = 0.0
        self.running = 0
        self.failed = False
        self.changed = threading.Condition()

    def take(self) -> int | None:
        """The next job to run on this thread (waiting for room), or None when there is none left."""
        with self.changed:
            while self.waiting and not self.failed:
                room = self.budget - self.in_use
                for position, job in enumerate(self.waiting):
                    if self.running == 0 or self.costs[job] <= room:
                        del self.waiting[position]
                        self.in_use += self.costs[job]
                        self.running += 1
                        return job
                self.changed.wait()
            return None

    def release(self, job: int, *, failed: bool = False) -> None:
        with self.changed:
            self.in_use -= self.costs[job]
            self.running -= 1
            self.failed = self.failed or failed
            self.changed.notify_all()


def run_within(run: Callable[[int], T], costs: Sequence[float], *, workers: int, budget: float) -> list[T]:
    """`run(i)` for every job i (of cost `costs[i]`) on up to `workers` threads, the costs of the jobs
    running at once never over `budget` unless one job alone is; results in job order. An error
    stops the jobs not yet started, and is raised once the running ones end."""
    ledger = _Ledger(costs, budget)
    results: dict[int, T] = {}

    def work() -> None:
        while (job := ledger.take()) is not None:
            try:
                results[job] = run(job)
            except BaseException:
                ledger.release(job, failed=True)
                raise
            ledger.release(job)

    threads = max(1, min(workers, len(costs)))
    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(work) for _ in range(threads)]
    for future in futures:
        future.result()  # the first error, if any
    return [results[i] for i in range(len(costs))]
