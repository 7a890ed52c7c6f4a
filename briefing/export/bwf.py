"""Broadcast WAV: add EBU `bext` (Tech 3285 v2) and AES46 `cart` chunks to a plain RIFF/WAVE file,
and the `LIST`/`INFO` tags (see `riff.RiffInfo`).

Playout systems (Rivendell, mAirList, ENCO, Myriad...) read these: description, originator,
loudness, and the cart's title, dates and timers (audio start/end, intro end, segue start);
Liquidsoap and ffmpeg read title, artist and album from INFO only. The chunks are written just
before `data`; the file is rewritten atomically, audio streamed.
`read_chunks` reads them back with the strict chunk walker of `riff` (sizes, pad bytes, RIFF size).
"""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass
from pathlib import Path

from briefing.errors import ExportError
from briefing.export import riff
from briefing.export.names import fit_ascii as fit_ascii
from briefing.export.riff import Chunk, RiffInfo
from briefing.util.atomic import atomic_path

# EBU Tech 3285 v2: 602 fixed bytes, then CodingHistory.
BEXT = struct.Struct("<256s32s32s10s8sQH64s5h180s")
# AES46-2002 (cart 0101): 2048 fixed bytes, then TagText.
CART = struct.Struct("<4s64s64s64s64s64s64s64s10s8s10s8s64s64s64si" + "4sI" * 8 + "276s1024s")
NO_LOUDNESS = 0x7FFF  # int16 value for a loudness field that was not measured


def _check_ascii(owner: str, name: str, value: str, size: int, *, multiline: bool = False) -> None:
    extra = "\r\n" if multiline else ""
    if not all(" " <= c <= "~" or c in extra for c in value):
        raise ExportError(
            f"{owner} {name} {value[:40]!r} is not printable ASCII",
            cause="use fit_ascii() to fold accents",
        )
    if len(value) > size:
        raise ExportError(
            f"{owner} {name} is {len(value)} characters, the field holds {size}",
            cause="use fit_ascii() to shorten it",
        )


def _crlf_lines(text: str) -> str:
    """CR/LF-terminated lines, as CodingHistory requires."""
    return "".join(f"{line}\r\n" for line in text.splitlines())


@dataclass(frozen=True, slots=True)
class Bext:
    """The EBU broadcast extension. Loudness in LUFS/LU/dBTP (2 decimals), None if unmeasured."""

    origination: dt.datetime
    description: str = ""
    originator: str = ""
    originator_reference: str = ""
    time_reference: int = 0  # samples since midnight of the first sample
    loudness_value: float | None = None
    loudness_range: float | None = None
    max_true_peak: float | None = None
    max_momentary: float | None = None
    max_short_term: float | None = None
    coding_history: str = ""
    umid: bytes = bytes(64)
    version: int = 2

    def __post_init__(self) -> None:
        for name, size in (("description", 256), ("originator", 32), ("originator_reference", 32)):
            _check_ascii("bext", name, getattr(self, name), size)
        object.__setattr__(self, "coding_history", _crlf_lines(self.coding_history))
        _check_ascii("bext", "coding history", self.coding_history, 1 << 20, multiline=True)
        if not 0 <= self.time_reference < 1 << 64:
            raise ExportError(f"bext time reference {self.time_reference} is out of range")
        if len(self.umid) != 64:
            raise ExportError(f"bext UMID is {len(self.umid)} bytes, not 64")
        if not 0 <= self.origination.year <= 9999:
            raise ExportError(f"bext origination year {self.origination.year} has not 4 digits")
        for name in _LOUDNESS:
            value = getattr(self, name)
            if value is None:
                continue
            value = round(float(value), 2)
            if not -327.68 <= value < NO_LOUDNESS / 100:
                raise ExportError(f"bext {name} {value} does not fit in int16 hundredths")
            object.__setattr__(self, name, value)

    def pack(self) -> bytes:
        loud = [NO_LOUDNESS if getattr(self, n) is None else round(getattr(self, n) * 100) for n in _LOUDNESS]
        fixed = BEXT.pack(
            self.description.encode("ascii"),
            self.originator.encode("ascii"),
            self.originator_reference.encode("ascii"),
            self.origination.strftime("%Y-%m-%d").encode("ascii"),
            self.origination.strftime("%H:%M:%S").encode("ascii"),
            self.time_reference,
            self.version,
            self.umid,
            *loud,
            bytes(180),
        )
        return fixed + self.coding_history.encode("ascii")

    @classmethod
    def unpack(cls, data: bytes, where: str) -> Bext:
        if len(data) < BEXT.size:
            raise ExportError(f"bext chunk of {where} is {len(data)} bytes, less than {BEXT.size}")
        f = BEXT.unpack_from(data)
        date, time = _text(f[3]), _text(f[4])
        origination = _datetime(date, time, where, "bext") or dt.datetime(1, 1, 1)
        version = f[6]
        loud = [None if v == NO_LOUDNESS or version < 2 else v / 100 for v in f[8:13]]
        return cls(
            origination=origination,
            description=_text(f[0]),
            originator=_text(f[1]),
            originator_reference=_text(f[2]),
            time_reference=f[5],
            version=version,
            umid=f[7],
            loudness_value=loud[0],
            loudness_range=loud[1],
            max_true_peak=loud[2],
            max_momentary=loud[3],
            max_short_term=loud[4],
            coding_history=_text(data[BEXT.size :]),
        )


