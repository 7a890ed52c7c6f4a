"""Pronunciation lexicons: word -> what the voice should say instead, read from TSV or TOML.

Three layers are applied before every engine, a later one winning over an earlier one for the same
word: the house list of French news (`voices/lexicons/fr-news.tsv`: foreign names and acronyms a
French voice misreads), the voice profile's own list (what one engine gets wrong), then the show's
(the producer's names of the day).

Matching is by whole word, and case rules fit what the entries are:
- an entry with a capital letter is a name or an acronym: it matches as written, or in capitals
  throughout (a heading in capitals), so "Trump" is not said for "trump" and "UE" never for "ue";
- an entry all in lower case is a common word: it matches in any case ("e-mail", "E-mail").
Spaces in an entry match any run of spaces (no-break ones too), and an apostrophe matches both the
straight and the curly one.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefing.errors import ConfigError

Pairs = tuple[tuple[str, str], ...]

_APOSTROPHES = "'\u2019"
_SPACES = r"[ \t\u00a0\u202f]+"


def load_lexicon(path: Path) -> Pairs:
    """Word -> pronunciation pairs from a TOML table or a TSV file (`word<TAB>says`, # comments)."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"Lexicon {path} cannot be read", cause=str(e)) from e
    if path.suffix.lower() == ".toml":
        try:
            table = tomllib.loads(raw)
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"Lexicon {path} is not valid TOML", cause=str(e)) from e
        return lexicon_from_table(table, f"Lexicon {path}")
    pairs: list[tuple[str, str]] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 2 or not cells[0].strip() or not cells[1].strip():
            raise ConfigError(
                f"Lexicon {path}, line {number}: expected 'word<TAB>pronunciation'",
                cause="a missing tab or an empty cell",
            )
        pairs.append((cells[0].strip(), cells[1].strip()))
    return _checked(pairs, f"Lexicon {path}")


def lexicon_from_table(table: Mapping[str, Any], where: str) -> Pairs:
    """Pairs from a TOML table of `"word" = "pronunciation"` entries (`where` names it in errors)."""
    pairs: list[tuple[str, str]] = []
    for word, says in table.items():
        if not isinstance(says, str):
            raise ConfigError(
                f"{where}: entry {word!r} must be text, not {type(says).__name__}",
                cause='write entries as "word" = "pronunciation"',
            )
        pairs.append((word.strip(), says.strip()))
    return _checked(pairs, where)


def _checked(pairs: list[tuple[str, str]], where: str) -> Pairs:
    for word, says in pairs:
        if not word or not says:
            raise ConfigError(f"{where}: empty entry {word!r}", cause="fill both sides")
        if "\ue000" in word + says or "\ue001" in word + says:
            raise ConfigError(f"{where}: entry {word!r} holds a private-use character", cause="remove it")
    return tuple(pairs)


def layered(*layers: Iterable[tuple[str, str]]) -> Pairs:
    """One lexicon from several, a later layer winning for a word it also has."""
    merged: dict[str, str] = {}
    for layer in layers:
        for word, says in layer:
            merged.pop(word, None)  # the winner also takes the later place
            merged[word] = says
    return tuple(merged.items())


def _pattern(word: str) -> str:
    parts = []
    for chunk in re.split(f"({_SPACES}|[{_APOSTROPHES}])", word):
        if not chunk:
            continue
        if chunk[0] in _APOSTROPHES:
            parts.append(f"[{_APOSTROPHES}]")
        elif chunk[0].isspace():
            parts.append(_SPACES)
        else:
            parts.append(re.escape(chunk))
    return "".join(parts)


def _canonical(found: str) -> str:
    return re.sub(_SPACES, " ", found).replace("\u2019", "'")


@dataclass(frozen=True, slots=True)
class Lexicon:
    """A compiled lexicon: finds its words in a text and says what to read instead."""

    pairs: Pairs
    _cased: dict[str, str] = field(init=False, repr=False, compare=False)
    _shouted: dict[str, str] = field(init=False, repr=False, compare=False)
    _folded: dict[str, str] = field(init=False, repr=False, compare=False)
    _pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        named = [(_canonical(w), s) for w, s in self.pairs if w != w.lower()]
        object.__setattr__(self, "_cased", dict(named))
        object.__setattr__(self, "_shouted", {w.upper(): s for w, s in named})
        common = {_canonical(w).casefold(): s for w, s in self.pairs if w == w.lower()}
        object.__setattr__(self, "_folded", common)
        words = sorted({w for w, _ in self.pairs}, key=len, reverse=True)
        # Case is checked in `says`, not in the regex: one pass, and lower-case entries ignore case.
        alternatives = "|".join(_pattern(w) for w in words)
        pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE) if words else None
        object.__setattr__(self, "_pattern", pattern)

    def __bool__(self) -> bool:
        return bool(self.pairs)

    def says(self, found: str) -> str | None:
        """What to say for `found` (text the pattern matched), or None when its case does not fit."""
        key = _canonical(found)
        if key in self._cased:
            return self._cased[key]
        if key == key.upper() and key in self._shouted:
            return self._shouted[key]
        return self._folded.get(key.casefold())

    def sub(self, text: str, replace: Callable[[str], str]) -> str:
        """`text` with every entry found (in a case that fits) replaced by `replace(says)`."""
        if self._pattern is None:
            return text

        def one(match: re.Match[str]) -> str:
            says = self.says(match[0])
            return match[0] if says is None else replace(says)

        return self._pattern.sub(one, text)


HOUSE_LEXICON = Path("lexicons") / "fr-news.tsv"
"""The house list, relative to a voices folder (the user's own is looked for first)."""


def house_lexicon(search_dirs: Iterable[Path]) -> Pairs:
    """The house list of French news pronunciations: the first `lexicons/fr-news.tsv` in `search_dirs`
    (none found: no entries)."""
    for folder in search_dirs:
        path = folder / HOUSE_LEXICON
        if path.is_file():
            return load_lexicon(path)
    return ()


@dataclass(frozen=True, slots=True)
class Pronunciations:
    """The layers a voice's own lexicon is put between: the house list under it, the show's over it."""

    house: Pairs = ()
    show: Pairs = ()

    def for_voice(self, voice: Pairs) -> Lexicon:
        """The lexicon a voice reads with: house, then the voice's own, then the show's."""
        return Lexicon(layered(self.house, voice, self.show))
