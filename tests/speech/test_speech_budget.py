"""Jobs run side by side only within the budget, longest first, results in order, errors raised."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given, settings, strategies as st

from briefing.speech.budget import run_within


class Watch:
    """Runs jobs of a given cost, noting what ran at once."""

    def __init__(self, costs: list[float]) -> None:
        self.costs = costs
        self.lock = threading.Lock()
        self.running: set[int] = set()
        self.together: list[set[int]] = []
        self.started: list[int] = []

    def __call__(self, job: int) -> str:
        with self.lock:
            self.running.add(job)
            self.started.append(job)
            self.together.append(set(self.running))
        time.sleep(0.001 * (1 + self.costs[job] % 3))
        with self.lock:
            self.running.discard(job)
        return f"clip {job}"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 400), max_size=24), st.integers(1, 4), st.integers(50, 600))
def test_what_runs_at_once_stays_within_the_budget(costs: list[int], workers: int, budget: int) -> None:
    watch = Watch([float(c) for c in costs])
    results = run_within(watch, watch.costs, workers=workers, budget=budget)
    assert results == [f"clip {i}" for i in range(len(costs))]
    assert sorted(watch.started) == list(range(len(costs)))
    for group in watch.together:
        assert len(group) <= workers
        assert len(group) == 1 or sum(costs[j] for j in group) <= budget


def test_a_long_job_runs_beside_short_ones_not_another_long_one() -> None:
    costs = [290.0, 280.0, 20.0, 20.0, 20.0, 20.0]
    watch = Watch(costs)
    run_within(watch, costs, workers=2, budget=320)
    assert watch.started[0] == 0  # the longest first
    assert not any({0, 1} <= group for group in watch.together)
    assert any(len(group) == 2 for group in watch.together)  # the cores were shared


def test_the_first_error_is_raised_and_the_rest_not_started() -> None:
    started: list[int] = []

    def run(job: int) -> int:
        started.append(job)
        if job == 0:
            raise RuntimeError("out of memory")
        return job

    with pytest.raises(RuntimeError, match="out of memory"):
        run_within(run, [100.0] * 50, workers=1, budget=1000)
    assert started == [0]


def test_no_jobs_is_no_results() -> None:
    assert run_within(lambda i: i, [], workers=2, budget=10) == []
