"""`briefing validate` checks the show's pages: each item's page is there, plays the item's MP3,
and links only to files of the folder; the index is there when the feed links to the folder."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from test_validate import edit_feed, good_folder, messages

from briefing.publish.pages import INDEX_NAME, STYLE_NAME
from briefing.qa.validate import validate


def page_of(out: Path, slug: str) -> Path:
    (page,) = out.glob(f"{slug}-*.html")
    return page


def warnings(out: Path) -> str:
    problems = validate(out, audio=False)
    assert messages(problems) == "", "page problems are warnings, not errors"
    return messages(problems, "warning")


def test_the_pages_of_a_good_folder_pass_and_are_read(tmp_path: Path) -> None:
    good_folder(tmp_path)
    assert page_of(tmp_path, "a").is_file() and (tmp_path / INDEX_NAME).is_file()
    assert validate(tmp_path, audio=False) == ()


def test_a_missing_page_and_a_missing_index_are_warned_about(tmp_path: Path) -> None:
    good_folder(tmp_path)
    page = page_of(tmp_path, "b")
    page.unlink()
    (tmp_path / INDEX_NAME).unlink()
    found = warnings(tmp_path)
    assert f"its page {page.name} is missing (`briefing feed` writes the pages again)" in found
    assert f"channel: the show's page {INDEX_NAME} is missing" in found
    # the remaining page's link back to the index is broken too
    assert f"page {page_of(tmp_path, 'a').name}: <a> {INDEX_NAME}: {INDEX_NAME} is not in the folder" in found


def test_a_file_the_pages_link_to_that_is_gone_is_named_on_every_page(tmp_path: Path) -> None:
    good_folder(tmp_path)
    (tmp_path / STYLE_NAME).unlink()
    found = warnings(tmp_path).splitlines()
    gone = [line for line in found if f"{STYLE_NAME} is not in the folder" in line]
    assert len(gone) == 3, found  # the index and both episode pages


def test_a_missing_mp3_is_named_once_per_page_however_many_links_name_it(tmp_path: Path) -> None:
    good_folder(tmp_path)
    page = page_of(tmp_path, "a")
    mp3 = next((tmp_path / "2025-08-15-a").glob("*.mp3"))
    rel = mp3.relative_to(tmp_path).as_posix()
    links = page.read_text(encoding="utf-8").count(f'="{rel}')
    assert links > 2  # the player, the download link, the chapters and the sentences
    mp3.unlink()  # an error of its own for the enclosure; the page says it once
    problems = messages(validate(tmp_path, audio=False), "warning").splitlines()
    found = [line for line in problems if f"page {page.name}:" in line]
    assert found == [
        f'warning: item 2 ("Le sommet d\'Anchorage"): page {page.name}: <source> {rel} '
        f"(and {links - 1} other links): {rel} is not in the folder"
    ]


def test_a_page_that_plays_another_mp3(tmp_path: Path) -> None:
    good_folder(tmp_path)
    a, b = page_of(tmp_path, "a"), page_of(tmp_path, "b")
    mp3_a = next((tmp_path / "2025-08-15-a").glob("*.mp3")).name
    mp3_b = next((tmp_path / "2025-08-15-b").glob("*.mp3")).name
    a.write_text(a.read_text(encoding="utf-8").replace(mp3_a, mp3_b), encoding="utf-8")
    found = warnings(tmp_path)
    assert f"page {a.name} plays " in found and f"{mp3_b}, not the enclosure " in found
    assert f"page {b.name} plays" not in found


def test_a_link_to_a_part_of_the_page_that_is_not_there(tmp_path: Path) -> None:
    good_folder(tmp_path)
    page = page_of(tmp_path, "a")
    html = page.read_text(encoding="utf-8")
    assert 'href="#contenu"' in html and 'id="contenu"' in html
    page.write_text(html.replace('id="contenu"', 'id="ailleurs"'), encoding="utf-8")
    assert f"page {page.name}: <a> #contenu names no element of the page" in warnings(tmp_path)


def test_an_unreadable_page(tmp_path: Path) -> None:
    good_folder(tmp_path)
    page = page_of(tmp_path, "a")
    page.write_bytes(b"\xff\xfe<html>" + page.read_bytes())
    assert f"its page {page.name} is not UTF-8 text" in warnings(tmp_path)


def test_the_producers_own_index_is_not_read(tmp_path: Path) -> None:
    good_folder(tmp_path)
    (tmp_path / INDEX_NAME).write_text('<a href="ailleurs.html">notre site</a>', encoding="utf-8")
    assert validate(tmp_path, audio=False) == ()


def test_a_show_whose_link_is_its_own_site_needs_no_index(tmp_path: Path) -> None:
    good_folder(tmp_path)
    (tmp_path / INDEX_NAME).unlink()

    def relink(channel: ET.Element) -> None:
        link = channel.find("link")
        assert link is not None
        link.text = "https://radio.example/emissions/le-briefing"

    edit_feed(tmp_path, relink)
    assert not [p for p in validate(tmp_path, audio=False) if p.where == "channel"]
