"""Transcripts as WebVTT and SubRip: one cue per spoken sentence, at its real time.

Times come from the sentence marks (integer samples), rounded to milliseconds the same way as
chapters. Text is never cut: a long sentence is wrapped on two balanced lines. The parsers are
strict and name the line of any error, for tests and for `briefing validate`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from briefing.errors import ExportError
from briefing.export.chapters import samples_to_ms
from briefing.models import Mark

LINE_LENGTH = 42


@dataclass(frozen=True, slots=True)
class SubtitleCue:
    """A cue as read back from a file: times in ms, text lines joined by newlines."""

    start_ms: int
    end_ms: int
    text: str
    line: int = 0  # line number of the timing line in the source, for error messages


# --- writing -----------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """One line of text: runs of whitespace (newlines, tabs) and control characters become one
    space. Format characters (zero-width joiners in emoji, directional marks) are kept."""
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(text.split())


def wrap(text: str, width: int = LINE_LENGTH) -> tuple[str, ...]:
    """One line if it fits, else two lines split at the space that balances them best.

    Words are never cut, so a line may exceed `width` when a sentence is very long.
    """
    text = clean_text(text)
    if len(text) <= width or " " not in text:
        return (text,)
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    best = min(spaces, key=lambda i: (max(i, len(text) - i - 1), abs(len(text) / 2 - i)))
    return (text[:best], text[best + 1 :])


def _stamp(ms: int, sep: str) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{sep}{millis:03d}"


def _timed(sentences: Sequence[Mark], rate: int) -> list[tuple[int, int, tuple[str, ...]]]:
    cues: list[tuple[int, int, tuple[str, ...]]] = []
    for i, mark in enumerate(sentences):
        lines = wrap(mark.title)
        start, end = samples_to_ms(mark.start, rate), samples_to_ms(mark.end, rate)
        where = f"sentence {i} ({mark.title[:40]!r})"
        if lines == ("",):
            raise ExportError(f"{where} has no text", cause="an empty sentence mark")
        if end <= start:
            raise ExportError(f"{where} lasts less than a millisecond", cause="bad sentence mark")
        if cues and start < cues[-1][1]:
            raise ExportError(
                f"{where} starts at {start} ms, before the previous one ends ({cues[-1][1]} ms)",
                cause="sentence marks overlap or are out of order",
            )
        cues.append((start, end, lines))
    return cues


def escape_vtt(text: str) -> str:
    """Escape cue text for WebVTT: `&`, `<`, `>` (so `-->` cannot appear)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(sentences: Sequence[Mark], rate: int) -> str:
    """A WebVTT file with one cue per sentence, numbered from 1."""
    blocks = ["WEBVTT\n"]
    for n, (start, end, lines) in enumerate(_timed(sentences, rate), 1):
        text = "\n".join(escape_vtt(line) for line in lines)
        blocks.append(f"{n}\n{_stamp(start, '.')} --> {_stamp(end, '.')}\n{text}\n")
    return "\n".join(blocks)


def to_srt(sentences: Sequence[Mark], rate: int) -> str:
    """A SubRip file with one cue per sentence, numbered from 1 (text is not escaped: SRT has
    no escapes, and players show `&` and `<` as typed unless they look like a tag)."""
    blocks = []
    for n, (start, end, lines) in enumerate(_timed(sentences, rate), 1):
        text = "\n".join(lines)
        blocks.append(f"{n}\n{_stamp(start, ',')} --> {_stamp(end, ',')}\n{text}\n")
    return "\n".join(blocks)


# --- reading -----------------------------------------------------------------------------------

_VTT_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_VTT_TIMING = re.compile(rf"^{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t]+.*)?$")
_SRT_TIME = r"(\d{2,}):([0-5]\d):([0-5]\d),(\d{3})"
_SRT_TIMING = re.compile(rf"^{_SRT_TIME} --> {_SRT_TIME}(?:[ \t]+.*)?$")
_VTT_TAG = re.compile(r"<[^>]*>")


