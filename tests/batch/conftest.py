"""The batch tests' shared piece: the local news site."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from newsite import serve


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
