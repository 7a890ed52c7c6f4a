"""The show config: a TOML file parsed once into typed values.

    [show]
    title = "Le Briefing"
    voice = "kokoro"

    [templates]
    greeting = "Bonjour et bienvenue dans {show}. Nous sommes le {date}."

Every wrong field is a ConfigError naming the file and the field.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError

DEFAULT_SHOW_TITLE = "Le Briefing"


@dataclass(frozen=True, slots=True)
class Templates:
    """French wording of the narration. `{show}`, `{date}`, `{title}`, … are filled in by the script."""

    greeting: str = "Bonjour et bienvenue dans {show}. Nous sommes le {date}."
    sommaire: str = "Au sommaire aujourd'hui, {count}. {items}"
    sommaire_one: str = "Au sommaire aujourd'hui : {items}"
    sommaire_last: str = "Et enfin : {item}"
    lead: str = "À la une : {title}."
    first: str = "Premier point."
    middle: tuple[str, ...] = (
        "Point suivant.",
        "Autre sujet.",
        "On continue.",
        "Passons à la suite.",
    )
    last: str = "Enfin, dernier point."
    credit: str = "Cet épisode reprend un article de {source}."
    signoff: str = "C'était {show}. Merci de votre écoute, et à demain !"
    intro_chapter: str = "Ouverture"
    outro_chapter: str = "Conclusion"


@dataclass(frozen=True, slots=True)
class Show:
    title: str = DEFAULT_SHOW_TITLE
    voice: str | None = None
    templates: Templates = field(default_factory=Templates)
    origin: str = "<defaults>"


def load_show(path: Path | str | None) -> Show:
    """Read a show config; None gives the defaults."""
    if path is None:
        return Show()
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ConfigError(f"{file}: no such show config") from e
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{file}: cannot read the show config ({e})") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{file}: not valid TOML ({e})") from e
    _only(data, {"show", "templates"}, file, "")
    show_data = _table(data, "show", file)
    _only(show_data, {"title", "voice"}, file, "show.")
    templates = _templates(_table(data, "templates", file), file)
    return Show(
        title=_string(show_data, "title", file, "show.", DEFAULT_SHOW_TITLE),
        voice=_string(show_data, "voice", file, "show.", None),
        templates=templates,
        origin=str(file),
    )


def _templates(data: dict[str, Any], file: Path) -> Templates:
    default = Templates()
    names = {f.name for f in fields(Templates)}
    _only(data, names, file, "templates.")
    values: dict[str, Any] = {}
    for name in names:
        if name not in data:
            continue
        value = data[name]
        if name == "middle":
            if (
                not isinstance(value, list)
                or not value
                or not all(isinstance(v, str) and v.strip() for v in value)
            ):
                raise ConfigError(f"{file}: templates.middle must be a non-empty list of strings")
            values[name] = tuple(value)
        else:
            values[name] = _string(data, name, file, "templates.", getattr(default, name))
    templates = Templates(**values)
    _check_placeholders(templates, file)
    return templates


_ALLOWED = {"show", "date", "title", "count", "items", "item", "source", "author"}


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
    return value
