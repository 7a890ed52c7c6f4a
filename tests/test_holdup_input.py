"""Hold up (issue 9), bad input: every case goes through the real CLI and ends either in one clear line
on stderr with exit code 2 and nothing written, or in a valid result checked for what it should hold.

Builds use the espeak voice from small Markdown articles or script files (no French model); only the
one-sentence article goes through spaCy. The `../` slug and absolute-path cases are in
test_holdup_security.py; the module-level checks stay in test_ingest, test_show, test_speech_voices.
"""

from __future__ import annotations

import builtins
import errno
import io
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import feedparser
import podcastparser
import pytest
from bad_inputs import BAD_PROFILES, BAD_SHOWS, BAD_SOUNDS
from click.testing import Result
from folders import snapshot
from typer.testing import CliRunner

from briefing.cli.app import app
from briefing.export.subtitles import parse_srt, parse_vtt
from briefing.export.tags import read_tags
from briefing.ingest.core import MAX_ARTICLE_CHARS
from briefing.pipeline import MAX_MINUTES
from briefing.script.build import read_script
from briefing.speech.engines import engine_names, get_engine
from briefing.speech.normalize import normalize
from briefing.speech.voicing import plan_voicing

runner = CliRunner()
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

SCRIPT = """<!-- briefing script -->
---
title: Le port de Sète agrandi
show: Le Briefing
date: 2025-09-02
---

# Ouverture

## greeting
Bonjour et bienvenue dans Le Briefing.

## lead
Les travaux du port commencent en octobre.

# Conclusion

## signoff
C'était Le Briefing. À demain !
"""
ARTICLE_MD = """# Le marché couvert rouvre

La halle du centre-ville rouvre ses portes samedi, après deux ans de travaux.

## Des commerçants de retour

Vingt étals accueilleront les clients dès huit heures.
"""


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(app, list(args), env=env)


def refused(result: Result, *words: str) -> str:
    """The one line a bad input gets: exit 2, `briefing: error: …` naming each of `words`."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefing: error: "), result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def build_args(source: Path, out: Path, cache: Path, *more: str) -> list[str]:
    return ["build", str(source), "--voice", "espeak", "--out", str(out), "--cache-dir", str(cache), *more]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder holding one real episode, its library and feed: what a bad input must not touch."""
    root = tmp_path_factory.mktemp("published")
    script = write(root / "port.script.md", SCRIPT)
    result = invoke(*build_args(script, root / "out", root / "cache"))
    assert result.exit_code == 0, result.stderr
    return root / "out"


@pytest.fixture
def out(tmp_path: Path, published: Path) -> Path:
    """A copy of the published folder for one test."""
    return Path(shutil.copytree(published, tmp_path / "out"))


@pytest.fixture
def script_file(tmp_path: Path) -> Path:
    return write(tmp_path / "port.script.md", SCRIPT)


# ---------------------------------------------------------------- articles that cannot be read


