"""The show's pages: structure (read by a strict HTML5 parser), escaping, links, feed links, removal
with their episode, all-or-nothing writing, `briefing serve` at `/`, contrast of the colours."""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import json
import re
import shutil
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree as ET

import html5lib
import pytest
from episodes import RATE, SHOW, T0, make_episode
from folders import snapshot
from page_episode import Built

import briefing.publish.pages as pages
from briefing.config.show import FEED_NAME
from briefing.errors import PublishError
from briefing.export.chapters import Chapter, EpisodeFile, EpisodeInfo
from briefing.export.roles import FileRole
from briefing.export.subtitles import parse_vtt, plan_cues, to_vtt
from briefing.models import Mark
from briefing.publish import pages_data
from briefing.publish.library import publish_episode, regenerate_feed, remove_episode
from briefing.publish.records import read_library
from briefing.publish.serve import make_server
from briefing.publish.staging import staging_folder

HOSTILE = '</title><script>alert("x")</script> & ]]> \'quotes\' "double" <!-- -->'
#: Kept out of pages: control characters HTML forbids (the parser would report them).
CONTROLS = "\x00\x01\x0b\x7f\x85\ufffe"


# --- helpers --------------------------------------------------------------------------------------


def parse(path: Path) -> ET.Element:
    """The page as a tree; a strict HTML5 parser raises on any parse error."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(path.read_bytes())  # type: ignore[no-any-return]


def text_of(element: ET.Element) -> str:
    return "".join(element.itertext())


def only(root: ET.Element, path: str) -> ET.Element:
    found = root.findall(path)
    assert len(found) == 1, f"{path}: {len(found)} elements"
    return found[0]


def meta(root: ET.Element, key: str) -> str:
    for element in root.iter("meta"):
        if key in (element.get("property"), element.get("name")):
            return element.get("content", "")
    raise AssertionError(f"no meta {key}")


def site_pages(out: Path) -> list[Path]:
    return sorted(p for p in out.glob("*.html"))


def old_episode(
    out: Path,
    title: str,
    sentences: Sequence[tuple[str, float, float]],
    *,
    slug: str = "ancien",
    chapters: tuple[Chapter, ...] = (),
    description: str = "",
    seconds: float = 6.0,
    freq: float = 440.0,
) -> EpisodeInfo:
    """An episode as a build before the pages wrote it: its JSON has no `sentences`; its WebVTT
    transcript is planned from `sentences` (text, start s, end s) as the build plans it."""
    info = make_episode(out, "Titre", slug=slug, seconds=seconds, freq=freq)  # the tag is not read here
    marks = [Mark(text, round(a * RATE), round(b * RATE)) for text, a, b in sentences]
    vtt = info.file(FileRole.VTT)
    assert vtt is not None
    cues = plan_cues(marks, RATE, speaker="Le Briefing")
    (out / vtt.path).write_text(to_vtt(cues, speaker="Le Briefing"), encoding="utf-8")
    files = tuple(
        EpisodeFile.of(out, out / f.path, f.role) for f in info.files if f.role != FileRole.EPISODE_JSON
    )
    info = dataclasses.replace(info, title=title, files=files, chapters=chapters, description=description)
    side = out / Path(vtt.path).parent / "episode.json"
    side.write_text(info.to_json(), encoding="utf-8")
    return dataclasses.replace(info, files=files + (EpisodeFile.of(out, side, FileRole.EPISODE_JSON),))


def links(root: ET.Element) -> Iterator[tuple[str, str]]:
    """(tag, URL) of every link of a page: href, src, and the URLs Open Graph and Twitter give."""
    for element in root.iter():
        for attribute in ("href", "src"):
            if element.get(attribute) is not None:
                yield element.tag, element.get(attribute, "")
        if element.tag == "meta" and re.search(
            r":(url|image|audio)$", element.get("property") or element.get("name") or ""
        ):
            yield "meta", element.get("content", "")


def check_links(out: Path, base_url: str, root: ET.Element) -> list[str]:
    """Every link of a page names a file of the folder: relative ones from the folder's top,
    absolute ones under `base_url`. Returns what it checked."""
    checked = []
    for tag, url in links(root):
        parts = urlsplit(url)
        if parts.scheme:
            assert url.startswith(base_url), f"{tag} {url} is not under {base_url}"
            path = unquote(parts.path)[len(urlsplit(base_url).path) :]
        elif url.startswith("#"):
            assert root.find(f".//*[@id='{url[1:]}']") is not None, f"{tag} {url}: no such id"
            continue
        else:
            path = unquote(parts.path)
        path = path or pages.INDEX_NAME
        assert (out / path).is_file(), f"{tag} {url}: {path} is not in {out}"
        checked.append(url)
    return checked


# --- a real episode ----------------------------------------------------------------------------


def test_build_writes_the_index_and_a_page_that_a_strict_parser_reads(built: Built) -> None:
    name = pages.record_page(built.record)
    assert name == "2025-08-16-le-tramway-ira-jusqu-a-la-gare-1.html"
    assert {p.name for p in site_pages(built.out)} == {"index.html", name}
    assert (built.out / pages.STYLE_NAME).read_bytes() == pages.static_file(pages.STYLE_NAME)
    assert (built.out / pages.SCRIPT_NAME).read_bytes() == pages.static_file(pages.SCRIPT_NAME)
    for path in site_pages(built.out):
        root = parse(path)
        assert root.get("lang") == "fr-FR"
        assert only(root, "head/meta[@charset]").get("charset") == "utf-8"
        assert pages.GENERATOR_TAG in path.read_bytes()[: pages.HEAD_BYTES]


def test_the_episode_page_shows_player_chapters_and_the_transcript_the_build_timed(built: Built) -> None:
    info = built.record.info
    root = parse(built.out / pages.record_page(built.record))
    mp3, vtt, episode_json = (info.file(role) for role in (FileRole.MP3, FileRole.VTT, FileRole.EPISODE_JSON))
    assert mp3 is not None and vtt is not None and episode_json is not None
    assert text_of(only(root, ".//h1")) == info.title
    assert only(root, ".//time").get("datetime") == "2025-08-16"
    assert "16 août 2025" in text_of(only(root, ".//p[@class='infos']"))
    assert "Source : Le Journal <b>du</b> soir (Jeanne Dupont)" == text_of(
        only(root, ".//p[@class='source']")
    )
    audio = only(root, ".//audio")
    assert audio.get("id") == "lecteur" and "controls" in audio.attrib and audio.get("aria-label")
    assert only(audio, "source").get("src") == mp3.path and only(audio, "source").get("type") == "audio/mpeg"
    track = only(audio, "track")
    assert (track.get("kind"), track.get("src"), track.get("srclang")) == ("captions", vtt.path, "fr")
    # Chapters: each links to the MP3 at its start (works without JavaScript) and carries it for the script.
    chapter_links = root.findall(".//ol[@class='chapitres']/li/a")
    assert [text_of(a).split(" ", 1)[1] for a in chapter_links] == [c.title for c in info.chapters]
    for a, chapter in zip(chapter_links, info.chapters, strict=True):
        start = pages_data.seconds(chapter.start_ms)
        assert a.get("data-start") == start and a.get("href") == f"{mp3.path}#t={start}"
    # Transcript: the episode JSON's sentences, whole, in order, under their chapter's heading.
    kept = json.loads((built.out / episode_json.path).read_text(encoding="utf-8"))["sentences"]
    spans = root.findall(".//a[@class='phrase']")
    assert [text_of(a) for a in spans] == [s["text"] for s in kept]
    assert [(a.get("data-start"), a.get("data-end")) for a in spans] == [
        (pages_data.seconds(s["start_ms"]), pages_data.seconds(s["end_ms"])) for s in kept
    ]
    assert any("<script>" in text_of(a) for a in spans), "the hostile sentence is shown as text"
    assert [text_of(h) for h in root.findall(".//section[@class='transcription']/h3")] == [
        c.title for c in info.chapters
    ]


def test_the_vtt_joined_back_gives_the_same_sentences_as_the_episode_json(built: Built) -> None:
    """The two sources of the transcript agree: an old episode's page (from its VTT) shows the
    sentences a new one's (from its JSON) does, with the same times."""
    info = built.record.info
    vtt, episode_json = info.file(FileRole.VTT), info.file(FileRole.EPISODE_JSON)
    assert vtt is not None and episode_json is not None
    cues = parse_vtt((built.out / vtt.path).read_text(encoding="utf-8"))
    kept = json.loads((built.out / episode_json.path).read_text(encoding="utf-8"))["sentences"]
    assert len(cues) > len(kept), "a long sentence was cut into several cues"
    joined = pages_data.join_pieces(cues)
    assert [(c.start_ms, c.end_ms, c.text) for c in joined] == [
        (s["start_ms"], s["end_ms"], s["text"]) for s in kept
    ]


