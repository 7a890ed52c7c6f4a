"""French eSpeak NG, offline: the library shipped by `espeakng-loader`, or an `espeak-ng` program.

The library is driven in-process through ctypes (synchronous output, a callback collecting 16-bit
samples at 22,050 Hz). Its state is global to the process, so every call holds one lock.

Settings: `voice` is an eSpeak voice name with an optional variant ("fr", "fr+f3", "fr+m3"; "" =
"fr"); `rate` scales eSpeak's 175 words per minute (clamped to 80-450); `pitch` is an offset on
eSpeak's 0-100 pitch scale around its default of 50. Option `backend`: "auto" (default: the
library when installed, else the program), "library" or "binary".
"""

from __future__ import annotations

import ctypes
import functools
import shutil
import subprocess
import threading
from collections.abc import Sequence
from importlib import metadata, util
from typing import TYPE_CHECKING

from briefing.errors import SpeechError
from briefing.models import Pcm
from briefing.speech.engines.base import (
    Availability,
    Capabilities,
    Parallel,
    VoiceSettings,
    check_pieces,
    empty_pcm,
    pcm16,
    speakable,
    to_pcm,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SAMPLE_RATE = 22_050
DEFAULT_VOICE = "fr"
BASE_WPM = 175
WPM_RANGE = (80, 450)
BASE_PITCH = 50
PROGRAMS = ("espeak-ng", "espeak")
_BACKENDS = ("auto", "library", "binary")
_TIMEOUT_S = 60

# espeak_lib.h constants
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_PARAM_RATE = 1
_PARAM_PITCH = 3
_EE_NOT_FOUND = 2

_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
_lock = threading.RLock()


class _Library:
    """The initialized libespeak-ng of this process (one per process: the C state is global)."""

    def __init__(self, lib: ctypes.CDLL, rate: int, version: str) -> None:
        self.lib = lib
        self.rate = rate
        self.version = version
        self.chunks: list[bytes] = []
        self.callback = _CALLBACK(self._collect)  # kept alive as long as the library
        lib.espeak_SetSynthCallback(self.callback)

    def _collect(self, wav: ctypes._Pointer[ctypes.c_short], count: int, _events: int) -> int:
        if count > 0 and wav:
            self.chunks.append(ctypes.string_at(wav, count * 2))
        return 0

    def speak(self, text: str, voice: str, wpm: int, pitch: int) -> bytes:
        lib = self.lib
        if lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise SpeechError(
                f"eSpeak NG has no voice {voice!r}",
                cause='use a voice such as "fr", "fr+f3" or "fr+m3" in the profile',
            )
        lib.espeak_SetParameter(_PARAM_RATE, wpm, 0)
        lib.espeak_SetParameter(_PARAM_PITCH, pitch, 0)
        self.chunks = []
        data = text.encode("utf-8")
        status = lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        sync = lib.espeak_Synchronize()
        if status != 0 or sync != 0:
            raise SpeechError(
                f"eSpeak NG failed on {text[:40]!r} (status {status}/{sync})",
                cause="libespeak-ng internal error",
            )
        return b"".join(self.chunks)


@functools.cache
def _library() -> _Library:
    """Load and initialize libespeak-ng from espeakng-loader, once per process."""
    try:
        import espeakng_loader

        path = espeakng_loader.get_library_path()
        data = espeakng_loader.get_data_path()
        lib = ctypes.CDLL(path)
    except (ImportError, OSError, RuntimeError) as e:
        raise SpeechError(
            "Could not load libespeak-ng from espeakng-loader",
            cause=f"{e}; reinstall it with: pip install espeakng-loader",
        ) from e
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_Info.argtypes = [ctypes.c_void_p]
    lib.espeak_Info.restype = ctypes.c_char_p
    lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_Synth.argtypes = [
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_uint,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.c_uint,
        ctypes.c_void_p,
        ctypes.c_void_p,
    ]
    lib.espeak_Synchronize.argtypes = []
    rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data.encode(), _INITIALIZE_DONT_EXIT)
    if rate <= 0:
        raise SpeechError(
            f"libespeak-ng did not start (data at {data})",
            cause="espeak-ng-data is missing or unreadable; reinstall espeakng-loader",
        )
    version = (lib.espeak_Info(None) or b"?").decode()
    return _Library(lib, rate, version)


def _program() -> str | None:
    for name in PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    return None


def _loader_installed() -> bool:
    return util.find_spec("espeakng_loader") is not None