def _five_megabytes(reference: Path) -> bytes:
    paragraph = reference.read_bytes().strip()
    return b"\n\n".join([paragraph] * (5 * 1024 * 1024 // len(paragraph) + 1))


UNREADABLE = [
    ("empty.txt", lambda ref: b"", "the article is empty"),
    ("blank.txt", lambda ref: b" \n\t\r\n  \n", "the article is empty"),
    ("blank.md", lambda ref: "\ufeff \n\n".encode(), "the article is empty"),
    ("binary.txt", lambda ref: bytes(range(256)) * 64, "binary file"),
    ("image.html", lambda ref: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary file"),
    ("big.txt", _five_megabytes, f"over the limit of {MAX_ARTICLE_CHARS:,}"),
    ("headings.md", lambda ref: b"# Titre\n\n## Une partie\n\n## Une autre partie\n", "headings but no text"),
    ("headings.txt", lambda ref: b"Un titre\n\nUne partie\n\nUne autre\n", "headings but no text"),
    (
        "headings.json",
        lambda ref: b'{"title": "T", "sections": [{"heading": "H", "text": " "}]}',
        "headings but no text",
    ),
    ("title-only.md", lambda ref: b"# Le titre seul\n", "the article has no text"),
]


@pytest.mark.parametrize(("name", "make", "message"), UNREADABLE, ids=[c[0] for c in UNREADABLE])
@pytest.mark.parametrize("command", ["sections", "script", "build"])
def test_an_unreadable_article_is_one_line_and_writes_nothing(
    tmp_path: Path, out: Path, reference: Path, name: str, make: Any, message: str, command: str
) -> None:
    article = write(tmp_path / name, make(reference))
    before = snapshot(out)
    cache = tmp_path / "cache"
    args = {
        "sections": ["sections", str(article)],
        "script": ["script", str(article), "-o", str(out / "article.script.md")],
        "build": build_args(article, out, cache),
    }[command]
    refused(invoke(*args), name, message)
    assert snapshot(out) == before
    assert not cache.exists()  # nothing was voiced


# ---------------------------------------------------------------- long articles


def test_a_long_article_works_for_sections_and_script_but_a_build_is_refused_before_voicing(
    tmp_path: Path, out: Path
) -> None:
    paragraph = "Le conseil municipal a longuement débattu du budget de la ville, ligne par ligne. " * 50
    sections = [f"## Partie {i}\n\n{paragraph}\n" for i in range(1, 81)]
    article = write(tmp_path / "long.md", "# Le très long compte rendu\n\n" + "\n".join(sections))
    words = len(paragraph.split()) * 80
    assert words > MAX_MINUTES * 200 and article.stat().st_size < MAX_ARTICLE_CHARS

    found = invoke("sections", str(article), "--json")
    assert found.exit_code == 0, found.stderr
    data = json.loads(found.stdout)
    assert len(data["sections"]) == 80 and data["sections"][79]["heading"] == "Partie 80"
    assert sum(len(s["text"].split()) for s in data["sections"]) == words

    script = tmp_path / "long.script.md"
    assert invoke("script", str(article), "-o", str(script)).exit_code == 0
    assert len(read_script(script).chapters) == 82  # opening, 80 parts, closing

    before, cache = snapshot(out), tmp_path / "cache"
    refused(invoke(*build_args(script, out, cache)), f"limit of {MAX_MINUTES} minutes", "--max-minutes")
    assert snapshot(out) == before and not cache.exists()


def test_max_minutes_is_the_users_own_limit(tmp_path: Path, out: Path) -> None:
    article = write(tmp_path / "marche.md", ARTICLE_MD * 40)
    before, cache = snapshot(out), tmp_path / "cache"
    refused(invoke(*build_args(article, out, cache, "--max-minutes", "1")), "limit of 1 minutes")
    assert snapshot(out) == before and not cache.exists()


def test_one_sentence_of_3000_words_loses_nothing_and_fits_every_engine(tmp_path: Path) -> None:
    words = ("le gouvernement a annoncé que la réforme des retraites de 2023 serait examinée par les "
             "députés avec une attention particulière aux carrières longues").split()  # fmt: skip
    sentence = [words[i % len(words)] + ("," if i % 97 == 96 else "") for i in range(3000)]
    sentence[0] = "Le"
    text = " ".join(sentence) + "."
    article = write(tmp_path / "phrase.txt", text + "\n")

    found = invoke("sections", str(article), "--json")
    assert found.exit_code == 0, found.stderr
    data = json.loads(found.stdout)
    body = [data["lead"]] + [f"{s['heading']} {s['text']}" for s in data["sections"]]
    assert " ".join(body).split() == text.split()

    script_path = tmp_path / "phrase.script.md"
    assert invoke("script", str(article), "-o", str(script_path)).exit_code == 0
    script = read_script(script_path)
    read = " ".join(c.text for c in script.cues if c.kind in ("lead", "heading", "text"))
    assert read.split() == text.split()  # the whole sentence is in the script, once

    for name in engine_names():
        limit = get_engine(name).max_chars
        for plan in plan_voicing(script, limit):
            for planned in plan.sentences:
                assert all(0 < len(piece) <= limit for piece in planned.pieces)
                said = " ".join(planned.pieces).split()
                assert said == normalize(planned.text).split(), name


# ---------------------------------------------------------------- encodings and HTML


ACCENTED = "Le café de l'été"
LEAD = "À Noël, l'élève a dû payer 3 € pour un « œuf » : ça coûte cher à Ève."
HEADING = "Les œuvres de Müller"
BODY = "Un paragraphe où l'on parle de Dvořák, de Zoë et du naïf Noël."


@pytest.mark.parametrize(
    ("encoding", "table"),
    [("cp1252", {"ř": "r"}), ("latin-1", {"€": "euros", "œ": "oe", "ř": "r"})],
)
def test_windows_1252_and_latin_1_come_out_right(
    tmp_path: Path, encoding: str, table: dict[str, str]
) -> None:
    def plain(text: str) -> str:
        return text.translate(str.maketrans(table))  # type: ignore[arg-type]

    source = "\r\n\r\n".join([ACCENTED, LEAD, HEADING, BODY]) + "\r\n"
    article = write(tmp_path / "accents.txt", plain(source).encode(encoding))
    found = invoke("sections", str(article), "--json")
    assert found.exit_code == 0, found.stderr
    data = json.loads(found.stdout)
    assert data["title"] == ACCENTED and data["lead"] == plain(LEAD)
    assert data["sections"] == [{"heading": plain(HEADING), "text": plain(BODY)}]
    script = invoke("script", str(article))
    assert script.exit_code == 0 and plain(BODY) in script.stdout


NOISY_HTML = """<!doctype html>
<html lang="fr"><head><meta charset="windows-1252"><title>Le budget voté | Journal</title>
<style>body { color: red } .CACHE { content: "STYLETEXT" }</style>
<script>var SCRIPTTEXT = "Ceci est un script. Il ne doit pas être lu à voix haute.";</script>
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Le budget voté",
 "datePublished": "2025-03-02"}</script>
<noscript>NOSCRIPTTEXT : activez JavaScript pour lire la suite de cet article.</noscript>
</head><body>
<script>document.write("WRITETEXT dans le corps de la page, au milieu de tout.");</script>
<article><h1>Le budget voté</h1>
<style>.x { color: blue } INLINESTYLETEXT</style>
<p>L'Assemblée a voté le budget mardi soir, après trois semaines de débats très animés dans
l'hémicycle.<script>alert("INLINESCRIPTTEXT")</script> Le texte part maintenant au Sénat.</p>
<h2>Un vote serré</h2>
<p>Le gouvernement a obtenu une majorité de douze voix seulement, grâce au soutien des élus
indépendants.<style>p { margin: 0 } STYLEINPARAGRAPH</style></p>
<template><p>TEMPLATETEXT : un gabarit que le navigateur n'affiche jamais.</p></template>
<svg><text>SVGTEXT</text><script>SVGSCRIPTTEXT</script></svg>
<h2>La suite au Sénat</h2>
<p>Les sénateurs examineront le texte la semaine prochaine, en commission puis en séance.</p>
</article>
<script><!-- var COMMENTEDSCRIPT = 1; --></script>
</body></html>
"""


def test_html_full_of_scripts_and_styles_gives_only_the_article(tmp_path: Path) -> None:
    page = write(tmp_path / "budget.html", NOISY_HTML.encode("cp1252"))
    found = invoke("sections", str(page), "--json")
    assert found.exit_code == 0, found.stderr
    assert not re.search(r"[A-Z]{6,}", found.stdout), found.stdout  # no SCRIPTTEXT, STYLETEXT...
    data = json.loads(found.stdout)
    assert data["title"] == "Le budget voté" and data["date"] == "2025-03-02"
    assert data["lead"].startswith("L'Assemblée a voté") and data["lead"].endswith("au Sénat.")
    assert [s["heading"] for s in data["sections"]] == ["Un vote serré", "La suite au Sénat"]
    assert data["sections"][0]["text"].endswith("des élus indépendants.")


# ---------------------------------------------------------------- odd characters, one real build

ODD_TITLE = "Prix & salaires <b>fous</b> ]]> 📈 \u200fעברית\u200e\x07\x1b[31m fin"
ODD_TITLE_CLEAN = "Prix & salaires <b>fous</b> ]]> 📈 עברית[31m fin"
ODD_ARTICLE = """# Un titre remplacé

Les prix & les salaires <montent> ]]> vite 📈. Un bip \x07 ici, un \x1b[0m et un \u202eretourné\u202c.

## Partie <deux> & ]]> 🇫🇷

Le texte continue : « כן » et \u200fعربي\u200f, puis la fin.
"""
ODD_SHOW = """[show]
title = "Le <Brief> & ]]> 📻"
description = "Chaque matin : prix & <salaires>, ]]> et 🇫🇷."
author = "Rédaction <R&D>"
"""


def test_odd_characters_reach_feed_tags_and_subtitles_intact_and_valid(tmp_path: Path) -> None:
    article = write(tmp_path / "odd.md", ODD_ARTICLE)
    show = write(tmp_path / "show.toml", ODD_SHOW)
    out = tmp_path / "out"
    args = build_args(article, out, tmp_path / "cache", "--show", str(show), "--title", ODD_TITLE)
    result = invoke(*args, "--date", "2025-09-02")
    assert result.exit_code == 0, result.stderr

    feed = out / "feed.xml"
    ET.parse(feed)  # well-formed XML
    parsed = podcastparser.parse(str(feed), feed.open("rb"))
    assert parsed["title"] == "Le <Brief> & ]]> 📻"
    assert [e["title"] for e in parsed["episodes"]] == [ODD_TITLE_CLEAN]
    loose = feedparser.parse(str(feed))
    assert not loose.bozo and loose.entries[0].title == ODD_TITLE_CLEAN

    (mp3,) = out.glob("*.mp3")
    tags = read_tags(mp3)
    assert tags.title == ODD_TITLE_CLEAN and tags.album == "Le <Brief> & ]]> 📻"
    assert tags.artist == "Rédaction <R&D>"
    assert "Partie <deux> & ]]> 🇫🇷" in tags.chapters[1].title
    transcript = tags.transcript
    assert "Les prix & les salaires <montent> ]]> vite 📈." in transcript
    assert "« כן » et عربي" in transcript and "retourné" in transcript

    cues = parse_vtt(mp3.with_suffix(".vtt").read_text(encoding="utf-8"))
    said = " ".join(c.text for c in cues)
    assert "<montent> ]]> vite 📈" in said and ODD_TITLE_CLEAN in " ".join(said.split())
    assert len(parse_srt(mp3.with_suffix(".srt").read_text(encoding="utf-8"))) == len(cues)
    for path in out.iterdir():
        if path.suffix in (".xml", ".json", ".vtt", ".srt"):
            assert not CONTROL.search(path.read_text(encoding="utf-8")), path.name
    assert not CONTROL.search(transcript + tags.title + tags.album)


def test_control_characters_in_an_edited_script_are_dropped(tmp_path: Path, script_file: Path) -> None:
    text = script_file.read_text(encoding="utf-8")
    text = text.replace("title: Le port", "title: \x07Le\x1b port").replace(
        "Les travaux", "Les\x0b \x00travaux"
    )
    edited = write(tmp_path / "edited.script.md", text)
    plan = invoke("build", str(edited), "--dry-run", "--title", "Le port\x07 & la\x1b mer")
    assert plan.exit_code == 0, plan.stderr
    assert not CONTROL.search(plan.stdout)
    assert "title: Le port & la mer" in plan.stdout and "Les travaux du port" in plan.stdout


# ---------------------------------------------------------------- broken config files


@pytest.mark.parametrize(("text", "field"), BAD_SHOWS + BAD_SOUNDS)
def test_a_broken_show_config_names_the_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    show = write(tmp_path / "show.toml", text)
    article = write(tmp_path / "marche.md", ARTICLE_MD)
    out = tmp_path / "out"
    refused(invoke("script", str(article), "--show", str(show), "-o", str(out / "s.md")), str(show), field)
    assert not out.exists()


def test_a_broken_show_config_stops_a_build_before_anything(
    tmp_path: Path, out: Path, script_file: Path
) -> None:
    show = write(tmp_path / "show.toml", "[show]\nkeep = 0\n")
    before, cache = snapshot(out), tmp_path / "cache"
    refused(invoke(*build_args(script_file, out, cache, "--show", str(show))), str(show), "show.keep")
    refused(invoke("build", str(script_file), "--show", str(show), "--dry-run"), "show.keep")
    assert snapshot(out) == before and not cache.exists()


BROKEN_TOML = [('name = "mine\n', "not valid TOML"), ("name = 'mine'\nengine = espeak\n", "not valid TOML")]


@pytest.mark.parametrize(("body", "message"), [(b, f"field {f!r}") for b, f in BAD_PROFILES] + BROKEN_TOML)
def test_a_broken_voice_profile_names_the_file_and_field(
    tmp_path: Path, out: Path, script_file: Path, body: str, message: str
) -> None:
    config = tmp_path / "config"
    profile = write(config / "briefing" / "voices" / "mine.toml", body)
    before, cache = snapshot(out), tmp_path / "cache"
    args = ["build", str(script_file), "--voice", "mine", "--out", str(out), "--cache-dir", str(cache)]
    refused(invoke(*args, env={"XDG_CONFIG_HOME": str(config)}), str(profile), message)
    assert snapshot(out) == before and not cache.exists()


def test_a_broken_voice_named_by_the_show_is_refused(tmp_path: Path, out: Path, script_file: Path) -> None:
    config = tmp_path / "config"
    profile = write(config / "briefing" / "voices" / "matin.toml", 'name = "matin"\nengine = "piper"\n')
    show = write(tmp_path / "show.toml", '[show]\nvoice = "matin"\n')
    before = snapshot(out)
    args = ["build", str(script_file), "--show", str(show), "--out", str(out), "--cache-dir", str(tmp_path)]
    refused(invoke(*args, env={"XDG_CONFIG_HOME": str(config)}), str(profile), "'engine'", "piper")
    assert snapshot(out) == before


def test_a_jingle_that_is_not_audio_names_the_file(tmp_path: Path, out: Path, script_file: Path) -> None:
    jingle = write(tmp_path / "generique.mp3", "Ceci est un texte, pas un générique.\n")
    show = write(tmp_path / "show.toml", '[sound]\nintro = "generique.mp3"\n')
    before = snapshot(out)
    line = refused(
        invoke(*build_args(script_file, out, tmp_path / "cache", "--show", str(show))), str(jingle)
    )
    assert "audio" in line
    assert snapshot(out) == before
    assert not (tmp_path / "cache").exists(), "refused before anything is voiced"


# ---------------------------------------------------------------- folders


def test_a_missing_cache_folder_is_created_and_used(tmp_path: Path, script_file: Path) -> None:
    cache = tmp_path / "not" / "yet" / "cache"
    first = invoke(*build_args(script_file, tmp_path / "out", cache))
    assert first.exit_code == 0, first.stderr
    assert cache.is_dir() and any(p.is_file() for p in cache.rglob("*"))
    again = invoke(*build_args(script_file, tmp_path / "again", cache))
    assert again.exit_code == 0 and re.search(r"\b0/\d+ phrases synthétisées", again.stdout), again.stdout


def test_a_cache_folder_that_cannot_be_made_is_one_line(tmp_path: Path, out: Path, script_file: Path) -> None:
    blocker = write(tmp_path / "cache", "a file where the cache should be")
    before = snapshot(out)
    refused(invoke(*build_args(script_file, out, blocker / "speech")), "speech cache", str(blocker))
    assert snapshot(out) == before and blocker.read_text() == "a file where the cache should be"


def test_an_output_folder_under_a_file_is_refused_before_voicing(tmp_path: Path, script_file: Path) -> None:
    blocker = write(tmp_path / "out", "not a folder")
    cache = tmp_path / "cache"
    for target in (blocker, blocker / "episodes", blocker / "episodes" / "2025"):
        args = [
            "build",
            str(script_file),
            "--voice",
            "espeak",
            "--out",
            str(target),
            "--cache-dir",
            str(cache),
        ]
        result = invoke(*args)
        assert result.exit_code == 2, result.stderr
        if target != blocker:  # --out on a file is refused by the option itself
            refused(result, f"cannot write into {target}", "is a file, not a folder")
    assert blocker.read_text() == "not a folder" and not cache.exists()


def _read_only(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make every write under `folder` fail as on a read-only mount (we run as root: chmod would not)."""
    inside = str(folder.resolve())

    def under(path: Any) -> bool:
        return isinstance(path, str | os.PathLike) and os.path.abspath(os.fspath(path)).startswith(inside)

    def refuse(path: Any) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(path))

    writes = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    real_open, real_mkdir, real_io_open = os.open, os.mkdir, io.open

    def os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & writes and under(path):
            refuse(path)
        return real_open(path, flags, *args, **kwargs)

    def mkdir(path: Any, *args: Any, **kwargs: Any) -> None:
        if under(path):
            refuse(path)
        real_mkdir(path, *args, **kwargs)

    def file_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if set(mode) & set("wax+") and under(file):
            refuse(file)
        return real_io_open(file, mode, *args, **kwargs)

    for target, name, value in [
        (os, "open", os_open),
        (os, "mkdir", mkdir),
        (io, "open", file_open),
        (builtins, "open", file_open),
    ]:
        monkeypatch.setattr(target, name, value)


def test_a_read_only_output_folder_is_one_line_and_keeps_the_episode(
    tmp_path: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = write(tmp_path / "marche.md", ARTICLE_MD)
    before = snapshot(out)
    _read_only(monkeypatch, out)
    refused(invoke(*build_args(article, out, tmp_path / "cache")), f"cannot write into {out}", "Read-only")
    refused(invoke("script", str(article), "-o", str(out / "marche.script.md")), "Read-only")
    assert snapshot(out) == before
