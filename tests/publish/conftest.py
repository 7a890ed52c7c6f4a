"""The episode the tests of the show's pages share, built once per session (see page_episode.py)."""

from __future__ import annotations

import pytest
from page_episode import Built, build_site


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_site(tmp_path_factory.mktemp("pages"))
