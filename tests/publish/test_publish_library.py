from __future__ import annotations

import dataclasses
import datetime as dt
import json
import multiprocessing
import uuid
from pathlib import Path

import pytest
from episodes import SHOW, T0, make_episode, snapshot

import briefing.util.atomic as atomic
from briefing.config.show import FEED_NAME
from briefing.errors import BriefingError, PublishError
from briefing.export.chapters import EpisodeFile, EpisodeInfo
from briefing.export.roles import FileRole
from briefing.publish import library as lib
from briefing.publish.feed import podcast_guid
from briefing.publish.library import (
    episode_guid,
    planned_identity,
    publish_episode,
    regenerate_feed,
    remove_episode,
)
from briefing.publish.records import LIBRARY_NAME, read_library

# --- tests ----------------------------------------------------------------------------------------


def test_publish_adds_an_episode_with_a_stable_guid(tmp_path: Path) -> None:
    info = make_episode(tmp_path)
    assert planned_identity(tmp_path, SHOW, "anchorage/2025-08-15") == (
        episode_guid(SHOW, "anchorage/2025-08-15"),
        1,
    )
    record = publish_episode(tmp_path, SHOW, info, "anchorage/2025-08-15", now=T0)
    expected = uuid.uuid5(uuid.UUID(podcast_guid(SHOW.feed_url)), "anchorage/2025-08-15")
    assert record.guid == str(expected) and record.number == 1
    assert record.info.guid == record.guid and record.info.episode == 1
    assert record.published == record.updated == T0
    stored = read_library(tmp_path)
    assert stored.episodes == (record,) and stored.next_number == 2
    assert (tmp_path / FEED_NAME).is_file()
    doc = json.loads((tmp_path / LIBRARY_NAME).read_text(encoding="utf-8"))
    assert doc["episodes"][0]["info"]["files"][0]["path"] == info.files[0].path


def test_replacing_keeps_guid_number_and_date_and_deletes_old_audio(tmp_path: Path) -> None:
    first = make_episode(tmp_path, freq=440.0)
    other = make_episode(tmp_path, "Autre", slug="autre", freq=550.0)
    r1 = publish_episode(tmp_path, SHOW, first, "anchorage", now=T0)
    publish_episode(tmp_path, SHOW, other, "autre", now=T0 + dt.timedelta(hours=1))
    later = T0 + dt.timedelta(hours=2)
    second = make_episode(tmp_path, "Le sommet, corrigé", freq=660.0)
    old_mp3, new_mp3 = first.file("mp3"), second.file("mp3")
    assert old_mp3 is not None and new_mp3 is not None and old_mp3.path != new_mp3.path
    r2 = publish_episode(tmp_path, SHOW, second, "anchorage", now=later)
    assert (r2.guid, r2.number, r2.published) == (r1.guid, r1.number, T0)
    assert r2.updated == later and r2.info.title == "Le sommet, corrigé"
    assert not (tmp_path / old_mp3.path).exists(), "the replaced MP3 is no longer referenced"
    assert (tmp_path / new_mp3.path).is_file()
    assert (tmp_path / second.files[1].path).is_file(), "a file still referenced is kept"
    assert [r.key for r in read_library(tmp_path).newest_first()] == ["autre", "anchorage"]


def test_numbers_are_never_reused_and_a_build_number_is_kept_when_free(tmp_path: Path) -> None:
    a = publish_episode(tmp_path, SHOW, make_episode(tmp_path, slug="a", freq=300), "a", now=T0)
    b = publish_episode(tmp_path, SHOW, make_episode(tmp_path, slug="b", freq=400), "b", now=T0)
    remove_episode(tmp_path, SHOW, str(b.number))
    c = publish_episode(tmp_path, SHOW, make_episode(tmp_path, slug="c", freq=500), "c", now=T0)
    assert (a.number, b.number, c.number) == (1, 2, 3)
    info = make_episode(tmp_path, slug="d", freq=600)
    d = publish_episode(tmp_path, SHOW, dataclasses.replace(info, episode=10), "d", now=T0)
    info = make_episode(tmp_path, slug="e", freq=700)
    e = publish_episode(tmp_path, SHOW, dataclasses.replace(info, episode=1), "e", now=T0)
    assert d.number == 10 and e.number == 11


