"""Voice a script: plan every cue into sentences and engine pieces, synthesize what the cache lacks,
and put each cue's audio together with the sample offset of every sentence.

Planning is apart from doing: `plan_voicing` touches no engine, so a dry run can show the pieces.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.errors import SpeechError
from briefing.models import Cue, Mark, Pcm, Script, VoicedCue
from briefing.speech.cache import SpeechCache, as_int16, as_stored, cache_key, from_int16
from briefing.speech.engines import Engine, VoiceSettings, get_engine
from briefing.speech.lexicon import Lexicon, Pronunciations
from briefing.speech.normalize import normalize
from briefing.speech.pool import processes_for, synthesize_parallel
from briefing.speech.split import split_for_engine, split_sentences
from briefing.speech.voices import VoiceProfile, fallback_chain
from briefing.util.memory import hand_back_large_blocks

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

Progress = Callable[[int, int], None]  # (pieces done, pieces in all)
#: A clip of words whose peak stays under this is silence: the engine failed without saying so.
SILENT_CLIP_DBFS = -60.0
SILENT_CLIP_PEAK = 10 ** (SILENT_CLIP_DBFS / 20)


@dataclass(frozen=True, slots=True)
class Pauses:
    """Silence inside a cue, in milliseconds, sized by what ends."""

    piece: int = 90  # between two pieces of one sentence (cut at a clause for the engine)
    sentence: int = 380
    paragraph: int = 750


@dataclass(frozen=True, slots=True)
class SentencePlan:
    text: str  # as written: what subtitles show
    pieces: tuple[str, ...]  # as said: normalized, each within the engine's limit
    ends_paragraph: bool


@dataclass(frozen=True, slots=True)
class CuePlan:
    cue: Cue
    sentences: tuple[SentencePlan, ...]


def plan_cue(cue: Cue, max_chars: int, lexicon: Lexicon | None = None) -> CuePlan:
    sentences: list[SentencePlan] = []
    paragraphs = [p for p in cue.text.split("\n\n") if p.strip()]
    for p_index, paragraph in enumerate(paragraphs):
        written = split_sentences(paragraph)
        for s_index, sentence in enumerate(written):
            spoken = normalize(sentence, lexicon).strip()
            pieces = split_for_engine(spoken, max_chars) if spoken else ()
            last = s_index == len(written) - 1 and p_index < len(paragraphs) - 1
            if pieces:
                sentences.append(SentencePlan(sentence, pieces, last))
    return CuePlan(cue, tuple(sentences))


def plan_voicing(script: Script, max_chars: int, lexicon: Lexicon | None = None) -> tuple[CuePlan, ...]:
    return tuple(plan_cue(cue, max_chars, lexicon) for cue in script.cues)


@dataclass(frozen=True, slots=True)
class VoicingStats:
    pieces: int  # pieces in the episode
    synthesized: int  # pieces the engine was asked for (the rest came from the cache)
    engine_seconds: float


def voice_plans(
    plans: Sequence[CuePlan],
    engine: Engine,
    settings: VoiceSettings,
    cache: SpeechCache,
    *,
    gain_db: float = 0.0,
    pauses: Pauses | None = None,
    progress: Progress | None = None,
    batch: int = 8,
    jobs: int | None = 1,
) -> tuple[tuple[VoicedCue, ...], VoicingStats]:
    """Synthesize every piece not in the cache (in batches of `batch` long pieces and short ones, or on
    `jobs` processes; None: as many as use the cores best, see `pool.processes_for`), then assemble
    each cue."""
    import time

    version = engine.version(settings)
    keys: dict[str, str] = {}
    for plan in plans:
        for sentence in plan.sentences:
            for piece in sentence.pieces:
                keys.setdefault(piece, cache_key(engine.name, version, settings, piece))
    clips = _Clips(cache, keys)
    missing = [piece for piece in keys if not clips.cached(piece)]
    total, done = len(keys), len(keys) - len(missing)
    if progress:
        progress(done, total)
    started = time.perf_counter()
    jobs = processes_for(engine, jobs)
    parallel = jobs > 1 and len(missing) > 1
    for chunk in [missing] if parallel else _batches(missing, batch):
        if parallel:
            results = synthesize_parallel(engine, chunk, settings, min(jobs, len(chunk)))
        else:
            results = engine.synthesize(chunk, settings)
        if len(results) != len(chunk):
            raise SpeechError(
                f"engine {engine.name} returned {len(results)} clips for {len(chunk)} pieces",
                cause="a bug in the engine",
            )
        for piece, pcm in zip(chunk, results, strict=True):
            _check_clip(engine.name, piece, pcm)
            clips.keep(piece, pcm)
        done += len(chunk)
        if progress:
            progress(done, total)
    elapsed = time.perf_counter() - started

    voiced_again: list[str] = []

    def voice_again(piece: str) -> Pcm:  # a cached clip gone or damaged since it was counted
        voiced_again.append(piece)
        (pcm,) = engine.synthesize([piece], settings)
        _check_clip(engine.name, piece, pcm)
        clips.store(piece, pcm)  # only a cache loses clips: there is nothing to hold
        return as_stored(pcm)

    voiced = _assemble_cues(plans, clips, voice_again, gain_db, pauses or Pauses())
    return voiced, VoicingStats(total, len(missing) + len(voiced_again), elapsed)


def _batches(pieces: Sequence[str], longest: int) -> list[list[str]]:
    """The pieces in batches: the `longest` longest left, then the shortest left until they are as
    long together. Pieces are longest first so the cores finish together (no lone long tail), and an
    engine that runs pieces side by side within a memory budget (Kokoro) can put each long one beside
    short ones instead of another long one."""
    queue = deque(sorted(pieces, key=len, reverse=True))
    batches = []
    while queue:
        chunk = [queue.popleft() for _ in range(min(max(longest, 1), len(queue)))]
        long_chars, short_chars = sum(map(len, chunk)), 0
        while queue and short_chars < long_chars:
            short_chars += len(queue[-1])
            chunk.append(queue.pop())
        batches.append(chunk)
    return batches


class _Clips:
    """Each piece's audio until the cues are made, as the cache gives it back: read from the cache
    when it holds it (an hour of pieces is not kept in memory meanwhile), else held in 16 bits."""

    def __init__(self, cache: SpeechCache, keys: Mapping[str, str]) -> None:
        self.cache = cache
        self.keys = keys
        self.held: dict[str, tuple[npt.NDArray[np.int16], int]] = {}

    def cached(self, piece: str) -> bool:
        return self.cache.holds(self.keys[piece])

    def store(self, piece: str, pcm: Pcm) -> None:
        self.cache.put(self.keys[piece], pcm)

    def keep(self, piece: str, pcm: Pcm) -> None:
        self.store(piece, pcm)
        if self.cache.folder is None:
            self.held[piece] = (as_int16(pcm), pcm.rate)

    def take(self, piece: str) -> Pcm | None:
        """The piece's audio (None if the cache lost it); a held piece is let go."""
        if piece in self.held:
            return from_int16(*self.held.pop(piece))
        return self.cache.get(self.keys[piece])


