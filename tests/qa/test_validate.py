from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from episodes import SHOW, T0, make_episode

from briefing.config.show import FEED_NAME, Show
from briefing.publish.feed import NAMESPACES
from briefing.publish.library import publish_episode
from briefing.qa.validate import Problem, validate


def good_folder(out: Path, show: Show = SHOW, **episode: object) -> Path:
    publish_episode(out, show, make_episode(out, slug="a", freq=300, seconds=1.5), "a", now=T0)
    publish_episode(out, show, make_episode(out, "Deuxième", slug="b", freq=500, **episode), "b", now=T0)  # type: ignore[arg-type]
    return out


def messages(problems: tuple[Problem, ...], level: str = "error") -> str:
    return "\n".join(str(p) for p in problems if p.level == level)


def test_a_good_folder_has_no_problem(tmp_path: Path) -> None:
    good_folder(tmp_path)
    assert validate(tmp_path) == ()
    assert validate(tmp_path / FEED_NAME) == ()


def edit_feed(out: Path, change: Callable[[ET.Element], None]) -> None:
    for prefix, uri in NAMESPACES.items():
        ET.register_namespace(prefix, uri)
    tree = ET.parse(out / FEED_NAME)
    channel = tree.getroot().find("channel")
    assert channel is not None
    change(channel)
    tree.write(out / FEED_NAME, encoding="utf-8", xml_declaration=True)


def _set(path: str, value: str) -> Callable[[ET.Element], None]:
    def change(channel: ET.Element) -> None:
        element = channel.find(path, NAMESPACES)
        assert element is not None, path
        element.text = value

    return change


def _drop(path: str) -> Callable[[ET.Element], None]:
    def change(channel: ET.Element) -> None:
        parent = channel.find(path.rsplit("/", 1)[0], NAMESPACES) if "/" in path else channel
        element = channel.find(path, NAMESPACES)
        assert parent is not None and element is not None, path
        parent.remove(element)

    return change


def _attr(path: str, name: str, value: str) -> Callable[[ET.Element], None]:
    def change(channel: ET.Element) -> None:
        element = channel.find(path, NAMESPACES)
        assert element is not None, path
        element.set(name, value)

    return change


def _same_guid(channel: ET.Element) -> None:
    first, second = channel.findall("item/guid")
    second.text = first.text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set("itunes:explicit", "yes"), "<itunes:explicit> is 'yes'"),
        (_set("item/itunes:explicit", "clean"), "<itunes:explicit> is 'clean'"),
        (_drop("itunes:image"), "<itunes:image href> is missing"),
        (_drop("description"), "<description> is missing"),
        (_drop("item/enclosure"), "<enclosure> is missing"),
        (_drop("item/guid"), "<guid> is missing"),
        (_attr("itunes:category", "text", "Newz"), "'Newz' is not an Apple Podcasts category"),
        (_attr("itunes:category/itunes:category", "text", "Cooking"), "not a subcategory of News"),
        (_set("podcast:guid", "00000000-0000-0000-0000-000000000000"), "is not UUIDv5 of the feed URL"),
        (_set("podcast:locked", "maybe"), "<podcast:locked> must be yes or no"),
        (_attr("item/enclosure", "type", "audio/mp3"), "enclosure type 'audio/mp3'"),
        (_attr("item/enclosure", "length", "12"), "enclosure length 12 but"),
        (_set("item/pubDate", "15/08/2025"), "is not an RFC 2822 date"),
        (_set("item/itunes:duration", "1.5 min"), "is not seconds or [hh:]mm:ss"),
        (_set("item/itunes:duration", "99"), "<itunes:duration> 99 s, the episode JSON says"),
        (_set("item/itunes:episode", "0"), "is not a positive number"),
        (_set("item/itunes:episodeType", "normal"), "<itunes:episodeType> must be one of"),
        (_set("item/podcast:episode", "deux"), "<podcast:episode> 'deux' is not a number"),
        (_same_guid, "is used twice"),
        (_attr("item/podcast:transcript", "type", "text/srt"), "transcript type 'text/srt'"),
        (_attr("item/podcast:chapters", "type", "application/json"), "chapters type 'application/json'"),
    ],
)
def test_each_feed_defect_is_reported(
    tmp_path: Path, change: Callable[[ET.Element], None], message: str
) -> None:
    good_folder(tmp_path)
    edit_feed(tmp_path, change)
    found = messages(validate(tmp_path, audio=False))
    assert message in found, found