def test_a_given_guid_is_kept_but_must_be_unique(tmp_path: Path) -> None:
    info = make_episode(tmp_path, guid="urn:uuid:1234")
    assert publish_episode(tmp_path, SHOW, info, "a", now=T0).guid == "urn:uuid:1234"
    other = make_episode(tmp_path, slug="b", freq=500, guid="urn:uuid:1234")
    with pytest.raises(PublishError, match="belongs to another episode"):
        publish_episode(tmp_path, SHOW, other, "b", now=T0)


@pytest.mark.parametrize("problem", ["missing", "size", "outside", "shared-mp3"])
def test_refused_episodes_change_nothing(tmp_path: Path, problem: str) -> None:
    publish_episode(tmp_path, SHOW, make_episode(tmp_path, slug="first"), "first", now=T0)
    before = snapshot(tmp_path)
    info = make_episode(tmp_path, slug="second", freq=700)
    mp3 = info.files[0]
    if problem == "missing":
        (tmp_path / mp3.path).unlink()
    elif problem == "size":
        with (tmp_path / mp3.path).open("ab") as f:
            f.write(b"\0")
    elif problem == "outside":  # a symlink in the folder that points out of it
        target = tmp_path.parent / f"{tmp_path.name}-outside.mp3"
        target.write_bytes(b"x")
        (tmp_path / "link.mp3").symlink_to(target)
        info = dataclasses.replace(info, files=(EpisodeFile(FileRole.MP3, "link.mp3", 1),))
    else:
        first = read_library(tmp_path).episodes[0].info.files[0]
        info = dataclasses.replace(info, files=(first,))
    with pytest.raises(PublishError):
        publish_episode(tmp_path, SHOW, info, "second", now=T0)
    assert snapshot(tmp_path) == before


def test_outside_paths_are_refused_by_episode_file_itself() -> None:
    with pytest.raises(Exception, match="plain relative path"):
        EpisodeFile(FileRole.MP3, "../x.mp3", 1)


def test_remove_by_number_guid_or_key_deletes_files_and_empty_folder(tmp_path: Path) -> None:
    records = [
        publish_episode(tmp_path, SHOW, make_episode(tmp_path, slug=s, freq=f), s, now=T0)
        for s, f in (("a", 300), ("b", 400), ("c", 500))
    ]
    for ident, record in zip(("1", records[1].guid, "c"), records, strict=True):
        gone = remove_episode(tmp_path, SHOW, ident)
        assert gone == record
        assert not (tmp_path / record.info.files[0].path).parent.exists()
    assert read_library(tmp_path).episodes == ()
    with pytest.raises(PublishError, match="no episode 'a'"):
        remove_episode(tmp_path, SHOW, "a")


def test_remove_can_keep_files(tmp_path: Path) -> None:
    info = make_episode(tmp_path)
    publish_episode(tmp_path, SHOW, info, "a", now=T0)
    remove_episode(tmp_path, SHOW, "a", delete_files=False)
    assert all((tmp_path / f.path).is_file() for f in info.files)


def test_the_preset_used_is_recorded(tmp_path: Path) -> None:
    info = make_episode(tmp_path)
    assert publish_episode(tmp_path, SHOW, info, "a", now=T0).preset == "podcast"
    record = publish_episode(tmp_path, SHOW, info, "a", now=T0, preset="broadcast")
    assert record.preset == read_library(tmp_path).episodes[0].preset == "broadcast"
    with pytest.raises(BriefingError, match="unknown audio preset 'radio'"):
        publish_episode(tmp_path, SHOW, info, "a", now=T0, preset="radio")


