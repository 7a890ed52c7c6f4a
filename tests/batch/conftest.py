"""The batch tests' shared pieces: tests/ on sys.path (for `folders`), the local news site."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from newsite import serve  # noqa: E402


@pytest.fixture(scope="session")
def news_site() -> Iterator[str]:
    """The base URL of the local news site."""
    httpd, base = serve()
    yield base
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The local site is reached directly, as the cluster's workers (which inherit this) must."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
