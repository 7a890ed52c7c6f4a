"""Plumbing shared by every stage: atomic files, memory hand-back, lazy package surfaces.

The names below are the package's public surface; each loads its module on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefing.util.lazy import lazy_exports

_PUBLIC = {
    "briefing.util.atomic": (
        "atomic_copy",
        "atomic_folder",
        "atomic_path",
        "atomic_write_bytes",
        "atomic_write_text",
    ),
    "briefing.util.memory": (
        "allocate_for",
        "give_back_free_memory",
        "hand_back_large_blocks",
        "keep_freed_blocks",
    ),
    "briefing.util.resources": ("jingles_dir", "shipped_voices", "voice_dirs"),
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _PUBLIC)

if TYPE_CHECKING:
    from briefing.util.atomic import (
        atomic_copy as atomic_copy,
        atomic_folder as atomic_folder,
        atomic_path as atomic_path,
        atomic_write_bytes as atomic_write_bytes,
        atomic_write_text as atomic_write_text,
    )
    from briefing.util.memory import (
        allocate_for as allocate_for,
        give_back_free_memory as give_back_free_memory,
        hand_back_large_blocks as hand_back_large_blocks,
        keep_freed_blocks as keep_freed_blocks,
    )
    from briefing.util.resources import (
        jingles_dir as jingles_dir,
        shipped_voices as shipped_voices,
        voice_dirs as voice_dirs,
    )
