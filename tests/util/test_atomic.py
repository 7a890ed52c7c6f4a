"""Atomic writes: the destination is either the old file or the whole new one, never a part."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefing.errors import ExportError
from briefing.export.chapters import write_chapters_json
from briefing.util.atomic import atomic_path, atomic_write_bytes, atomic_write_text


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


def test_export_writers_turn_oserror_into_export_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="cannot write chapters"):
        write_chapters_json(tmp_path / "missing" / "c.json", ())
