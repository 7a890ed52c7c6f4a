from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import email.utils
import html
import io
import uuid
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree as ET

import feedparser
import podcastparser
import pytest
from episodes import SHOW, T0, make_episode
from hypothesis import given, settings, strategies as st

from briefing.config.show import FEED_NAME, Show
from briefing.export.chapters import Chapter, EpisodeFile, EpisodeInfo
from briefing.export.roles import FileRole
from briefing.publish.feed import clean_text, item_description, podcast_guid, render_feed
from briefing.publish.library import publish_episode, regenerate_feed
from briefing.publish.records import EpisodeRecord, read_library

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "psc": "http://podlove.org/simple-chapters",
}
CHAPTERS = (
    Chapter("Ouverture", 0, 4_321),
    Chapter("Le sommet <Alaska> & l'Ukraine", 4_321, 65_999),
    Chapter("Conclusion", 65_999, 70_500),
)


def publish_three(out: Path, show: Show = SHOW) -> list[EpisodeRecord]:
    """Three episodes published in date order; one has spaces and accents in its folder name."""
    episodes = [
        ("Premier & <dernier>", "premier", dt.date(2025, 1, 10), 300.0, 1.0),
        ("Été brûlant", "été 2025", dt.date(2025, 8, 15), 400.0, 1.6),
        ("Le sommet d'Anchorage", "anchorage", dt.date(2025, 8, 16), 500.0, 2.3),
    ]
    records = []
    for title, slug, date, freq, seconds in episodes:
        info = make_episode(out, title, slug=slug, date=date, freq=freq, seconds=seconds)
        when = dt.datetime.combine(date, dt.time(5, 0), tzinfo=dt.UTC)
        records.append(publish_episode(out, show, info, f"{slug}/{date}", now=when))
    return records


@pytest.fixture
def published(tmp_path: Path) -> tuple[Path, list[EpisodeRecord]]:
    return tmp_path, publish_three(tmp_path)


def url(record: EpisodeRecord, role: str) -> str:
    found = record.info.file(role)
    assert found is not None
    return SHOW.base_url + quote(found.path)


def test_podcastparser_reads_every_episode(published: tuple[Path, list[EpisodeRecord]]) -> None:
    out, records = published
    with (out / FEED_NAME).open("rb") as f:
        feed = podcastparser.parse(SHOW.feed_url, f)
    assert feed["title"] == SHOW.title and feed["language"] == "fr-FR"
    assert feed["itunes_categories"] == [["News", "Daily News"]]
    assert feed["itunes_owner"] == {"name": SHOW.title, "email": "podcast@example.org"}
    assert feed["explicit"] is False and feed["type"] == "episodic"
    assert feed["cover_url"].startswith(SHOW.base_url + "artwork-")
    assert (out / feed["cover_url"][len(SHOW.base_url) :]).is_file()
    by_guid = {e["guid"]: e for e in feed["episodes"]}
    assert set(by_guid) == {r.guid for r in records}
    for record in records:
        episode = by_guid[record.guid]
        mp3 = record.info.file("mp3")
        assert mp3 is not None
        assert episode["title"] == record.info.title
        assert episode["number"] == record.number and episode["type"] == "full"
        assert episode["total_time"] == round(record.info.samples / record.info.rate)
        assert episode["published"] == calendar.timegm(record.published.utctimetuple())
        assert episode["enclosures"] == [
            {
                "url": url(record, "mp3"),
                "file_size": (out / mp3.path).stat().st_size,
                "mime_type": "audio/mpeg",
            }
        ]


