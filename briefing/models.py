"""Typed, frozen values handed from one pipeline stage to the next."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class Section:
    """One part of an article: a heading and its text (paragraphs separated by a blank line)."""

    heading: str
    text: str


@dataclass(frozen=True, slots=True)
class Article:
    """An article as read from its source, with its sections once they are found."""

    title: str
    lead: str
    sections: tuple[Section, ...] = ()
    date: dt.date | None = None
    source: str | None = None
    author: str | None = None
    url: str | None = None
    origin: str = "-"

    def words(self) -> list[str]:
        """Every word of the article body (lead and sections, headings included), in order."""
        parts = [self.lead] + [f"{s.heading} {s.text}" for s in self.sections]
        return " ".join(parts).split()


class CueKind(StrEnum):
    """What a cue is: decides pauses, music and how a later stage treats it."""

    GREETING = "greeting"
    SOMMAIRE = "sommaire"
    LEAD = "lead"
    TRANSITION = "transition"
    HEADING = "heading"
    TEXT = "text"
    SIGNOFF = "signoff"


@dataclass(frozen=True, slots=True)
class Cue:
    """One block of narration. `chapter` indexes `Script.chapters`."""

    kind: CueKind
    text: str
    chapter: int


@dataclass(frozen=True, slots=True)
class Script:
    """The narrated episode, cue by cue, grouped into chapters, before anything is voiced."""

    title: str
    show: str
    date: dt.date
    chapters: tuple[str, ...]
    cues: tuple[Cue, ...]
    source: str | None = None
    author: str | None = None
    meta: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        for cue in self.cues:
            if not 0 <= cue.chapter < len(self.chapters):
                raise ValueError(f"cue {cue.kind} points at chapter {cue.chapter}, which is missing")

    def chapter_cues(self, index: int) -> tuple[Cue, ...]:
        return tuple(c for c in self.cues if c.chapter == index)


@dataclass(frozen=True, slots=True, eq=False)
class Pcm:
    """Mono audio: float32 samples in [-1, 1] at `rate` Hz."""

    samples: npt.NDArray[np.float32]
    rate: int

    @property
    def frames(self) -> int:
        return int(self.samples.shape[0])

    @property
    def seconds(self) -> float:
        return self.frames / self.rate


@dataclass(frozen=True, slots=True)
class Mark:
    """A titled span of a timeline, in samples: a chapter, or a sentence with its text."""

    title: str
    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"mark {self.title!r} has start {self.start} after end {self.end}")


@dataclass(frozen=True, slots=True, eq=False)
class VoicedCue:
    """A cue turned into speech: its audio and where each sentence sits in it (samples)."""

    cue: Cue
    pcm: Pcm
    sentences: tuple[Mark, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Timeline:
    """The assembled episode: audio plus chapter and sentence marks, all in samples of `pcm.rate`."""

    pcm: Pcm
    chapters: tuple[Mark, ...]
    sentences: tuple[Mark, ...]
    music: tuple[Mark, ...] = ()  # "intro", "stinger", "outro": where the jingles sit

    def music_mark(self, title: str) -> Mark | None:
        return next((m for m in self.music if m.title == title), None)
