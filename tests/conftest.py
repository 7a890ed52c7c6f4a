from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
REFERENCE = DATA / "anchorage-2025-08-15.txt"


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def reference() -> Path:
    return REFERENCE
