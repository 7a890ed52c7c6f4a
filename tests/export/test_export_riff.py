"""RIFF container: chunk bytes with their pad, and the LIST/INFO tags written, padded and read back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import given, strategies as st

from briefing.errors import ExportError
from briefing.export.riff import RiffInfo, chunk_bytes


def sub(info_id: bytes, value: bytes) -> bytes:
    return info_id + len(value).to_bytes(4, "little") + value


def test_chunk_bytes_pads_odd_data() -> None:
    assert chunk_bytes(b"abcd", b"xyz") == b"abcd\x03\x00\x00\x00xyz\x00"
    assert chunk_bytes(b"abcd", b"xy") == b"abcd\x02\x00\x00\x00xy"


def test_info_layout_nul_terminated_utf8_and_word_aligned() -> None:
    info = RiffInfo(title="Été", artist="Ab", date=dt.date(2025, 8, 15), track=7)
    assert info.pack() == (
        b"INFO"
        + sub(b"INAM", "Été".encode() + b"\x00")  # 5 bytes + NUL = 6: even, no pad
        + sub(b"IART", b"Ab\x00")
        + b"\x00"  # 3: padded
        + sub(b"ICRD", b"2025-08-15\x00")
        + b"\x00"
        + sub(b"ITRK", b"7\x00")
    )


def test_empty_fields_are_not_written() -> None:
    assert RiffInfo().pack() == b"INFO"
    assert RiffInfo(title="t").items() == (("INAM", "t"),)


def test_reading_tolerates_other_writers() -> None:
    data = (
        b"INFO"
        + sub(b"INAM", "Café".encode("latin-1") + b"\x00")  # Latin-1, as older tools write
        + b"\x00"
        + sub(b"IENG", b"someone\x00")  # an id we do not use
        + sub(b"ICRD", b"2025\x00")  # a year alone: not a date we can type
        + b"\x00"
        + sub(b"IART", b"no pad at the end")
    )
    info = RiffInfo.unpack(data, "test.wav")
    assert info == RiffInfo(title="Café", artist="no pad at the end")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"adtl", "not INFO"),
        (b"INFO" + b"INAM" + (99).to_bytes(4, "little") + b"short", "past its LIST chunk"),
    ],
)
def test_broken_info_is_an_error(data: bytes, message: str) -> None:
    with pytest.raises(ExportError, match=message):
        RiffInfo.unpack(data, "test.wav")


@pytest.mark.parametrize(
    ("make", "message"), [(lambda: RiffInfo(title="a\x00b"), "NUL"), (lambda: RiffInfo(track=-1), "negative")]
)
def test_bad_values_are_refused(make: Callable[[], object], message: str) -> None:
    with pytest.raises(ExportError, match=message):
        make()


no_nul = st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)))


@given(
    title=no_nul,
    artist=no_nul,
    comment=no_nul,
    date=st.none() | st.dates(),
    track=st.none() | st.integers(min_value=0, max_value=10**6),
)
def test_round_trip(title: str, artist: str, comment: str, date: dt.date | None, track: int | None) -> None:
    info = RiffInfo(title=title, artist=artist, comment=comment, date=date, track=track)
    packed = info.pack()
    assert RiffInfo.unpack(packed, "test.wav") == info
    offset = 4
    while offset < len(packed):  # every sub-chunk starts on an even offset, its value ends in NUL
        assert offset % 2 == 0
        size = int.from_bytes(packed[offset + 4 : offset + 8], "little")
        assert packed[offset + 8 + size - 1] == 0
        offset += 8 + size + (size & 1)
    assert offset == len(packed)
