"""Audition: one WAV per voice at the same loudness, failures reported per voice, and the command."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest
from paths import ROOT
from typer.testing import CliRunner

from briefing.audio.loudness import integrated_lufs
from briefing.audio.truepeak import true_peak_db
from briefing.cli.app import app
from briefing.errors import SpeechError
from briefing.models import Pcm
from briefing.speech.audition import CEILING_DBTP, LEVEL_LUFS, audition, levelled
from briefing.speech.cache import SpeechCache
from briefing.speech.lexicon import Pronunciations

SHIPPED = ROOT / "voices"
BROKEN = 'name = "broken"\nengine = "pico"\nvoice = "xx-XX"\n'
PHRASE = "Le président a reçu son homologue à Anchorage, en Alaska."


def read_wav(path: Path) -> Pcm:
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
        return Pcm(data.astype(np.float32) / 32768.0, wav.getframerate())


def test_each_voice_says_the_phrase_at_the_same_loudness(tmp_path: Path) -> None:
    samples = audition(PHRASE, tmp_path / "aud", [SHIPPED], voices=["pico", "espeak-fr"])
    assert [(s.voice, s.engine) for s in samples] == [("pico", "pico"), ("espeak-fr", "espeak")]
    for sample in samples:
        assert sample.path == tmp_path / "aud" / f"{sample.voice}.wav" and not sample.problem
        pcm = read_wav(sample.path)
        assert pcm.seconds == pytest.approx(sample.seconds, abs=0.01) and 2.0 < pcm.seconds < 8.0
        assert integrated_lufs(pcm.samples, pcm.rate) == pytest.approx(LEVEL_LUFS, abs=1.0)
        assert true_peak_db(pcm.samples, pcm.rate) <= CEILING_DBTP + 0.1
    assert sorted(p.name for p in (tmp_path / "aud").iterdir()) == ["espeak-fr.wav", "pico.wav"]


def test_the_show_lexicon_changes_what_is_said(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path / "cache")
    plain = audition("Anchorage.", tmp_path / "a", [SHIPPED], voices=["pico"], cache=cache)
    said = Pronunciations(show=(("Anchorage", "Ankoridje, une ville d'Alaska"),))
    longer = audition("Anchorage.", tmp_path / "b", [SHIPPED], voices=["pico"], pronunciations=said)
    assert longer[0].seconds > plain[0].seconds + 0.5


def test_a_voice_that_fails_is_reported_and_the_others_go_on(tmp_path: Path) -> None:
    voices = tmp_path / "voices"
    voices.mkdir()
    (voices / "broken.toml").write_text(BROKEN, encoding="utf-8")
    samples = audition(PHRASE, tmp_path / "aud", [voices, SHIPPED], voices=["broken", "pico"])
    assert samples[0].path is None and "Pico has no voice 'xx-XX'" in samples[0].problem
    assert samples[1].path is not None and samples[1].path.is_file()
    assert not (tmp_path / "aud" / "broken.wav").exists()


@pytest.mark.parametrize(("phrase", "message"), [(" \n", "empty"), ("mot " * 200, "over 600")])
def test_bad_phrases_are_refused(tmp_path: Path, phrase: str, message: str) -> None:
    with pytest.raises(SpeechError, match=message):
        audition(phrase, tmp_path, [SHIPPED], voices=["pico"])


def test_levelled_is_quiet_audio_raised_and_peaks_held() -> None:
    rate = 16_000
    t = np.arange(rate * 2) / rate
    quiet = Pcm((0.01 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), rate)
    assert integrated_lufs(levelled(quiet).samples, rate) == pytest.approx(LEVEL_LUFS, abs=0.2)
    spiky = quiet.samples.copy()
    spiky[100:110] = 0.06  # 16 dB over the sine: the gain alone would clip it
    held = levelled(Pcm(spiky, rate)).samples
    assert true_peak_db(held, rate) <= CEILING_DBTP + 0.1
    assert integrated_lufs(held, rate) == pytest.approx(LEVEL_LUFS, abs=0.5)
    assert levelled(Pcm(np.zeros(rate, dtype=np.float32), rate)).samples.max() == 0


def test_command_prints_one_path_per_voice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "aud"
    args = ["voices", "--sample", PHRASE, "--out", str(out), "--voice", "pico", "--voice", "espeak"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2 and lines[0].startswith("pico") and lines[0].endswith(str(out / "pico.wav"))
    result = CliRunner().invoke(app, [*args, "--json"])
    rows = json.loads(result.output)
    assert [r["voice"] for r in rows] == ["pico", "espeak"] and all(Path(r["path"]).is_file() for r in rows)


def test_command_fails_when_no_voice_speaks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    mine = tmp_path / "config" / "briefing" / "voices"
    mine.mkdir(parents=True)
    (mine / "broken.toml").write_text(BROKEN, encoding="utf-8")
    args = ["voices", "--sample", PHRASE, "--out", str(tmp_path / "aud"), "--voice", "broken"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0 and "no voice could say the audition phrase" in result.output


def test_the_list_marks_the_default_voice() -> None:
    result = CliRunner().invoke(app, ["voices"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("pico *") and "utilisable : oui" in line for line in lines)
    assert lines[-1].endswith(": pico")
    rows = json.loads(CliRunner().invoke(app, ["voices", "--json"]).output)
    assert [r["name"] for r in rows if r["default"]] == ["pico"]


def test_the_list_can_be_of_named_voices_and_says_when_one_is_unknown() -> None:
    result = CliRunner().invoke(app, ["voices", "--voice", "pico-lent", "--voice", "espeak"])
    assert result.exit_code == 0, result.output
    assert [line.split()[0] for line in result.output.splitlines()[:-1]] == ["pico-lent", "espeak"]
    unknown = CliRunner().invoke(app, ["voices", "--voice", "nope"])
    assert unknown.exit_code == 2
    assert unknown.stderr.startswith("briefing: error: Unknown voice 'nope'. Choose from:")


@pytest.mark.parametrize("option", [["--show", "show.toml"], ["--out", "elsewhere"]])
def test_audition_options_without_a_sample_are_an_error_not_ignored(option: list[str]) -> None:
    result = CliRunner().invoke(app, ["voices", *option])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        'briefing: error: --show and --out go with --sample. Probable cause: add --sample "a phrase"'
    )


@pytest.mark.parametrize(
    ("out", "voice", "said"),
    [("file/sub", "espeak", "cannot write the audition into"), ("new", "nope", "Unknown voice 'nope'")],
)
def test_an_audition_that_cannot_run_is_one_line_and_makes_no_folder(
    tmp_path: Path, out: str, voice: str, said: str
) -> None:
    """`-o file/sub` was a NotADirectoryError traceback; an unknown voice made the folder first."""
    (tmp_path / "file").write_text("x")
    result = CliRunner().invoke(
        app, ["voices", "--sample", PHRASE, "--out", str(tmp_path / out), "--voice", voice]
    )
    assert result.exit_code == 2, (result.output, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefing: error: ") and said in lines[0], lines
    assert not (tmp_path / out).exists()
