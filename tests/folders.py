"""What a folder holds, to prove a failed build changed nothing in it (shared by the hold-up tests)."""

from __future__ import annotations

from pathlib import Path


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file's bytes and every folder (None) under `folder`, hidden ones included; {} when there
    is no folder. Two snapshots are equal only if nothing was written, removed or left over."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes() for p in sorted(folder.rglob("*"))
    }