def test_malformed_feed(tmp_path: Path) -> None:
    (tmp_path / FEED_NAME).write_text("<rss version='2.0'><channel><title>A & B</title></channel></rss>")
    assert "cannot read the feed as XML" in messages(validate(tmp_path))


def _append(path: Path) -> None:
    with path.open("ab") as f:
        f.write(b"\0" * 10)


def test_audio_file_size_changed(tmp_path: Path) -> None:
    good_folder(tmp_path)
    mp3 = next(tmp_path.glob("*-b/*.mp3"))
    _append(mp3)
    found = messages(validate(tmp_path, audio=False))
    assert "enclosure length" in found and f"is {mp3.stat().st_size} bytes, library says" in found


def test_duration_must_match_the_episode_json(tmp_path: Path) -> None:
    good_folder(tmp_path)
    side = next(tmp_path.glob("*-b/episode.json"))
    doc = json.loads(side.read_text(encoding="utf-8"))
    doc["duration"]["samples"] += round(0.2 * doc["duration"]["rate"])
    side.write_text(json.dumps(doc), encoding="utf-8")
    found = messages(validate(tmp_path))
    assert "lasts 1.000 s, the episode JSON says 1.2 s" in found, found


def test_a_small_drift_is_tolerated(tmp_path: Path) -> None:
    good_folder(tmp_path)
    side = next(tmp_path.glob("*-b/episode.json"))
    doc = json.loads(side.read_text(encoding="utf-8"))
    doc["duration"]["samples"] += round(0.05 * doc["duration"]["rate"])
    side.write_text(json.dumps(doc), encoding="utf-8")
    assert "lasts" not in messages(validate(tmp_path))


def test_loudness_outside_the_preset(tmp_path: Path) -> None:
    good_folder(tmp_path, lufs=-30.0)
    found = messages(validate(tmp_path))
    assert re.search(r"measures -(29|30|31)\.\d LUFS, preset 'podcast' wants -16\.0", found), found
    assert "LUFS" not in messages(validate(tmp_path, audio=False))


def test_the_broadcast_preset_is_checked_too(tmp_path: Path) -> None:
    good_folder(tmp_path, dataclasses.replace(SHOW, preset="broadcast"))
    found = messages(validate(tmp_path))
    assert found.count("preset 'broadcast' wants -23.0") == 2, found


def test_missing_id3_tag(tmp_path: Path) -> None:
    good_folder(tmp_path, tags=False)
    assert "ID3 tag of" in messages(validate(tmp_path, audio=False))


def test_id3_guid_must_be_the_feed_guid(tmp_path: Path) -> None:
    good_folder(tmp_path, guid="urn:other")
    edit_feed(tmp_path, _set("item/guid", "changed"))
    assert "ID3 GUID urn:other" in messages(validate(tmp_path, audio=False))


def test_undecodable_mp3(tmp_path: Path) -> None:
    good_folder(tmp_path, tags=False)
    mp3 = next(tmp_path.glob("*-b/*.mp3"))
    mp3.write_bytes(b"\x00" * mp3.stat().st_size)
    assert "does not decode" in messages(validate(tmp_path))


@pytest.mark.parametrize(
    ("name", "problem"), [("transcript.vtt", "transcript"), ("chapters.json", "chapters")]
)
def test_missing_or_broken_side_files(tmp_path: Path, name: str, problem: str) -> None:
    good_folder(tmp_path)
    side = next(tmp_path.glob(f"*-b/{name}"))
    side.write_text("garbage", encoding="utf-8")
    assert f"{problem} {name}" in messages(validate(tmp_path, audio=False))
    side.unlink()
    found = messages(validate(tmp_path, audio=False))
    assert (
        f"{problem} {name}" in found and f"file {side.relative_to(tmp_path).as_posix()} is missing" in found
    )


def test_artwork_that_apple_refuses(tmp_path: Path) -> None:
    from PIL import Image

    art = tmp_path / "small.png"
    Image.new("RGB", (600, 600)).save(art)
    good_folder(tmp_path / "out", dataclasses.replace(SHOW, artwork=art))
    assert "artwork: cover" in messages(validate(tmp_path / "out", audio=False))


