"""Sentence cache: synthesized audio stored by content, so an unchanged sentence is never voiced twice.

The key covers everything that changes the sound: engine name and version, voice settings and the
normalized text. The settings enter it field by named field, in a fixed order (`KEY_FIELDS`), so a
field added to `VoiceSettings` changes no key until it is put in the key on purpose. Entries are `.npz`
files (16-bit PCM and its rate) written atomically, in the user cache folder (`--cache-dir` to override).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.errors import CacheError, SpeechError
from briefing.models import Pcm
from briefing.speech.engines.base import VoiceSettings
from briefing.util.atomic import atomic_write_bytes

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

CACHE_VERSION = "1"
#: The settings fields in every key, in this order. The text they make is the one `repr(settings)` gave
#: when these were all the fields, so caches made then are still found.
KEY_FIELDS = ("voice", "rate", "pitch", "extra")


def default_cache_dir() -> Path:
    env = os.environ.get("BRIEFING_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("briefing")) / "speech"


def settings_text(settings: VoiceSettings) -> str:
    """The settings as they enter a cache key: `KEY_FIELDS` by name, e.g.
    `VoiceSettings(voice='fr', rate=1.0, pitch=0, extra=())`."""
    fields = ", ".join(f"{name}={getattr(settings, name)!r}" for name in KEY_FIELDS)
    return f"VoiceSettings({fields})"


def cache_key(engine: str, version: str, settings: VoiceSettings, text: str) -> str:
    """The key of the audio `engine` at `version` makes of `text` with `settings`."""
    material = "\x1f".join((CACHE_VERSION, engine, version, settings_text(settings), text))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def as_stored(pcm: Pcm) -> Pcm:
    """The audio exactly as the cache gives it back (16-bit): a first build and a cached rebuild then
    sound, and hash, the same."""
    return from_int16(as_int16(pcm), pcm.rate)


def as_int16(pcm: Pcm) -> npt.NDArray[np.int16]:
    """The samples as the cache stores them."""
    import numpy as np

    return np.clip(np.round(pcm.samples * 32767.0), -32767, 32767).astype(np.int16)


def from_int16(ints: npt.NDArray[np.int16], rate: int) -> Pcm:
    """Stored samples as the audio they give back."""
    import numpy as np

    return Pcm(ints.astype(np.float32) / 32767.0, rate)


@dataclass(frozen=True, slots=True)
class SpeechCache:
    """A folder of cached sentences. `folder=None` disables caching."""

    folder: Path | None

    def _path(self, key: str) -> Path:
        if self.folder is None:
            raise SpeechError("the speech cache is disabled")
        return self.folder / key[:2] / f"{key}.npz"

    def holds(self, key: str) -> bool:
        """Whether there is an entry for `key` (`get` may still find it damaged, and give None)."""
        return self.folder is not None and self._path(key).is_file()

    def get(self, key: str) -> Pcm | None:
        if self.folder is None:
            return None
        import numpy as np

        path = self._path(key)
        try:
            with np.load(path, allow_pickle=False) as entry:
                rate = int(entry["rate"][0])
                ints = entry["pcm"]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, IndexError):  # a damaged entry is a miss, and goes
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        if ints.dtype != np.int16 or ints.ndim != 1 or rate <= 0:
            return None
        return from_int16(ints, rate)

    def put(self, key: str, pcm: Pcm) -> None:
        if self.folder is None:
            return
        import numpy as np

        path = self._path(key)
        ints = as_int16(pcm)
        buffer = io.BytesIO()
        np.savez(buffer, rate=np.array([pcm.rate], dtype=np.int64), pcm=ints)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Not named `*.npz` while written (entries are counted by that); a lost entry is a miss.
            atomic_write_bytes(path, buffer.getvalue(), keep_suffix=False, durable=False)
        except OSError as e:
            raise CacheError(
                f"cannot write the speech cache in {self.folder}",
                cause=f"{e.strerror or e}; free some space, or use --cache-dir elsewhere or --no-cache",
            ) from e

    def clear(self) -> int:
        """Remove every entry (and the sections cache kept beside them); returns how many there were.
        A folder holding anything the cache did not write is refused whole, nothing removed: a wrong
        --cache-dir (a home or an output folder) must not lose its files."""
        if self.folder is None or not _present(self.folder):
            return 0
        try:
            files, folders = _owned(self.folder)
            for file in files:
                file.unlink(missing_ok=True)
            for folder in folders:
                folder.rmdir()
        except OSError as e:
            raise CacheError(f"cannot clear the speech cache {self.folder}", cause=str(e)) from e
        return sum(1 for f in files if f.suffix == ".npz")

    def size(self) -> tuple[int, int]:
        """(entries, bytes)."""
        if self.folder is None or not _present(self.folder):
            return (0, 0)
        try:
            files = [f for f in _owned(self.folder)[0] if f.suffix == ".npz"]
            return (len(files), sum(f.stat().st_size for f in files))
        except OSError as e:
            raise CacheError(f"cannot read the speech cache {self.folder}", cause=e.strerror or str(e)) from e


#: What the cache writes in its folder: entries in folders named by their key's first two hex digits,
#: the split articles of the sections cache, and (of a batch) a probe file; each with its temporary name.
_OWNED = {
    "entries": re.compile(r"[0-9a-f]{64}\.npz|\.[0-9a-f]{64}\.npz\.[0-9a-f]{12}\.part"),
    "sections": re.compile(r"[0-9a-f]{64}\.json|\.[0-9a-f]{64}\.[0-9a-f]{12}\.tmp\.json"),
    "top": re.compile(r"\.batch-[0-9a-f]+\.probe"),
}
#: Files a file manager leaves in any folder it shows (macOS Finder, Windows Explorer).
_LITTER = frozenset((".DS_Store", "Thumbs.db", "desktop.ini"))


def _owned(folder: Path) -> tuple[list[Path], list[Path]]:
    """The files and subfolders of the cache `folder`; a CacheError names the first thing in it that
    the cache did not write. A file manager's own files (`_LITTER`) are no sign of a wrong folder:
    inside the cache's subfolders they go with them, beside them they are left alone."""
    files: list[Path] = []
    folders: list[Path] = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False) and re.fullmatch(r"[0-9a-f]{2}|sections", entry.name):
            pattern = _OWNED["sections" if entry.name == "sections" else "entries"]
            for inner in os.scandir(path):
                ours = pattern.fullmatch(inner.name) or inner.name in _LITTER
                if not (inner.is_file(follow_symlinks=False) and ours):
                    raise _foreign(folder, Path(inner.path))
                files.append(Path(inner.path))
            folders.append(path)
        elif entry.is_file(follow_symlinks=False) and _OWNED["top"].fullmatch(entry.name):
            files.append(path)
        elif not (entry.is_file(follow_symlinks=False) and entry.name in _LITTER):
            raise _foreign(folder, path)
    return files, folders


def _foreign(folder: Path, path: Path) -> CacheError:
    return CacheError(
        f"{folder} is not a speech cache: it holds {path.relative_to(folder)}, not written by the cache",
        cause="a wrong --cache-dir (nothing in it is removed)",
    )


def _present(folder: Path) -> bool:
    """Whether the cache `folder` exists; an error when a file stands where it or a parent should be."""
    for path in (folder, *folder.parents):
        if path.exists():
            if not path.is_dir():
                raise CacheError(
                    f"there can be no speech cache at {folder}", cause=f"{path} is a file, not a folder"
                )
            return path == folder
    return False
