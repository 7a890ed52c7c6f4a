"""Broadcast WAV: bext and cart chunks written with exact layouts, read back, file still plays."""

from __future__ import annotations

import datetime as dt
import hashlib
import struct
import subprocess
import wave
from collections.abc import Callable
from pathlib import Path

import imageio_ffmpeg
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from briefing.errors import BriefingError, ExportError
from briefing.export import riff
from briefing.export.bwf import Bext, Cart, add_broadcast_chunks, fit_ascii, read_chunks
from briefing.export.riff import RiffInfo

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
RATE = 48_000


def write_wav(path: Path, frames: int, *, width: int = 3) -> bytes:
    """A plain 48 kHz mono WAV from the stdlib; returns its PCM bytes."""
    pcm = bytes((i * 7 + 3) % 256 for i in range(frames * width))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(width)
        w.setframerate(RATE)
        w.writeframes(pcm)
    return pcm


def make_bext(**changes: object) -> Bext:
    values: dict[str, object] = {
        "origination": dt.datetime(2025, 8, 15, 6, 30, 5),
        "description": "Le Briefing du 15 aout 2025 - Trump et Poutine en Alaska",
        "originator": "briefing",
        "originator_reference": "LB20250815a3f9c2",
        "time_reference": RATE * (6 * 3600 + 30 * 60),
        "loudness_value": -23.0,
        "loudness_range": 4.57,
        "max_true_peak": -1.2,
        "max_momentary": -17.25,
        "max_short_term": -19.8,
        "coding_history": "A=PCM,F=48000,W=24,M=mono,T=briefing 0.12",  # 41 + CR LF: odd
        "umid": bytes(range(64)),
    }
    values.update(changes)
    return Bext(**values)  # type: ignore[arg-type]


def make_cart(**changes: object) -> Cart:
    values: dict[str, object] = {
        "title": "Trump et Poutine en Alaska",
        "artist": "Le Briefing",
        "cut_id": "20250815",
        "client_id": "LB",
        "category": "NEWS",
        "classification": "info",
        "out_cue": "A demain",
        "start": dt.datetime(2025, 8, 15, 6, 0, 0),
        "end": dt.datetime(2025, 8, 15, 23, 59, 59),
        "producer_app_version": "0.1.0",
        "user_def": "fr",
        "level_reference": 8_388_608,
        "timers": (("AUDs", 0), ("INTe", 24_000), ("SEGs", 90_000), ("AUDe", 96_001)),
        "url": "https://example.org/briefing/2025-08-15",
        "tag_text": "Le Briefing\r\n",
    }
    values.update(changes)
    return Cart(**values)  # type: ignore[arg-type]


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    path = tmp_path / "episode.wav"
    write_wav(path, 96_001)  # odd frame count at 24-bit mono: an odd data chunk without pad
    return path


def test_round_trip_every_field(wav: Path) -> None:
    bext, cart = make_bext(), make_cart()
    add_broadcast_chunks(wav, bext, cart)
    found = read_chunks(wav)
    assert found.bext == bext and found.cart == cart
    assert found.ids == ("fmt ", "bext", "cart", "data")
    assert found.bext is not None and found.cart is not None
    assert found.bext.loudness_range == 4.57
    assert found.bext.coding_history == "A=PCM,F=48000,W=24,M=mono,T=briefing 0.12\r\n"
    assert found.cart.timers[3] == ("AUDe", 96_001)
    assert (found.rate, found.channels, found.bits, found.frames) == (RATE, 1, 24, 96_001)


