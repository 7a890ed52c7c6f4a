"""Talking to ffmpeg: find it, decode anything to mono float PCM, encode MP3/FLAC, write WAV.

Every call is an argument list (never a shell); paths go to ffmpeg as `file:` URLs so a name can
never be read as an option or a protocol; user text (titles) is never given to ffmpeg at all. PCM
goes in through stdin as raw float32, a chunk at a time if the caller makes it that way; encoded
output always goes to a real, seekable temp file in the destination folder (so the MP3 Xing/Info
header gets written), then replaces the destination. A file decoded for checking goes to an
anonymous temp file that is memory-mapped, not into the process's memory. ffprobe is never used:
it does not ship with imageio-ffmpeg.
"""

from __future__ import annotations

import mmap
import os
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from briefing.errors import AudioError
from briefing.models import Pcm
from briefing.util.atomic import atomic_path

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: Sample rates an MP3 can carry (MPEG-1 and MPEG-2 layer III).
MP3_RATES = (16_000, 22_050, 24_000, 32_000, 44_100, 48_000)
_QUIET = ("-nostdin", "-hide_banner", "-loglevel", "error")


def ffmpeg_exe() -> str:
    """The ffmpeg binary to run: one on PATH first, else the one shipped by imageio-ffmpeg."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        exe = str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError, OSError) as e:
        raise AudioError(
            "no ffmpeg found (not on PATH, no imageio-ffmpeg binary)",
            cause="install one: `pip install imageio-ffmpeg` or your system's ffmpeg package",
        ) from e
    return exe


def _file_url(path: Path) -> str:
    return "file:" + str(path.absolute())


def _last_line(stderr: bytes) -> str:
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1] if lines else "ffmpeg gave no message"


def _run(
    args: Sequence[str],
    what: str,
    stdin: Iterable[memoryview] | None = None,
    stdout: IO[bytes] | None = None,
) -> bytes:
    """Run ffmpeg with `args`; return its stdout (unless it goes to the file `stdout`). `stdin` is
    written to it piece by piece. Any failure becomes an AudioError about `what`.

    stderr goes to a temp file, so with at most one pipe in use nothing can deadlock and large
    outputs are read in big blocks.
    """
    cmd = [ffmpeg_exe(), *_QUIET, *args]
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
                stdout=stdout or (subprocess.PIPE if stdin is None else subprocess.DEVNULL),
                stderr=err,
            )
        except OSError as e:
            raise AudioError(f"could not start ffmpeg for {what}", cause=str(e)) from e
        out = b""
        try:
            with proc:
                if proc.stdin is not None and stdin is not None:
                    for piece in stdin:
                        proc.stdin.write(piece)
                    proc.stdin.close()
                if proc.stdout is not None:
                    out = proc.stdout.read()
        except BrokenPipeError:
            proc.wait()  # ffmpeg stopped reading its input: its own message says why
        if proc.returncode != 0:
            err.seek(0)
            raise AudioError(f"ffmpeg failed on {what}", cause=_last_line(err.read()))
    return out


def _raw_input(
    pieces: Iterable[npt.NDArray[np.float32]], rate: int
) -> tuple[list[str], Iterator[memoryview]]:
    """ffmpeg input options for mono float32 PCM at `rate`, and the pieces as bytes for its stdin."""
    import numpy as np

    def raw() -> Iterator[memoryview]:
        for piece in pieces:
            if piece.ndim != 1:
                raise AudioError(f"PCM to encode has shape {piece.shape}", cause="expected mono")
            yield np.ascontiguousarray(piece, dtype="<f4").data.cast("B")

    return ["-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0"], raw()


def _check_mono(pcm: Pcm) -> None:
    if pcm.samples.ndim != 1:
        raise AudioError(f"PCM to encode has shape {pcm.samples.shape}", cause="expected mono")


@contextmanager
def _atomic(dest: Path) -> Iterator[Path]:
    """A temp file beside `dest` that replaces it on success and is removed on failure (see
    `util.atomic`); an OSError becomes an AudioError."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(dest) as tmp:
            yield tmp
    except OSError as e:
        raise AudioError(f"cannot write {dest}", cause=e.strerror or str(e)) from e


