"""One feed, one loudness: an episode's target, the refusal to mix targets, old libraries."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from episodes import SHOW, T0, make_episode, snapshot

from briefing.errors import PublishError
from briefing.export.chapters import EpisodeInfo
from briefing.publish.library import publish_episode
from briefing.publish.loudness import Target, preset_for, target_of
from briefing.publish.records import LIBRARY_NAME, read_library


def with_target(info: EpisodeInfo, lufs: float) -> EpisodeInfo:
    return dataclasses.replace(info, loudness=(("integrated_lufs", lufs), ("target_lufs", lufs)))


def test_the_target_is_the_recorded_one_else_the_presets() -> None:
    info = EpisodeInfo("t", "s", T0.date(), "v", "e", 44_100, 44_100)
    assert target_of(info, "broadcast") == Target(-23.0, "broadcast")
    assert target_of(with_target(info, -18.04), "podcast") == Target(-18.0, "podcast")
    assert str(Target(-16.0, "podcast")) == "-16.0 LUFS (preset 'podcast')"
    assert preset_for(with_target(info, -23.0)) == "broadcast"
    assert preset_for(with_target(info, -18.0)) == preset_for(info) == "podcast"
    recorded = dataclasses.replace(with_target(info, -18.0), preset="broadcast")
    assert preset_for(recorded) == "broadcast", "the preset its episode JSON records, not a guess"


def test_publishing_takes_the_preset_the_episode_records(tmp_path: Path) -> None:
    info = dataclasses.replace(make_episode(tmp_path), preset="broadcast")
    record = publish_episode(tmp_path, dataclasses.replace(SHOW, preset="podcast"), info, "a", now=T0)
    assert record.preset == "broadcast" and record.target == Target(-23.0, "broadcast")
    assert publish_episode(tmp_path, SHOW, info, "a", now=T0, preset="podcast").preset == "podcast"


def test_a_broadcast_episode_is_refused_in_a_podcast_feed(tmp_path: Path) -> None:
    publish_episode(tmp_path, SHOW, make_episode(tmp_path, slug="a", freq=300), "a", now=T0)
    publish_episode(tmp_path, SHOW, make_episode(tmp_path, slug="b", freq=400), "b", now=T0)
    before = snapshot(tmp_path)
    loud = make_episode(tmp_path, "Radio", slug="c", freq=500)
    with pytest.raises(PublishError) as error:
        publish_episode(tmp_path, SHOW, loud, "c", now=T0, preset="broadcast")
    line = error.value.one_line()
    assert "\n" not in line
    assert "'Radio' is mastered for -23.0 LUFS (preset 'broadcast')" in line
    assert "the feed's episodes for -16.0 LUFS (preset 'podcast': episodes 1, 2)" in line
    assert "--allow-mixed-loudness" in line and "allow_mixed_loudness = true" in line
    assert snapshot(tmp_path) == before, "library and feed untouched"
    record = publish_episode(tmp_path, SHOW, loud, "c", now=T0, preset="broadcast", allow_mixed_loudness=True)
    assert record.target == Target(-23.0, "broadcast")


def test_the_show_may_allow_mixing(tmp_path: Path) -> None:
    publish_episode(tmp_path, SHOW, make_episode(tmp_path, slug="a"), "a", now=T0)
    show = dataclasses.replace(SHOW, allow_mixed_loudness=True)
    publish_episode(
        tmp_path, show, make_episode(tmp_path, slug="b", freq=500), "b", now=T0, preset="broadcast"
    )
    assert {r.preset for r in read_library(tmp_path).episodes} == {"podcast", "broadcast"}


def test_a_show_target_counts_not_the_preset_name(tmp_path: Path) -> None:
    publish_episode(tmp_path, SHOW, with_target(make_episode(tmp_path, slug="a"), -18.0), "a", now=T0)
    same = with_target(make_episode(tmp_path, slug="b", freq=500), -18.0)
    publish_episode(tmp_path, SHOW, same, "b", now=T0)
    with pytest.raises(PublishError, match="mastered for -16.0 LUFS"):
        publish_episode(tmp_path, SHOW, make_episode(tmp_path, slug="c", freq=600), "c", now=T0)


def test_replacing_the_only_episode_with_another_preset_is_no_mix(tmp_path: Path) -> None:
    info = make_episode(tmp_path)
    publish_episode(tmp_path, SHOW, info, "a", now=T0)
    assert publish_episode(tmp_path, SHOW, info, "a", now=T0, preset="broadcast").preset == "broadcast"


def test_an_old_library_without_presets_still_reads(tmp_path: Path) -> None:
    publish_episode(tmp_path, SHOW, with_target(make_episode(tmp_path, slug="a"), -23.0), "a", now=T0)
    publish_episode(
        tmp_path, SHOW, make_episode(tmp_path, slug="b", freq=500), "b", now=T0, preset="broadcast"
    )
    doc = json.loads((tmp_path / LIBRARY_NAME).read_text(encoding="utf-8"))
    for entry in doc["episodes"]:
        del entry["preset"]
    (tmp_path / LIBRARY_NAME).write_text(json.dumps(doc), encoding="utf-8")
    records = sorted(read_library(tmp_path).episodes, key=lambda r: r.number)
    assert [r.preset for r in records] == ["broadcast", "podcast"], "from the recorded target, else podcast"