def test_a_default_show_validates_without_error(tmp_path: Path) -> None:
    good_folder(tmp_path, Show())
    problems = validate(tmp_path)
    assert messages(problems) == ""
    warnings = messages(problems, "warning")
    assert "no <itunes:owner> (Apple asks for one" in warnings and "is on this machine" in warnings


def _drop_attr(path: str, name: str) -> Callable[[ET.Element], None]:
    def change(channel: ET.Element) -> None:
        element = channel.find(path, NAMESPACES)
        assert element is not None, path
        del element.attrib[name]

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_drop("itunes:owner/itunes:email"), "<itunes:owner> has no <itunes:email>"),
        (_set("itunes:owner/itunes:email", "podcast"), "<itunes:owner> e-mail 'podcast' is not an e-mail"),
        (_drop_attr("podcast:locked", "owner"), "<podcast:locked> has no owner"),
        (_attr("podcast:locked", "owner", "nobody"), "<podcast:locked> owner 'nobody' is not an e-mail"),
    ],
)
def test_what_validators_reject_is_an_error(
    tmp_path: Path, change: Callable[[ET.Element], None], message: str
) -> None:
    good_folder(tmp_path)
    edit_feed(tmp_path, change)
    assert message in messages(validate(tmp_path, audio=False))


def test_what_apple_only_asks_for_is_a_warning(tmp_path: Path) -> None:
    good_folder(tmp_path)
    edit_feed(tmp_path, _drop("itunes:owner/itunes:name"))
    problems = validate(tmp_path, audio=False)
    assert messages(problems) == "" and "has no <itunes:name>" in messages(problems, "warning")
    edit_feed(tmp_path, _drop("itunes:owner"))
    edit_feed(tmp_path, _drop("itunes:author"))
    edit_feed(tmp_path, _drop("podcast:locked"))
    problems = validate(tmp_path, audio=False)
    assert messages(problems) == ""
    assert "no <itunes:owner>" in messages(problems, "warning")
    assert "<itunes:author> is missing" in messages(problems, "warning")


def test_loopback_feed_is_only_a_warning(tmp_path: Path) -> None:
    good_folder(tmp_path, Show(owner_email="a@example.org"))
    problems = validate(tmp_path, audio=False)
    assert messages(problems) == ""
    assert "is on this machine" in messages(problems, "warning")


def test_a_feed_mixing_loudness_targets_is_warned_about(tmp_path: Path) -> None:
    publish_episode(tmp_path, SHOW, make_episode(tmp_path, slug="a", freq=300), "a", now=T0)
    loud = make_episode(tmp_path, "Radio", slug="b", freq=500, lufs=-23.0)
    publish_episode(tmp_path, SHOW, loud, "b", now=T0, preset="broadcast", allow_mixed_loudness=True)
    problems = validate(tmp_path)
    assert messages(problems) == ""
    assert (
        "the feed mixes loudness targets: -16.0 LUFS (preset 'podcast': episode 1); "
        "-23.0 LUFS (preset 'broadcast': episode 2)"
    ) in messages(problems, "warning")


def test_an_episode_is_measured_against_its_own_target(tmp_path: Path) -> None:
    info = make_episode(tmp_path, lufs=-18.0)
    info = dataclasses.replace(info, loudness=(("target_lufs", -18.0),))
    publish_episode(tmp_path, SHOW, info, "a", now=T0)
    assert messages(validate(tmp_path)) == ""


def test_simple_chapters_are_checked(tmp_path: Path) -> None:
    from briefing.export.chapters import Chapter

    chapters = (Chapter("Ouverture", 0, 400), Chapter("Suite", 400, 800), Chapter("Fin", 800, 1000))
    info = dataclasses.replace(make_episode(tmp_path), chapters=chapters)
    publish_episode(tmp_path, SHOW, info, "a", now=T0)
    assert messages(validate(tmp_path, audio=False)) == ""
    edit_feed(tmp_path, _attr("item/psc:chapters/psc:chapter[2]", "start", "00:00:00.900"))
    assert "start times are not in order" in messages(validate(tmp_path, audio=False))
    edit_feed(tmp_path, _attr("item/psc:chapters/psc:chapter[2]", "start", "0.4 s"))
    assert "<psc:chapter start='0.4 s' title='Suite'> needs a time" in messages(
        validate(tmp_path, audio=False)
    )