def _decode_native(path: Path, mapped: bool = False) -> Pcm:
    """Decode `path` to mono float32 at its own sample rate (read from the WAV header). `mapped`:
    through an anonymous temp file mapped read-only into memory rather than read into it."""
    import numpy as np

    if not path.is_file():
        raise AudioError(f"cannot decode {path}", cause="no such file")
    what = f"decoding {path}"
    args = ["-i", _file_url(path), "-vn", "-sn", "-dn", "-map", "0:a:0", "-ac", "1"]
    args += ["-c:a", "pcm_f32le", "-fflags", "+bitexact", "-f", "wav", "pipe:1"]
    try:
        if mapped:
            with tempfile.TemporaryFile() as file:
                _run(args, what, stdout=file)
                size = file.seek(0, os.SEEK_END)
                out: bytes | mmap.mmap = b""
                if size:  # the mapping keeps the (deleted) file alive after it is closed
                    out = mmap.mmap(file.fileno(), size, access=mmap.ACCESS_READ)
        else:
            out = _run(args, what)
    except AudioError as e:
        raise AudioError(f"cannot decode {path} as audio", cause=e.cause) from e
    rate, offset = _parse_wav_header(out, what)
    usable = (len(out) - offset) // 4 * 4
    # A read-only view of ffmpeg's output, not a copy: an hour of audio is 600+ MB.
    samples = np.frombuffer(out, dtype=np.float32, count=usable // 4, offset=offset)
    return Pcm(samples, rate)


def _parse_wav_header(data: bytes | mmap.mmap, what: str) -> tuple[int, int]:
    """Sample rate and data offset of a streamed float WAV (its size fields may be 0xFFFFFFFF)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError(f"{what}: ffmpeg gave no WAV stream", cause="not an audio file")
    pos, rate = 12, 0
    while pos + 8 <= len(data):
        cid, size = data[pos : pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        if cid == b"fmt ":
            _tag, channels, rate = struct.unpack_from("<HHI", data, pos + 8)
            if channels != 1:
                raise AudioError(f"{what}: got {channels} channels", cause="downmix failed")
        elif cid == b"data":
            if rate <= 0:
                break
            return rate, pos + 8
        pos += 8 + size + (size & 1)
    raise AudioError(f"{what}: no audio data in ffmpeg's output", cause="not an audio file")


def decode(path: Path, rate: int) -> Pcm:
    """Any file ffmpeg can read, mixed to mono and resampled (soxr, very high quality) to `rate`."""
    from briefing.audio.dsp import resample

    return resample(_decode_native(Path(path)), rate)


def decode_for_check(path: Path) -> Pcm:
    """Decode a file we wrote at its own rate, as a player would (MP3 encoder delay and padding
    trimmed). The samples are a read-only memory map of a temp file: measure them with
    `dsp.chunks`, which lets each piece go from memory once it has been read."""
    return _decode_native(Path(path), mapped=True)


def decode_mp3_for_check(path: Path) -> Pcm:
    """Decode an encoded MP3 at its own rate as a player would (see `decode_for_check`)."""
    return decode_for_check(path)


def encode_mp3(pcm: Pcm, dest: Path, bitrate_kbps: int, quality: int = 3) -> None:
    """Encode mono `pcm` to a CBR MP3 at `dest` with a LAME/Info header and no ID3 tag.

    `quality` is LAME's algorithm quality (0 best and slowest … 9 fastest; its default is 3).
    """
    _check_mono(pcm)
    encode_mp3_pieces((pcm.samples,), pcm.rate, dest, bitrate_kbps, quality)


def encode_mp3_pieces(
    pieces: Iterable[npt.NDArray[np.float32]], rate: int, dest: Path, bitrate_kbps: int, quality: int = 3
) -> None:
    """`encode_mp3` for audio handed over in consecutive pieces (made while LAME encodes)."""
    if rate not in MP3_RATES:
        raise AudioError(f"cannot encode MP3 at {rate} Hz", cause=f"MP3 takes {MP3_RATES}")
    dest = Path(dest)
    args, raw = _raw_input(pieces, rate)
    args += ["-map_metadata", "-1", "-fflags", "+bitexact", "-c:a", "libmp3lame"]
    args += ["-b:a", f"{int(bitrate_kbps)}k", "-compression_level", str(int(quality))]
    args += ["-write_xing", "1", "-id3v2_version", "0", "-write_id3v1", "0", "-f", "mp3", "-y"]
    with _atomic(dest) as tmp:
        _run([*args, _file_url(tmp)], f"encoding {dest}", stdin=raw)


def encode_flac(pcm: Pcm, dest: Path, bits: int = 16) -> None:
    """Encode mono `pcm` losslessly to FLAC at `dest` (16- or 24-bit), byte-identical run to run."""
    if bits not in (16, 24):
        raise AudioError(f"cannot write {bits}-bit FLAC to {dest}", cause="use 16 or 24 bits")
    dest = Path(dest)
    _check_mono(pcm)
    args, raw = _raw_input((pcm.samples,), pcm.rate)
    fmt = "s16" if bits == 16 else "s32"
    args += ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact"]
    args += ["-c:a", "flac", "-sample_fmt", fmt, "-bits_per_raw_sample", str(bits)]
    args += ["-compression_level", "8", "-f", "flac", "-y"]
    with _atomic(dest) as tmp:
        _run([*args, _file_url(tmp)], f"encoding {dest}", stdin=raw)


def pcm_to_int(samples: npt.NDArray[np.float32], bits: int) -> npt.NDArray[np.int32]:
    """Float samples to signed integers of `bits` bits, rounded and clipped (no dither)."""
    import numpy as np

    top = float(2 ** (bits - 1))
    scaled = np.rint(np.asarray(samples, dtype=np.float64) * top)
    return np.clip(scaled, -top, top - 1).astype(np.int32)


def encode_wav(pcm: Pcm, dest: Path, bits: int = 24) -> None:
    """Write a plain RIFF/WAVE PCM file (format tag 1, `fmt ` + `data` chunks only) at pcm.rate.

    Plain on purpose: the export stage adds bext/cart chunks, and broadcast playout systems expect
    WAVE_FORMAT_PCM rather than the WAVE_FORMAT_EXTENSIBLE header ffmpeg writes above 16 bits.
    """
    import numpy as np

    if bits not in (16, 24):
        raise AudioError(f"cannot write {bits}-bit WAV to {dest}", cause="use 16 or 24 bits")
    width = bits // 8
    data_size = pcm.frames * width
    if data_size + 36 > 0xFFFF_FFFF:
        raise AudioError(f"WAV {dest} would exceed 4 GiB", cause="episode too long for RIFF")
    header = b"RIFF" + struct.pack("<I", 36 + data_size + (data_size & 1)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, pcm.rate, pcm.rate * width, width, bits)
    header += b"data" + struct.pack("<I", data_size)
    dest = Path(dest)
    step = 1 << 20
    with _atomic(dest) as tmp:
        try:
            with tmp.open("wb") as out:
                out.write(header)
                for start in range(0, pcm.frames, step):
                    ints = pcm_to_int(pcm.samples[start : start + step], bits)
                    raw = ints.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :width]
                    out.write(np.ascontiguousarray(raw).tobytes())
                if data_size & 1:
                    out.write(b"\0")
        except OSError as e:
            raise AudioError(f"cannot write WAV {dest}", cause=str(e)) from e
