"""File names for episodes: dated, slugged, ASCII, safe on every operating system.

A playout system picks the day's file up by name, so names are stable for the same input:
`2025-08-15-le-briefing-trump-poutine-a3f9c2`.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import unicodedata
from pathlib import Path, PurePosixPath, PureWindowsPath

from briefing.errors import ExportError
from briefing.speech.frtables import WEEKDAYS

# --- data -------------------------------------------------------------------------------------

# Letters that Unicode decomposition does not fold to ASCII, and symbols worth a word in French.
FOLD: dict[str, str] = {
    "œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ẞ": "SS", "ø": "o", "Ø": "O",
    "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D",
    "ı": "i", "&": " et ", "%": " pourcent ", "€": " euros ", "$": " dollars ", "@": " a ",
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
    "‘": "'", "’": "'", "‚": "'", "‹": "'", "›": "'", "“": '"', "”": '"', "„": '"', "«": '"',
    "»": '"', "…": "...", "•": "-", "·": "-",
}  # fmt: skip

# Names Windows refuses whatever the extension (compared without extension, case-insensitive).
RESERVED = frozenset(
    ["con", "prn", "aux", "nul", "conin$", "conout$"]
    + [f"com{i}" for i in range(10)]
    + [f"lpt{i}" for i in range(10)]
)

FALLBACK = "sans-titre"
MAX_SLUG = 60
MAX_BASENAME = 120
HASH_LENGTH = 6

# --- code -------------------------------------------------------------------------------------

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_NOT_HASH = re.compile(r"[^0-9a-z]")


def ascii_fold(text: str) -> str:
    """Fold `text` to ASCII: accents dropped, ligatures spelled out, dashes and quotes made
    ASCII, other punctuation, symbols and spaces turned into spaces, other letters removed."""
    text = "".join(FOLD.get(ch, ch) for ch in text)
    out = []
    for ch in unicodedata.normalize("NFKD", text):
        if ord(ch) < 128:
            out.append(ch)
        elif unicodedata.category(ch)[0] in "PSZ":
            out.append(" ")
    return "".join(out)


def fit_ascii(text: str, size: int) -> str:
    """Fold `text` to printable ASCII on one line, cut at a word boundary to `size` characters.

    For fixed-size ASCII fields (bext, cart): shorten on purpose, since the dataclasses refuse
    text that does not fit rather than cut it silently.
    """
    text = "".join(c if " " <= c <= "~" else " " for c in ascii_fold(text))
    text = " ".join(text.split())
    if len(text) <= size:
        return text
    cut = text.rfind(" ", 0, size + 1)
    return text[: cut if cut > 0 else size].rstrip()


def _cut(slug: str, limit: int) -> str:
    """Cut a slug to `limit` characters at a hyphen when there is one, never leaving a hyphen."""
    if len(slug) <= limit:
        return slug
    head = slug[: limit + 1]
    cut = head.rfind("-")
    head = head[:cut] if cut > 0 else slug[:limit]
    return head.strip("-")


def slugify(text: str, *, max_length: int = MAX_SLUG) -> str:
    """Lowercase ASCII words joined by hyphens, at most `max_length` characters, never empty.

    The result is a safe file name on its own: no separators, dots, reserved device names.
    """
    if max_length < len(FALLBACK):
        raise ValueError(f"max_length {max_length} is shorter than {FALLBACK!r}")
    slug = _NOT_SLUG.sub("-", ascii_fold(text).lower()).strip("-")
    slug = _cut(slug, max_length)
    if not slug:
        return FALLBACK
    if slug in RESERVED:
        slug = f"{slug}-x"
    return slug


def episode_basename(show: str, date: dt.date, title: str, content_hash: str) -> str:
    """`yyyy-mm-dd-show-title-hash`: sortable by date, stable for the same content.

    `content_hash` is any hexadecimal digest of the episode content; its first six characters
    are kept. The whole name is at most MAX_BASENAME characters (the title is shortened first).
    """
    digest = _NOT_HASH.sub("", content_hash.lower())[:HASH_LENGTH]
    if len(digest) < HASH_LENGTH:
        raise ExportError(
            f"content hash {content_hash!r} is too short for an episode file name",
            cause=f"pass a hexadecimal digest of at least {HASH_LENGTH} characters",
        )
    show_slug = slugify(show, max_length=40)
    fixed = len(date.isoformat()) + len(show_slug) + len(digest) + 3
    title_slug = slugify(title, max_length=max(len(FALLBACK), min(MAX_SLUG, MAX_BASENAME - fixed)))
    if title_slug.startswith(f"{show_slug}-"):  # "Le Briefing du …": the show is named once
        title_slug = title_slug[len(show_slug) + 1 :]
    return f"{date.isoformat()}-{show_slug}-{title_slug}-{digest}"


def safe_join(folder: Path, name: str) -> Path:
    """`folder / name`, refusing any name that could land outside `folder`.

    Refused: empty names, absolute paths, drive letters or UNC prefixes, backslashes, `..`
    components, NUL bytes, and (after resolving symlinks) anything not under the folder.
    Sub-folders that stay inside (`"audio/x.mp3"`) are allowed.
    """
    where = f"{name!r} in {folder}"
    if not name or "\x00" in name:
        raise ExportError(f"refused file name {where}", cause="the name is empty or has a NUL")
    windows = PureWindowsPath(name)
    posix = PurePosixPath(name)
    if windows.drive or windows.root or posix.is_absolute() or "\\" in name:
        raise ExportError(
            f"refused file name {where}",
            cause="absolute paths, drive letters and backslashes are not allowed",
        )
    if any(part == ".." for part in posix.parts):
        raise ExportError(f"refused file name {where}", cause="'..' would leave the folder")
    base = Path(folder).resolve()
    target = (base / posix).resolve()
    if target == base or not target.is_relative_to(base):
        raise ExportError(
            f"refused file name {where}",
            cause="it resolves outside the folder (symbolic link?)",
        )
    return Path(folder) / posix


#: What a delivery name pattern (`build --deliver`, `--name`, the show's `delivery_name`) may use.
PLACEHOLDERS = ("show", "date", "title", "weekday")


def delivery_name(pattern: str, *, show: str, date: dt.date, title: str) -> str:
    """Fill `pattern` ({show}, {date}, {title}, {weekday}) with slugged values: a name safe on every OS."""
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    except ValueError as e:
        raise ExportError(f"delivery name pattern {pattern!r} is broken ({e})") from e
    unknown = used - set(PLACEHOLDERS)
    if unknown:
        raise ExportError(
            f"delivery name pattern {pattern!r} uses unknown {{{sorted(unknown)[0]}}}",
            cause=f"use {', '.join('{' + p + '}' for p in PLACEHOLDERS)}",
        )
    values = {
        "show": slugify(show),
        "date": date.isoformat(),
        "title": slugify(title),
        "weekday": WEEKDAYS[date.weekday()],
    }
    filled = pattern.format(**values)
    if not any(ch.isalnum() for ch in filled):
        raise ExportError(f"delivery name pattern {pattern!r} gives an empty name")
    name = slugify(filled, max_length=120)
    return name
