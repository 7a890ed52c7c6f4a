"""Voice profiles: the shipped files, field checks, lookup, fallbacks, listing, default voice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bad_inputs import BAD_PROFILES
from paths import ROOT

from briefing.errors import ConfigError
from briefing.speech.engines import engine_names, get_engine
from briefing.speech.engines.base import Availability, VoiceSettings
from briefing.speech.lexicon import Lexicon
from briefing.speech.normalize import normalize
from briefing.speech.voices import (
    VoiceProfile,
    default_voice,
    fallback_chain,
    find_profile,
    list_voices,
    load_profile,
)

SHIPPED = ROOT / "voices"
SHIPPED_FILES = sorted(SHIPPED.glob("*.toml"))


def write(folder: Path, stem: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_there_are_shipped_profiles_for_every_engine() -> None:
    engines = {load_profile(f).engine for f in SHIPPED_FILES}
    assert engines == set(engine_names())


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda p: p.stem)
def test_shipped_profile_is_valid_and_its_fallbacks_end_offline(path: Path) -> None:
    profile = load_profile(path)
    assert profile.name == path.stem and profile.description
    chain = fallback_chain(profile, [SHIPPED])
    assert chain[0] == profile
    assert not get_engine(chain[-1].engine).capabilities.needs_network
    assert isinstance(profile.settings, VoiceSettings)


@pytest.mark.parametrize("name", ["pico", "pico-lent"])
@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("En mars.", "En marse."),
        ("Emmanuel Macron et Emmanuelle Wargon.", "Émanuel Macron et Émanuelle Wargon."),
        ("Edouard Philippe, Édouard-Herriot.", "Édou-ard Philippe, Édou-ard-Herriot."),
        ("Il faut emmener les enfants.", "Il faut emmener les enfants."),
        ("Vincent, Laurent et Michel.", "Vinçan, Loran et Michelle."),
        ("Régis, Anaïs et Marc.", "Régisse, Anaïsse et Marck."),
        ("Le fleuve Saint-Laurent.", "Le fleuve Saint-Loran."),
    ],
)
def test_the_pico_voices_read_with_their_own_list(name: str, text: str, said: str) -> None:
    profile = find_profile(name, [SHIPPED])
    assert profile.lexicon_path == SHIPPED / "lexicons" / "pico-fr.tsv"
    assert normalize(text, Lexicon(profile.lexicon)) == said


def test_full_profile_is_read(tmp_path: Path) -> None:
    (tmp_path / "lex").mkdir()
    (tmp_path / "lex" / "fr.tsv").write_text("# comment\nFMI\tF M I\n\nUE\tU E\n", encoding="utf-8")
    path = write(
        tmp_path,
        "mine",
        """