def _decode_wav(data: bytes, program: str) -> tuple[npt.NDArray[np.float32], int]:
    """Samples and rate of the 16-bit mono WAV an espeak program streams (sizes may be bogus)."""

    fmt = data.find(b"fmt ")
    body = data.find(b"data")
    if not data.startswith(b"RIFF") or fmt < 0 or body < 0 or len(data) < body + 8:
        raise SpeechError(
            f"{program} did not write a WAV file", cause="an unexpected espeak version or build"
        )
    channels = int.from_bytes(data[fmt + 10 : fmt + 12], "little")
    rate = int.from_bytes(data[fmt + 12 : fmt + 16], "little")
    bits = int.from_bytes(data[fmt + 22 : fmt + 24], "little")
    if channels != 1 or bits != 16 or rate <= 0:
        raise SpeechError(
            f"{program} wrote {channels} channel(s) of {bits}-bit audio at {rate} Hz",
            cause="an unexpected espeak version or build (16-bit mono expected)",
        )
    raw = data[body + 8 :]
    return pcm16(raw[: len(raw) // 2 * 2]), rate


class EspeakEngine:
    """French eSpeak NG: robotic but fast (real-time factor about 0.002) and always offline."""

    name = "espeak"
    max_chars = 500
    # One process, in order: its output for a piece changes with the pieces said before it, even after
    # re-initialization (and at ~0.002 real time, more cores would not be worth it).
    capabilities = Capabilities(
        pitch=True, parallel=Parallel.SERIAL, sample_rate=SAMPLE_RATE, needs_network=False
    )

    def available(self) -> Availability:
        if _loader_installed():
            version = metadata.version("espeakng-loader")
            return Availability(True, f"libespeak-ng from espeakng-loader {version}")
        program = _program()
        if program:
            return Availability(True, f"espeak program at {program}")
        return Availability(
            False,
            "neither the espeakng-loader package nor an espeak-ng program on PATH was found; "
            "install it with: pip install espeakng-loader",
        )

    def default_settings(self) -> VoiceSettings:
        return VoiceSettings(voice=DEFAULT_VOICE)

    def version(self, settings: VoiceSettings) -> str:
        if self._backend(settings) == "library":
            with _lock:
                lib = _library()
            return f"espeak-ng {lib.version} (espeakng-loader {metadata.version('espeakng-loader')})"
        return f"espeak program {_program_version(self._require_program())}"

    def synthesize(self, pieces: Sequence[str], settings: VoiceSettings) -> list[Pcm]:
        check_pieces(self.name, pieces, self.max_chars)
        voice = settings.voice or DEFAULT_VOICE
        wpm = min(max(round(BASE_WPM * settings.rate), WPM_RANGE[0]), WPM_RANGE[1])
        pitch = min(max(BASE_PITCH + settings.pitch, 0), 100)
        if self._backend(settings) == "library":
            return [self._speak_library(p, voice, wpm, pitch) for p in pieces]
        program = self._require_program()
        return [self._speak_program(program, p, voice, wpm, pitch) for p in pieces]

    def release(self) -> None:
        """Nothing to let go: the eSpeak library and its voice data are small."""

    def _backend(self, settings: VoiceSettings) -> str:
        backend = settings.option("backend", "auto")
        if backend not in _BACKENDS:
            raise SpeechError(
                f"Unknown espeak backend {backend!r}. Choose from: {', '.join(_BACKENDS)}",
                cause="a typo in the voice profile's options",
            )
        if backend == "auto":
            return "library" if _loader_installed() or _program() is None else "binary"
        return backend

    def _require_program(self) -> str:
        program = _program()
        if program is None:
            raise SpeechError(
                "No espeak-ng program found on PATH",
                cause="install espeak-ng, or pip install espeakng-loader and use backend = auto",
            )
        return program

    def _speak_library(self, piece: str, voice: str, wpm: int, pitch: int) -> Pcm:

        if not speakable(piece):
            return empty_pcm(SAMPLE_RATE)
        with _lock:
            lib = _library()
            raw = lib.speak(piece, voice, wpm, pitch)
        return self._finish(pcm16(raw), lib.rate)

    def _speak_program(self, program: str, piece: str, voice: str, wpm: int, pitch: int) -> Pcm:
        if not speakable(piece):
            return empty_pcm(SAMPLE_RATE)
        command = [program, "-b", "1", "-v", voice, "-s", str(wpm), "-p", str(pitch)]
        command += ["--stdin", "--stdout"]
        try:
            done = subprocess.run(
                command, input=piece.encode(), capture_output=True, timeout=_TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as e:
            raise SpeechError(f"{program} could not run", cause=str(e)) from e
        if done.returncode != 0:
            message = done.stderr.decode(errors="replace").strip()[:200]
            raise SpeechError(
                f"{program} failed with status {done.returncode}",
                cause=message or f"unknown voice {voice!r}?",
            )
        samples, rate = _decode_wav(done.stdout, program)
        return self._finish(samples, rate)

    def _finish(self, samples: npt.NDArray[np.float32], rate: int) -> Pcm:
        if rate != SAMPLE_RATE:
            import soxr

            samples = soxr.resample(samples, rate, SAMPLE_RATE).astype("float32")
        return to_pcm(samples, SAMPLE_RATE)


@functools.cache
def _program_version(program: str) -> str:
    try:
        done = subprocess.run([program, "--version"], capture_output=True, timeout=_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SpeechError(f"{program} could not run", cause=str(e)) from e
    lines = done.stdout.decode(errors="replace").strip().splitlines()
    return lines[0].split("Data at")[0].strip() if lines else program
