"""Google Translate's voice through gTTS: the design card's engine, for users with internet.

One piece = one request: pieces arrive already split to 100 characters, so gTTS's own
pre-processing and re-splitting (English abbreviations, a cut at every comma) are switched off and
only its request building (`gTTS._prepare_requests`) is used. Requests have explicit connect and
read timeouts and bounded retries with exponential backoff and jitter on 429, 5xx, timeouts and
dropped connections. No internet gives one error naming the offline voices. The MP3 answers are
decoded in memory by ffmpeg (imageio-ffmpeg's binary, through pipes, no shell): no file is written.

Settings: `voice` is the Google host's top-level domain, which picks the accent ("fr" = France,
the default; "ca" = Canada); `rate` is applied by ffmpeg's tempo filter (pitch kept); `pitch` must
stay 0.
"""

from __future__ import annotations

import base64
import errno
import random
import re
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
    refuse_pitch,
    speakable,
    to_pcm,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import requests

SAMPLE_RATE = 24_000
LANG = "fr"
DEFAULT_TLD = "fr"
OFFLINE_HINT = (
    "gTTS needs internet; offline, use --voice pico (the default), --voice kokoro or --voice espeak"
)
_AUDIO = re.compile(r'jQ1olc","\[\\"(.*)\\"]')
_OFFLINE_TEXT = (
    "name or service not known",
    "temporary failure in name resolution",
    "nodename nor servname",
    "failed to resolve",
    "network is unreachable",
    "no route to host",
)
_DECODE_TIMEOUT_S = 60


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try: tries per piece, backoff bounds (seconds), connect and read timeouts."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    connect_timeout: float = 5.0
    read_timeout: float = 20.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or not 0 <= self.base_delay <= self.max_delay:
            raise ValueError(f"bad retry policy {self}")
        if self.connect_timeout <= 0 or self.read_timeout <= 0:
            raise ValueError(f"timeouts must be positive in {self}")

    def delay(self, attempt: int, jitter: float, retry_after: float | None = None) -> float:
        """Seconds to wait after failed try `attempt` (0-based); `jitter` is in [0, 1)."""
        backoff = min(self.max_delay, self.base_delay * 2.0**attempt) * (0.5 + 0.5 * jitter)
        if retry_after is not None:
            backoff = max(backoff, min(retry_after, self.max_delay))
        return backoff


def _whole(text: str) -> list[str]:
    """gTTS tokenizer that keeps a piece whole (the splitter already cut it)."""
    return [text]


def _offline(error: BaseException) -> bool:
    """True when a connection error means there is no network (DNS or route), not a hiccup."""
    from urllib3.exceptions import NameResolutionError

    seen: set[int] = set()
    stack: list[object] = [error]
    while stack:
        item = stack.pop()
        if id(item) in seen or not isinstance(item, BaseException):
            continue
        seen.add(id(item))
        if isinstance(item, NameResolutionError | socket.gaierror):
            return True
        if isinstance(item, OSError) and item.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return True
        if any(text in str(item).lower() for text in _OFFLINE_TEXT):
            return True
        stack += [item.__cause__, item.__context__, getattr(item, "reason", None), *item.args]
    return False


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _status_cause(status: int, tld: str) -> str:
    if status == 403:
        return "bad token or upstream API changes"
    if status == 404:
        return f"unsupported host translate.google.{tld} (the voice field is a domain such as fr)"
    if status == 429:
        return "too many requests: Google is throttling this address; wait, then try again"
    if status >= 500:
        return "upstream API error; try again later"
    return "unexpected answer from Google's TTS API"


