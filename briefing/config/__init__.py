"""A show's configuration (`show.toml`): title, author, voice, loudness, feed and lexicon settings.

The names below are the package's public surface; each loads its module on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefing.util.lazy import lazy_exports

_PUBLIC = {
    "briefing.config.show": ("EMAIL", "FEED_NAME", "MAX_DESCRIPTION_BYTES", "Show"),
    "briefing.config.loader": ("example_config", "load_show"),
    "briefing.config.categories": ("APPLE_CATEGORIES",),
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _PUBLIC)

if TYPE_CHECKING:
    from briefing.config.categories import APPLE_CATEGORIES as APPLE_CATEGORIES
    from briefing.config.loader import example_config as example_config, load_show as load_show
    from briefing.config.show import (
        EMAIL as EMAIL,
        FEED_NAME as FEED_NAME,
        MAX_DESCRIPTION_BYTES as MAX_DESCRIPTION_BYTES,
        Show as Show,
    )
