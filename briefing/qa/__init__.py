"""Quality checks: `briefing check` on an episode (levels, files, speech recognition) and `briefing
validate` on a feed.

The names below are the package's public surface; each loads its module on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefing.util.lazy import lazy_exports

_PUBLIC = {
    "briefing.qa.check": ("CheckReport", "check_episode"),
    "briefing.qa.scoring": ("text_wer",),
    "briefing.qa.validate": ("validate",),
}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _PUBLIC)

if TYPE_CHECKING:
    from briefing.qa.check import CheckReport as CheckReport, check_episode as check_episode
    from briefing.qa.scoring import text_wer as text_wer
    from briefing.qa.validate import validate as validate
