"""briefing: turn French news articles into finished, tagged podcast episodes.

    from briefing import read_article, find_sections, build_script, load_show

    article = find_sections(read_article("article.txt"))
    script = build_script(article, load_show(None))

Names are imported on first use, so `import briefing` (and `briefing --help`) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "BriefingError": "briefing.errors",
    "Article": "briefing.models",
    "Script": "briefing.models",
    "read_article": "briefing.ingest.core",
    "find_sections": "briefing.sections.finder",
    "build_script": "briefing.script.build",
    "render_script": "briefing.script.build",
    "parse_script": "briefing.script.build",
    "load_show": "briefing.config.loader",
    "plan_script": "briefing.pipeline",
}

__all__ = [
    "Article",
    "BriefingError",
    "Script",
    "build_script",
    "find_sections",
    "load_show",
    "parse_script",
    "plan_script",
    "read_article",
    "render_script",
]

if TYPE_CHECKING:
    from briefing.config.loader import load_show
    from briefing.errors import BriefingError
    from briefing.ingest.core import read_article
    from briefing.models import Article, Script
    from briefing.pipeline import plan_script
    from briefing.script.build import build_script, parse_script, render_script
    from briefing.sections.finder import find_sections


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'briefing' has no attribute {name!r}")
