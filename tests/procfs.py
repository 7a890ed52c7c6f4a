"""This process's memory from Linux /proc (shared by the memory tests)."""

from __future__ import annotations

from pathlib import Path

HAS_PROC = Path("/proc/self/status").is_file()


def status_kib(field: str) -> int:
    """A size line of /proc/self/status in KiB: RssFile (resident memory maps), VmRSS, VmHWM (peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} line")


def rss_file_kib() -> int:
    """Resident memory of this process backed by files (memory maps), in KiB."""
    return status_kib("RssFile")


def reset_peak() -> None:
    """Start VmHWM again from the present resident size."""
    Path("/proc/self/clear_refs").write_text("5")
