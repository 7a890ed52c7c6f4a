"""Audio arrays go back to the system when they are freed (glibc).

glibc raises its mmap threshold each time it frees a large block, so after the first few sentences
every clip and cue of an hour-long episode is carved out of the heap, and freeing them keeps the
memory: a 60-minute build peaked at 1,237 MiB although the voice is let go as soon as it is placed. A
fixed threshold of 128 KiB (glibc's own starting value) keeps each array of audio in a mapping of
its own, returned the moment it is freed: 967 MiB for the same build, in the same time.

Voicing always hands blocks back: a model's working memory is a kokoro build's peak, and glibc's
adaptive threshold took the reference episode's from 885 to 1,025 MiB. After voicing, a short
episode's assembly and mastering keep freed blocks for reuse instead (`allocate_for`): mapping every
buffer afresh costs more than the memory it saves. 12 pico episodes of about 3.4 minutes, built one
after another, took 36.9 s with blocks handed back all along (5.2 million page faults, 175 MiB at
the peak) and 32.4 s kept after voicing (0.26 million, 209 MiB); kokoro's reference, 896 MiB.
"""

from __future__ import annotations

import ctypes
import functools
import platform

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # <malloc.h>
LARGE_BLOCK = 128 * 1024
#: Where glibc's adaptive threshold ends up (its ceiling on 64-bit systems), and the trim threshold
#: it then sets (twice that): blocks under it are carved from the heap and reused once freed.
REUSED_BLOCK = 32 * 1024 * 1024
#: From this length on, mastering hands its large blocks back too; a shorter episode peaks low anyway.
LONG_EPISODE_MINUTES = 15.0


def allocate_for(minutes: float) -> bool:
    """Set the allocator for assembling and mastering an episode of `minutes`, once it is voiced:
    large blocks handed back when it is long, else kept for reuse. Returns whether they are handed
    back (glibc only; elsewhere nothing changes)."""
    if minutes >= LONG_EPISODE_MINUTES:
        return hand_back_large_blocks()
    keep_freed_blocks()
    return False


def hand_back_large_blocks() -> bool:
    """Have blocks of `LARGE_BLOCK` bytes or more mapped on their own, and returned when freed, and
    the heap trimmed once that much of its top is free (glibc's default, which `keep_freed_blocks`
    raises), until told otherwise. Returns whether the setting took (glibc only)."""
    return _set(M_MMAP_THRESHOLD, LARGE_BLOCK) and _set(M_TRIM_THRESHOLD, LARGE_BLOCK)


def keep_freed_blocks() -> bool:
    """Have blocks under `REUSED_BLOCK` carved from the heap and kept for reuse once freed, as
    glibc's own adaptive threshold ends up doing. Returns whether the setting took (glibc only)."""
    return _set(M_MMAP_THRESHOLD, REUSED_BLOCK) and _set(M_TRIM_THRESHOLD, 2 * REUSED_BLOCK)


def _set(option: int, value: int) -> bool:
    libc = _glibc()
    return libc is not None and bool(libc.mallopt(option, value))


def give_back_free_memory() -> bool:
    """Have glibc return the free memory inside its heaps to the system now (what a model's threads
    freed stays there otherwise). Returns whether it could (glibc only)."""
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt, libc.malloc_trim  # noqa: B018  (both there, or not glibc after all)
    except (OSError, AttributeError):
        return None
    return libc