_LOUDNESS = ("loudness_value", "loudness_range", "max_true_peak", "max_momentary", "max_short_term")
_CART_TEXT = (
    ("title", 64), ("artist", 64), ("cut_id", 64), ("client_id", 64), ("category", 64),
    ("classification", 64), ("out_cue", 64), ("producer_app_id", 64),
    ("producer_app_version", 64), ("user_def", 64), ("url", 1024),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Cart:
    """The AES46 cart chunk. Timers are (usage, sample) pairs, e.g. ("AUDs", 0), ("SEGs", n)."""

    title: str
    artist: str = ""
    cut_id: str = ""
    client_id: str = ""
    category: str = ""
    classification: str = ""
    out_cue: str = ""
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    producer_app_id: str = "briefing"
    producer_app_version: str = ""
    user_def: str = ""
    level_reference: int = 32768  # sample value of 0 dB reference (16-bit full scale)
    timers: tuple[tuple[str, int], ...] = ()
    url: str = ""
    tag_text: str = ""
    version: str = "0101"

    def __post_init__(self) -> None:
        for name, size in _CART_TEXT:
            _check_ascii("cart", name, getattr(self, name), size)
        _check_ascii("cart", "version", self.version, 4)
        _check_ascii("cart", "tag text", self.tag_text, 1 << 20, multiline=True)
        if len(self.timers) > 8:
            raise ExportError(f"cart has {len(self.timers)} timers, AES46 holds 8")
        for usage, value in self.timers:
            if len(usage) != 4 or not usage.isascii() or not usage.isprintable():
                raise ExportError(f"cart timer usage {usage!r} is not 4 ASCII characters")
            if not 0 <= value <= 0xFFFFFFFF:
                raise ExportError(f"cart timer {usage} value {value} is not a uint32")
        if not -(1 << 31) <= self.level_reference < 1 << 31:
            raise ExportError(f"cart level reference {self.level_reference} is not an int32")
        for name in ("start", "end"):
            moment = getattr(self, name)
            if moment is not None and not 0 <= moment.year <= 9999:
                raise ExportError(f"cart {name} year {moment.year} has not 4 digits")

    def pack(self) -> bytes:
        def stamp(moment: dt.datetime | None, fmt: str) -> bytes:
            return b"" if moment is None else moment.strftime(fmt).encode("ascii")

        text = {name: getattr(self, name).encode("ascii") for name, _ in _CART_TEXT}
        timers: list[bytes | int] = []
        for i in range(8):
            usage, value = self.timers[i] if i < len(self.timers) else ("", 0)
            timers += [usage.encode("ascii"), value]
        fixed = CART.pack(
            self.version.encode("ascii"),
            *(text[name] for name, _ in _CART_TEXT[:7]),  # title ... out_cue
            stamp(self.start, "%Y-%m-%d"),
            stamp(self.start, "%H:%M:%S"),
            stamp(self.end, "%Y-%m-%d"),
            stamp(self.end, "%H:%M:%S"),
            text["producer_app_id"],
            text["producer_app_version"],
            text["user_def"],
            self.level_reference,
            *timers,
            bytes(276),
            text["url"],
        )
        return fixed + self.tag_text.encode("ascii")

    @classmethod
    def unpack(cls, data: bytes, where: str) -> Cart:
        if len(data) < CART.size:
            raise ExportError(f"cart chunk of {where} is {len(data)} bytes, less than {CART.size}")
        f = CART.unpack_from(data)
        raw_timers = f[16:32]
        timers = tuple(
            (raw_timers[i].decode("ascii", "replace"), raw_timers[i + 1])
            for i in range(0, 16, 2)
            if raw_timers[i].strip(b"\x00")
        )
        return cls(
            version=_text(f[0]),
            title=_text(f[1]),
            artist=_text(f[2]),
            cut_id=_text(f[3]),
            client_id=_text(f[4]),
            category=_text(f[5]),
            classification=_text(f[6]),
            out_cue=_text(f[7]),
            start=_datetime(_text(f[8]), _text(f[9]), where, "cart start"),
            end=_datetime(_text(f[10]), _text(f[11]), where, "cart end"),
            producer_app_id=_text(f[12]),
            producer_app_version=_text(f[13]),
            user_def=_text(f[14]),
            level_reference=f[15],
            timers=timers,
            url=_text(f[33]),
            tag_text=_text(data[CART.size :]),
        )


def _text(raw: bytes) -> str:
    """A fixed-size ASCII field: up to the first NUL (a full field has none)."""
    return raw.split(b"\x00", 1)[0].decode("ascii", "replace")


def _datetime(date: str, time: str, where: str, what: str) -> dt.datetime | None:
    """Parse `yyyy?mm?dd` + `hh?mm?ss` with any separators (writers differ); blank means None."""
    if not date.strip():
        return None
    try:
        day = dt.date(int(date[0:4]), int(date[5:7]), int(date[8:10]))
        clock = dt.time(int(time[0:2]), int(time[3:5]), int(time[6:8])) if time.strip() else None
    except ValueError as e:
        raise ExportError(f"{what} date/time {date!r} {time!r} in {where} is malformed") from e
    return dt.datetime.combine(day, clock or dt.time())


# --- the file ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WavChunks:
    """What `read_chunks` found: every chunk in order, the format, typed bext/cart and INFO tags."""

    riff_size: int
    chunks: tuple[Chunk, ...]
    format_tag: int
    channels: int
    rate: int
    bits: int
    block_align: int
    bext: Bext | None
    cart: Cart | None
    missing_pad: bool = False  # the last chunk is odd-sized and the file ends without its pad
    info: RiffInfo | None = None  # the first LIST chunk of type INFO

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.chunks)

    def __contains__(self, chunk_id: object) -> bool:
        return chunk_id in self.ids

    def __getitem__(self, chunk_id: str) -> Chunk:
        for chunk in self.chunks:
            if chunk.id == chunk_id:
                return chunk
        raise KeyError(chunk_id)

    @property
    def frames(self) -> int:
        return self["data"].size // self.block_align


