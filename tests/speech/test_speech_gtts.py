"""gTTS engine against a fake Google: requests, retries, timeouts, offline, decoding."""

from __future__ import annotations

import json
import socket
import subprocess
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import imageio_ffmpeg
import numpy as np
import pytest
import requests
from requests.adapters import BaseAdapter
from urllib3.exceptions import NameResolutionError

from briefing.errors import SpeechError
from briefing.speech.engines.base import VoiceSettings
from briefing.speech.engines.gtts_engine import GttsEngine, RetryPolicy, decode_mp3

SECONDS_PER_CHAR = 0.06


@cache
def sine_mp3(seconds: float, freq: float = 330.0) -> bytes:
    """A real MP3 (24 kHz mono, like Google's) of a sine, made by ffmpeg."""
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error"]
    command += ["-f", "lavfi", "-i", f"sine=frequency={freq}:sample_rate=24000:duration={seconds}"]
    command += ["-ac", "1", "-b:a", "48k", "-f", "mp3", "pipe:1"]
    return subprocess.run(command, capture_output=True, check=True).stdout


def google_body(audio: bytes) -> str:
    """An answer shaped like Google's batchexecute response carrying `audio`."""
    import base64

    payload = json.dumps([base64.b64encode(audio).decode()])
    answer = [["wrb.fr", "jQ1olc", payload, None, None, None, "generic"]]
    return ")]}'\n\n" + json.dumps(answer, separators=(",", ":"))


def spoken_text(request: requests.PreparedRequest) -> tuple[str, str]:
    """(text, lang) a gTTS request asks for."""
    body = request.body if isinstance(request.body, str) else (request.body or b"").decode()
    rpc = json.loads(urllib.parse.unquote(body.removeprefix("f.req=").rstrip("&")))
    text, lang, _speed, _null = json.loads(rpc[0][0][1])
    return text, lang


def offline_error() -> requests.ConnectionError:
    reason = socket.gaierror(-3, "Temporary failure in name resolution")
    return requests.ConnectionError(NameResolutionError("translate.google.fr", None, reason))  # type: ignore[arg-type]


Behaviour = int | BaseException | str


