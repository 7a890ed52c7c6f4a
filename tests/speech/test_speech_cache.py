from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from briefing.errors import CacheError
from briefing.models import Pcm
from briefing.speech.cache import KEY_FIELDS, SpeechCache, cache_key, settings_text
from briefing.speech.engines.base import VoiceSettings

S = VoiceSettings()


def tone(rate: int = 24_000) -> Pcm:
    t = np.arange(rate // 10) / rate
    return Pcm((0.5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), rate)


def test_round_trip_keeps_rate_and_samples(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path / "c")
    key = cache_key("espeak", "1.52", S, "Bonjour.")
    assert cache.get(key) is None
    cache.put(key, tone())
    got = cache.get(key)
    assert got is not None and got.rate == 24_000
    assert np.max(np.abs(got.samples - tone().samples)) < 1e-4
    assert cache.size()[0] == 1
    assert not [p for p in (tmp_path / "c").rglob("*") if p.name.startswith(".")]


def test_key_covers_engine_version_settings_and_text() -> None:
    keys = {
        cache_key("espeak", "1", S, "t"),
        cache_key("espeakx", "1", S, "t"),
        cache_key("espeak", "1x", S, "t"),
        cache_key("espeak", "1", S, "tx"),
        *(
            cache_key("espeak", "1", changed, "t")
            for changed in (
                VoiceSettings(voice="fr+f3"),
                VoiceSettings(rate=1.1),
                VoiceSettings(pitch=-3),
                VoiceSettings(extra=(("backend", "binary"),)),
            )
        ),
    }
    assert len(keys) == 8


# Keys computed by the code before the settings entered the key by named fields (`repr(settings)`):
# caches made then must still be found.
PINNED = [
    (
        ("pico", "pico fr-FR (fr-FR_ta.bin, fr-FR_zl.bin; py-nanotts 1.0)"),
        VoiceSettings(voice="fr-FR"),
        "Bonjour à tous.",
        "da1e0dcf927527131a29712aa6c9c9fd57216a8ad301498823413d89ee60aab1",
    ),
    (
        ("kokoro", "kokoro recipe 2; model x"),
        VoiceSettings(
            voice="jm_kumo", rate=1.05, extra=(("model", "/m/kokoro.onnx"), ("vocab", "/m/vocab.json"))
        ),
        "Voici le journal.",
        "525e7d9dd7cf8b58b70f0e600ff5a5f8fa44469b258cc09d83dbae78376099a3",
    ),
    (
        ("espeak", "espeak-ng 1.52"),
        VoiceSettings(voice="fr+f3", rate=0.9, pitch=-12),
        "Trois sujets.",
        "17171908ed9518bfb723e6b19c664351cecdd052be1e67e20c49ad0f2f49a458",
    ),
]


@pytest.mark.parametrize(("engine", "settings", "text", "key"), PINNED, ids=["pico", "kokoro", "espeak"])
def test_keys_made_before_are_kept(
    engine: tuple[str, str], settings: VoiceSettings, text: str, key: str
) -> None:
    assert cache_key(*engine, settings, text) == key


def test_settings_enter_the_key_by_name_in_a_fixed_order() -> None:
    settings = VoiceSettings(voice="fr", rate=1.5, pitch=2, extra=(("backend", "library"),))
    assert settings_text(settings) == (
        "VoiceSettings(voice='fr', rate=1.5, pitch=2, extra=(('backend', 'library'),))"
    )


def test_every_settings_field_is_in_the_key_or_left_out_on_purpose() -> None:
    from dataclasses import fields

    # A new field in VoiceSettings fails here until someone decides whether it changes the sound:
    # if it does, it goes into KEY_FIELDS (every key changes: say so in CHANGELOG).
    assert tuple(f.name for f in fields(VoiceSettings)) == KEY_FIELDS


def test_damaged_entry_is_a_miss_and_goes(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    key = cache_key("e", "1", S, "t")
    cache.put(key, tone())
    path = next(tmp_path.rglob("*.npz"))
    path.write_bytes(b"not a numpy file")
    assert cache.get(key) is None
    assert not path.exists()


def test_clear_and_disabled(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path / "c")
    for text in ("a", "b", "c"):
        cache.put(cache_key("e", "1", S, text), tone())
    assert cache.clear() == 3
    assert cache.size() == (0, 0)
    off = SpeechCache(None)
    off.put("k", tone())
    assert off.get("k") is None and off.clear() == 0


def test_clear_removes_the_sections_cache_and_a_stale_probe_too(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path / "c")
    cache.put(cache_key("e", "1", S, "a"), tone())
    (tmp_path / "c" / "sections").mkdir()
    (tmp_path / "c" / "sections" / f"{'ab' * 32}.json").write_text("{}")
    (tmp_path / "c" / ".batch-0123abcd.probe").write_text("0123abcd")
    assert cache.clear() == 1
    assert list((tmp_path / "c").iterdir()) == []


def test_a_file_managers_own_files_do_not_stop_a_clear(tmp_path: Path) -> None:
    """Finder leaves .DS_Store in every folder it shows: the cache is still the cache."""
    cache = SpeechCache(tmp_path / "c")
    key = cache_key("e", "1", S, "a")
    cache.put(key, tone())
    (tmp_path / "c" / ".DS_Store").write_bytes(b"finder")
    (tmp_path / "c" / key[:2] / ".DS_Store").write_bytes(b"finder")
    assert cache.size()[0] == 1
    assert cache.clear() == 1
    assert [p.name for p in (tmp_path / "c").iterdir()] == [".DS_Store"]


@pytest.mark.parametrize(
    ("foreign", "named"),
    [
        ("notes.txt", "notes.txt"),
        ("episodes/ep.mp3", "episodes"),
        ("ab/x.txt", "ab/x.txt"),
        ("sections/x", "sections/x"),
    ],
)
def test_clear_of_a_folder_that_is_not_a_cache_removes_nothing(
    tmp_path: Path, foreign: str, named: str
) -> None:
    """`cache clear --cache-dir ~` (or an output folder) once removed the whole folder."""
    from typer.testing import CliRunner

    from briefing.cli.app import app

    cache = SpeechCache(tmp_path / "c")
    cache.put(cache_key("e", "1", S, "a"), tone())
    (tmp_path / "c" / foreign).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "c" / foreign).write_text("keep me")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = CliRunner().invoke(app, ["cache", "clear", "--cache-dir", str(tmp_path / "c")])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefing: error: "), result.stderr
    assert f"holds {Path(named)}," in lines[0] and "nothing in it is removed" in lines[0]
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    with pytest.raises(CacheError, match="is not a speech cache"):
        cache.size()


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
    key = cache_key("e", "1", S, "t")
    assert not cache.holds(key)
    cache.put(key, tone())
    assert cache.holds(key)
    assert not SpeechCache(None).holds(key)
