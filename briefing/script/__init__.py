"""Script stage: the narrated French script (greeting, sommaire, transitions, sign-off) and its
Markdown round-trip.

The names below are the package's public surface; each loads its module on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefing.util.lazy import lazy_exports

_PUBLIC = {
    "briefing.script.build": (
        "build_script",
        "build_briefing_script",
        "canonical_line",
        "looks_like_script",
        "parse_script",
        "read_script",
        "render_script",
        "write_script",
    ),
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _PUBLIC)

if TYPE_CHECKING:
    from briefing.script.build import (
        build_briefing_script as build_briefing_script,
        build_script as build_script,
        canonical_line as canonical_line,
        looks_like_script as looks_like_script,
        parse_script as parse_script,
        read_script as read_script,
        render_script as render_script,
        write_script as write_script,
    )