def test_every_link_of_every_page_names_a_file_of_the_folder(built: Built) -> None:
    for path in site_pages(built.out):
        checked = check_links(built.out, built.show.base_url, parse(path))
        assert len(checked) > 10, path.name


def test_no_resource_comes_from_elsewhere(built: Built) -> None:
    for path in site_pages(built.out):
        root = parse(path)
        for element in root.iter():
            if element.tag in ("script", "img", "audio", "source", "track") and element.get("src"):
                assert not urlsplit(element.get("src", "")).scheme, element.get("src")
            if element.tag == "link" and element.get("rel") == "stylesheet":
                assert not urlsplit(element.get("href", "")).scheme
            if element.tag in ("script", "style") and text_of(element).strip():
                raise AssertionError(f"inline {element.tag} in {path.name}")
        scripts = [e.get("src", "") for e in root.iter("script")]
        assert len(scripts) == 1 and scripts[0].startswith("briefing.js?v="), scripts
    css = pages.static_file(pages.STYLE_NAME).decode()
    js = pages.static_file(pages.SCRIPT_NAME).decode()
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    assert not re.search(r"https?:", js) and not re.search(r"https?:", css)


def test_landmarks_headings_labels_and_names(built: Built) -> None:
    for path in site_pages(built.out):
        root = parse(path)
        body = only(root, "body")
        assert [e.tag for e in body if e.tag in ("header", "main", "footer")] == ["header", "main", "footer"]
        levels = [int(e.tag[1]) for e in root.iter() if re.fullmatch(r"h[1-6]", str(e.tag))]
        assert levels[0] == 1 and levels.count(1) == 1, levels
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), f"{path.name}: {levels}"
        ids = [e.get("id") for e in root.iter() if e.get("id")]
        assert len(ids) == len(set(ids))
        skip = body.find("a")
        assert (
            skip is not None
            and skip.get("href") == "#contenu"
            and only(root, ".//main").get("id") == "contenu"
        )
        labelled = {e.get("for") for e in root.iter("label")}
        for control in root.iter("input"):
            inside_label = any(control in list(label.iter()) for label in root.iter("label"))
            assert control.get("id") in labelled or inside_label, f"input without a label in {path.name}"
        for button in root.iter("button"):
            assert text_of(button).strip() and button.get("type") == "button"
        for image in root.iter("img"):
            assert image.get("alt"), "the cover has a text alternative"
        for section in root.iter("section"):
            label = section.get("aria-labelledby")
            assert label and root.find(f".//*[@id='{label}']") is not None