def test_feedparser_reads_enclosures_transcripts_and_chapters(
    published: tuple[Path, list[EpisodeRecord]],
) -> None:
    out, records = published
    feed = feedparser.parse((out / FEED_NAME).read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed["podcast_guid"] == podcast_guid(SHOW.feed_url)
    assert [e["id"] for e in feed.entries] == [r.guid for r in reversed(records)], "newest first"
    for entry, record in zip(feed.entries, reversed(records), strict=True):
        enclosure = [link for link in entry["links"] if link["rel"] == "enclosure"]
        assert len(enclosure) == 1 and enclosure[0]["href"] == url(record, "mp3")
        mp3 = record.info.file("mp3")
        assert mp3 is not None and enclosure[0]["length"] == str((out / mp3.path).stat().st_size)
        assert entry["itunes_duration"] == str(round(record.seconds))
        assert entry["podcast_chapters"]["url"] == url(record, "chapters")
        assert entry["podcast_transcript"]["url"] in (url(record, "vtt"), url(record, "srt"))
        assert html.unescape(entry["summary"]) == record.info.title


def test_channel_and_items_by_xpath(published: tuple[Path, list[EpisodeRecord]]) -> None:
    out, records = published
    channel = ET.parse(out / FEED_NAME).getroot().find("channel")
    assert channel is not None
    for tag in ("title", "link", "description", "language", "itunes:author", "itunes:explicit"):
        assert (channel.findtext(tag, namespaces=NS) or "").strip(), tag
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    expected_guid = uuid.uuid5(
        uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "example.org/podcast/feed.xml"
    )
    assert channel.findtext("podcast:guid", namespaces=NS) == str(expected_guid)
    locked = channel.find("podcast:locked", NS)
    assert locked is not None and locked.text == "no" and locked.get("owner") == "podcast@example.org"
    category = channel.find("itunes:category", NS)
    assert category is not None and category.get("text") == "News"
    assert [c.get("text") for c in category.findall("itunes:category", NS)] == ["Daily News"]
    self_link = channel.find("atom:link[@rel='self']", NS)
    assert self_link is not None and self_link.get("href") == SHOW.feed_url
    items = channel.findall("item")
    assert [i.findtext("itunes:episode", namespaces=NS) for i in items] == ["3", "2", "1"]
    for item, record in zip(items, reversed(records), strict=True):
        guid = item.find("guid")
        assert guid is not None and guid.text == record.guid and guid.get("isPermaLink") == "false"
        assert item.findtext("itunes:episodeType", namespaces=NS) == "full"
        assert item.findtext("itunes:explicit", namespaces=NS) == "false"
        enclosure = item.find("enclosure")
        assert enclosure is not None and enclosure.get("type") == "audio/mpeg"
        transcripts = {t.get("type"): t for t in item.findall("podcast:transcript", NS)}
        assert set(transcripts) == {"text/vtt", "application/x-subrip"}
        assert transcripts["text/vtt"].get("url") == url(record, "vtt")
        assert transcripts["application/x-subrip"].get("url") == url(record, "srt")
        assert all(t.get("language") == "fr" for t in transcripts.values())
        chapters = item.find("podcast:chapters", NS)
        assert chapters is not None and chapters.get("type") == "application/json+chapters"
    # Paris time: +0100 in January, +0200 in August.
    dates = [i.findtext("pubDate") or "" for i in items]
    assert dates[0].endswith("07:00:00 +0200") and dates[2].endswith("06:00:00 +0100")
    assert email.utils.parsedate_to_datetime(dates[2]) == records[0].published


def _pub_dates(out: Path) -> dict[str, str]:
    items = ET.parse(out / FEED_NAME).getroot().findall("channel/item")
    return {item.findtext("title") or "": item.findtext("pubDate") or "" for item in items}


def test_pub_date_follows_the_episode_date_and_stays_across_rebuilds(tmp_path: Path) -> None:
    """An episode dated months back is published that day at 06:00 in the show's time zone; one
    dated today at the time of the build; a rebuild keeps the first date."""
    now = dt.datetime(2025, 8, 15, 14, 37, 12, tzinfo=dt.UTC)
    old = make_episode(tmp_path, "Hiver", slug="hiver", date=dt.date(2025, 2, 3), freq=300)
    today = make_episode(tmp_path, "Aujourd'hui", slug="ajd", date=dt.date(2025, 8, 15), freq=500)
    publish_episode(tmp_path, SHOW, old, "hiver", now=now)
    publish_episode(tmp_path, SHOW, today, "ajd", now=now)
    dates = _pub_dates(tmp_path)
    assert dates == {
        "Hiver": "Mon, 03 Feb 2025 06:00:00 +0100",
        "Aujourd'hui": "Fri, 15 Aug 2025 16:37:12 +0200",
    }
    items = ET.parse(tmp_path / FEED_NAME).getroot().findall("channel/item")
    assert [i.findtext("title") for i in items] == ["Aujourd'hui", "Hiver"], "newest date first"
    later = now + dt.timedelta(days=40)
    rebuilt = make_episode(tmp_path, "Hiver", slug="hiver", date=dt.date(2025, 2, 3), freq=350)
    publish_episode(tmp_path, SHOW, rebuilt, "hiver", now=later)
    publish_episode(tmp_path, SHOW, today, "ajd", now=later)
    assert _pub_dates(tmp_path) == dates
    assert read_library(tmp_path).episodes[0].updated == later


def test_pub_date_is_the_local_day_of_the_show(tmp_path: Path) -> None:
    """What counts is the day in the show's time zone: 22:30 UTC on the 15th is already the 16th in
    Paris, still the 15th in New York (so an episode dated the 16th waits for 06:00 there)."""
    now = dt.datetime(2025, 8, 15, 22, 30, tzinfo=dt.UTC)  # 00:30 on the 16th in Paris
    info = make_episode(tmp_path, date=dt.date(2025, 8, 16))
    publish_episode(tmp_path, SHOW, info, "a", now=now)
    assert _pub_dates(tmp_path)[info.title] == "Sat, 16 Aug 2025 00:30:00 +0200"
    ny = dataclasses.replace(SHOW, timezone="America/New_York")  # 18:30 on the 15th there
    publish_episode(tmp_path, ny, info, "a", now=now)
    regenerate_feed(tmp_path, ny)
    assert _pub_dates(tmp_path)[info.title] == "Fri, 15 Aug 2025 18:30:00 -0400", "kept, shown in NY time"
    other = tmp_path / "ny"
    publish_episode(other, ny, make_episode(other, date=dt.date(2025, 8, 16)), "a", now=now)
    assert _pub_dates(other)[info.title] == "Sat, 16 Aug 2025 06:00:00 -0400"


def test_an_old_date_gives_a_pub_date_rfc_2822_can_write(tmp_path: Path) -> None:
    """`build --date 1905-03-01`: Paris was on local mean time (+00:09:21), written '+000921', which no
    parser reads; the offset is now rounded to the minute, and the instant kept (06:00 there)."""
    info = make_episode(tmp_path, date=dt.date(1905, 3, 1))
    publish_episode(tmp_path, SHOW, info, "a", now=T0)
    said = _pub_dates(tmp_path)[info.title]
    assert said == "Wed, 01 Mar 1905 05:59:39 +0009"
    assert email.utils.parsedate_to_datetime(said) == read_library(tmp_path).episodes[0].published


def test_chapters_for_every_client(tmp_path: Path) -> None:
    """podcast:chapters (JSON), Podlove Simple Chapters (gPodder) and description timestamps
    (Apple), each read back by a real parser."""
    info = dataclasses.replace(make_episode(tmp_path), description="Le résumé.", chapters=CHAPTERS)
    record = publish_episode(tmp_path, SHOW, info, "a", now=T0)
    item = ET.parse(tmp_path / FEED_NAME).getroot().find("channel/item")
    assert item is not None
    psc = item.find("psc:chapters", NS)
    assert psc is not None and psc.get("version") == "1.2"
    assert [(c.get("start"), c.get("title")) for c in psc.findall("psc:chapter", NS)] == [
        ("00:00:00.000", "Ouverture"),
        ("00:00:04.321", "Le sommet <Alaska> & l'Ukraine"),
        ("00:01:05.999", "Conclusion"),
    ]
    description = item.findtext("description") or ""
    assert description == (
        "<p>Le résumé.</p>\n<p>00:00 Ouverture<br>\n00:04 Le sommet &lt;Alaska&gt; &amp; l'Ukraine<br>\n"
        "01:05 Conclusion</p>"
    )
    with (tmp_path / FEED_NAME).open("rb") as f:
        episode = podcastparser.parse(SHOW.feed_url, f)["episodes"][0]
    assert episode["chapters"] == [
        {"start": 0, "title": "Ouverture"},
        {"start": 4, "title": "Le sommet <Alaska> & l'Ukraine"},
        {"start": 65, "title": "Conclusion"},
    ]
    parsed = feedparser.parse((tmp_path / FEED_NAME).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    entry = parsed.entries[0]
    assert entry["id"] == record.guid and entry["podcast_chapters"]["url"] == url(record, "chapters")
    assert "00:04 Le sommet &lt;Alaska&gt; &amp; l'Ukraine" in entry["summary"]
    assert read_library(tmp_path).episodes[0].info.chapters == CHAPTERS, "kept in the library"


def test_timestamps_only_from_three_chapters_and_hours_only_past_an_hour(tmp_path: Path) -> None:
    info = dataclasses.replace(make_episode(tmp_path), description="Résumé.")
    two = dataclasses.replace(info, chapters=CHAPTERS[:2])
    assert item_description(two) == "Résumé."
    late = (
        Chapter("Début", 250, 1_000),
        Chapter("Milieu", 1_000, 3_599_999),
        Chapter("Fin", 3_599_999, 3_700_000),
    )
    assert item_description(dataclasses.replace(info, chapters=late)) == (
        "<p>Résumé.</p>\n<p>00:00:00 Début<br>\n00:00:01 Milieu<br>\n00:59:59 Fin</p>"
    ), "the first at zero, the others rounded down"


def test_quoted_urls_point_at_the_files(published: tuple[Path, list[EpisodeRecord]]) -> None:
    out, records = published
    enclosure = url(records[1], "mp3")
    assert " " not in enclosure and "%C3%A9t%C3%A9%202025" in enclosure
    assert b'url="' + enclosure.encode() + b'"' in (out / FEED_NAME).read_bytes()


def test_keep_and_time_zone_and_explicit(tmp_path: Path) -> None:
    show = dataclasses.replace(SHOW, keep=2, timezone="America/New_York", explicit=True)
    records = publish_three(tmp_path, show)
    root = ET.parse(tmp_path / FEED_NAME).getroot()
    items = root.findall("channel/item")
    assert [i.findtext("guid") for i in items] == [records[2].guid, records[1].guid]
    assert len(read_library(tmp_path).episodes) == 3, "the library keeps what the feed drops"
    assert (items[0].findtext("pubDate") or "").endswith("01:00:00 -0400")
    assert {e.text for e in root.iter(f"{{{NS['itunes']}}}explicit")} == {"true"}


def test_a_default_show_writes_no_half_element(tmp_path: Path) -> None:
    """Without an owner e-mail: no itunes:owner (validators reject one without its e-mail), no
    podcast:locked (the Podcast Index schema requires its owner); the description is not the title."""
    show = Show(owner_name="La rédaction")
    publish_episode(tmp_path, show, make_episode(tmp_path), "a", now=T0)
    channel = ET.parse(tmp_path / FEED_NAME).getroot().find("channel")
    assert channel is not None
    assert channel.find("itunes:owner", NS) is None and channel.find("podcast:locked", NS) is None
    assert channel.findtext("description") == "Le Briefing : l'actualité lue par une voix de synthèse."
    assert channel.findtext("itunes:author", namespaces=NS) == "Le Briefing"
    feed = podcastparser.parse(show.feed_url, (tmp_path / FEED_NAME).open("rb"))
    assert "itunes_owner" not in feed and feed["description"] == show.feed_description


def test_an_owner_is_written_whole(tmp_path: Path) -> None:
    show = dataclasses.replace(SHOW, author="La rédaction")
    publish_episode(tmp_path, show, make_episode(tmp_path), "a", now=T0)
    owner = ET.parse(tmp_path / FEED_NAME).getroot().find("channel/itunes:owner", NS)
    assert owner is not None
    assert [(e.tag.split("}")[1], e.text) for e in owner] == [
        ("name", "La rédaction"),
        ("email", "podcast@example.org"),
    ]


def test_same_library_same_bytes(published: tuple[Path, list[EpisodeRecord]]) -> None:
    out, _ = published
    before = (out / FEED_NAME).read_bytes()
    (out / FEED_NAME).unlink()
    assert regenerate_feed(out, SHOW).read_bytes() == before


def test_show_artwork_is_published_under_a_content_name(tmp_path: Path) -> None:
    from PIL import Image

    art = tmp_path / "cover.jpg"
    Image.new("RGB", (1400, 1400), (200, 30, 30)).save(art, "JPEG")
    out = tmp_path / "out"
    publish_episode(out, dataclasses.replace(SHOW, artwork=art), make_episode(out), "a", now=T0)
    href = ET.parse(out / FEED_NAME).getroot().find("channel/itunes:image", NS)
    assert href is not None
    name = (href.get("href") or "")[len(SHOW.base_url) :]
    assert name.startswith("artwork-") and name.endswith(".jpg")
    assert (out / name).read_bytes() == art.read_bytes()
    Image.new("RGB", (1400, 1400), (30, 30, 200)).save(art, "JPEG")
    regenerate_feed(out, dataclasses.replace(SHOW, artwork=art))
    href = ET.parse(out / FEED_NAME).getroot().find("channel/itunes:image", NS)
    assert href is not None and (href.get("href") or "")[len(SHOW.base_url) :] != name, "new image, new URL"


def test_empty_library_still_gives_a_valid_channel(tmp_path: Path) -> None:
    regenerate_feed(tmp_path, SHOW)
    feed = feedparser.parse((tmp_path / FEED_NAME).read_bytes())
    assert not feed.bozo and feed.entries == [] and feed.feed["title"] == SHOW.title


SPECIALS = [
    "&",
    "&amp;",
    "&lt;b&gt;",
    "<",
    ">",
    "]]>",
    "<![CDATA[",
    '"',
    "'",
    "\x00",
    "\x0b",
    "\x1f",
    "\ufffe",
    "\ud800",
    "😀",
    "\r\n",
    "é",
]
odd_text = st.lists(st.one_of(st.text(max_size=8), st.sampled_from(SPECIALS)), max_size=8).map("".join)


def _record(title: str, description: str) -> EpisodeRecord:
    files = (EpisodeFile(FileRole.MP3, "a b/épisode.mp3", 1234),)
    info = EpisodeInfo(
        title, "Le Briefing", dt.date(2025, 8, 15), "espeak", "espeak", 24_000, 48_000, files=files
    )
    info = dataclasses.replace(info, description=description)
    return EpisodeRecord("k", "guid-1", 1, T0, T0, "podcast", info)


def _as_parsed(text: str) -> str:
    """What an XML parser gives back: forbidden characters gone, line ends normalized."""
    return clean_text(text).replace("\r\n", "\n").replace("\r", "\n")


@settings(max_examples=150, deadline=None)
@given(title=odd_text, description=odd_text, show_title=odd_text.filter(lambda t: t.strip()))
def test_odd_text_round_trips_through_parsers(title: str, description: str, show_title: str) -> None:
    show = dataclasses.replace(SHOW, title=show_title)
    data = render_feed(show, (_record(title, description),), "art.png")
    root = ET.fromstring(data)
    item = root.find("channel/item")
    assert item is not None
    assert (item.findtext("title") or "") == _as_parsed(title)
    assert html.unescape(item.findtext("description") or "") == _as_parsed(description or title)
    assert (root.findtext("channel/title") or "") == _as_parsed(show_title)
    parsed = podcastparser.parse(show.feed_url, io.BytesIO(data))
    assert [e["guid"] for e in parsed["episodes"]] == ["guid-1"]
    assert not feedparser.parse(data).bozo


@pytest.mark.parametrize(
    "feed_url", ["https://podnews.net/rss", "http://podnews.net/rss/", "podnews.net/rss"]
)
def test_podcast_guid_matches_the_namespace_example(feed_url: str) -> None:
    # The example of the Podcasting 2.0 <podcast:guid> documentation.
    assert podcast_guid(feed_url) == "9b024349-ccf0-5f69-a609-6b82873eab3c"
