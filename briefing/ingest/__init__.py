"""Ingest stage: an article from text, Markdown, JSON, HTML or a URL -> `Article`.

The names below are the package's public surface; each loads its module on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefing.util.lazy import lazy_exports

_PUBLIC = {
    "briefing.ingest.core": ("read_article",),
    "briefing.ingest.lists": ("expand_sources",),
    "briefing.ingest.textclean": ("strip_controls",),
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _PUBLIC)

if TYPE_CHECKING:
    from briefing.ingest.core import read_article as read_article
    from briefing.ingest.lists import expand_sources as expand_sources
    from briefing.ingest.textclean import strip_controls as strip_controls