class GttsEngine:
    """Google Translate's French voice (24 kHz): clear, needs internet, one request per piece."""

    name = "gtts"
    max_chars = 100
    capabilities = Capabilities(
        pitch=False, parallel=Parallel.PROCESSES, sample_rate=SAMPLE_RATE, needs_network=True
    )

    def __init__(
        self,
        *,
        session_factory: Callable[[], requests.Session] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        policy: RetryPolicy | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._sleep = sleep
        self._jitter = jitter
        self.policy = policy or RetryPolicy()

    def available(self) -> Availability:
        missing = [m for m in ("gtts", "requests", "imageio_ffmpeg") if util.find_spec(m) is None]
        if missing:
            return Availability(False, f"missing {', '.join(missing)}: pip install gTTS")
        return Availability(
            True, f"gTTS {metadata.version('gTTS')}; online: needs internet (translate.google.*)"
        )

    def default_settings(self) -> VoiceSettings:
        return VoiceSettings(voice=DEFAULT_TLD)

    def version(self, settings: VoiceSettings) -> str:
        return f"gtts {metadata.version('gTTS')}; lang {LANG}; tld {settings.voice or DEFAULT_TLD}"

    def release(self) -> None:
        """Nothing to let go: each request is on its own."""

    def synthesize(self, pieces: Sequence[str], settings: VoiceSettings) -> list[Pcm]:
        import requests

        check_pieces(self.name, pieces, self.max_chars)
        refuse_pitch("gTTS", settings)
        tld = settings.voice or DEFAULT_TLD
        if not re.fullmatch(r"[a-z]{2,3}(\.[a-z]{2,3})?", tld):
            raise SpeechError(
                f"gTTS voice {tld!r} is not a Google domain",
                cause='the voice of a gtts profile is a top-level domain such as "fr" or "ca"',
            )
        session = self._session_factory() if self._session_factory else requests.Session()
        try:
            mp3s = {
                text: self._fetch(session, text, tld)
                for text in dict.fromkeys(p for p in pieces if speakable(p))
            }
        finally:
            session.close()
        voiced = {text: self._decode(mp3, settings.rate) for text, mp3 in mp3s.items()}
        return [voiced[p] if p in voiced else empty_pcm(SAMPLE_RATE) for p in pieces]

    def _fetch(self, session: requests.Session, text: str, tld: str) -> bytes:
        """The MP3 bytes Google returns for one piece, retrying what is worth retrying."""
        import requests
        from gtts import gTTS

        tts = gTTS(text, tld=tld, lang=LANG, lang_check=False, pre_processor_funcs=[], tokenizer_func=_whole)
        prepared = tts._prepare_requests()
        if len(prepared) != 1:
            raise SpeechError(f"gTTS made {len(prepared)} requests for one piece", cause="gTTS bug")
        request = prepared[0]
        host = f"translate.google.{tld}"
        settings = session.merge_environment_settings(request.url, {}, None, None, None)
        timeout = (self.policy.connect_timeout, self.policy.read_timeout)
        problem = ""
        for attempt in range(self.policy.attempts):
            retry_after: float | None = None
            try:
                response = session.send(request, timeout=timeout, **settings)
            except requests.Timeout as e:
                problem = f"no answer from {host} within {timeout[0]:g}+{timeout[1]:g} s ({e})"
            except requests.ConnectionError as e:
                if _offline(e):
                    raise SpeechError(
                        f"gTTS could not reach {host}", cause=f"no internet connection. {OFFLINE_HINT}"
                    ) from e
                problem = f"connection to {host} failed ({e})"
            except requests.RequestException as e:
                raise SpeechError(f"gTTS request to {host} failed", cause=str(e)) from e
            else:
                status = response.status_code
                if status == 200:
                    return self._audio(response, host)
                problem = f"{status} ({response.reason}) from {host}"
                if status != 429 and status < 500:
                    raise SpeechError(f"gTTS got {problem}", cause=_status_cause(status, tld))
                retry_after = _retry_after(response)
            if attempt + 1 < self.policy.attempts:
                self._sleep(self.policy.delay(attempt, self._jitter(), retry_after))
        raise SpeechError(
            f"gTTS gave up after {self.policy.attempts} tries: {problem}",
            cause=f"Google's TTS API is unreachable or throttling this address. {OFFLINE_HINT}",
        )

    @staticmethod
    def _audio(response: requests.Response, host: str) -> bytes:
        chunks = []
        for line in response.text.splitlines():
            if "jQ1olc" in line:
                found = _AUDIO.search(line)
                if found:
                    chunks.append(base64.b64decode(found.group(1).encode("ascii")))
        if not chunks or not any(chunks):
            raise SpeechError(
                f"No audio in the answer from {host}",
                cause="upstream API changes, or an unsupported language",
            )
        return b"".join(chunks)

    def _decode(self, mp3: bytes, rate: float) -> Pcm:
        """MP3 bytes -> trimmed mono float32 at 24 kHz, in memory (ffmpeg through pipes)."""
        return to_pcm(decode_mp3(mp3, SAMPLE_RATE, tempo=rate), SAMPLE_RATE)


def _atempo(rate: float) -> str:
    """An ffmpeg filter chain changing speed by `rate` (each atempo takes 0.5-2.0)."""
    steps = []
    while rate > 2.0:
        steps.append(2.0)
        rate /= 2.0
    while rate < 0.5:
        steps.append(0.5)
        rate /= 0.5
    steps.append(rate)
    return ",".join(f"atempo={step:.6f}" for step in steps)


def decode_mp3(mp3: bytes, sample_rate: int, *, tempo: float = 1.0) -> npt.NDArray[np.float32]:
    """Decode MP3 bytes to mono float32 samples at `sample_rate` with ffmpeg, in memory."""
    import imageio_ffmpeg
    import numpy as np

    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error"]
    command += ["-f", "mp3", "-i", "pipe:0", "-vn", "-ac", "1", "-ar", str(sample_rate)]
    if tempo != 1.0:
        command += ["-af", _atempo(tempo)]
    command += ["-f", "f32le", "pipe:1"]
    try:
        done = subprocess.run(command, input=mp3, capture_output=True, timeout=_DECODE_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SpeechError("ffmpeg could not decode gTTS's MP3", cause=str(e)) from e
    if done.returncode != 0 or len(done.stdout) < 4:
        message = done.stderr.decode(errors="replace").strip()[:200]
        raise SpeechError(
            "ffmpeg could not decode gTTS's MP3",
            cause=message or "an empty or damaged answer from Google",
        )
    usable = len(done.stdout) // 4 * 4
    return np.frombuffer(done.stdout[:usable], dtype="<f4").astype(np.float32)
