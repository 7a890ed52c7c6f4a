from __future__ import annotations

import dataclasses
import datetime as dt
import json
import multiprocessing
import os
import uuid
from pathlib import Path

import pytest
from episodes import SHOW, T0, make_episode, snapshot

import briefing.util.atomic as atomic
from briefing.config.show import FEED_NAME
from briefing.errors import BriefingError, PublishError
from briefing.export.chapters import EpisodeFile, EpisodeInfo
from briefing.export.roles import FileRole
from briefing.export.tags import read_tags
from briefing.publish import library as lib
from briefing.publish.feed import podcast_guid
from briefing.publish.library import (
    episode_guid,
    number_reserved,
    planned_identity,
    publish_episode,
    regenerate_feed,
    release_number,
    remove_episode,
    reserve_number,
)
from briefing.publish.numbers import (
    NUMBERS_NAME,
    STALE_AFTER_S,
    Hold,
    Holds,
    read_holds,
    this_host,
    write_holds,
)
from briefing.publish.records import LIBRARY_NAME, EpisodeRecord, read_library

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


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _exit_codes(procs: list[multiprocessing.process.BaseProcess]) -> list[int | None]:
    """Start every process, wait for each (at most a minute) and give their exit codes."""
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    return [p.exitcode for p in procs]


def _publish_in_child(out: str, info: EpisodeInfo, key: str, barrier: object) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    publish_episode(Path(out), SHOW, info, key)


def test_ten_concurrent_publishes_all_land(tmp_path: Path) -> None:
    infos = [make_episode(tmp_path, f"Épisode {i}", slug=f"e{i}", freq=200 + 50 * i) for i in range(10)]
    ctx = _context()
    barrier = ctx.Barrier(10)
    procs = [
        ctx.Process(target=_publish_in_child, args=(str(tmp_path), info, f"e{i}", barrier))
        for i, info in enumerate(infos)
    ]
    assert _exit_codes(procs) == [0] * 10
    library = read_library(tmp_path)
    assert sorted(r.key for r in library.episodes) == sorted(f"e{i}" for i in range(10))
    assert sorted(r.number for r in library.episodes) == list(range(1, 11))
    import podcastparser

    with (tmp_path / FEED_NAME).open("rb") as f:
        parsed = podcastparser.parse(SHOW.feed_url, f)
    assert sorted(e["guid"] for e in parsed["episodes"]) == sorted(r.guid for r in library.episodes)


# --- episode numbers reserved before tagging ---------------------------------------------------------


def _numbers_in_files(out: Path, record: EpisodeRecord) -> tuple[int | None, int | None, int | None]:
    """The number an episode's files carry: ID3 TXXX and TRCK of its MP3, and its episode JSON."""
    mp3, side = record.info.file(FileRole.MP3), record.info.file(FileRole.EPISODE_JSON)
    assert mp3 is not None and side is not None
    tags = read_tags(out / mp3.path)
    return tags.episode, tags.track, json.loads((out / side.path).read_text(encoding="utf-8"))["episode"]


def _build_in_child(out: str, key: str, freq: float, reserved: object, publish: object) -> None:
    """A build as `build_episode` makes it: reserve, tag the files, then (once every build holds
    its number, the race of issue #20) publish under the reservation."""
    with number_reserved(Path(out), SHOW, key) as reservation:
        info = make_episode(
            Path(out), key, slug=key, freq=freq, guid=reservation.guid, episode=reservation.number
        )
        reserved.wait()  # type: ignore[attr-defined]
        publish.wait()  # type: ignore[attr-defined]
        publish_episode(Path(out), SHOW, info, key, reservation=reservation)


def test_concurrent_builds_of_one_feed_tag_distinct_numbers_that_the_feed_gives(tmp_path: Path) -> None:
    publish_episode(tmp_path, SHOW, make_episode(tmp_path, slug="old", freq=900), "old", now=T0)
    ctx = _context()
    reserved, publish = ctx.Barrier(4), ctx.Barrier(4)
    procs = [
        ctx.Process(target=_build_in_child, args=(str(tmp_path), f"e{i}", 200.0 + 80 * i, reserved, publish))
        for i in range(4)
    ]
    assert _exit_codes(procs) == [0] * 4
    library = read_library(tmp_path)
    new = [r for r in library.episodes if r.key != "old"]
    assert sorted(r.number for r in new) == [2, 3, 4, 5]
    for record in new:
        assert _numbers_in_files(tmp_path, record) == (record.number,) * 3, record.key
    assert not (tmp_path / NUMBERS_NAME).exists(), "every reservation became its library entry"


def test_a_rebuild_keeps_its_number_and_builds_of_one_episode_share_it(tmp_path: Path) -> None:
    publish_episode(tmp_path, SHOW, make_episode(tmp_path, slug="a", freq=300), "a", now=T0)
    with number_reserved(tmp_path, SHOW, "b") as b1, number_reserved(tmp_path, SHOW, "b") as b2:
        rebuild = reserve_number(tmp_path, SHOW, "a")
        c = reserve_number(tmp_path, SHOW, "c")
        assert (b1.number, b2.number, rebuild.number, c.number) == (2, 2, 1, 3)
        assert b1.token != b2.token and b1.guid == b2.guid == episode_guid(SHOW, "b")
        assert rebuild.guid == read_library(tmp_path).episodes[0].guid
        assert planned_identity(tmp_path, SHOW, "d") == (episode_guid(SHOW, "d"), 4)
        info = make_episode(tmp_path, "A corrigé", slug="a2", freq=350, episode=1)
        assert publish_episode(tmp_path, SHOW, info, "a", reservation=rebuild).number == 1
        release_number(tmp_path, c)
    assert not (tmp_path / NUMBERS_NAME).exists()
    assert reserve_number(tmp_path, SHOW, "d").number == 2, "no build published 2 and none holds it"