def read_chunks(wav: Path) -> WavChunks:
    """Parse a RIFF/WAVE file strictly; ExportError says what is wrong and where."""
    wav = Path(wav)
    try:
        with wav.open("rb") as f:
            riff_size, chunks, file_size = riff.scan(f, str(wav))
            by_id = {c.id: c for c in reversed(chunks)}  # first of each id wins
            fmt = riff.read(f, by_id["fmt "])
            bext = Bext.unpack(riff.read(f, by_id["bext"]), str(wav)) if "bext" in by_id else None
            cart = Cart.unpack(riff.read(f, by_id["cart"]), str(wav)) if "cart" in by_id else None
            lists = [c for c in chunks if c.id == "LIST" and riff.form(f, c) == b"INFO"]
            info = RiffInfo.unpack(riff.read(f, lists[0]), str(wav)) if lists else None
    except OSError as e:
        raise ExportError(f"cannot read {wav}", cause=str(e)) from e
    if len(fmt) < 16:
        raise ExportError(f"'fmt ' chunk of {wav} is {len(fmt)} bytes, less than 16")
    tag, channels, rate, _, block_align, bits = struct.unpack_from("<HHIIHH", fmt)
    if block_align == 0:
        raise ExportError(f"'fmt ' chunk of {wav} has a block align of 0")
    missing_pad = chunks[-1].end > file_size
    return WavChunks(
        riff_size, tuple(chunks), tag, channels, rate, bits, block_align, bext, cart, missing_pad, info
    )


def add_broadcast_chunks(
    wav: Path, bext: Bext, cart: Cart | None = None, info: RiffInfo | None = None
) -> None:
    """Rewrite `wav` with `bext` (and `cart`, and a `LIST`/`INFO` chunk of `info`) just before its
    `data` chunk, in that order, atomically.

    Existing bext/cart chunks are replaced, and so are LIST/INFO chunks when `info` is given; every
    other chunk is kept byte for byte. The result is read back and compared before it replaces the
    original.
    """
    wav = Path(wav)
    new = [(b"bext", bext.pack())] + ([(b"cart", cart.pack())] if cart else [])
    new += [(b"LIST", info.pack())] if info is not None else []
    try:
        with wav.open("rb") as src:
            _, chunks, _ = riff.scan(src, str(wav))
            replaced = {c for c in chunks if c.id in ("bext", "cart")}
            if info is not None:
                replaced |= {c for c in chunks if c.id == "LIST" and riff.form(src, c) == b"INFO"}
        kept = [c for c in chunks if c not in replaced]
        total = 4 + sum(c.end - c.offset for c in kept)
        total += sum(8 + len(d) + (len(d) & 1) for _, d in new)
        if total > riff.MAX_RIFF:
            raise ExportError(f"{wav} would pass 4 GiB with broadcast chunks", cause="RF64")
        with atomic_path(wav) as temp:
            with wav.open("rb") as src, temp.open("wb") as dst:
                dst.write(b"RIFF" + total.to_bytes(4, "little") + b"WAVE")
                for chunk in kept:
                    if chunk.id == "data":
                        for chunk_id, data in new:
                            dst.write(riff.chunk_bytes(chunk_id, data))
                    riff.copy(src, dst, chunk.offset, chunk.end - chunk.offset)
            back = read_chunks(temp)
            if back.bext != bext or back.cart != cart or (info is not None and back.info != info):
                raise ExportError(f"broadcast chunks of {wav} did not read back as written")
    except OSError as e:
        raise ExportError(f"cannot add broadcast chunks to {wav}", cause=str(e)) from e
