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
    "read_article": "briefing.ingest",
    "find_sections": "briefing.sections",
    "build_script": "briefing.script",
    "render_script": "briefing.script",
    "parse_script": "briefing.script",
    "load_show": "briefing.show",
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
    from .errors import BriefingError
    from .ingest import read_article
    from .models import Article, Script
    from .pipeline import plan_script
    from .script import build_script, parse_script, render_script
    from .sections import find_sections
    from .show import load_show


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'briefing' has no attribute {name!r}")
