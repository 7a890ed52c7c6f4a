"""Atomic writes: the destination is either the old file or the whole new one, never a part."""

from __future__ import annotations

import ast
import errno
import os
import stat
from pathlib import Path

import pytest

import briefing
import briefing.util.atomic as atomic
from briefing.errors import ExportError
from briefing.export.chapters import write_chapters_json
from briefing.util.atomic import (
    atomic_copy,
    atomic_folder,
    atomic_path,
    atomic_write_bytes,
    atomic_write_text,
)


def leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def test_write_bytes_creates_and_replaces(tmp_path: Path) -> None:
    dest = tmp_path / "episode.json"
    atomic_write_bytes(dest, b"first")
    assert dest.read_bytes() == b"first"
    atomic_write_bytes(dest, b"second, longer")
    assert dest.read_bytes() == b"second, longer"
    assert leftovers(tmp_path, {"episode.json"}) == []


def test_write_text_keeps_newlines_and_unicode(tmp_path: Path) -> None:
    dest = tmp_path / "t.vtt"
    text = "WEBVTT\r\n\nÉté — 🇫🇷\n"
    atomic_write_text(dest, text)
    assert dest.read_bytes() == text.encode("utf-8")


def test_new_file_mode_follows_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "a.bin", b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.bin").stat().st_mode & 0o777 == 0o644


def test_temp_path_is_beside_dest_with_same_suffix(tmp_path: Path) -> None:
    dest = tmp_path / "out.mp3"
    with atomic_path(dest) as temp:
        assert temp.parent == dest.parent
        assert temp.suffix == ".mp3"
        assert temp.exists() and not dest.exists()
        temp.write_bytes(b"audio")
    assert dest.read_bytes() == b"audio"
    assert not temp.exists()


class Boom(RuntimeError):
    pass


@pytest.mark.parametrize("fail_after", [0, 1, 5, 9])
def test_failure_midway_leaves_old_file_and_no_temp(tmp_path: Path, fail_after: int) -> None:
    dest = tmp_path / "feed.xml"
    dest.write_bytes(b"old content")
    with pytest.raises(Boom), atomic_path(dest) as temp, temp.open("wb") as f:
        for i in range(10):
            if i == fail_after:
                raise Boom(f"failed at step {i}")
            f.write(b"new chunk ")
    assert dest.read_bytes() == b"old content"
    assert leftovers(tmp_path, {"feed.xml"}) == []


def test_failure_on_new_file_leaves_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "new.json"
    with pytest.raises(Boom), atomic_path(dest) as temp:
        temp.write_bytes(b"partial")
        raise Boom("stop")
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_raises_oserror_naming_the_path(tmp_path: Path) -> None:
    # A shared helper: callers turn OSError into their own stage's error.
    with pytest.raises(FileNotFoundError, match="nope"):
        atomic_write_bytes(tmp_path / "nope" / "x.json", b"{}")


def test_writer_removing_temp_is_reported(tmp_path: Path) -> None:
    dest = tmp_path / "x.bin"
    with pytest.raises(FileNotFoundError, match="vanished"), atomic_path(dest) as temp:
        temp.unlink()
    assert not dest.exists()


def test_replace_failure_leaves_everything_as_it_was(tmp_path: Path) -> None:
    dest = tmp_path / "a-folder"
    dest.mkdir()
    (dest / "inside").write_bytes(b"keep")
    with pytest.raises(OSError):
        atomic_write_bytes(dest, b"data")
    assert (dest / "inside").read_bytes() == b"keep"
    assert leftovers(tmp_path, {"a-folder"}) == []


def test_without_overwrite_a_new_file_appears_whole(tmp_path: Path) -> None:
    dest = tmp_path / "show.toml"
    atomic_write_text(dest, "titre = 'x'\n", overwrite=False)
    assert dest.read_text(encoding="utf-8") == "titre = 'x'\n"
    assert leftovers(tmp_path, {"show.toml"}) == []


def test_without_overwrite_an_existing_file_is_refused_and_kept(tmp_path: Path) -> None:
    dest = tmp_path / "show.toml"
    dest.write_bytes(b"# mine\n")
    with pytest.raises(FileExistsError):
        atomic_write_text(dest, "new", overwrite=False)
    assert dest.read_bytes() == b"# mine\n"
    assert leftovers(tmp_path, {"show.toml"}) == []


def test_without_overwrite_a_failure_midway_leaves_no_file(tmp_path: Path) -> None:
    dest = tmp_path / "show.toml"
    with pytest.raises(Boom), atomic_path(dest, overwrite=False) as temp:
        temp.write_bytes(b"half a con")
        raise Boom("disk full")
    assert list(tmp_path.iterdir()) == []


def test_without_hard_links_the_name_is_claimed_then_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(source: Path, dest: Path) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted", str(dest))

    monkeypatch.setattr(atomic.os, "link", no_links)
    dest = tmp_path / "show.toml"
    atomic_write_text(dest, "whole", overwrite=False)
    assert dest.read_text(encoding="utf-8") == "whole"
    with pytest.raises(FileExistsError):
        atomic_write_text(dest, "again", overwrite=False)
    assert dest.read_text(encoding="utf-8") == "whole"
    assert leftovers(tmp_path, {"show.toml"}) == []


