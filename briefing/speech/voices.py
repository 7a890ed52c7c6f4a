"""Voice profiles: a named engine voice with its settings, read from TOML files.

A profile file (`voices/*.toml`) holds::

    name = "kokoro-kumo"          # what --voice takes
    engine = "kokoro"             # a registered engine
    voice = "jm_kumo"             # the engine's voice/style id ("" = its default)
    rate = 1.0                    # speed factor
    pitch = 0                     # engine units (see the engine's module)
    gain_db = 0.0                 # level change applied to this voice
    fallback = "espeak-fr"        # profile (or engine) to use when this one cannot run
    lexicon = "lexicons/fr.tsv"   # word -> pronunciation, relative to this file
    description = "..."
    [options]                     # engine options; `model`, `voices`, `vocab` are paths
    model = "~/kokoro/kokoro-v1.0.onnx"

A `--voice` name is a profile name or an engine name (its default French voice), so "pico",
"espeak", "kokoro" and "gtts" always resolve.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefing.errors import BriefingError, ConfigError
from briefing.speech.engines import engine_names, get_engine, preferred_engines
from briefing.speech.engines.base import RATE_RANGE, VoiceSettings
from briefing.speech.lexicon import Pairs, load_lexicon

PITCH_RANGE = (-50, 50)
GAIN_RANGE_DB = (-30.0, 30.0)
PATH_OPTIONS = ("model", "voices", "vocab")
_FIELDS = {
    "name",
    "engine",
    "voice",
    "rate",
    "pitch",
    "gain_db",
    "fallback",
    "lexicon",
    "description",
    "options",
}


@dataclass(frozen=True, slots=True)
class VoiceProfile:
    """A voice as the pipeline uses it: engine, settings, level, fallback and lexicon."""

    name: str
    engine: str
    voice: str = ""
    rate: float = 1.0
    pitch: int = 0
    gain_db: float = 0.0
    fallback: str | None = None
    lexicon: Pairs = ()
    lexicon_path: Path | None = None
    description: str = ""
    options: tuple[tuple[str, str], ...] = ()
    path: Path | None = None
    """The file it was read from; None for an engine's built-in default voice."""

    @property
    def settings(self) -> VoiceSettings:
        """What the engine is given."""
        return VoiceSettings(voice=self.voice, rate=self.rate, pitch=self.pitch, extra=self.options)


@dataclass(frozen=True, slots=True)
class VoiceInfo:
    """One line of `briefing voices`: a profile and whether it can run here."""

    name: str
    engine: str
    voice: str
    description: str
    online: bool
    available: bool
    reason: str
    fallback: str | None
    path: Path | None

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "engine": self.engine,
            "voice": self.voice,
            "description": self.description,
            "online": self.online,
            "available": self.available,
            "reason": self.reason,
            "fallback": self.fallback,
            "path": str(self.path) if self.path else None,
        }


def _wrong(path: Path, field: str, problem: str) -> ConfigError:
    return ConfigError(f"Voice profile {path}: field {field!r} {problem}", cause="fix the file")


def _text(data: dict[str, Any], path: Path, field: str, default: str | None = None) -> str:
    value = data.get(field, default)
    if value is None:
        raise _wrong(path, field, "is missing")
    if not isinstance(value, str):
        raise _wrong(path, field, f"must be text, not {type(value).__name__}")
    return value


