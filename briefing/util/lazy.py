"""Lazy public names for a package's `__init__`: the surface is named in one table, and each name's
module is imported on first use, so importing a package (and `briefing --help`) stays cheap.

    _PUBLIC = {"briefing.ingest.core": ("read_article",)}
    __getattr__, __dir__, __all__ = lazy_exports(__name__, _PUBLIC)

Modules inside a package import their siblings by their full module path, never through the
package's `__init__`: the surface is for the stages after it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, public: Mapping[str, tuple[str, ...]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """`__getattr__`, `__dir__` and `__all__` for `package`, serving each name from its module."""
    home = {name: module for module, names in public.items() for name in names}

    def __getattr__(name: str) -> Any:
        module = home.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    def __dir__() -> list[str]:
        return sorted(home)

    return __getattr__, __dir__, sorted(home)