@dataclass
class FakeGoogle(BaseAdapter):
    """A requests adapter playing Google: each call takes the next behaviour of `script`
    (an HTTP status, an exception to raise, or "empty" for a 200 without audio); when the script
    runs out, it answers 200 with a sine MP3 as long as the text asks."""

    script: list[Behaviour] = field(default_factory=list)
    headers: Mapping[str, str] = field(default_factory=dict)
    calls: list[tuple[str, str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        text, lang = spoken_text(request)
        self.calls.append((text, lang, kwargs.get("timeout")))
        behaviour: Behaviour = self.script.pop(0) if self.script else 200
        if isinstance(behaviour, BaseException):
            raise behaviour
        response = requests.Response()
        response.request = request
        response.url = request.url or ""
        response.headers.update(self.headers)
        if behaviour == "empty":
            response.status_code, response._content = 200, b")]}'\n\n[]"
        else:
            response.status_code = int(behaviour)
            response.reason = "OK" if behaviour == 200 else "Error"
            audio = sine_mp3(round(len(text) * SECONDS_PER_CHAR, 2))
            response._content = google_body(audio).encode() if behaviour == 200 else b"error"
        return response

    def close(self) -> None:
        pass


@dataclass
class Harness:
    fake: FakeGoogle
    sleeps: list[float]
    engine: GttsEngine


def make(script: list[Behaviour] | None = None, **headers: str) -> Harness:
    fake = FakeGoogle(list(script or []), dict(headers))
    sleeps: list[float] = []

    def session() -> requests.Session:
        s = requests.Session()
        s.mount("https://", fake)
        s.mount("http://", fake)
        return s

    engine = GttsEngine(session_factory=session, sleep=sleeps.append, jitter=lambda: 0.0)
    return Harness(fake, sleeps, engine)


SETTINGS = VoiceSettings(voice="fr")
PIECE = "M. Macron reçoit le FMI, à Paris, ce matin."


def test_success_sends_each_piece_whole_once_and_decodes() -> None:
    h = make()
    other = "Deuxième morceau, un peu plus long que le premier, avec trois virgules, voilà."
    out = h.engine.synthesize([PIECE, other], SETTINGS)
    assert [c[0] for c in h.fake.calls] == [PIECE, other]  # no re-split, no abbreviation rewrite
    assert {c[1] for c in h.fake.calls} == {"fr"}
    assert h.sleeps == []
    for pcm, text in zip(out, [PIECE, other], strict=True):
        assert pcm.rate == 24000 and pcm.samples.dtype == np.float32
        assert abs(pcm.seconds - len(text) * SECONDS_PER_CHAR) < 0.08
        assert float(np.sqrt(np.mean(pcm.samples**2))) > 0.05  # ffmpeg sine: 1/8 amplitude


def test_explicit_timeouts_are_passed() -> None:
    h = make()
    h.engine.synthesize([PIECE], SETTINGS)
    policy = RetryPolicy()
    assert h.fake.calls[0][2] == (policy.connect_timeout, policy.read_timeout)


def test_429_then_success_waits_once_honouring_retry_after() -> None:
    h = make([429], **{"Retry-After": "3"})
    out = h.engine.synthesize([PIECE], SETTINGS)
    assert len(h.fake.calls) == 2
    assert h.sleeps == [3.0]
    assert out[0].frames > 0


def test_persistent_5xx_gives_up_after_bounded_backoff() -> None:
    h = make([503] * 10)
    with pytest.raises(SpeechError) as info:
        h.engine.synthesize([PIECE], SETTINGS)
    policy = h.engine.policy
    assert len(h.fake.calls) == policy.attempts
    assert len(h.sleeps) == policy.attempts - 1
    assert h.sleeps == sorted(h.sleeps) and h.sleeps[0] > 0
    assert all(s <= policy.max_delay for s in h.sleeps)
    message = str(info.value)
    assert "503" in message and "--voice pico" in message and "--voice espeak" in message


def test_timeouts_are_retried_then_reported() -> None:
    h = make([requests.ReadTimeout("read timed out")] * 10)
    with pytest.raises(SpeechError, match="within 5\\+20 s"):
        h.engine.synthesize([PIECE], SETTINGS)
    assert len(h.fake.calls) == h.engine.policy.attempts


def test_dropped_connection_is_retried() -> None:
    h = make([requests.ConnectionError("Connection reset by peer")])
    out = h.engine.synthesize([PIECE], SETTINGS)
    assert len(h.fake.calls) == 2 and len(h.sleeps) == 1 and out[0].frames > 0


def test_offline_fails_once_fast_and_names_offline_voices() -> None:
    h = make([offline_error()] * 10)
    with pytest.raises(SpeechError) as info:
        h.engine.synthesize([PIECE, "Une autre phrase.", "Et une troisième."], SETTINGS)
    assert len(h.fake.calls) == 1 and h.sleeps == []
    message = str(info.value)
    assert "needs internet" in message
    assert "--voice pico" in message and "--voice kokoro" in message and "--voice espeak" in message


@pytest.mark.parametrize(("status", "cause"), [(403, "bad token"), (404, "unsupported host")])
def test_client_errors_are_not_retried(status: int, cause: str) -> None:
    h = make([status])
    with pytest.raises(SpeechError, match=cause):
        h.engine.synthesize([PIECE], SETTINGS)
    assert len(h.fake.calls) == 1 and h.sleeps == []


def test_answer_without_audio_is_an_error() -> None:
    h = make(["empty"])
    with pytest.raises(SpeechError, match="No audio"):
        h.engine.synthesize([PIECE], SETTINGS)


def test_repeated_and_unspeakable_pieces_cost_no_extra_request() -> None:
    h = make()
    out = h.engine.synthesize([PIECE, "…", PIECE], SETTINGS)
    assert len(h.fake.calls) == 1
    assert out[1].frames == 0 and out[0].frames == out[2].frames > 0


def test_too_long_piece_is_refused_before_any_request() -> None:
    h = make()
    with pytest.raises(SpeechError, match="over the limit of 100"):
        h.engine.synthesize(["a" * 101], SETTINGS)
    assert h.fake.calls == []


def test_rate_speeds_up_with_ffmpeg_tempo() -> None:
    normal = make().engine.synthesize([PIECE], SETTINGS)[0]
    fast = make().engine.synthesize([PIECE], VoiceSettings(voice="fr", rate=1.5))[0]
    assert abs(fast.seconds - normal.seconds / 1.5) < 0.1


@pytest.mark.parametrize(
    ("settings", "match"),
    [(VoiceSettings(voice="fr", pitch=3), "pitch"), (VoiceSettings(voice="fr/../x"), "domain")],
)
def test_bad_settings_are_refused(settings: VoiceSettings, match: str) -> None:
    h = make()
    with pytest.raises(SpeechError, match=match):
        h.engine.synthesize([PIECE], settings)
    assert h.fake.calls == []


def test_canadian_voice_asks_the_canadian_host() -> None:
    hosts: list[str] = []
    h = make()
    original: Callable[..., requests.Response] = h.fake.send

    def spy(request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        hosts.append(urllib.parse.urlsplit(request.url or "").hostname or "")
        return original(request, **kwargs)

    h.fake.send = spy  # type: ignore[method-assign]
    h.engine.synthesize([PIECE], VoiceSettings(voice="ca"))
    assert hosts == ["translate.google.ca"]


def test_retry_delays_grow_and_stay_bounded() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)
    low = [policy.delay(a, 0.0) for a in range(8)]
    high = [policy.delay(a, 0.999) for a in range(8)]
    assert low == sorted(low) and high == sorted(high)
    assert all(0 < lo < hi <= 4.0 for lo, hi in zip(low, high, strict=True))
    assert policy.delay(0, 0.0, retry_after=100.0) == 4.0


def test_damaged_mp3_is_a_speech_error() -> None:
    with pytest.raises(SpeechError, match="ffmpeg could not decode"):
        decode_mp3(b"not an mp3 at all" * 10, 24000)


def test_nothing_is_written_to_disk(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    make([offline_error()]).engine.synthesize(["…"], SETTINGS)  # no request for nothing to say
    with pytest.raises(SpeechError):
        make([offline_error()]).engine.synthesize([PIECE], SETTINGS)
    make().engine.synthesize([PIECE], SETTINGS)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.network
def test_real_google_speaks_french() -> None:
    pcm = GttsEngine().synthesize(["Bonjour, voici le journal."], SETTINGS)[0]
    assert 0.8 < pcm.seconds < 5.0
    assert float(np.sqrt(np.mean(pcm.samples**2))) > 0.01
