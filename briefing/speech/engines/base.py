"""What every speech engine offers: one small protocol, its settings, and shared audio helpers.

Engines receive text that is already normalized and already split into pieces of at most
`engine.max_chars` characters. They return one `Pcm` per piece, with the silence the synthesizer
puts before and after the speech trimmed to a few milliseconds: the assembly stage adds its own
pauses.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from briefing.errors import SpeechError
from briefing.models import Pcm

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

RATE_RANGE = (0.25, 4.0)
"""Speed factors any engine is asked to honour (1.0 = the engine's normal pace)."""


@dataclass(frozen=True, slots=True)
class VoiceSettings:
    """Which voice an engine uses and how.

    `voice` is the engine's voice or style id ("" = the engine's default French voice), `rate` a
    speed factor, `pitch` an offset in the engine's own units (documented per engine; 0 = the
    voice's natural pitch), `extra` engine-specific options as (key, value) pairs.
    """

    voice: str = ""
    rate: float = 1.0
    pitch: int = 0
    extra: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        low, high = RATE_RANGE
        if not (math.isfinite(self.rate) and low <= self.rate <= high):
            raise SpeechError(
                f"Voice rate {self.rate} is out of range",
                cause=f"rate must be a speed factor between {low} and {high}",
            )
        keys = [key for key, _ in self.extra]
        if len(set(keys)) != len(keys):
            raise SpeechError(f"Voice options {keys} repeat a key", cause="each option is set once")

    def option(self, key: str, default: str = "") -> str:
        """The engine option `key`, or `default` when it is not set."""
        for name, value in self.extra:
            if name == key:
                return value
        return default


class Parallel(enum.Enum):
    """How an engine may use several cores."""

    SERIAL = "serial"
    """One process, the pieces in order: its audio for a piece may depend on the pieces said before
    (eSpeak NG carries state from one utterance to the next), or it is fast enough on one core."""
    PROCESSES = "processes"
    """Each piece voiced on its own: by default the pieces are dealt to one process per core."""
    THREADS = "threads"
    """Each piece voiced on its own, on the engine's own threads (one copy of the model), which beats
    one process per core: several processes only when asked, each engine built with the options
    `workers=1, threads=<the process's share of the cores>`."""


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What an engine can do, declared by the engine: the pool, the voice profiles and the voicing read
    it instead of checking the engine's name."""

    pitch: bool
    """Whether it can change pitch; without it, a pitch other than 0 is refused."""
    parallel: Parallel
    """How it may use several cores."""
    sample_rate: int
    """Rate, in Hz, of every `Pcm` that `synthesize` returns."""
    needs_network: bool
    """True when synthesis needs the internet."""

    def __post_init__(self) -> None:
        if self.sample_rate <= 0:
            raise SpeechError(
                f"an engine declares a sample rate of {self.sample_rate} Hz", cause="engine bug"
            )


@dataclass(frozen=True, slots=True)
class Availability:
    """Whether an engine can run here; `reason` says why not, or what it runs on when it can."""

    ok: bool
    reason: str


class Engine(Protocol):
    """A speech engine: turns French text pieces into mono float32 audio."""

    name: str
    """Registry name: "espeak", "kokoro", "gtts", "pico"."""
    max_chars: int
    """Longest piece `synthesize` accepts."""
    capabilities: Capabilities
    """What it can do (pitch, cores, sample rate, network), for the code that uses it."""

    def available(self) -> Availability:
        """Whether the engine can run here (fast: loads no model, opens no connection)."""
        ...

    def version(self, settings: VoiceSettings) -> str:
        """Everything besides text and settings that changes the audio (goes into cache keys)."""
        ...

    def default_settings(self) -> VoiceSettings:
        """The engine's default French voice."""
        ...

    def synthesize(self, pieces: Sequence[str], settings: VoiceSettings) -> list[Pcm]:
        """One trimmed `Pcm` per piece, same order; `SpeechError` with a probable cause."""
        ...

    def release(self) -> None:
        """Let go of what is kept loaded between calls (a model); the next call loads it again."""
        ...


def refuse_pitch(engine: str, settings: VoiceSettings) -> None:
    """For engines that cannot change pitch: a profile asking for it is an error, not silently ignored."""
    if settings.pitch != 0:
        raise SpeechError(
            f"{engine} cannot change pitch (asked {settings.pitch})",
            cause="set pitch = 0 in the voice profile",
        )


def speakable(piece: str) -> bool:
    """True when a piece holds something to say (a letter or a digit), not only punctuation."""
    return any(ch.isalnum() for ch in piece)


def check_pieces(engine: str, pieces: Sequence[str], max_chars: int) -> None:
    """Refuse pieces an engine was promised it would never get (too long, not text)."""
    for index, piece in enumerate(pieces):
        if not isinstance(piece, str):
            raise SpeechError(
                f"{engine}: piece {index} is a {type(piece).__name__}, not text",
                cause="the caller passed something other than a list of strings",
            )
        if len(piece) > max_chars:
            raise SpeechError(
                f"{engine}: piece {index} has {len(piece)} characters, over the limit of {max_chars}",
                cause="the text was not split to the engine's max_chars before synthesis",
            )


def empty_pcm(rate: int) -> Pcm:
    """Zero samples: what a piece without anything to say becomes."""
    import numpy as np

    return Pcm(np.zeros(0, dtype=np.float32), rate)


def pcm16(raw: bytes) -> npt.NDArray[np.float32]:
    """Samples in [-1, 1) from signed 16-bit little-endian mono PCM, as engines return it."""
    import numpy as np

    if len(raw) % 2:
        raise SpeechError("The engine returned an odd number of bytes of 16-bit audio", cause="engine bug")
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / np.float32(32768.0)


def trim(
    samples: npt.NDArray[np.float32],
    rate: int,
    *,
    floor: float = 1e-3,
    relative_db: float = -40.0,
    keep_ms: int = 10,
    fade_ms: int = 3,
) -> npt.NDArray[np.float32]:
    """Cut leading and trailing silence, keeping `keep_ms` around the speech, with short fades.

    A sample counts as sound when its magnitude is above both `floor` and `relative_db` below the
    peak. Fades keep the cut from clicking. An all-silent input comes back empty.
    """
    import numpy as np

    audio = np.asarray(samples, dtype=np.float32).reshape(-1)
    if audio.size == 0:
        return audio.copy()
    magnitude = np.abs(audio)
    peak = float(magnitude.max())
    threshold = max(floor, peak * 10.0 ** (relative_db / 20.0))
    loud = np.flatnonzero(magnitude > threshold)
    if loud.size == 0:
        return np.zeros(0, dtype=np.float32)
    keep = rate * keep_ms // 1000
    start = max(0, int(loud[0]) - keep)
    end = min(audio.size, int(loud[-1]) + 1 + keep)
    out = audio[start:end].copy()
    fade = min(rate * fade_ms // 1000, out.size // 2)
    if fade > 0:
        ramp = np.linspace(0.0, 1.0, fade, endpoint=False, dtype=np.float32)
        if start > 0:
            out[:fade] *= ramp
        if end < audio.size:
            out[-fade:] *= ramp[::-1]
    return out


def to_pcm(samples: npt.NDArray[np.float32], rate: int) -> Pcm:
    """Trim and check engine output: float32, mono, finite, clipped to [-1, 1]."""
    import numpy as np

    audio = trim(samples, rate)
    if not bool(np.isfinite(audio).all()):
        raise SpeechError("The engine returned samples that are not numbers", cause="engine bug")
    np.clip(audio, -1.0, 1.0, out=audio)
    return Pcm(audio.astype(np.float32, copy=False), rate)
