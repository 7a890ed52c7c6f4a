"""Freed audio goes back to the system once `hand_back_large_blocks` has run (glibc), as it does
while voicing and for a long episode's mastering; a short one's keeps freed blocks (`allocate_for`)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from briefing.util import memory

pytestmark = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc's allocator only"
)

# Free one large block first (glibc then raises its mmap threshold past the clips that follow),
# make 100 clips of 400 KB, each with a small block kept after it, free the clips: how much stays?
SCENARIO = """
import sys
import numpy as np
from briefing.util import memory

def rss_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

if sys.argv[1] == "on":
    assert memory.hand_back_large_blocks()
elif sys.argv[1] == "on-then-short":  # voicing hands back, then a short episode's mastering keeps
    assert memory.hand_back_large_blocks()
    assert memory.allocate_for(5.0) is False
elif sys.argv[1] == "short-then-on":  # the next episode's voicing hands back again
    assert memory.allocate_for(5.0) is False
    assert memory.hand_back_large_blocks()
elif sys.argv[1] != "off":  # an episode's length, in minutes
    minutes = float(sys.argv[1])
    assert memory.allocate_for(minutes) is (minutes >= memory.LONG_EPISODE_MINUTES)
first = np.ones(1 << 20, dtype=np.float32)
del first
before = rss_kib()
clips, kept = [], []
for _ in range(100):
    clips.append(np.ones(100_000, dtype=np.float32))
    kept.append(bytearray(4000))  # what a build also makes between clips, and keeps
del clips
print(rss_kib() - before)
"""


def printed(scenario: str, *args: str) -> list[int]:
    """The numbers `scenario` prints, run in a fresh Python process."""
    out = subprocess.run(
        [sys.executable, "-c", scenario, *args], capture_output=True, text=True, check=True, timeout=60
    )
    return [int(x) for x in out.stdout.split()]


def kept_kib(setting: str) -> int:
    (kept,) = printed(SCENARIO, setting)
    return kept


def test_freed_clips_go_back_to_the_system() -> None:
    assert kept_kib("off") > 30_000  # glibc's default keeps the 40 MB of clips
    assert kept_kib("on") < 5_000


def test_only_a_long_episode_hands_large_blocks_back() -> None:
    assert kept_kib("5") > 30_000  # a short one keeps its freed buffers for the next: no page faults
    assert kept_kib("on-then-short") > 30_000  # the setting is undone for a short one's mastering
    assert kept_kib("short-then-on") < 5_000  # and set again for the next voicing
    assert kept_kib(str(memory.LONG_EPISODE_MINUTES)) < 5_000
    assert kept_kib("60") < 5_000


def test_elsewhere_nothing_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    memory._glibc.cache_clear()
    monkeypatch.setattr(memory.platform, "system", lambda: "Darwin")
    assert memory.hand_back_large_blocks() is False
    assert memory.keep_freed_blocks() is False
    assert memory.allocate_for(60) is False
    memory._glibc.cache_clear()


# Free 40 MB of small blocks under one kept block (the heap cannot shrink from its top): how much stays
# resident, before and after `give_back_free_memory`?
SMALL_BLOCKS = """
from briefing.util import memory

def rss_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

before = rss_kib()
blocks = [bytearray(2000) for _ in range(20_000)]
kept = bytearray(2000)
del blocks
freed = rss_kib() - before
assert memory.give_back_free_memory()
print(freed, rss_kib() - before)
"""


def test_free_memory_inside_the_heap_goes_back_when_asked() -> None:
    kept_before, kept_after = printed(SMALL_BLOCKS)
    assert kept_before > 30_000  # glibc kept the freed blocks
    assert kept_after < 5_000