def _number(data: dict[str, Any], path: Path, field: str, default: float, low: float, high: float) -> float:
    value = data.get(field, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _wrong(path, field, f"must be a number, not {type(value).__name__}")
    if not (math.isfinite(value) and low <= value <= high):
        raise _wrong(path, field, f"is {value}, outside {low}..{high}")
    return float(value)


def load_profile(path: Path) -> VoiceProfile:
    """Read and check one profile file; any wrong field -> ConfigError naming file and field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"Voice profile {path} cannot be read", cause=str(e)) from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"Voice profile {path} is not valid TOML", cause=str(e)) from e
    for field in sorted(set(data) - _FIELDS):
        raise _wrong(path, field, f"is unknown (known: {', '.join(sorted(_FIELDS))})")
    name = _text(data, path, "name").strip()
    if not name or any(ch.isspace() for ch in name):
        raise _wrong(path, "name", "must be one word, e.g. kokoro-kumo")
    engine = _text(data, path, "engine")
    if engine not in engine_names():
        raise _wrong(path, "engine", f"is {engine!r}; choose from {', '.join(engine_names())}")
    pitch = data.get("pitch", 0)
    if isinstance(pitch, bool) or not isinstance(pitch, int):
        raise _wrong(path, "pitch", f"must be a whole number, not {pitch!r}")
    if not PITCH_RANGE[0] <= pitch <= PITCH_RANGE[1]:
        raise _wrong(path, "pitch", f"is {pitch}, outside {PITCH_RANGE[0]}..{PITCH_RANGE[1]}")
    if pitch and not get_engine(engine).capabilities.pitch:
        raise _wrong(path, "pitch", f"must be 0: {engine} cannot change pitch")
    fallback = data.get("fallback")
    if fallback is not None and (not isinstance(fallback, str) or not fallback.strip()):
        raise _wrong(path, "fallback", "must be the name of another profile or engine")
    if fallback == name:
        raise _wrong(path, "fallback", "names the profile itself")
    lexicon_path: Path | None = None
    lexicon: Pairs = ()
    if "lexicon" in data:
        lexicon_path = (path.parent / _text(data, path, "lexicon")).expanduser()
        if not lexicon_path.is_file():
            raise _wrong(path, "lexicon", f"points at {lexicon_path}, which does not exist")
        lexicon = load_lexicon(lexicon_path)
    return VoiceProfile(
        name=name,
        engine=engine,
        voice=_text(data, path, "voice", ""),
        rate=_number(data, path, "rate", 1.0, *RATE_RANGE),
        pitch=pitch,
        gain_db=_number(data, path, "gain_db", 0.0, *GAIN_RANGE_DB),
        fallback=fallback,
        lexicon=lexicon,
        lexicon_path=lexicon_path,
        description=_text(data, path, "description", ""),
        options=_options(data, path),
        path=path,
    )


def _options(data: dict[str, Any], path: Path) -> tuple[tuple[str, str], ...]:
    table = data.get("options", {})
    if not isinstance(table, dict):
        raise _wrong(path, "options", "must be a table: [options]")
    pairs = []
    for key, value in table.items():
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise _wrong(path, f"options.{key}", "must be text or a number")
        text = str(value)
        if key in PATH_OPTIONS:
            text = str((path.parent / Path(text).expanduser()).resolve())
        pairs.append((key, text))
    return tuple(pairs)


def _profile_files(search_dirs: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for folder in search_dirs:
        if folder.is_dir():
            files.extend(sorted(folder.glob("*.toml")))
    return files


def builtin_profile(engine: str) -> VoiceProfile:
    """An engine's default French voice as a profile."""
    defaults = get_engine(engine).default_settings()
    return VoiceProfile(
        name=engine,
        engine=engine,
        voice=defaults.voice,
        rate=defaults.rate,
        pitch=defaults.pitch,
        options=defaults.extra,
        description=f"{engine}'s default French voice",
    )


def find_profile(name: str, search_dirs: Sequence[Path]) -> VoiceProfile:
    """The profile called `name` (first match in `search_dirs` order), else the engine `name`'s
    default voice; ConfigError listing the choices when neither exists."""
    names: list[str] = []
    broken: dict[str, ConfigError] = {}
    for file in _profile_files(search_dirs):
        try:
            profile = load_profile(file)
        except ConfigError as e:
            broken.setdefault(file.stem, e)
            continue
        if profile.name == name:
            return profile
        names.append(profile.name)
    if name in broken:
        raise broken[name]
    if name in engine_names():
        return builtin_profile(name)
    choices = ", ".join(sorted(set(names) | set(engine_names())))
    unread = f"; unreadable profiles: {', '.join(sorted(broken))}" if broken else ""
    raise ConfigError(
        f"Unknown voice {name!r}. Choose from: {choices}",
        cause=f"a typo in --voice{unread}",
    )


def fallback_chain(profile: VoiceProfile, search_dirs: Sequence[Path]) -> tuple[VoiceProfile, ...]:
    """The profile, then its fallback, then that one's fallback... (a loop is a ConfigError)."""
    chain = [profile]
    while chain[-1].fallback is not None:
        following = find_profile(chain[-1].fallback, search_dirs)
        if any(p.name == following.name for p in chain):
            loop = " -> ".join([p.name for p in chain] + [following.name])
            raise ConfigError(f"Voice fallbacks loop: {loop}", cause="fix a fallback field")
        chain.append(following)
    return tuple(chain)


def _profile_status(profile: VoiceProfile) -> tuple[bool, str]:
    status = get_engine(profile.engine).available()
    if not status.ok:
        return False, status.reason
    for key, value in profile.options:
        if key in PATH_OPTIONS and not Path(value).is_file():
            return False, f"{key} file {value} not found"
    return True, status.reason


def list_voices(search_dirs: Sequence[Path]) -> tuple[VoiceInfo, ...]:
    """Every profile in `search_dirs` (a broken file is listed as unavailable with its error),
    then each engine's default voice; first name wins."""
    infos: list[VoiceInfo] = []
    seen: set[str] = set()
    for file in _profile_files(search_dirs):
        try:
            profile = load_profile(file)
        except BriefingError as e:
            infos.append(VoiceInfo(file.stem, "?", "", "", False, False, e.one_line(), None, file))
            continue
        if profile.name in seen:
            continue
        seen.add(profile.name)
        infos.append(_info(profile))
    for engine in engine_names():
        if engine not in seen:
            infos.append(_info(builtin_profile(engine)))
    return tuple(infos)


def _info(profile: VoiceProfile) -> VoiceInfo:
    ok, reason = _profile_status(profile)
    return VoiceInfo(
        name=profile.name,
        engine=profile.engine,
        voice=profile.voice,
        description=profile.description,
        online=get_engine(profile.engine).capabilities.needs_network,
        available=ok,
        reason=reason,
        fallback=profile.fallback,
        path=profile.path,
    )


def default_voice(search_dirs: Sequence[Path]) -> VoiceProfile:
    """The best offline voice installed: the profile of the first engine in the registry's order of
    preference that needs no network and runs here: the native French Pico (the `pico` profile, with
    its lexicon and fallback), else Kokoro when its extra works, else eSpeak NG."""
    for name in preferred_engines():
        engine = get_engine(name)
        if not engine.capabilities.needs_network and engine.available().ok:
            return find_profile(name, search_dirs)
    raise ConfigError(
        "No offline voice can run here",
        cause="py-nanotts and espeakng-loader are missing: pip install py-nanotts espeakng-loader",
    )