def test_feed_links_point_at_the_pages_and_the_pages_at_the_feed(built: Built) -> None:
    channel = ET.parse(built.out / FEED_NAME).getroot().find("channel")
    assert channel is not None
    assert channel.findtext("link") == built.show.base_url  # where index.html is served
    (item,) = channel.findall("item")
    url = item.findtext("link")
    assert url == built.show.base_url + pages.record_page(built.record)
    root = parse(built.out / pages.record_page(built.record))
    assert only(root, ".//link[@rel='canonical']").get("href") == url
    assert meta(root, "og:url") == url
    alternate = only(root, ".//link[@rel='alternate']")
    assert (alternate.get("type"), alternate.get("href")) == ("application/rss+xml", built.show.feed_url)
    mp3 = built.record.info.file(FileRole.MP3)
    assert mp3 is not None and meta(root, "og:audio") == built.show.url_for(mp3.path)
    assert meta(root, "og:title").startswith(built.record.info.title)
    assert meta(root, "twitter:card") == "summary" and meta(root, "og:type") == "article"
    assert meta(root, "og:image").startswith(built.show.base_url + "artwork-")
    index = parse(built.out / pages.INDEX_NAME)
    assert only(index, ".//input[@id='adresse-flux']").get("value") == built.show.feed_url
    (listed,) = index.findall(".//ol[@class='episodes']/li")
    assert only(listed, ".//h3/a").get("href") == pages.record_page(built.record)


# --- escaping -----------------------------------------------------------------------------------


