"""Chapter times from samples, Podcasting 2.0 chapters JSON, episode metadata JSON."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from briefing.errors import ExportError
from briefing.export.chapters import (
    Chapter,
    EpisodeFile,
    EpisodeInfo,
    chapters_from_marks,
    chapters_json,
    parse_chapters_json,
    samples_to_ms,
    write_chapters_json,
    write_episode_json,
)
from briefing.export.roles import FileRole
from briefing.models import Mark

RATE = 48_000


def exact_ms(samples: int, rate: int) -> int:
    """Reference rounding (half up) with fractions, independent of the integer formula."""
    value = Fraction(samples * 1000, rate)
    floor = value.numerator // value.denominator
    return floor + (1 if value - floor >= Fraction(1, 2) else 0)


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from([8000, 22050, 44100, 48000]))
def test_samples_to_ms_rounds_half_up(samples: int, rate: int) -> None:
    assert samples_to_ms(samples, rate) == exact_ms(samples, rate)


def test_chapters_are_contiguous_and_absorb_gaps() -> None:
    marks = (
        Mark("Intro", 0, 24_000),
        Mark("Monde", 30_000, 100_000),  # 6,000 samples of jingle before it
        Mark("Fin", 100_000, 150_024),
    )
    chapters = chapters_from_marks(marks, RATE)
    assert chapters == (
        Chapter("Intro", 0, 625),
        Chapter("Monde", 625, 2083),
        Chapter("Fin", 2083, 3126),
    )


def test_last_chapter_extends_to_total() -> None:
    chapters = chapters_from_marks((Mark("A", 0, 1000), Mark("B", 1000, 2000)), RATE, total=96_000)
    assert chapters[-1] == Chapter("B", 21, 2000)


@pytest.mark.parametrize(
    ("marks", "total", "message"),
    [
        ((Mark("A", 0, 2000), Mark("B", 1000, 3000)), None, "overlaps"),
        ((Mark("A", 0, 2000),), 1500, "past the end"),
        ((Mark("A", 0, 10), Mark("B", 10, 5000)), None, "less than a millisecond"),
    ],
)
def test_bad_marks_raise(marks: tuple[Mark, ...], total: int | None, message: str) -> None:
    with pytest.raises(ExportError, match=message):
        chapters_from_marks(marks, RATE, total=total)


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=2, max_size=12, unique=True))
def test_chapters_property_contiguous(bounds: list[int]) -> None:
    bounds.sort()
    marks = [Mark(f"c{i}", a, b) for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False))]
    try:
        chapters = chapters_from_marks(marks, RATE)
    except ExportError as e:
        assert "millisecond" in str(e)
        return
    for a, b in zip(chapters, chapters[1:], strict=False):
        assert a.end_ms == b.start_ms
    for chapter, mark in zip(chapters, marks, strict=True):
        assert chapter.start_ms == exact_ms(mark.start, RATE)
        assert chapter.end_ms == exact_ms(mark.end, RATE)


def test_chapters_json_follows_podcastindex_format() -> None:
    chapters = chapters_from_marks(
        (Mark("Intro", 0, 592_593), Mark("Économie & « marchés »", 592_593, 1_000_000)), RATE
    )
    doc = json.loads(chapters_json(chapters, title="Le briefing", file_name="e.mp3"))
    assert doc["version"] == "1.2.0"
    assert doc["title"] == "Le briefing"
    assert doc["fileName"] == "e.mp3"
    assert [c["title"] for c in doc["chapters"]] == ["Intro", "Économie & « marchés »"]
    first, second = doc["chapters"]
    assert first["startTime"] == 0.0 and isinstance(first["startTime"], float)
    assert first["endTime"] == second["startTime"] == float(Fraction(12346, 1000))
    assert second["endTime"] == 20.833
    assert set(first) == {"startTime", "endTime", "title"}


def test_chapters_json_round_trip_and_file(tmp_path: Path) -> None:
    chapters = (Chapter("A", 0, 1234), Chapter("B", 1234, 98_765))
    path = tmp_path / "chapters.json"
    write_chapters_json(path, chapters, podcast_name="Le Briefing")
    assert parse_chapters_json(path.read_text("utf-8")) == chapters
    assert json.loads(path.read_text("utf-8"))["podcastName"] == "Le Briefing"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not JSON"),
        ('{"chapters": []}', "version"),
        ('{"version": "1.2.0"}', "chapters array"),
        ('{"version": "1.2.0", "chapters": [{"startTime": "0"}]}', "non-numeric"),
        ('{"version": "1.2.0", "chapters": [{"startTime": 5}, {"startTime": 1}]}', "before"),
        ('{"version": "1.2.0", "chapters": [{"startTime": 5, "endTime": 1}]}', "ends before"),
    ],
)
def test_parse_chapters_json_errors(text: str, message: str) -> None:
    with pytest.raises(ExportError, match=message):
        parse_chapters_json(text)


def make_info(tmp_path: Path, title: str = "Trump et Poutine") -> EpisodeInfo:
    (tmp_path / "audio").mkdir(exist_ok=True)
    mp3 = tmp_path / "audio" / "e.mp3"
    mp3.write_bytes(b"\xff\xfb" * 1000)
    vtt = tmp_path / "e.vtt"
    vtt.write_text("WEBVTT\n", "utf-8")
    return EpisodeInfo(
        title=title,
        show="Le Briefing",
        date=dt.date(2025, 8, 15),
        voice="jm_kumo",
        engine="kokoro",
        rate=RATE,
        samples=RATE * 61 + 48,
        loudness=(("integrated_lufs", -16.02), ("true_peak_dbtp", -1.5)),
        files=(
            EpisodeFile.of(tmp_path, mp3, FileRole.MP3),
            EpisodeFile.of(tmp_path, vtt, FileRole.VTT),
        ),
        guid="urn:uuid:1234",
        episode=12,
        chapters=(Chapter("Ouverture", 0, 20_000), Chapter("L'Alaska", 20_000, 61_001)),
    )


def test_episode_json_contents(tmp_path: Path) -> None:
    info = make_info(tmp_path)
    doc = json.loads(info.to_json())
    assert doc["duration"] == {"seconds": 61.001, "samples": RATE * 61 + 48, "rate": RATE}
    assert doc["loudness"] == {"integrated_lufs": -16.02, "true_peak_dbtp": -1.5}
    assert doc["files"][0] == {"role": "mp3", "path": "audio/e.mp3", "size": 2000,
                               "type": "audio/mpeg"}  # fmt: skip
    assert doc["files"][1]["size"] == len("WEBVTT\n")
    assert doc["date"] == "2025-08-15"
    assert info.file(FileRole.VTT) is not None and info.file(FileRole.SRT) is None
    assert doc["chapters"] == [
        {"title": "Ouverture", "start_ms": 0, "end_ms": 20_000},
        {"title": "L'Alaska", "start_ms": 20_000, "end_ms": 61_001},
    ]
    del doc["chapters"]
    assert EpisodeInfo.from_json(json.dumps(doc)).chapters == (), "an older episode JSON still reads"


def test_episode_json_round_trip(tmp_path: Path) -> None:
    info = make_info(tmp_path)
    path = tmp_path / "episode.json"
    write_episode_json(path, info)
    assert EpisodeInfo.from_json(path.read_text("utf-8")) == info


def test_episode_json_records_the_preset_and_reads_without_it(tmp_path: Path) -> None:
    info = dataclasses.replace(make_info(tmp_path), preset="broadcast")
    doc = json.loads(info.to_json())
    assert doc["preset"] == "broadcast" and doc["schema"] == 1, "an optional field: the schema stays"
    assert EpisodeInfo.from_json(info.to_json()) == info
    del doc["preset"]
    assert EpisodeInfo.from_json(json.dumps(doc)).preset is None, "an episode JSON from before reads"
    assert "preset" not in json.loads(make_info(tmp_path).to_json()), "none recorded, none written"


@given(st.text())
def test_episode_json_round_trip_any_title(title: str) -> None:
    info = EpisodeInfo(title, "S", dt.date(2025, 1, 2), "v", "e", 24_000, 1)
    assert EpisodeInfo.from_json(info.to_json()) == info


def test_episode_file_must_stay_inside(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="relative"):
        EpisodeFile(FileRole.MP3, "/abs/e.mp3", 1)
    with pytest.raises(ExportError, match="relative"):
        EpisodeFile(FileRole.MP3, "../e.mp3", 1)
    other = tmp_path.parent / "elsewhere.mp3"
    with pytest.raises(ExportError, match="cannot describe"):
        EpisodeFile.of(tmp_path, other, FileRole.MP3)


def test_episode_info_rejects_bad_values() -> None:
    with pytest.raises(ExportError, match="nan"):
        EpisodeInfo("t", "s", dt.date(2025, 1, 1), "v", "e", 1, 1, loudness=(("x", float("nan")),))
    with pytest.raises(ExportError, match="share a role"):
        f = EpisodeFile(FileRole.MP3, "a.mp3", 1)
        EpisodeInfo("t", "s", dt.date(2025, 1, 1), "v", "e", 1, 1, files=(f, f))
    with pytest.raises(ExportError, match="chapter 'b' is out of order"):
        EpisodeInfo(
            "t", "s", dt.date(2025, 1, 1), "v", "e", 1, 1, chapters=(Chapter("a", 0, 10), Chapter("b", 5, 20))
        )
    with pytest.raises(ExportError, match="malformed"):
        EpisodeInfo.from_json('{"schema": 1, "title": "x"}')
    with pytest.raises(ExportError, match="schema"):
        EpisodeInfo.from_json('{"schema": 99}')
