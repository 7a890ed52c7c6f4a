"""Transcripts as WebVTT and SubRip: cues at the real time of the spoken sentences.

`plan_cues` makes the cues once, so both files carry the same ones. A sentence whose WebVTT line
would pass `CUE_LINE` characters (the podcast namespace recommends 65; the line counts the `<v Name>`
speaker tag and the escapes) is split at spaces into as few, as even pieces as fit, and its time is
shared out among them by characters: the timeline knows sentences, not words. Times come from the
sentence marks (integer samples), rounded to milliseconds the same way as chapters. Text is never
cut inside a word nor lost. WebVTT names the speaker on every cue (`<v Name>`, which Apple Podcasts
shows); SubRip has no such tag. The parsers are strict and name the line of any error, for tests
and for `briefing validate`.
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
from briefing.speech.split import even_parts

CUE_LINE = 65
#: Cue text keeps at least this room, however long the speaker's name.
MIN_TEXT = 32


@dataclass(frozen=True, slots=True)
class SubtitleCue:
    """A cue: times in ms, text lines joined by newlines (tags removed, references decoded)."""

    start_ms: int
    end_ms: int
    text: str
    line: int = 0  # line number of the timing line in the source, for error messages


# --- planning ----------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """One line of text: runs of whitespace (newlines, tabs) and control characters become one
    space. Format characters (zero-width joiners in emoji, directional marks) are kept."""
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(text.split())


def escape_vtt(text: str) -> str:
    """Escape cue text for WebVTT: `&`, `<`, `>` (so `-->` cannot appear)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def voice_tag(speaker: str) -> str:
    """The WebVTT voice span that opens a cue, `<v Name>`; "" for no speaker."""
    name = clean_text(speaker)
    return f"<v {escape_vtt(name)}>" if name else ""


def split_line(text: str, width: int, *, most: int | None = None) -> tuple[str, ...]:
    """`text` (cleaned) cut at spaces into as few pieces of at most `width` escaped characters as
    its words allow, and at most `most` pieces; among those cuts, the one whose longest piece is
    shortest. A word is never cut, so a piece passes `width` only if a word does, or if `most`
    (a sentence shorter in milliseconds than in pieces) asks for fewer pieces."""
    words = clean_text(text).split(" ")
    return tuple(even_parts(words, width, size=lambda word: len(escape_vtt(word)), most=most))


def _shared_out(mark: Mark, pieces: Sequence[str], rate: int) -> list[SubtitleCue]:
    """One cue per piece: the sentence's time shared out in proportion to characters, each cue at
    least a millisecond long, each ending where the next starts, the first and last on the marks."""
    start, end = samples_to_ms(mark.start, rate), samples_to_ms(mark.end, rate)
    total = sum(len(p) for p in pieces) + len(pieces) - 1
    bounds, offset = [start], 0
    for j, piece in enumerate(pieces[:-1], 1):
        offset += len(piece) + 1
        ms = samples_to_ms(mark.start + (mark.end - mark.start) * offset // total, rate)
        bounds.append(min(max(ms, bounds[-1] + 1), end - (len(pieces) - j)))
    bounds.append(end)
    return [SubtitleCue(a, b, piece) for a, b, piece in zip(bounds[:-1], bounds[1:], pieces, strict=True)]


def plan_cues(
    sentences: Sequence[Mark], rate: int, *, speaker: str = "", width: int = CUE_LINE
) -> tuple[SubtitleCue, ...]:
    """The cues of both transcript files: each sentence in pieces whose WebVTT line (with the
    speaker's tag) fits `width`, timed from the sentence marks. ExportError for an empty sentence,
    one shorter than a millisecond, or marks that overlap."""
    room = max(MIN_TEXT, width - len(voice_tag(speaker)))
    cues: list[SubtitleCue] = []
    for i, mark in enumerate(sentences):
        text = clean_text(mark.title)
        start, end = samples_to_ms(mark.start, rate), samples_to_ms(mark.end, rate)
        where = f"sentence {i} ({mark.title[:40]!r})"
        if not text:
            raise ExportError(f"{where} has no text", cause="an empty sentence mark")
        if end <= start:
            raise ExportError(f"{where} lasts less than a millisecond", cause="bad sentence mark")
        if cues and start < cues[-1].end_ms:
            raise ExportError(
                f"{where} starts at {start} ms, before the previous one ends ({cues[-1].end_ms} ms)",
                cause="sentence marks overlap or are out of order",
            )
        cues += _shared_out(mark, split_line(text, room, most=end - start), rate)
    return tuple(cues)


def sentence_cues(sentences: Sequence[Mark], rate: int) -> tuple[SubtitleCue, ...]:
    """One cue per sentence, whole, at the times `plan_cues` gives its first and last pieces: the
    transcript an episode page shows and highlights as it is spoken (the episode JSON keeps it)."""
    return tuple(
        SubtitleCue(samples_to_ms(m.start, rate), samples_to_ms(m.end, rate), clean_text(m.title))
        for m in sentences
    )


# --- writing -----------------------------------------------------------------------------------


def _stamp(ms: int, sep: str) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{sep}{millis:03d}"


def to_vtt(cues: Sequence[SubtitleCue], *, speaker: str = "") -> str:
    """A WebVTT file of `cues`, numbered from 1, each opened by the speaker's `<v Name>` tag."""
    tag = voice_tag(speaker)
    blocks = ["WEBVTT\n"]
    for n, cue in enumerate(cues, 1):
        text = tag + "\n".join(escape_vtt(line) for line in cue.text.split("\n"))
        blocks.append(f"{n}\n{_stamp(cue.start_ms, '.')} --> {_stamp(cue.end_ms, '.')}\n{text}\n")
    return "\n".join(blocks)


def to_srt(cues: Sequence[SubtitleCue]) -> str:
    """A SubRip file of `cues`, numbered from 1 (text is not escaped: SRT has no escapes, and
    players show `&` and `<` as typed unless they look like a tag)."""
    blocks = []
    for n, cue in enumerate(cues, 1):
        blocks.append(f"{n}\n{_stamp(cue.start_ms, ',')} --> {_stamp(cue.end_ms, ',')}\n{cue.text}\n")
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
