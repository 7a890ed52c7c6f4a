"""ID3 v2.3 tags: round-trip through mutagen, every podcast frame, chapters, cover, atomicity."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from mutagen.id3 import ID3, CTOCFlags, PictureType
from mutagen.mp3 import MP3
from PIL import Image

from briefing.audio.cues import PlayoutCues
from briefing.errors import BriefingError, ExportError
from briefing.export import tags as tags_module
from briefing.export.chapters import Chapter
from briefing.export.tags import Cover, EpisodeTags, chapters_from_marks, read_tags, write_tags
from briefing.models import Mark

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
SECONDS = 3.0
RATE = 48_000

FRAMES = {
    "TIT2", "TPE1", "TALB", "TYER", "TDAT", "TCON", "TLAN", "COMM::fra", "TRCK", "TCOP", "TPUB",
    "APIC:", "USLT::fra", "PCST", "WFED", "TGID", "TDES", "TKWD", "TCAT", "CTOC:toc",
    "CHAP:chp0", "CHAP:chp1", "CHAP:chp2", "TXXX:PODCAST_EPISODE", "TXXX:liq_cue_in", "TXXX:liq_cue_out",
    "TXXX:replaygain_track_gain",
}  # fmt: skip


def encode_mp3(path: Path, *, id3: bool = False) -> Path:
    """A CBR MP3 made the way the audio stage makes it (no ID3 tag unless asked)."""
    command = [FFMPEG, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
               "-i", f"sine=frequency=440:sample_rate={RATE}:duration={SECONDS}",
               "-ac", "1", "-c:a", "libmp3lame", "-b:a", "64k"]  # fmt: skip
    command += [] if id3 else ["-id3v2_version", "0"]
    subprocess.run([*command, str(path)], check=True, capture_output=True)
    return path


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return encode_mp3(tmp_path_factory.mktemp("mp3") / "master.mp3")


@pytest.fixture
def mp3(master: Path, tmp_path: Path) -> Path:
    return Path(shutil.copyfile(master, tmp_path / "episode.mp3"))


def png(size: int = 8) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def full_tags(**changes: object) -> EpisodeTags:
    marks = (Mark("Intro", 0, 24_000), Mark("Monde", 30_000, 96_000), Mark("Fin", 96_000, 144_000))
    tags = EpisodeTags(
        title="Trump et Poutine en Alaska",
        artist="Kokoro (jm_kumo)",
        album="Le Briefing",
        date=dt.date(2025, 8, 15),
        description="Le sommet d'Anchorage, l'Ukraine & l'Europe.",
        episode=42,
        copyright="© 2025 Le Briefing",
        publisher="Le Briefing SAS",
        feed_url="https://example.org/briefing/feed.xml",
        guid="urn:uuid:6f1c8e5a-0000-4000-8000-000000000042",
        cover=Cover(png(), "image/png"),
        transcript="Bonjour et bienvenue.\nÀ demain !",
        chapters=chapters_from_marks(marks, RATE),
        keywords=("actualité", "géopolitique"),
        category="News",
        playout=PlayoutCues(25, 2900, -2.35),
    )
    return dataclasses.replace(tags, **changes)  # type: ignore[arg-type]


def test_round_trip(mp3: Path) -> None:
    tags = full_tags()
    write_tags(mp3, tags)
    assert read_tags(mp3) == tags
    assert read_tags(mp3).track == 42


def test_written_as_v23_with_v23_date_frames(mp3: Path) -> None:
    write_tags(mp3, full_tags())
    assert mp3.read_bytes()[:5] == b"ID3\x03\x00"
    raw = ID3(mp3, translate=False)
    assert raw.version == (2, 3, 0)
    assert str(raw["TYER"]) == "2025" and str(raw["TDAT"]) == "1508"
    assert "TDRC" not in raw
    assert ID3(mp3).version == (2, 3, 0)


def test_every_frame_present(mp3: Path) -> None:
    write_tags(mp3, full_tags())
    raw = ID3(mp3, translate=False)
    assert FRAMES <= set(raw.keys())
    assert raw["PCST"].value == 1
    assert raw["TLAN"].text == ["fra"]
    assert raw["WFED"].url == "https://example.org/briefing/feed.xml"
    assert raw["TKWD"].text == ["actualité,géopolitique"]
    assert raw.getall("COMM")[0].lang == "fra"
    assert raw.getall("USLT")[0].text == "Bonjour et bienvenue.\nÀ demain !"


def test_chapters_ordered_exact_and_inside_duration(mp3: Path) -> None:
    tags = full_tags()
    write_tags(mp3, tags)
    raw = ID3(mp3, translate=False)
    toc = raw["CTOC:toc"]
    assert toc.flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    assert toc.child_element_ids == ["chp0", "chp1", "chp2"]
    chaps = [raw[f"CHAP:{i}"] for i in toc.child_element_ids]
    assert [(c.start_time, c.end_time) for c in chaps] == [(0, 625), (625, 2000), (2000, 3000)]
    assert [str(c.sub_frames["TIT2"]) for c in chaps] == ["Intro", "Monde", "Fin"]
    length_ms = MP3(mp3).info.length * 1000
    assert chaps[-1].end_time <= length_ms
    assert all(a.end_time == b.start_time for a, b in zip(chaps, chaps[1:], strict=False))


def test_ffmpeg_reads_chapters_and_audio_is_untouched(master: Path, mp3: Path) -> None:
    write_tags(mp3, full_tags())
    # -copyts: without it the ffmpeg CLI shifts chapters by the stream start (LAME encoder delay,
    # 1105 samples = 23 ms at 48 kHz), reporting 602 ms for a CHAP that says 625.
    out = subprocess.run(
        [FFMPEG, "-hide_banner", "-copyts", "-i", str(mp3), "-f", "ffmetadata", "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert out.count("[CHAPTER]") == 3
    assert "START=625" in out and "END=3000" in out and "title=Monde" in out
    # The MPEG frames after the tag are byte for byte the original ones.
    header = mp3.read_bytes()[6:10]
    tag_size = (header[0] << 21) | (header[1] << 14) | (header[2] << 7) | header[3]
    assert mp3.read_bytes()[10 + tag_size :] == master.read_bytes()


# Titles of very different lengths: mutagen alone saved CHAP frames by size, not by time.
SCRAMBLING_TITLES = ("Ouverture", "Un long titre de chapitre, le plus long de tous", "Bref", "Moyen titre",
                     "A", "Encore un titre assez long", "Conclusion")  # fmt: skip


def scrambling_chapters() -> tuple[Chapter, ...]:
    step = round(SECONDS * 1000) // len(SCRAMBLING_TITLES)
    return tuple(Chapter(t, i * step, (i + 1) * step) for i, t in enumerate(SCRAMBLING_TITLES))


def raw_frames(path: Path) -> list[tuple[str, bytes]]:
    """The frames of an ID3v2.3 tag as they sit in the file: (id, body), padding left out."""
    data = path.read_bytes()
    assert data[:4] == b"ID3\x03" and not data[5] & 0x80, "v2.3 without unsynchronisation"
    end = 10 + sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(data[6:10]))
    frames, at = [], 10
    while at + 10 <= end and data[at] != 0:
        size = int.from_bytes(data[at + 4 : at + 8], "big")  # v2.3: a plain 32-bit size
        frames.append((data[at : at + 4].decode("ascii"), data[at + 10 : at + 10 + size]))
        at += 10 + size
    return frames


def ffmetadata_chapters(path: Path) -> list[tuple[str, int, int]]:
    """(title, start ms, end ms) of each chapter, in the order ffmpeg lists them."""
    out = subprocess.run(
        [FFMPEG, "-hide_banner", "-copyts", "-i", str(path), "-f", "ffmetadata", "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    chapters = []
    for block in out.split("[CHAPTER]")[1:]:
        fields = dict(line.split("=", 1) for line in block.strip().splitlines() if "=" in line)
        num, den = (int(x) for x in fields["TIMEBASE"].split("/"))
        ms = [round(int(fields[k]) * 1000 * num / den) for k in ("START", "END")]
        chapters.append((fields.get("title", ""), ms[0], ms[1]))
    return chapters


def test_chap_frames_are_saved_in_time_order(mp3: Path) -> None:
    chapters = scrambling_chapters()
    write_tags(mp3, full_tags(chapters=chapters))
    frames = raw_frames(mp3)
    ids = [frame_id for frame_id, _ in frames]
    chaps = [body for frame_id, body in frames if frame_id == "CHAP"]
    element_ids = [body.split(b"\0", 1)[0].decode("ascii") for body in chaps]
    starts = [int.from_bytes(body.split(b"\0", 1)[1][:4], "big") for body in chaps]
    assert element_ids == [f"chp{i}" for i in range(len(chapters))]
    assert starts == [c.start_ms for c in chapters]
    assert ids.index("CTOC") < ids.index("CHAP"), "the table of contents comes before its chapters"
    toc = dict(frames)["CTOC"]
    assert toc.split(b"\0", 1)[0] == b"toc"
    assert toc.split(b"\0", 1)[1][2:].split(b"\0")[: len(chapters)] == [e.encode() for e in element_ids]


def test_ffmpeg_lists_every_chapter_in_time_order(mp3: Path, tmp_path: Path) -> None:
    chapters = scrambling_chapters()
    write_tags(mp3, full_tags(chapters=chapters))
    assert ffmetadata_chapters(mp3) == [tuple(c) for c in chapters]
    m4a = tmp_path / "episode.m4a"
    subprocess.run(
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-copyts", "-i", str(mp3), "-vn", "-c:a", "aac",
         "-b:a", "32k", str(m4a)],
        check=True, capture_output=True,
    )  # fmt: skip
    converted = ffmetadata_chapters(m4a)
    assert [c[0] for c in converted] == list(SCRAMBLING_TITLES), "a conversion keeps the order"
    for (_, start, end), chapter in zip(converted, chapters, strict=True):
        assert abs(start - chapter.start_ms) <= 1 and abs(end - chapter.end_ms) <= 1


def test_liquidsoap_reads_cue_points_and_gain_from_txxx(mp3: Path) -> None:
    write_tags(mp3, full_tags())
    raw = ID3(mp3, translate=False)
    assert raw["TXXX:liq_cue_in"].text == ["0.025"]
    assert raw["TXXX:liq_cue_out"].text == ["2.900"]
    assert raw["TXXX:replaygain_track_gain"].text == ["-2.35 dB"]
    assert read_tags(mp3).playout == PlayoutCues(25, 2900, -2.35)
    write_tags(mp3, full_tags(playout=None))
    assert not [k for k in ID3(mp3).keys() if k.startswith("TXXX:liq")]


def test_cue_out_past_the_audio_is_refused(mp3: Path) -> None:
    with pytest.raises(ExportError, match="cue out at 9000 ms"):
        write_tags(mp3, full_tags(playout=PlayoutCues(0, 9000, 0.0)))


def test_cover_retrievable(mp3: Path) -> None:
    tags = full_tags()
    write_tags(mp3, tags)
    apic = ID3(mp3).getall("APIC")
    assert len(apic) == 1
    assert apic[0].type == PictureType.COVER_FRONT and apic[0].mime == "image/png"
    assert apic[0].data == png()
    assert Image.open(io.BytesIO(apic[0].data)).size == (8, 8)


def test_existing_tag_is_replaced(tmp_path: Path) -> None:
    path = encode_mp3(tmp_path / "tagged.mp3", id3=True)
    assert "TSSE" in ID3(path)
    write_tags(path, full_tags(chapters=()))
    assert "TSSE" not in ID3(path)
    assert "CTOC:toc" not in ID3(path)


def test_minimal_tags_round_trip(mp3: Path) -> None:
    tags = EpisodeTags("t", "a", "b", dt.date(2024, 2, 29))
    write_tags(mp3, tags)
    assert read_tags(mp3) == tags
    assert set(ID3(mp3, translate=False).keys()) == {
        "TIT2", "TPE1", "TALB", "TYER", "TDAT", "TCON", "TLAN", "PCST"
    }  # fmt: skip


odd_text = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
    min_size=1,
    max_size=300,
).filter(lambda s: s.strip() != "")
specials = st.sampled_from(["&", "<", ">", "/", "\\", "'", '"', "🇫🇷", "👩‍👩‍👧", "\ufeff", "é", "\r\n"])
mixed = (
    st.lists(st.one_of(odd_text, specials), min_size=1, max_size=6)
    .map("".join)
    .filter(lambda s: s.strip() != "")
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=mixed, description=st.one_of(st.just(""), mixed, st.just("long " * 3000)))
def test_round_trip_property(mp3: Path, title: str, description: str) -> None:
    chapters = (Chapter(title, 0, 1000), Chapter(description, 1000, 3000))
    tags = full_tags(title=title, description=description, transcript=description, chapters=chapters)
    write_tags(mp3, tags)
    assert read_tags(mp3) == tags
    assert ID3(mp3).version == (2, 3, 0)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": " "}, "title is empty"),
        ({"title": "a\x00b"}, "NUL"),
        ({"chapters": (Chapter("a\x00", 0, 10),)}, "NUL"),
        ({"keywords": ("a,b",)}, "comma"),
        ({"feed_url": "https://exemple.fr/flux-été"}, "not ASCII"),
        ({"language": "fr"}, "ISO 639-2"),
        ({"guid": ""}, "guid is empty"),
        ({"chapters": (Chapter("a", 0, 10), Chapter("b", 5, 20))}, "overlaps"),
    ],
)
def test_invalid_tags_rejected(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ExportError, match=message):
        full_tags(**changes)


def test_cover_type_checked() -> None:
    with pytest.raises(ExportError, match="not image/png"):
        Cover(b"\xff\xd8\xff\xe0jpeg", "image/png")
    with pytest.raises(ExportError, match="image/gif"):
        Cover(b"GIF89a", "image/gif")


def test_chapter_past_the_audio_is_refused(mp3: Path) -> None:
    before = mp3.read_bytes()
    with pytest.raises(ExportError, match="after the end"):
        write_tags(mp3, full_tags(chapters=(Chapter("long", 0, 60_000),)))
    assert mp3.read_bytes() == before


def test_not_an_mp3(tmp_path: Path) -> None:
    bad = tmp_path / "x.mp3"
    bad.write_bytes(b"not audio at all" * 100)
    with pytest.raises(ExportError, match="cannot read"):
        write_tags(bad, full_tags())


def test_read_untagged_names_missing_frame(mp3: Path) -> None:
    with pytest.raises(ExportError, match="ID3 tag"):
        read_tags(mp3)


def test_failure_while_saving_leaves_original(mp3: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = mp3.read_bytes()

    def broken_save(self: ID3, filething: Path, **kwargs: object) -> None:
        Path(filething).write_bytes(b"ID3\x03half a tag")
        raise OSError("disk full")

    monkeypatch.setattr(ID3, "save", broken_save)
    with pytest.raises(BriefingError, match="disk full"):
        write_tags(mp3, full_tags())
    assert mp3.read_bytes() == before
    assert [p.name for p in mp3.parent.iterdir()] == ["episode.mp3"]


def test_mismatch_on_read_back_leaves_original(mp3: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = mp3.read_bytes()
    real = tags_module.read_tags
    monkeypatch.setattr(tags_module, "read_tags", lambda p: dataclasses.replace(real(p), title="changed"))
    with pytest.raises(ExportError, match="did not read back.*title"):
        write_tags(mp3, full_tags())
    assert mp3.read_bytes() == before
    assert [p.name for p in mp3.parent.iterdir()] == ["episode.mp3"]