def test_exact_byte_layout(wav: Path) -> None:
    add_broadcast_chunks(wav, make_bext(), make_cart())
    data = wav.read_bytes()
    found = read_chunks(wav)
    b = data[found["bext"].offset + 8 :]
    assert found["bext"].size == 602 + 43
    assert b[0:8] == b"Le Brief" and b[256:264] == b"briefing"
    assert b[320:330] == b"2025-08-15" and b[330:338] == b"06:30:05"
    assert struct.unpack_from("<QH", b, 338) == (RATE * 23_400, 2)
    assert b[348:412] == bytes(range(64))
    assert struct.unpack_from("<5h", b, 412) == (-2300, 457, -120, -1725, -1980)
    assert b[422:602] == bytes(180)
    assert b[602:645] == b"A=PCM,F=48000,W=24,M=mono,T=briefing 0.12\r\n"
    c = data[found["cart"].offset + 8 :]
    assert found["cart"].size == 2048 + len("Le Briefing\r\n")
    assert c[0:4] == b"0101" and c[4:30] == b"Trump et Poutine en Alaska" and c[30] == 0
    assert c[68:79] == b"Le Briefing" and c[132:140] == b"20250815" and c[260:264] == b"NEWS"
    assert c[452:462] == b"2025-08-15" and c[462:470] == b"06:00:00"
    assert c[470:480] == b"2025-08-15" and c[480:488] == b"23:59:59"
    assert c[488:496] == b"briefing" and c[552:557] == b"0.1.0" and c[616:618] == b"fr"
    assert struct.unpack_from("<i", c, 680) == (8_388_608,)
    assert struct.unpack_from("<4sI4sI", c, 684) == (b"AUDs", 0, b"INTe", 24_000)
    assert c[684 + 4 * 8 : 748] == bytes(32)  # four unused timers
    assert c[748:1024] == bytes(276)
    assert c[1024:1063] == b"https://example.org/briefing/2025-08-15"
    assert c[2048:2061] == b"Le Briefing\r\n"


def test_riff_sizes_and_padding(wav: Path) -> None:
    add_broadcast_chunks(wav, make_bext(), make_cart())
    data = wav.read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert int.from_bytes(data[4:8], "little") == len(data) - 8
    found = read_chunks(wav)
    bext = found["bext"]
    assert bext.size % 2 == 1 and data[bext.offset + 8 + bext.size] == 0  # pad byte
    assert found["cart"].offset == bext.end
    data_chunk = found["data"]
    assert data_chunk.size == 96_001 * 3  # odd: the pad missing in the stdlib file is added
    assert data_chunk.end == len(data) and not found.missing_pad


def test_file_still_decodes(wav: Path, tmp_path: Path) -> None:
    pcm = write_wav(wav, 96_001)
    assert read_chunks(wav).missing_pad  # Python's wave module omits the final pad byte
    add_broadcast_chunks(wav, make_bext(), make_cart())
    with wave.open(str(wav), "rb") as w:
        assert (w.getframerate(), w.getsampwidth(), w.getnframes()) == (RATE, 3, 96_001)
        assert w.readframes(96_001) == pcm
    raw = tmp_path / "decoded.raw"
    subprocess.run(
        [FFMPEG, "-v", "error", "-i", str(wav), "-f", "s24le", "-c:a", "pcm_s24le", str(raw)],
        check=True, capture_output=True,
    )  # fmt: skip
    assert raw.read_bytes() == pcm


def test_ffmpeg_reads_bext(wav: Path) -> None:
    add_broadcast_chunks(wav, make_bext(), None)
    meta = subprocess.run(
        [FFMPEG, "-hide_banner", "-i", str(wav), "-f", "ffmetadata", "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert "comment=Le Briefing du 15 aout 2025 - Trump et Poutine en Alaska" in meta
    assert "encoded_by=briefing" in meta
    assert "originator_reference=LB20250815a3f9c2" in meta
    assert f"time_reference={RATE * 23_400}" in meta


def test_rewrite_replaces_old_chunks_and_keeps_others(wav: Path) -> None:
    data = bytearray(wav.read_bytes())
    # Insert a LIST chunk (odd size, padded) after fmt, as other tools write.
    listing = b"LIST" + (5).to_bytes(4, "little") + b"INFOx\x00"
    data[36:36] = listing
    data[4:8] = (len(data) - 8).to_bytes(4, "little")
    wav.write_bytes(bytes(data))
    add_broadcast_chunks(wav, make_bext(), make_cart())
    add_broadcast_chunks(wav, make_bext(description="second"), None)
    found = read_chunks(wav)
    assert found.ids == ("fmt ", "LIST", "bext", "data")
    assert found.bext is not None and found.bext.description == "second" and found.cart is None
    assert wav.read_bytes()[found["LIST"].offset : found["LIST"].end] == listing


def test_unmeasured_loudness_is_0x7fff(wav: Path) -> None:
    bext = make_bext(loudness_value=None, max_true_peak=None)
    add_broadcast_chunks(wav, bext, None)
    found = read_chunks(wav)
    raw = wav.read_bytes()[found["bext"].offset + 8 :]
    assert struct.unpack_from("<h", raw, 412)[0] == 0x7FFF
    assert found.bext == bext and found.bext is not None and found.bext.loudness_value is None


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: make_bext(description="Été"), "not printable ASCII"),
        (lambda: make_bext(originator="x" * 33), "holds 32"),
        (lambda: make_bext(loudness_value=-400.0), "int16"),
        (lambda: make_bext(umid=b"short"), "UMID"),
        (lambda: make_cart(title="t" * 65), "holds 64"),
        (lambda: make_cart(timers=(("AUD", 0),)), "4 ASCII"),
        (lambda: make_cart(timers=(("AUDs", -1),)), "uint32"),
        (lambda: make_cart(timers=tuple(("AUDs", i) for i in range(9))), "holds 8"),
    ],
)
def test_invalid_fields_rejected(make: Callable[[], object], message: str) -> None:
    with pytest.raises(ExportError, match=message):
        make()