def test_hostile_titles_descriptions_chapters_and_transcripts_are_text(tmp_path: Path) -> None:
    show = dataclasses.replace(SHOW, title="Show " + HOSTILE, description="Desc " + HOSTILE + CONTROLS)
    chapters = (Chapter("Ch " + HOSTILE, 0, 3000), Chapter("Deux" + CONTROLS, 3000, 6000))
    sentences = [("Phrase " + HOSTILE, 0.2, 2.5), ("Suite" + CONTROLS.replace("\x00", "") + " ]]>", 3.1, 5.0)]
    info = old_episode(
        tmp_path, "Titre " + HOSTILE + CONTROLS, sentences, chapters=chapters, description=HOSTILE
    )
    record = publish_episode(tmp_path, show, info, "k", now=T0)
    for path in site_pages(tmp_path):
        root = parse(path)  # strict: a control character or a broken tag would be a parse error
        assert [s.get("src", "").split("?")[0] for s in root.iter("script")] == ["briefing.js"]
        assert not [e for e in root.iter() if any(k.startswith("on") for k in e.attrib)]
        assert text_of(only(root, "head/title")).startswith(("Titre " + HOSTILE, "Show " + HOSTILE)), text_of(
            only(root, "head/title")
        )
        assert meta(root, "og:site_name") == "Show " + HOSTILE
        for value in (text_of(root), *(v for e in root.iter() for v in e.attrib.values())):
            assert not set(value) & set(CONTROLS), path.name
    page = parse(tmp_path / pages.record_page(record))
    assert text_of(only(page, ".//h1")) == "Titre " + HOSTILE
    assert meta(page, "og:title") == f"Titre {HOSTILE} · Show {HOSTILE}"
    assert text_of(only(page, ".//p[@class='description']")) == HOSTILE
    sentences_shown = [" ".join(text_of(a).split()) for a in page.findall(".//a[@class='phrase']")]
    assert sentences_shown == [" ".join(("Phrase " + HOSTILE).split()), "Suite ]]>"]
    assert [text_of(h) for h in page.findall(".//section[@class='transcription']/h3")] == [
        "Ch " + HOSTILE,
        "Deux",
    ]


# --- old episodes, removal, replacement ---------------------------------------------------------


LONG = (
    "Le conseil municipal a voté hier soir, après un long débat, la prolongation du tramway jusqu'à "
    "la gare et au-delà, vers les nouveaux quartiers du nord de la ville."
)


def test_feed_writes_the_pages_of_episodes_built_before_them(tmp_path: Path) -> None:
    info = old_episode(
        tmp_path, "Ancien", [("Bonjour.", 0.1, 0.9), (LONG, 1.3, 4.8), ("Au revoir.", 5.0, 5.9)]
    )
    record = publish_episode(tmp_path, SHOW, info, "ancien", now=T0)
    for name in [p.name for p in site_pages(tmp_path)] + [pages.STYLE_NAME, pages.SCRIPT_NAME]:
        (tmp_path / name).unlink()  # a folder from before the pages
    regenerate_feed(tmp_path, SHOW)
    page = parse(tmp_path / pages.record_page(record))
    spans = page.findall(".//a[@class='phrase']")
    assert [text_of(a) for a in spans] == ["Bonjour.", LONG, "Au revoir."]  # the long one's cues joined
    assert [a.get("data-start") for a in spans] == ["0.100", "1.300", "5.000"]
    assert spans[1].get("data-end") == "4.800"
    assert (tmp_path / pages.INDEX_NAME).is_file() and (tmp_path / pages.STYLE_NAME).is_file()


def test_a_page_without_a_readable_transcript_says_so(tmp_path: Path) -> None:
    info = old_episode(tmp_path, "Sans texte", [("Bonjour.", 0.1, 0.9)])
    vtt = info.file(FileRole.VTT)
    assert vtt is not None
    (tmp_path / vtt.path).write_text("not a vtt", encoding="utf-8")
    info = dataclasses.replace(
        info, files=tuple(EpisodeFile.of(tmp_path, tmp_path / f.path, f.role) for f in info.files)
    )
    record = publish_episode(tmp_path, SHOW, info, "k", now=T0)
    page = parse(tmp_path / pages.record_page(record))
    assert not page.findall(".//a[@class='phrase']")
    assert "pas disponible" in text_of(only(page, ".//section[@class='transcription']"))