def _ms(hours: str | None, minutes: str, seconds: str, millis: str) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def _blocks(text: str) -> list[list[tuple[int, str]]]:
    """Split into blocks of (line number, line) separated by blank lines."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), 1):
        if line.strip():
            current.append((number, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _fail(kind: str, line: int, problem: str) -> ExportError:
    return ExportError(f"{kind} line {line}: {problem}", cause=f"not a valid {kind} file")


def _timing(
    kind: str, pattern: re.Pattern[str], number: int, line: str, previous: int | None
) -> tuple[int, int]:
    match = pattern.match(line)
    if not match:
        raise _fail(kind, number, f"expected a timing line, found {line[:60]!r}")
    g = match.groups()
    start, end = _ms(*g[:4]), _ms(*g[4:])
    if end <= start:
        raise _fail(kind, number, f"cue ends ({end} ms) at or before its start ({start} ms)")
    if previous is not None and start < previous:
        raise _fail(kind, number, f"cue starts at {start} ms, before the previous cue")
    return start, end


def parse_vtt(text: str) -> tuple[SubtitleCue, ...]:
    """Parse WebVTT: header, optional NOTE/STYLE/REGION blocks, cues with optional ids.

    Cue text is returned with tags removed and character references decoded.
    """
    blocks = _blocks(text)
    if not blocks or not re.match(r"^WEBVTT(?:[ \t].*)?$", blocks[0][0][1]) or blocks[0][0][0] != 1:
        raise _fail("WebVTT", 1, "the file must start with 'WEBVTT'")
    if any("-->" in line for _, line in blocks[0]):
        raise _fail("WebVTT", blocks[0][0][0], "a cue must be separated from the header")
    cues: list[SubtitleCue] = []
    for block in blocks[1:]:
        first = block[0][1]
        if re.match(r"^(NOTE|STYLE|REGION)(?:[ \t]|$)", first) and "-->" not in first:
            if cues and not first.startswith("NOTE"):
                raise _fail("WebVTT", block[0][0], f"{first.split()[0]} block after a cue")
            continue
        lines = block[1:] if "-->" not in first else block
        if not lines or "-->" not in lines[0][1]:
            raise _fail("WebVTT", block[0][0], f"expected a cue (timing line), found {first!r}")
        number, timing = lines[0]
        start, end = _timing("WebVTT", _VTT_TIMING, number, timing, cues[-1].start_ms if cues else None)
        body = []
        for n, line in lines[1:]:
            if "-->" in line:
                raise _fail("WebVTT", n, "'-->' inside cue text (missing blank line?)")
            body.append(html.unescape(_VTT_TAG.sub("", line)))
        if not body:
            raise _fail("WebVTT", number, "cue has no text")
        cues.append(SubtitleCue(start, end, "\n".join(body), number))
    return tuple(cues)


def parse_srt(text: str) -> tuple[SubtitleCue, ...]:
    """Parse SubRip: numbered cues (1, 2, 3...), `HH:MM:SS,mmm --> HH:MM:SS,mmm`, text lines."""
    cues: list[SubtitleCue] = []
    for block in _blocks(text):
        (n_index, index), rest = block[0], block[1:]
        if not index.strip().isdigit():
            raise _fail("SubRip", n_index, f"expected a cue number, found {index[:60]!r}")
        if int(index) != len(cues) + 1:
            raise _fail("SubRip", n_index, f"cue number {int(index)}, expected {len(cues) + 1}")
        if not rest:
            raise _fail("SubRip", n_index, "cue has no timing line")
        number, timing = rest[0]
        start, end = _timing("SubRip", _SRT_TIMING, number, timing, cues[-1].start_ms if cues else None)
        if len(rest) < 2:
            raise _fail("SubRip", number, "cue has no text")
        cues.append(SubtitleCue(start, end, "\n".join(line for _, line in rest[1:]), number))
    return tuple(cues)


def check_cues(cues: Sequence[SubtitleCue]) -> None:
    """Raise ExportError unless cues are in order and do not overlap."""
    for previous, cue in zip(cues, cues[1:], strict=False):
        if cue.start_ms < previous.end_ms:
            raise ExportError(
                f"subtitle cue at line {cue.line} starts at {cue.start_ms} ms, before the cue at "
                f"line {previous.line} ends ({previous.end_ms} ms)",
                cause="overlapping cues",
            )
