"""The episode numbers held by builds under way (`.numbers.json`): values, file, staleness.
How builds take, publish and let go of them under the library lock is in test_publish_library."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

import briefing.util.atomic as atomic
from briefing.errors import PublishError
from briefing.publish.numbers import (
    NUMBERS_NAME,
    STALE_AFTER_S,
    Hold,
    Holds,
    first_free,
    process_runs,
    read_holds,
    this_host,
    write_holds,
)
from briefing.publish.staging import _COMMIT_TEMP

NOW = dt.datetime(2025, 8, 15, 5, 0, tzinfo=dt.UTC)


def hold(key: str, number: int, token: str = "", *, host: str = "h", pid: int = 1) -> Hold:
    return Hold(key, number, token or f"{key}-{number}", host, pid, NOW)


def test_holds_round_trip_and_an_empty_set_leaves_no_file(tmp_path: Path) -> None:
    holds = Holds((hold("a", 1), hold("a", 1, "second build of a"), hold("b", 3)))
    write_holds(tmp_path, holds)
    assert read_holds(tmp_path) == holds
    assert holds.number_of("a") == 1 and holds.number_of("c") is None
    assert holds.held_by_others("a") == {3}
    assert holds.without_token("a-1").number_of("a") == 1, "the other build of a still holds it"
    write_holds(tmp_path, holds.without_key("a").without_key("b"))
    assert not (tmp_path / NUMBERS_NAME).exists()
    assert read_holds(tmp_path) == Holds()


def test_one_key_one_number_one_number_one_key() -> None:
    with pytest.raises(PublishError, match="holds two numbers"):
        Holds((hold("a", 1), hold("a", 2)))
    with pytest.raises(PublishError, match="same number"):
        Holds((hold("a", 1), hold("b", 1)))
    with pytest.raises(PublishError, match="number 0"):
        hold("a", 0)
    with pytest.raises(PublishError, match="time zone"):
        Hold("a", 1, "t", "h", 1, dt.datetime(2025, 8, 15))


def test_first_free_skips_the_numbers_taken() -> None:
    assert first_free(3, set()) == 3
    assert first_free(3, {1, 3, 4, 6}) == 5


def test_staleness_by_age_and_by_process() -> None:
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    assert process_runs(os.getpid()) and not process_runs(done.pid)
    later = NOW + dt.timedelta(seconds=STALE_AFTER_S + 1)
    mine, dead = hold("a", 1, host=this_host(), pid=os.getpid()), hold("b", 2, host=this_host(), pid=done.pid)
    remote = hold("c", 3, host="another-host", pid=done.pid)  # its pid means nothing here
    assert not mine.is_stale(NOW, this_host()) and not remote.is_stale(NOW, this_host())
    assert dead.is_stale(NOW, this_host())
    assert mine.is_stale(later, this_host()) and remote.is_stale(later, this_host())
    assert Holds((mine, dead, remote)).live(NOW, this_host()) == Holds((mine, remote))


@pytest.mark.parametrize(
    "text",
    ["{", '{"schema": 9, "holds": []}', '{"schema": 1, "holds": [{}]}', '{"schema": 1, "holds": [1]}'],
)
def test_a_damaged_file_is_an_error(tmp_path: Path, text: str) -> None:
    (tmp_path / NUMBERS_NAME).write_text(text, encoding="utf-8")
    with pytest.raises(PublishError, match="episode numbers held"):
        read_holds(tmp_path)


def test_a_failed_write_keeps_the_file_and_its_temporary_is_one_staging_clears(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = Holds((hold("a", 1),))
    write_holds(tmp_path, before)
    temps: list[str] = []

    def broken(src: str, dst: str) -> None:
        temps.append(Path(src).name)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", broken)
    with pytest.raises(PublishError, match="cannot write the episode numbers held"):
        write_holds(tmp_path, before.add(hold("b", 2)))
    monkeypatch.undo()
    assert read_holds(tmp_path) == before
    assert [p.name for p in tmp_path.iterdir()] == [NUMBERS_NAME]
    (temp,) = temps
    assert _COMMIT_TEMP.match(temp), "a write killed before its rename leaves a file staging clears"
