from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from briefing.errors import CacheError
from briefing.models import Pcm
from briefing.speech.cache import SpeechCache, cache_key


def tone(rate: int = 24_000) -> Pcm:
    t = np.arange(rate // 10) / rate
    return Pcm((0.5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), rate)


def test_round_trip_keeps_rate_and_samples(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path / "c")
    key = cache_key("espeak", "1.52", "VoiceSettings()", "Bonjour.")
    assert cache.get(key) is None
    cache.put(key, tone())
    got = cache.get(key)
    assert got is not None and got.rate == 24_000
    assert np.max(np.abs(got.samples - tone().samples)) < 1e-4
    assert cache.size()[0] == 1
    assert not [p for p in (tmp_path / "c").rglob("*") if p.name.startswith(".")]


def test_key_covers_engine_version_settings_and_text() -> None:
    base = ("espeak", "1", "s", "t")
    keys = {cache_key(*base)}
    for i in range(4):
        changed = list(base)
        changed[i] += "x"
        keys.add(cache_key(*changed))
    assert len(keys) == 5


def test_damaged_entry_is_a_miss_and_goes(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    key = cache_key("e", "1", "s", "t")
    cache.put(key, tone())
    path = next(tmp_path.rglob("*.npz"))
    path.write_bytes(b"not a numpy file")
    assert cache.get(key) is None
    assert not path.exists()


def test_clear_and_disabled(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path / "c")
    for text in ("a", "b", "c"):
        cache.put(cache_key("e", "1", "s", text), tone())
    assert cache.clear() == 3
    assert cache.size() == (0, 0)
    off = SpeechCache(None)
    off.put("k", tone())
    assert off.get("k") is None and off.clear() == 0


def test_a_cache_under_a_file_is_an_error_not_an_empty_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    for folder in (blocker, blocker / "cache"):
        cache = SpeechCache(folder)
        with pytest.raises(CacheError, match="is a file, not a folder"):
            cache.size()
        with pytest.raises(CacheError, match="is a file, not a folder"):
            cache.clear()
    assert SpeechCache(tmp_path / "not" / "yet").size() == (0, 0)


def test_cache_info_under_a_file_is_one_line_exit_2(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from briefing.cli.app import app

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    for command in ("info", "clear"):
        result = CliRunner().invoke(app, ["cache", command, "--cache-dir", str(blocker / "cache")])
        assert result.exit_code == 2, result.output
        assert result.stderr.strip().startswith("briefing: error: there can be no speech cache")
        assert len(result.stderr.strip().splitlines()) == 1


def test_holds_says_whether_an_entry_is_there(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    key = cache_key("e", "1", "s", "t")
    assert not cache.holds(key)
    cache.put(key, tone())
    assert cache.holds(key)
    assert not SpeechCache(None).holds(key)
