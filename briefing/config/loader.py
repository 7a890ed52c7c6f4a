"""Reading a show config (`show.toml`): every table and field checked, each error naming the file and
the field, paths resolved against the config's folder.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import fields
from pathlib import Path
from typing import Any

from briefing.config.show import MP3_KBPS, SOUND_ELEMENTS, Show, Sound, Templates
from briefing.errors import ConfigError

_SHOW_STRINGS: tuple[str, ...] = ("title", "description", "author", "narrator", "owner_name")
_SHOW_STRINGS += ("owner_email",)
_SHOW_STRINGS += ("language", "category", "subcategory", "base_url", "link", "copyright", "timezone")
_SHOW_STRINGS += ("voice", "delivery_name")
_SHOW_BOOLS = ("explicit", "allow_mixed_loudness", "house_lexicon")
_SHOW_FIELDS = {*_SHOW_STRINGS, *_SHOW_BOOLS, "artwork", "keep", "preset", "lexicon"}


def load_show(path: Path | str | None) -> Show:
    """Read a show config; None gives the defaults."""
    if path is None:
        return Show()
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ConfigError(f"{file}: no such show config") from e
    except UnicodeDecodeError as e:
        raise ConfigError(f"{file}: cannot read the show config ({e})", cause="it is not UTF-8 text") from e
    except OSError as e:
        raise ConfigError(f"{file}: cannot read the show config ({e})") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{file}: not valid TOML ({e})") from e
    _only(data, {"show", "templates", "sound", "lexicon"}, file, "")
    show_data = _table(data, "show", file)
    _only(show_data, _SHOW_FIELDS, file, "show.")
    values: dict[str, Any] = {}
    for name in _SHOW_STRINGS:
        if name in show_data:
            values[name] = _string(show_data, name, file, "show.", None)
    if "category" in values and "subcategory" not in values:
        values["subcategory"] = None  # the default subcategory belongs to the default category
    for name in _SHOW_BOOLS:
        if name in show_data:
            if not isinstance(show_data[name], bool):
                raise ConfigError(f"{file}: show.{name} must be true or false")
            values[name] = show_data[name]
    if "keep" in show_data:
        keep = show_data["keep"]
        if isinstance(keep, bool) or not isinstance(keep, int):
            raise ConfigError(f"{file}: show.keep must be a whole number of episodes")
        values["keep"] = keep
    if "preset" in show_data:
        values["preset"] = _string(show_data, "preset", file, "show.", None)
    if "artwork" in show_data:
        artwork = file.parent / _string(show_data, "artwork", file, "show.", None)
        if not artwork.is_file():
            raise ConfigError(f"{file}: show.artwork {artwork} {_absent(artwork)}")
        values["artwork"] = artwork
    values["lexicon"] = _lexicon(show_data, _table(data, "lexicon", file), file)
    templates = _templates(_table(data, "templates", file), file)
    sound = _sound(_table(data, "sound", file), file)
    return Show(templates=templates, sound=sound, origin=str(file), **values)


def _lexicon(show_data: dict[str, Any], table: dict[str, Any], file: Path) -> tuple[tuple[str, str], ...]:
    """The show's pronunciations: its lexicon file (TSV or TOML, relative to the config), then its
    `[lexicon]` table, which wins for a word both have."""
    from briefing.speech.lexicon import layered, lexicon_from_table, load_lexicon

    listed: tuple[tuple[str, str], ...] = ()
    if "lexicon" in show_data:
        path = file.parent / _string(show_data, "lexicon", file, "show.", None)
        if not path.is_file():
            raise ConfigError(f"{file}: show.lexicon {path} {_absent(path)}")
        listed = load_lexicon(path)
    for word, says in table.items():
        if isinstance(says, str):
            _check_controls(word + says, file, f"lexicon.{word}")
    return layered(listed, lexicon_from_table(table, f"{file}: [lexicon]"))


def _sound(data: dict[str, Any], file: Path) -> Sound:
    _only(data, {*SOUND_ELEMENTS, "target_lufs", "mp3_kbps"}, file, "sound.")
    files: list[tuple[str, Path]] = []
    off: list[str] = []
    for name in SOUND_ELEMENTS:
        if name not in data:
            continue
        value = data[name]
        if not isinstance(value, str):
            raise ConfigError(f'{file}: sound.{name} must be a file path, or "" for none')
        if not value.strip():
            off.append(name)
            continue
        path = file.parent / value
        if not path.is_file():
            raise ConfigError(f"{file}: sound.{name} {path} {_absent(path)}")
        files.append((name, path))
    target = data.get("target_lufs")
    if target is not None and (
        isinstance(target, bool) or not isinstance(target, int | float) or not -40 <= target <= -5
    ):  # the range a preset takes (`audio.presets`)
        raise ConfigError(f"{file}: sound.target_lufs must be a number of LUFS from -40 to -5, e.g. -18.0")
    kbps = data.get("mp3_kbps")
    if kbps is not None and (isinstance(kbps, bool) or kbps not in MP3_KBPS):
        raise ConfigError(f"{file}: sound.mp3_kbps must be an MP3 bit rate: {', '.join(map(str, MP3_KBPS))}")
    return Sound(tuple(files), tuple(off), None if target is None else float(target), kbps)


def _templates(data: dict[str, Any], file: Path) -> Templates:
    default = Templates()
    names = {f.name for f in fields(Templates)}
    _only(data, names, file, "templates.")
    values: dict[str, Any] = {}
    for name in names:
        if name not in data:
            continue
        value = data[name]
        if isinstance(getattr(default, name), tuple):
            if (
                not isinstance(value, list)
                or not value
                or not all(isinstance(v, str) and v.strip() for v in value)
            ):
                raise ConfigError(f"{file}: templates.{name} must be a non-empty list of strings")
            for item in value:
                _check_controls(item, file, f"templates.{name}")
            values[name] = tuple(value)
        else:
            values[name] = _string(data, name, file, "templates.", getattr(default, name))
    templates = Templates(**values)
    _check_placeholders(templates, file)
    return templates


_ALLOWED = {"show", "date", "title", "count", "items", "item", "source", "from_source", "author"}


def _check_placeholders(templates: Templates, file: Path) -> None:
    import string

    for f in fields(Templates):
        value = getattr(templates, f.name)
        for text in value if isinstance(value, tuple) else (value,):
            try:
                used = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            except ValueError as e:
                raise ConfigError(f"{file}: templates.{f.name} has a broken {{…}} ({e})") from e
            unknown = used - _ALLOWED
            if unknown:
                raise ConfigError(
                    f"{file}: templates.{f.name} uses unknown placeholder {{{sorted(unknown)[0]}}}",
                    cause=f"use one of {', '.join(sorted(_ALLOWED))}",
                )


def _absent(path: Path) -> str:
    return "is a folder, not a file" if path.is_dir() else "does not exist"


def _table(data: dict[str, Any], key: str, file: Path) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{file}: [{key}] must be a table")
    return value


def _only(data: dict[str, Any], allowed: set[str], file: Path, prefix: str) -> None:
    for key in data:
        if key not in allowed:
            raise ConfigError(
                f"{file}: unknown field {prefix}{key}", cause=f"expected one of {sorted(allowed)}"
            )


def _string(data: dict[str, Any], key: str, file: Path, prefix: str, default: Any) -> Any:
    if key not in data:
        return default
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{file}: {prefix}{key} must be a non-empty string")
    _check_controls(value, file, f"{prefix}{key}")
    return value


def _check_controls(value: str, file: Path, name: str) -> None:
    """Control characters (but tab and line breaks) would reach tags, subtitles and the voice."""
    bad = next((ch for ch in value if ch not in "\t\n\r" and unicodedata.category(ch) == "Cc"), None)
    if bad is not None:
        raise ConfigError(
            f"{file}: {name} holds the control character U+{ord(bad):04X}",
            cause="an invisible character pasted in: remove it",
        )


def example_config() -> str:
    """The commented show config `briefing init` writes (`briefing/data/show.toml`, the same as
    `examples/show.toml`)."""
    from importlib.resources import files

    return files("briefing").joinpath("data", "show.toml").read_text(encoding="utf-8")