name = "mine"
engine = "kokoro"
voice = "ff_siwis"
rate = 1.1
pitch = 0
gain_db = -2.5
fallback = "espeak"
lexicon = "lex/fr.tsv"
description = "Test voice"
[options]
model = "models/k.onnx"
voices = "~/v.bin"
""",
    )
    profile = load_profile(path)
    assert (profile.name, profile.engine, profile.voice) == ("mine", "kokoro", "ff_siwis")
    assert (profile.rate, profile.pitch, profile.gain_db) == (1.1, 0, -2.5)
    assert profile.fallback == "espeak" and profile.path == path
    assert profile.lexicon == (("FMI", "F M I"), ("UE", "U E"))
    assert profile.lexicon_path == tmp_path / "lex" / "fr.tsv"
    options = dict(profile.options)
    assert options["model"] == str((tmp_path / "models" / "k.onnx").resolve())
    assert options["voices"] == str(Path("~/v.bin").expanduser())
    settings = profile.settings
    assert settings.voice == "ff_siwis" and settings.rate == 1.1
    assert settings.option("model") == options["model"]


@pytest.mark.parametrize(("body", "field"), BAD_PROFILES)
def test_wrong_field_names_file_and_field(tmp_path: Path, body: str, field: str) -> None:
    path = write(tmp_path, "bad", body)
    with pytest.raises(ConfigError) as info:
        load_profile(path)
    assert str(path) in str(info.value) and f"field {field!r}" in str(info.value)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "broken", 'name = "x\n')
    with pytest.raises(ConfigError, match="not valid TOML") as info:
        load_profile(path)
    assert str(path) in str(info.value)


def test_find_profile_by_name_or_engine(tmp_path: Path) -> None:
    profile = find_profile("espeak-fr-f", [SHIPPED])
    assert profile.engine == "espeak" and profile.voice == "fr+f3"
    for engine in engine_names():
        builtin = find_profile(engine, [tmp_path])
        assert builtin.engine == engine and builtin.path is None
        assert builtin.voice == get_engine(engine).default_settings().voice


def test_unknown_voice_lists_choices() -> None:
    with pytest.raises(ConfigError) as info:
        find_profile("nobody", [SHIPPED])
    message = str(info.value)
    assert "Unknown voice 'nobody'" in message
    for name in ("espeak", "gtts", "kokoro", "kokoro-kumo", "espeak-fr"):
        assert name in message


def test_first_search_dir_wins(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    write(mine, "espeak-fr", 'name = "espeak-fr"\nengine = "espeak"\nvoice = "fr+m3"')
    assert find_profile("espeak-fr", [mine, SHIPPED]).voice == "fr+m3"
    assert find_profile("espeak-fr", [SHIPPED, mine]).voice == "fr"


def test_broken_file_blocks_only_its_own_name(tmp_path: Path) -> None:
    write(tmp_path, "broken", "name = [")
    write(tmp_path, "good", 'name = "good"\nengine = "espeak"')
    assert find_profile("good", [tmp_path]).name == "good"
    with pytest.raises(ConfigError, match="not valid TOML"):
        find_profile("broken", [tmp_path])
    with pytest.raises(ConfigError, match="unreadable profiles: broken"):
        find_profile("other", [tmp_path])


def test_fallback_loop_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "a", 'name = "a"\nengine = "espeak"\nfallback = "b"')
    write(tmp_path, "b", 'name = "b"\nengine = "espeak"\nfallback = "a"')
    with pytest.raises(ConfigError, match="a -> b -> a"):
        fallback_chain(find_profile("a", [tmp_path]), [tmp_path])


def test_fallback_to_engine_name(tmp_path: Path) -> None:
    write(tmp_path, "g", 'name = "g"\nengine = "gtts"\nfallback = "espeak"')
    chain = fallback_chain(find_profile("g", [tmp_path]), [tmp_path])
    assert [p.name for p in chain] == ["g", "espeak"]


def test_list_voices(tmp_path: Path) -> None:
    write(tmp_path, "broken", "name = [")
    write(
        tmp_path,
        "far",
        'name = "far"\nengine = "kokoro"\n[options]\nmodel = "missing/kokoro-v1.0.onnx"',
    )
    infos = {v.name: v for v in list_voices([tmp_path, SHIPPED])}
    assert {"espeak", "gtts", "kokoro", "kokoro-kumo", "espeak-fr", "gtts-fr"} <= set(infos)
    assert not infos["broken"].available and "not valid TOML" in infos["broken"].reason
    assert not infos["far"].available and "not found" in infos["far"].reason
    assert infos["espeak-fr"].available and not infos["espeak-fr"].online
    assert infos["gtts-fr"].online
    assert infos["kokoro-siwis"].fallback == "kokoro-gongitsune"
    json.dumps([v.as_dict() for v in infos.values()])  # what `briefing voices --json` prints


def test_list_voices_builtin_engines_only_once(tmp_path: Path) -> None:
    write(tmp_path, "espeak", 'name = "espeak"\nengine = "espeak"\nvoice = "fr+f2"')
    infos = [v for v in list_voices([tmp_path]) if v.name == "espeak"]
    assert len(infos) == 1 and infos[0].voice == "fr+f2"


def test_default_voice_is_pico_then_kokoro_then_espeak(monkeypatch: pytest.MonkeyPatch) -> None:
    profile = default_voice([SHIPPED])
    assert (profile.name, profile.engine, profile.voice) == ("pico", "pico", "fr-FR")
    assert profile.path == SHIPPED / "pico.toml"
    chain = [p.engine for p in fallback_chain(profile, [SHIPPED])]
    assert list(dict.fromkeys(chain)) == ["pico", "kokoro", "espeak"]
    unavailable = Availability(False, "not installed")
    monkeypatch.setattr(type(get_engine("pico")), "available", lambda self: unavailable)
    kokoro = get_engine("kokoro")
    expected = "kokoro" if kokoro.available().ok else "espeak"
    assert default_voice([SHIPPED]).engine == expected
    monkeypatch.setattr(type(kokoro), "available", lambda self: unavailable)
    profile = default_voice([SHIPPED])
    assert isinstance(profile, VoiceProfile) and profile.engine == "espeak"
    monkeypatch.setattr(type(get_engine("espeak")), "available", lambda self: unavailable)
    monkeypatch.setattr(type(get_engine("gtts")), "available", lambda self: Availability(True, "up"))
    with pytest.raises(ConfigError, match="No offline voice"):  # never an online one by default
        default_voice([SHIPPED])


@pytest.mark.parametrize("engine", ["pico", "espeak"])
def test_engines_with_pitch_take_it_in_a_profile(tmp_path: Path, engine: str) -> None:
    profile = load_profile(write(tmp_path, "high", f'name = "high"\nengine = "{engine}"\npitch = -20'))
    assert profile.pitch == -20 and profile.settings.pitch == -20
