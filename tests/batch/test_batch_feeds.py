"""News feeds: RSS 2.0 and Atom read with a hardened parser, items chosen by count, words and age."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from newsite import NOW, atom, rss

from briefing.batch import FeedSource, parse_feed, read_feed, select_items
from briefing.batch.feeds import feed_sources, mentions
from briefing.batch.plan import parse_plan
from briefing.batch.sources import gather
from briefing.errors import IngestError

BASE = "http://news.test"


def test_rss_items_carry_link_title_date_and_summary() -> None:
    items = parse_feed(rss(BASE).encode(), f"{BASE}/rss.xml")
    assert len(items) == 7
    first = items[0]
    assert first.link == f"{BASE}/tempete.html" and first.title == "Tempête Ciarán à Brest"
    assert first.published == NOW - dt.timedelta(hours=1)
    assert first.summary == "Les habitants découvrent les dégâts."


def test_atom_entries_with_relative_links_are_taken_from_the_feed_url() -> None:
    items = parse_feed(atom(BASE).encode(), f"{BASE}/feeds/atom.xml")
    assert [i.link for i in items] == [f"{BASE}/retraites.html", f"{BASE}/canicule.html"]
    assert items[1].published == NOW - dt.timedelta(hours=2)


def test_rss_without_link_uses_a_permalink_guid_and_drops_items_with_no_web_page() -> None:
    doc = (
        "<rss><channel><item><guid>https://a.fr/1.html</guid><description>&lt;p&gt;Un &amp;amp; "
        "deux&lt;/p&gt;</description></item><item><guid isPermaLink='false'>urn:2</guid></item>"
        "<item><link>mailto:x@a.fr</link></item></channel></rss>"
    )
    (item,) = parse_feed(doc.encode(), "feed.xml")
    assert item.link == "https://a.fr/1.html" and item.summary == "Un & deux" and item.published is None


def test_choosing_items_by_count_words_and_age() -> None:
    items = parse_feed(rss(BASE).encode(), f"{BASE}/rss.xml")
    day = FeedSource("x", items=10, max_age_hours=24)
    assert "/seisme.html" not in " ".join(i.link for i in select_items(items, day, NOW))
    no_sport = FeedSource("x", items=10, exclude=("sport",), max_age_hours=24)
    assert [i.link.rsplit("/", 1)[1] for i in select_items(items, no_sport, NOW)] == [
        "tempete.html",
        "braderie.html",
        "abonnes.html",
        "english.html",
        "disparue.html",
    ]
    assert len(select_items(items, FeedSource("x", items=2), NOW)) == 2
    brest = FeedSource("x", include=("brest", "LILLE"))  # any case; "Lille" is in the braderie's title
    assert [i.title for i in select_items(items, brest, NOW)] == [
        "Tempête Ciarán à Brest",
        "La braderie de Lille",
    ]


def test_words_match_whole_words_with_or_without_accents() -> None:
    (item,) = parse_feed(
        b"<rss><channel><item><title>L'\xc3\x89lys\xc3\xa9e et Bordeaux</title><link>https://a.fr/x</link>"
        b"<category>Politique</category></item></channel></rss>",
        "f",
    )
    assert mentions(item, ["elysee"]) and mentions(item, ["politique"]) and mentions(item, ["bordeaux"])
    assert not mentions(item, ["Bord"]) and not mentions(item, ["lys"])


def test_newest_first_and_undated_items_fail_a_maximum_age() -> None:
    doc = (
        "<rss><channel>"
        "<item><link>https://a.fr/old</link><pubDate>Mon, 01 Jan 2024 06:00:00 +0100</pubDate></item>"
        "<item><link>https://a.fr/undated</link></item>"
        "<item><link>https://a.fr/new</link><pubDate>Tue, 02 Jan 2024 06:00:00 GMT</pubDate></item>"
        "<item><link>https://a.fr/new</link><pubDate>Tue, 02 Jan 2024 06:00:00 GMT</pubDate></item>"
        "</channel></rss>"
    )
    items = parse_feed(doc.encode(), "f")
    now = dt.datetime(2024, 1, 2, 12, tzinfo=dt.UTC)
    assert [i.link for i in select_items(items, FeedSource("f", items=9), now)] == [
        "https://a.fr/new",
        "https://a.fr/old",
        "https://a.fr/undated",
    ]
    assert [i.link for i in select_items(items, FeedSource("f", max_age_hours=48), now)] == [
        "https://a.fr/new",
        "https://a.fr/old",
    ]


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (b"<html><body>Pas un flux</body></html>", "not an RSS or Atom feed (its root is <html>)"),
        (b"<rss><channel><item>", "not an RSS or Atom feed (broken XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b"<rss><channel><item><title>&b;</title></item></channel></rss>",
            "the feed was refused (EntitiesForbidden)",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<rss><channel><item><title>&x;</title></item></channel></rss>",
            "the feed was refused",
        ),
    ],
)
def test_a_hostile_or_wrong_document_is_one_clear_error(doc: bytes, expected: str) -> None:
    with pytest.raises(IngestError) as info:
        parse_feed(doc, "https://a.fr/feed.xml")
    assert expected in info.value.one_line()


def test_feeds_are_read_over_http_and_from_files(news_site: str, tmp_path: Path) -> None:
    assert len(read_feed(f"{news_site}/rss.xml")) == 7
    assert [s.rsplit("/", 1)[1] for s in feed_sources(FeedSource(f"{news_site}/atom.xml"))] == [
        "retraites.html",
        "canicule.html",
    ]
    local = tmp_path / "feed.xml"
    local.write_text(rss(news_site), encoding="utf-8")
    assert len(read_feed(str(local))) == 7
    local.write_text(atom(news_site), encoding="utf-8")
    assert read_feed(str(local)) == ()  # relative links, and no URL to take them from
    with pytest.raises(IngestError, match="answered 404"):
        read_feed(f"{news_site}/missing.xml")
    with pytest.raises(IngestError, match="not an RSS or Atom feed"):
        read_feed(f"{news_site}/english.html")
    with pytest.raises(IngestError, match="cannot read the feed"):
        read_feed(str(tmp_path / "none.xml"))


def test_gathering_a_plan_reads_lists_and_feeds_and_notes_what_it_leaves_out(
    news_site: str, tmp_path: Path
) -> None:
    (tmp_path / "du-jour.list").write_text("a.txt\nhttps://a.fr/b.html\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Un article.", encoding="utf-8")
    plan = parse_plan(
        {
            "show": [
                {
                    "name": "regions",
                    "out": "out/r",
                    "each": True,
                    "feed": [
                        {"url": f"{news_site}/rss.xml", "items": 3, "exclude": ["sport"]},
                        {"url": f"{news_site}/atom.xml"},
                        {"url": f"{news_site}/missing.xml"},
                    ],
                },
                {"name": "matin", "out": "out/m", "sources": ["du-jour.list", "none.list", "a.txt"]},
            ]
        },
        tmp_path / "plan.toml",
    )
    regions, matin = gather(plan, NOW)
    assert [j.sources[0].rsplit("/", 1)[1] for j in regions.jobs] == [
        "tempete.html",
        "braderie.html",
        "abonnes.html",
        "retraites.html",
        "canicule.html",
    ]
    assert len(regions.notes) == 1 and "missing.xml answered 404" in regions.notes[0]
    (briefing,) = matin.jobs  # one briefing of every article, each once
    assert briefing.sources == (str(tmp_path / "a.txt"), "https://a.fr/b.html")
    assert briefing.options.out_dir == tmp_path / "out" / "m" and briefing.options.jobs == 1
    assert matin.notes and "none.list" in matin.notes[0]