def test_pages_go_with_their_episode_and_a_replacement_keeps_its_page(tmp_path: Path) -> None:
    first = publish_episode(tmp_path, SHOW, make_episode(tmp_path, "Un", slug="un"), "un", now=T0)
    later = T0 + dt.timedelta(hours=1)
    second = publish_episode(
        tmp_path, SHOW, make_episode(tmp_path, "Deux", slug="deux", freq=550), "deux", now=later
    )
    names = {pages.record_page(first), pages.record_page(second)}
    assert {p.name for p in site_pages(tmp_path)} == names | {"index.html"}
    index = parse(tmp_path / pages.INDEX_NAME)
    assert [a.get("href") for a in index.findall(".//h3/a")] == [
        pages.record_page(second),
        pages.record_page(first),
    ]
    # Replaced: same page, which now plays the new MP3.
    again = publish_episode(
        tmp_path, SHOW, make_episode(tmp_path, "Un, corrigé", slug="un", freq=660), "un", now=later
    )
    assert pages.record_page(again) == pages.record_page(first)
    mp3 = again.info.file(FileRole.MP3)
    assert mp3 is not None
    page = parse(tmp_path / pages.record_page(again))
    assert only(page, ".//audio/source").get("src") == mp3.path
    assert text_of(only(page, ".//h1")) == "Un, corrigé"
    # Dropped by the feed (keep = 1): its page goes; the library keeps it.
    regenerate_feed(tmp_path, dataclasses.replace(SHOW, keep=1))
    assert {p.name for p in site_pages(tmp_path)} == {pages.record_page(second), "index.html"}
    regenerate_feed(tmp_path, SHOW)
    # Removed: its page goes.
    remove_episode(tmp_path, SHOW, "deux")
    assert {p.name for p in site_pages(tmp_path)} == {pages.record_page(first), "index.html"}
    remove_episode(tmp_path, SHOW, "un")
    assert {p.name for p in site_pages(tmp_path)} == {"index.html"}
    assert "Aucun épisode" in text_of(parse(tmp_path / pages.INDEX_NAME))


def test_the_producers_own_html_is_left_alone(tmp_path: Path) -> None:
    own_index, own_page = (
        b"<!DOCTYPE html><title>Chez nous</title>",
        b"<!DOCTYPE html><title>A propos</title>",
    )
    (tmp_path / "index.html").write_bytes(own_index)
    (tmp_path / "a-propos.html").write_bytes(own_page)
    record = publish_episode(tmp_path, SHOW, make_episode(tmp_path), "k", now=T0)
    remove_episode(tmp_path, SHOW, "k")
    assert (tmp_path / "index.html").read_bytes() == own_index
    assert (tmp_path / "a-propos.html").read_bytes() == own_page
    assert not (tmp_path / pages.record_page(record)).exists()


def test_an_unchanged_page_is_not_written_again(tmp_path: Path) -> None:
    first = publish_episode(tmp_path, SHOW, make_episode(tmp_path, "Un", slug="un"), "un", now=T0)
    page = tmp_path / pages.record_page(first)
    inode = page.stat().st_ino
    publish_episode(tmp_path, SHOW, make_episode(tmp_path, "Deux", slug="deux", freq=550), "deux", now=T0)
    assert page.stat().st_ino == inode, "same bytes: same file (its ETag stays, clients get 304)"


# --- all or nothing -----------------------------------------------------------------------------