def test_fit_ascii_folds_and_cuts_at_words() -> None:
    assert fit_ascii("Le sommet d’Anchorage : été 2025", 64) == "Le sommet d'Anchorage : ete 2025"
    assert fit_ascii("un deux trois quatre", 12) == "un deux"
    assert len(fit_ascii("x" * 100, 64)) == 64


@given(st.text(), st.integers(min_value=1, max_value=256))
def test_fit_ascii_output_is_always_accepted(text: str, size: int) -> None:
    fitted = fit_ascii(text, size)
    assert len(fitted) <= size
    Bext(origination=dt.datetime(2025, 1, 1), description=fit_ascii(text, 256), originator=fitted[:32])


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: b"RIFX" + d[4:], "not a RIFF/WAVE"),
        (lambda d: d[:4] + (len(d)).to_bytes(4, "little") + d[8:], "RIFF size"),
        (lambda d: d[:-10], "RIFF size"),
        (lambda d: d[:40] + (10**6).to_bytes(4, "little") + d[44:], "past the end"),
        (lambda d: d[:12] + b"da\x01a" + d[16:], "not ASCII"),
    ],
)
def test_reader_rejects_broken_files(wav: Path, mutate: Callable[[bytes], bytes], message: str) -> None:
    wav.write_bytes(mutate(wav.read_bytes()))
    with pytest.raises(ExportError, match=message):
        read_chunks(wav)


def test_failure_midway_leaves_original(wav: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = wav.read_bytes()
    calls = {"n": 0}
    real_copy = riff.copy

    def failing_copy(*args: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # after fmt, while copying the audio
            raise OSError("No space left on device")
        real_copy(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(riff, "copy", failing_copy)
    with pytest.raises(BriefingError, match="No space left"):
        add_broadcast_chunks(wav, make_bext(), make_cart())
    assert wav.read_bytes() == before
    assert [p.name for p in wav.parent.iterdir()] == ["episode.wav"]


ascii_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=64)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    description=ascii_text,
    title=ascii_text,
    history=st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=99),
    loudness=st.floats(min_value=-70, max_value=0, allow_nan=False),
    timers=st.lists(
        st.tuples(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=4,
                          max_size=4), st.integers(min_value=0, max_value=2**32 - 1)),
        max_size=8,
    ),
)  # fmt: skip
def test_round_trip_property(
    wav: Path,
    description: str,
    title: str,
    history: str,
    loudness: float,
    timers: list[tuple[str, int]],
) -> None:
    bext = make_bext(description=description, coding_history=history, loudness_value=loudness)
    cart = make_cart(title=title, timers=tuple(timers))
    add_broadcast_chunks(wav, bext, cart)
    found = read_chunks(wav)
    assert found.bext == bext and found.cart == cart
    assert int.from_bytes(wav.read_bytes()[4:8], "little") == wav.stat().st_size - 8


# --- LIST/INFO ---------------------------------------------------------------------------------

INFO = RiffInfo(
    title="Trump et Poutine en Alaska : un été à Anchorage",
    artist="La rédaction",
    album="Le Briefing",
    date=dt.date(2025, 8, 15),
    track=12,
    comment="Le sommet d'Anchorage.\nTrois points : l'Ukraine, les sanctions, l'Arctique.",
    copyright="© La rédaction",
    software="briefing 0.1.0",
)
#: The bext and cart chunks (header, data, pad) of make_bext() and make_cart() as written before
#: LIST/INFO existed, and the whole file then: they must not change by one byte.
BEXT_SHA256 = "e458d981a83bc8cc4beaffebaea33a6097adc387a380daa55be744bde805e8ff"
CART_SHA256 = "dc8a83b234a9252b99e345747e9124e4777dd1fd86fb9e962fd558b2509028bd"
FILE_SHA256 = "e6b83825ccde4a7e03f6023f3ea07494eec6a6e40251ba2a23449d50502297fb"