def test_export_writers_turn_oserror_into_export_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="cannot write chapters"):
        write_chapters_json(tmp_path / "missing" / "c.json", ())


# --- what the other writers need ----------------------------------------------------------------


def test_a_part_name_hides_the_suffix_from_readers_that_pick_files_by_it(tmp_path: Path) -> None:
    dest = tmp_path / "le-briefing.mp3"
    with atomic_path(dest, keep_suffix=False) as temp:
        assert temp.name.startswith(".le-briefing.mp3.") and temp.suffix == ".part"
        assert not list(tmp_path.glob("*.mp3")), "a playout system importing *.mp3 sees nothing yet"
        temp.write_bytes(b"audio")
    assert dest.read_bytes() == b"audio" and leftovers(tmp_path, {"le-briefing.mp3"}) == []


def test_durable_writes_fsync_the_file_and_the_folder_and_others_do_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: synced.append(fd) or real(fd))
    atomic_write_bytes(tmp_path / "feed.xml", b"<rss/>")
    assert len(synced) == 2
    atomic_write_bytes(tmp_path / "entry.npz", b"cache", keep_suffix=False, durable=False)
    assert len(synced) == 2 and (tmp_path / "entry.npz").read_bytes() == b"cache"


def test_copy_replaces_the_destination_whole(tmp_path: Path) -> None:
    source = tmp_path / "episode.mp3"
    source.write_bytes(bytes(range(256)) * 5000)  # more than one copy block
    dest = tmp_path / "drop" / "latest.mp3"
    dest.parent.mkdir()
    dest.write_bytes(b"yesterday")
    atomic_copy(source, dest)
    assert dest.read_bytes() == source.read_bytes() and leftovers(dest.parent, {"latest.mp3"}) == []
    with pytest.raises(FileNotFoundError):
        atomic_copy(tmp_path / "absent.mp3", dest)
    assert dest.read_bytes() == source.read_bytes() and leftovers(dest.parent, {"latest.mp3"}) == []


def test_a_folder_appears_whole_or_not_at_all(tmp_path: Path) -> None:
    dest = tmp_path / "model"
    with pytest.raises(Boom), atomic_folder(dest) as temp:
        (temp / "a.bin").write_bytes(b"half")
        raise Boom("a part failed its check")
    assert list(tmp_path.iterdir()) == []
    with atomic_folder(dest) as temp:
        assert temp.parent == tmp_path and temp.name.startswith(".model.") and temp.is_dir()
        (temp / "a.bin").write_bytes(b"whole")
    assert (dest / "a.bin").read_bytes() == b"whole" and leftovers(tmp_path, {"model"}) == []
    with pytest.raises(OSError), atomic_folder(dest) as temp:  # a folder with files is not replaced
        (temp / "b.bin").write_bytes(b"other")
    assert sorted(p.name for p in dest.iterdir()) == ["a.bin"] and leftovers(tmp_path, {"model"}) == []


#: Modules that may rename or make temporary files themselves, and why: none of them writes a file.
RENAMES_ALLOWED = {
    "briefing/util/atomic.py": "the one atomic writer",
    "briefing/export/episode.py": "moves finished files from the staging folder into place",
    "briefing/publish/staging.py": "makes the staging folder of a build (mkdtemp), where files are written",
}
_CALLS = {("os", "replace"), ("os", "rename"), ("os", "renames"), ("os", "link"), ("shutil", "move")}
_CALLS |= {("tempfile", name) for name in ("mkstemp", "mkdtemp", "NamedTemporaryFile")}


def test_every_atomic_write_goes_through_util_atomic() -> None:
    """One atomic writer, not seven: no other module renames files into place or makes temporary
    names beside its output (anonymous `tempfile.TemporaryFile`/`TemporaryDirectory` are fine)."""
    package = Path(briefing.__file__).parent
    found = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package.parent).as_posix()
        if rel in RENAMES_ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                names = {(node.value.id, node.attr)}
            elif isinstance(node, ast.ImportFrom):
                names = {(node.module or "", alias.name) for alias in node.names}
            else:
                continue
            found += [f"{rel}:{node.lineno}: {a}.{b}" for a, b in names & _CALLS]
            if isinstance(node, ast.Attribute) and node.attr == "rename":  # Path.rename
                found.append(f"{rel}:{node.lineno}: .rename")
    assert found == [], "write through briefing.util.atomic instead"


def test_a_folder_that_cannot_be_synced_does_not_fail_a_write_already_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.fsync

    def no_folders(fd: int) -> None:  # as on some network shares a playout system watches
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(22, "Invalid argument")
        real(fd)

    monkeypatch.setattr(atomic.os, "fsync", no_folders)
    source = tmp_path / "episode.mp3"
    source.write_bytes(b"today")
    atomic_copy(source, tmp_path / "latest.mp3", keep_suffix=False)
    assert (tmp_path / "latest.mp3").read_bytes() == b"today"