def test_a_failure_at_any_page_write_leaves_the_folder_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replacement that rewrites the style sheet (as after an upgrade), its page and the index:
    the disk fails at each of those writes in turn, and the folder is as it was each time."""
    base = tmp_path / "base"
    publish_episode(base, SHOW, make_episode(base, "Un", slug="un"), "un", now=T0)
    publish_episode(base, SHOW, make_episode(base, "Deux", slug="deux", freq=550), "deux", now=T0)
    (base / pages.STYLE_NAME).write_text("/* an older version */", encoding="utf-8")
    info = make_episode(base, "Un, corrigé", slug="un", freq=660)  # replaces "un": its page changes
    before = snapshot(base)
    real = pages.atomic_write_bytes
    calls: list[str] = []
    fail_at: int | None = None

    def failing(path: Path, data: bytes) -> None:
        calls.append(path.name)
        if len(calls) - 1 == fail_at:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(pages, "atomic_write_bytes", failing)
    shutil.copytree(base, tmp_path / "counting")
    publish_episode(tmp_path / "counting", SHOW, info, "un", now=T0 + dt.timedelta(hours=1))
    written = list(calls)
    assert written == [pages.STYLE_NAME, pages.record_page(read_library(base).episodes[0]), "index.html"]
    for fail_at in range(len(written)):
        out = tmp_path / f"run-{fail_at}"
        shutil.copytree(base, out)
        calls.clear()
        with pytest.raises(PublishError, match="left as they were"):
            publish_episode(out, SHOW, info, "un", now=T0 + dt.timedelta(hours=1))
        assert snapshot(out) == before, (fail_at, calls)


def test_a_failure_at_the_feed_puts_the_pages_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing.publish import library

    publish_episode(tmp_path, SHOW, make_episode(tmp_path, "Un", slug="un"), "un", now=T0)
    info = make_episode(tmp_path, "Deux", slug="deux", freq=550)
    before = snapshot(tmp_path)

    def broken(path: Path, data: bytes) -> None:
        raise OSError(errno.EIO, "I/O error", str(path))

    monkeypatch.setattr(library, "write_feed_bytes", broken)
    with pytest.raises(PublishError, match="left as they were"):
        publish_episode(tmp_path, SHOW, info, "deux", now=T0)
    assert snapshot(tmp_path) == before


def test_temporary_pages_of_a_killed_commit_are_swept(tmp_path: Path) -> None:
    publish_episode(tmp_path, SHOW, make_episode(tmp_path), "k", now=T0)
    left = [
        ".index.0123456789ab.tmp.html",
        ".2025-08-15-x-1.0123456789ab.tmp.html",
        ".briefing.0123456789ab.tmp.css",
    ]
    for name in left:
        (tmp_path / name).write_bytes(b"half")
    (tmp_path / ".mine.tmp.html").write_bytes(b"not ours")
    with staging_folder(tmp_path):
        pass
    assert not [name for name in left if (tmp_path / name).exists()]
    assert (tmp_path / ".mine.tmp.html").exists()


# --- serve ---------------------------------------------------------------------------------------


def _get(port: int, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def test_serve_shows_the_index_at_the_root_and_pages_with_their_types(built: Built, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(built.out, out)
    server = make_server(out, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = int(server.server_address[1])
        status, headers, body = _get(port, "/")
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
        assert body == (out / "index.html").read_bytes()
        assert _get(port, "/", "HEAD")[0] == 200
        page = pages.record_page(built.record)
        assert _get(port, f"/{page}")[1]["content-type"] == "text/html; charset=utf-8"
        assert _get(port, "/briefing.css?v=1")[1]["content-type"] == "text/css; charset=utf-8"
        assert _get(port, "/briefing.js")[1]["content-type"] == "text/javascript; charset=utf-8"
        (out / "index.html").unlink()  # a folder without pages: the root leads to the feed
        status, headers, _ = _get(port, "/")
        assert status == 302 and headers["location"] == "/feed.xml"
    finally:
        server.shutdown()
        server.server_close()


# --- colours and wording -------------------------------------------------------------------------


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_colour_pair_has_enough_contrast_in_light_and_dark() -> None:
    css = pages.static_file(pages.STYLE_NAME).decode()
    light_block, dark_block = re.findall(r":root\s*\{([^}]*)\}", css)
    assert "prefers-color-scheme: dark" in css
    for block in (light_block, dark_block):
        colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6});", block))
        pairs = [
            ("texte", "fond", 7.0),  # WCAG AAA for the body text
            ("lien", "fond", 4.5),
            ("discret", "fond", 4.5),
            ("surligne-texte", "surligne", 7.0),
            ("lien", "surligne", 4.5),  # a highlighted chapter link
            ("focus", "fond", 3.0),  # a focus ring is a non-text element
        ]
        for fore, back, least in pairs:
            ratio = contrast(colours[fore], colours[back])
            assert ratio >= least, f"{fore} on {back}: {ratio:.2f} < {least}"


def test_wording() -> None:
    assert pages_data.french_date(dt.date(2025, 8, 1)) == "1er août 2025"
    assert pages_data.duration_text(221_400) == "3 min 41 s"
    assert pages_data.duration_text(45_000) == "45 s"
    assert pages_data.duration_text(3_725_000) == "1 h 02 min"
    assert pages_data.size_text(2_690_000) == "2,7 Mo" and pages_data.size_text(8_200) == "8 ko"
    assert pages_data.clock(83_400) == "01:23" and pages_data.clock(3_723_000, hours=True) == "1:02:03"
    assert pages_data.seconds(83_004) == "83.004"
    assert pages.page_name("2025-08-15/La Rencontre", 3) == "2025-08-15-la-rencontre-3.html"
    assert pages.html_text("a\x00b\x7fc\ud800d\U0001fffee\tf") == "abcde\tf"