def walk(data: bytes, start: int = 12, end: int | None = None) -> list[tuple[bytes, int, bytes]]:
    """A RIFF walker apart from the one under test: (id, offset, data) of each chunk, checking that
    every chunk starts on an even offset and that pad bytes are zero."""
    end = len(data) if end is None else end
    found, offset = [], start
    while offset < end:
        assert offset % 2 == 0
        chunk_id, size = data[offset : offset + 4], int.from_bytes(data[offset + 4 : offset + 8], "little")
        found.append((chunk_id, offset, data[offset + 8 : offset + 8 + size]))
        if size & 1:
            assert data[offset + 8 + size] == 0
        offset += 8 + size + (size & 1)
    assert offset == end
    return found


def test_info_chunk_walked_by_hand(wav: Path) -> None:
    add_broadcast_chunks(wav, make_bext(), make_cart(), INFO)
    data = wav.read_bytes()
    chunks = walk(data)
    assert [c[0] for c in chunks] == [b"fmt ", b"bext", b"cart", b"LIST", b"data"]
    _, offset, listing = chunks[3]
    assert listing[:4] == b"INFO"
    values = {i: v for i, _, v in walk(data, offset + 12, offset + 8 + len(listing))}
    assert all(v.endswith(b"\x00") and v.count(b"\x00") == 1 for v in values.values())
    text = {i.decode(): v[:-1].decode("utf-8") for i, v in values.items()}
    assert text == {
        "INAM": INFO.title,
        "IART": "La rédaction",
        "IPRD": "Le Briefing",
        "ICRD": "2025-08-15",
        "ITRK": "12",
        "ICMT": INFO.comment,
        "ICOP": "© La rédaction",
        "ISFT": "briefing 0.1.0",
    }
    assert read_chunks(wav).info == INFO


def test_bext_and_cart_are_byte_for_byte_what_they_were(wav: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain.wav"
    write_wav(plain, 96_001)
    add_broadcast_chunks(plain, make_bext(), make_cart())
    assert hashlib.sha256(plain.read_bytes()).hexdigest() == FILE_SHA256  # no INFO: the file of before
    add_broadcast_chunks(wav, make_bext(), make_cart(), INFO)
    for path in (plain, wav):
        data, found = path.read_bytes(), read_chunks(path)
        for chunk_id, digest in (("bext", BEXT_SHA256), ("cart", CART_SHA256)):
            chunk = found[chunk_id]
            assert hashlib.sha256(data[chunk.offset : chunk.end]).hexdigest() == digest
        assert (found["bext"].offset, found["cart"].offset) == (36, 690)


def test_ffmpeg_reads_the_info_tags(wav: Path) -> None:
    add_broadcast_chunks(wav, make_bext(), make_cart(), INFO)
    meta = subprocess.run(
        [FFMPEG, "-hide_banner", "-i", str(wav), "-f", "ffmetadata", "-"],
        check=True, capture_output=True,
    ).stdout.decode("utf-8")  # fmt: skip
    lines = meta.splitlines()
    assert f"title={INFO.title}" in lines
    assert "artist=La rédaction" in lines and "album=Le Briefing" in lines
    assert "date=2025-08-15" in lines and "track=12" in lines
    assert "copyright=© La rédaction" in lines


def test_info_written_by_ffmpeg_reads_back(tmp_path: Path) -> None:
    made = tmp_path / "ffmpeg.wav"
    subprocess.run(
        [FFMPEG, "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono", "-t", "0.1",
         "-metadata", "title=Été", "-metadata", "artist=Léa", str(made)],
        check=True, capture_output=True,
    )  # fmt: skip
    info = read_chunks(made).info
    assert info is not None and (info.title, info.artist) == ("Été", "Léa")


def test_a_new_info_replaces_the_old_one(wav: Path) -> None:
    add_broadcast_chunks(wav, make_bext(), None, RiffInfo(title="first"))
    add_broadcast_chunks(wav, make_bext(), None, RiffInfo(title="second"))
    found = read_chunks(wav)
    assert found.ids == ("fmt ", "bext", "LIST", "data")
    assert found.info == RiffInfo(title="second")
    add_broadcast_chunks(wav, make_bext(), None)  # no info given: the tags stay
    assert read_chunks(wav).info == RiffInfo(title="second")