def test_naive_time_and_empty_key_are_refused(tmp_path: Path) -> None:
    info = make_episode(tmp_path)
    with pytest.raises(PublishError, match="time zone"):
        publish_episode(tmp_path, SHOW, info, "a", now=dt.datetime(2025, 8, 15))
    with pytest.raises(PublishError, match="empty key"):
        publish_episode(tmp_path, SHOW, info, " ", now=T0)


@pytest.mark.parametrize(
    "text", ["{", '{"schema": 99, "episodes": []}', '{"schema": 1, "next_number": 1, "episodes": [{}]}']
)
def test_damaged_library_is_an_error(tmp_path: Path, text: str) -> None:
    (tmp_path / LIBRARY_NAME).write_text(text, encoding="utf-8")
    with pytest.raises(PublishError, match="library"):
        read_library(tmp_path)


def test_regenerate_records_the_show_config(tmp_path: Path) -> None:
    config = tmp_path / "show.toml"
    config.write_text('[show]\ntitle = "Matinale"\nbase_url = "https://example.org/m/"\n', encoding="utf-8")
    from briefing.config.loader import load_show

    publish_episode(tmp_path / "out", SHOW, make_episode(tmp_path / "out"), "a", now=T0)
    assert read_library(tmp_path / "out").show_config is None
    feed = regenerate_feed(tmp_path / "out", load_show(config))
    assert b"<title>Matinale</title>" in feed.read_bytes()
    assert read_library(tmp_path / "out").show_config == str(config.resolve())


# --- crash safety ---------------------------------------------------------------------------------


def test_failure_at_the_feed_write_leaves_library_and_feed_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish_episode(tmp_path, SHOW, make_episode(tmp_path, slug="a"), "a", now=T0)
    before = snapshot(tmp_path)
    info = make_episode(tmp_path, slug="b", freq=500)

    def broken(path: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(lib, "write_feed_bytes", broken)
    with pytest.raises(PublishError, match="left as they were"):
        publish_episode(tmp_path, SHOW, info, "b", now=T0)
    assert snapshot(tmp_path) == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith((".tmp.json", ".tmp.xml"))]


@pytest.mark.parametrize("error", [OSError(5, "I/O error"), KeyboardInterrupt()])
def test_failure_at_the_library_rename_restores_the_feed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    publish_episode(tmp_path, SHOW, make_episode(tmp_path, slug="a"), "a", now=T0)
    before = snapshot(tmp_path)
    info = make_episode(tmp_path, slug="b", freq=500)
    real_replace = atomic.os.replace

    def replace(src: str, dst: str) -> None:
        if Path(dst).name == LIBRARY_NAME:
            raise error
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises((PublishError, KeyboardInterrupt)):
        publish_episode(tmp_path, SHOW, info, "b", now=T0)
    monkeypatch.undo()
    assert snapshot(tmp_path) == before


def _publish_in_child(out: str, info: EpisodeInfo, key: str, barrier: object) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    publish_episode(Path(out), SHOW, info, key)


def test_ten_concurrent_publishes_all_land(tmp_path: Path) -> None:
    infos = [make_episode(tmp_path, f"Épisode {i}", slug=f"e{i}", freq=200 + 50 * i) for i in range(10)]
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    barrier = ctx.Barrier(10)
    procs = [
        ctx.Process(target=_publish_in_child, args=(str(tmp_path), info, f"e{i}", barrier))
        for i, info in enumerate(infos)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * 10
    library = read_library(tmp_path)
    assert sorted(r.key for r in library.episodes) == sorted(f"e{i}" for i in range(10))
    assert sorted(r.number for r in library.episodes) == list(range(1, 11))
    import podcastparser

    with (tmp_path / FEED_NAME).open("rb") as f:
        parsed = podcastparser.parse(SHOW.feed_url, f)
    assert sorted(e["guid"] for e in parsed["episodes"]) == sorted(r.guid for r in library.episodes)