class Injected(Exception):
    pass


def test_a_failed_build_releases_its_number(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    publish_episode(tmp_path, SHOW, make_episode(tmp_path, slug="a"), "a", now=T0)
    before = snapshot(tmp_path)
    with pytest.raises(Injected), number_reserved(tmp_path, SHOW, "b") as reservation:
        assert reservation.number == 2 and (tmp_path / NUMBERS_NAME).is_file()
        raise Injected  # the voice, the encoder or the disk failing between tagging and publishing

    assert not (tmp_path / NUMBERS_NAME).exists()
    monkeypatch.setattr(lib, "write_feed_bytes", _broken_feed)
    with pytest.raises(PublishError), number_reserved(tmp_path, SHOW, "c") as reservation:
        assert reservation.number == 2, "the failed build's number is given again"
        info = make_episode(tmp_path, slug="c", freq=500, episode=2)
        publish_episode(tmp_path, SHOW, info, "c", now=T0, reservation=reservation)
    assert snapshot(tmp_path) == before and not (tmp_path / NUMBERS_NAME).exists()
    monkeypatch.undo()
    assert reserve_number(tmp_path, SHOW, "d").number == 2


def test_a_release_that_fails_hides_neither_the_error_nor_the_publication(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked_out(out_dir: Path, reservation: object) -> None:
        raise PublishError("the episode library stayed locked", cause="injected")

    monkeypatch.setattr(lib, "release_number", locked_out)
    with pytest.raises(Injected), number_reserved(tmp_path, SHOW, "a"):
        raise Injected
    with number_reserved(tmp_path, SHOW, "b") as reservation:
        info = make_episode(tmp_path, slug="b", episode=reservation.number)
        record = publish_episode(tmp_path, SHOW, info, "b", now=T0, reservation=reservation)
    assert record.number == 2, "a's hold stays while its process runs"


def _broken_feed(path: Path, data: bytes) -> None:
    raise OSError(28, "No space left on device", str(path))


def _reserve_and_die(out: str) -> None:
    reserve_number(Path(out), SHOW, "killed")
    os._exit(9)  # no clean-up runs: as after kill -9


def test_the_number_of_a_dead_build_is_given_again(tmp_path: Path) -> None:
    ctx = _context()
    proc = ctx.Process(target=_reserve_and_die, args=(str(tmp_path),))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 9
    (held,) = read_holds(tmp_path).holds
    assert (held.key, held.number, held.pid) == ("killed", 1, proc.pid)
    assert reserve_number(tmp_path, SHOW, "next").number == 1
    assert [h.key for h in read_holds(tmp_path).holds] == ["next"]


def test_a_stale_hold_does_not_block_but_a_live_one_does(tmp_path: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    old = now - dt.timedelta(seconds=STALE_AFTER_S + 1)
    holds = (
        Hold("elsewhere-old", 1, "t1", "another-host", os.getpid(), old),  # cannot be asked: too old
        Hold("elsewhere", 2, "t2", "another-host", os.getpid(), now),  # cannot be asked: recent
        Hold("here", 3, "t3", this_host(), os.getpid(), now),  # this very process: running
    )
    write_holds(tmp_path, Holds(holds))
    assert reserve_number(tmp_path, SHOW, "new").number == 1
    assert reserve_number(tmp_path, SHOW, "newer").number == 4
    assert {h.key for h in read_holds(tmp_path).holds} == {"elsewhere", "here", "new", "newer"}


def test_a_reservation_that_went_stale_and_was_given_again_is_refused(tmp_path: Path) -> None:
    slow = reserve_number(tmp_path, SHOW, "slow", now=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    fast = reserve_number(tmp_path, SHOW, "fast")
    assert slow.number == fast.number == 1
    publish_episode(tmp_path, SHOW, make_episode(tmp_path, slug="fast", episode=1), "fast", reservation=fast)
    before = snapshot(tmp_path)
    info = make_episode(tmp_path, slug="slow", freq=500, episode=1)
    with pytest.raises(PublishError, match="reserved for episode 'slow', went to another episode"):
        publish_episode(tmp_path, SHOW, info, "slow", reservation=slow)
    with pytest.raises(PublishError, match="files of episode 'slow' say number 1, its reservation 2"):
        publish_episode(tmp_path, SHOW, info, "slow", reservation=reserve_number(tmp_path, SHOW, "slow"))
    assert snapshot(tmp_path) == before


def test_without_a_reservation_the_numbers_other_builds_hold_are_left_to_them(tmp_path: Path) -> None:
    held = reserve_number(tmp_path, SHOW, "building")
    info = make_episode(tmp_path, slug="direct", episode=held.number)
    assert publish_episode(tmp_path, SHOW, info, "direct", now=T0).number == held.number + 1
