"""How much of a file mapping is resident, from Linux /proc (shared by the audio memory tests)."""

from __future__ import annotations

from pathlib import Path

HAS_PROC = Path("/proc/self/status").is_file()


def rss_file_kib() -> int:
    """Resident memory of this process backed by files (memory maps), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssFile:"):
            return int(line.split()[1])
    raise AssertionError("no RssFile line")