def _assemble_cues(
    plans: Sequence[CuePlan],
    clips: _Clips,
    voice_again: Callable[[str], Pcm],
    gain_db: float,
    pauses: Pauses,
) -> tuple[VoicedCue, ...]:
    """Every cue from its pieces, each piece fetched once and let go once the last cue that says it
    is made, so an hour of pieces and an hour of cues are not held at once."""
    last_use = {piece: i for i, plan in enumerate(plans) for s in plan.sentences for piece in s.pieces}
    audio: dict[str, Pcm] = {}
    voiced = []
    for i, plan in enumerate(plans):
        for piece in dict.fromkeys(piece for s in plan.sentences for piece in s.pieces):
            if piece not in audio:
                clip = clips.take(piece)
                audio[piece] = voice_again(piece) if clip is None else clip
        voiced.append(_assemble_cue(plan, audio, gain_db, pauses))
        for piece in [piece for piece in audio if last_use[piece] == i]:
            del audio[piece]
    return tuple(voiced)


def _check_clip(engine: str, piece: str, pcm: Pcm) -> None:
    """Refuse a clip before it is cached: no audio, NaN, or words said in silence (a voice that
    failed quietly would otherwise be published, and served from the cache ever after)."""
    import numpy as np

    words = any(ch.isalnum() for ch in piece)
    if (pcm.frames == 0 and words) or not np.isfinite(pcm.samples).all() or pcm.rate <= 0:
        raise SpeechError(f"engine {engine} gave empty or broken audio for {piece[:60]!r}")
    if words and float(np.max(np.abs(pcm.samples))) <= SILENT_CLIP_PEAK:
        raise SpeechError(
            f"engine {engine} gave silent audio for {piece[:60]!r}",
            cause=f"it peaks under {SILENT_CLIP_DBFS:.0f} dBFS: the voice failed without an error",
        )


