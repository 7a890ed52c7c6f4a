"""Sections stage: an article's sections, also when headings sit inline in flattened text.

The names below are the package's public surface; each loads its module on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefing.util.lazy import lazy_exports

_PUBLIC = {
    "briefing.sections.finder": ("find_sections", "release_tagger"),
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _PUBLIC)

if TYPE_CHECKING:
    from briefing.sections.finder import find_sections as find_sections, release_tagger as release_tagger