def _assemble_cue(plan: CuePlan, audio: Mapping[str, Pcm], gain_db: float, pauses: Pauses) -> VoicedCue:
    import numpy as np

    rates = {audio[p].rate for s in plan.sentences for p in s.pieces}
    if len(rates) > 1:
        raise SpeechError(f"one cue came back at several sample rates {sorted(rates)}")
    rate = rates.pop() if rates else 24_000

    def silence(ms: int) -> int:
        return rate * ms // 1000

    parts: list[np.ndarray] = []
    marks: list[Mark] = []
    position = 0
    for s_index, sentence in enumerate(plan.sentences):
        start = position
        for p_index, piece in enumerate(sentence.pieces):
            if p_index:
                parts.append(np.zeros(silence(pauses.piece), dtype=np.float32))
                position += silence(pauses.piece)
            clip = audio[piece].samples.astype(np.float32, copy=False)
            parts.append(clip)
            position += clip.shape[0]
        marks.append(Mark(sentence.text, start, position))
        if s_index < len(plan.sentences) - 1:
            gap = silence(pauses.paragraph if sentence.ends_paragraph else pauses.sentence)
            parts.append(np.zeros(gap, dtype=np.float32))
            position += gap
    samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    if gain_db:
        samples = samples * np.float32(10 ** (gain_db / 20))
    return VoicedCue(plan.cue, Pcm(samples.astype(np.float32, copy=False), rate), tuple(marks))


@dataclass(frozen=True, slots=True, eq=False)
class Voicing:
    """A voiced episode: one voice for all of it, and how it went."""

    voiced: tuple[VoicedCue, ...]
    profile: VoiceProfile
    engine_version: str
    stats: VoicingStats
    failed: tuple[str, ...]  # one line per voice that failed before `profile` was used


def voice_script(
    script: Script,
    profile: VoiceProfile,
    search_dirs: Sequence[Path],
    cache: SpeechCache,
    *,
    progress: Progress | None = None,
    log: Callable[[str], None] | None = None,
    jobs: int | None = 1,
    pronunciations: Pronunciations | None = None,
) -> Voicing:
    """Voice the whole script with `profile`; if it fails for good, voice it all again with the
    profile's fallback (and so on). An episode never mixes two voices. Each voice reads with its own
    lexicon between the house list and the show's (`pronunciations`). Large blocks go back to the
    system as soon as they are freed (`util.memory`): a model's working memory is a build's peak."""
    hand_back_large_blocks()
    pronunciations = pronunciations or Pronunciations()
    failed: list[str] = []
    chain = fallback_chain(profile, search_dirs)
    for index, candidate in enumerate(chain):
        try:
            engine = get_engine(candidate.engine)
            status = engine.available()
            if not status.ok:
                raise SpeechError(
                    f"voice {candidate.name} ({candidate.engine}) is unavailable", cause=status.reason
                )
            settings = candidate.settings
            plans = plan_voicing(script, engine.max_chars, pronunciations.for_voice(candidate.lexicon))
            voiced, stats = voice_plans(
                plans, engine, settings, cache, gain_db=candidate.gain_db, progress=progress, jobs=jobs
            )
            return Voicing(voiced, candidate, engine.version(settings), stats, tuple(failed))
        except SpeechError as e:
            failed.append(f"voice {candidate.name}: {e.one_line()}")
            if index == len(chain) - 1:
                if len(failed) > 1:
                    raise SpeechError("every voice failed: " + " | ".join(failed), cause=e.cause) from e
                raise
            if log:
                log(f"{failed[-1]} -> voicing the whole episode again with {chain[index + 1].name}")
    raise SpeechError("no voice to try")  # unreachable: the chain is never empty
