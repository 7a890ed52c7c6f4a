"""Hold up (issue 9): the build checks its own MP3 before publishing it, names stay inside their
folder, no shell and no ffmpeg option comes from user text, and user text cannot inject XML.

Real builds with the espeak voice from a tiny script file (no French model needed); failures are
injected into the encoder, the tagger and the engine.
"""

from __future__ import annotations

import ast
import datetime as dt
import html
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from folders import snapshot
from lxml import etree
from typer.testing import CliRunner

from briefing.audio import ffmpeg, master as master_module
from briefing.cli.app import app
from briefing.errors import AudioError, ExportError, SpeechError
from briefing.export import episode as episode_module
from briefing.export.names import delivery_name
from briefing.export.tags import read_tags
from briefing.models import Mark, Pcm
from briefing.pipeline import BuildOptions, BuildResult, build_episode
from briefing.publish.deliver import deliver
from briefing.speech.engines.espeak import EspeakEngine

PACKAGE = Path(__file__).resolve().parent.parent / "briefing"
runner = CliRunner()

SCRIPT = """<!-- briefing script -->
---
title: Le tramway de Brest prolongé
show: Le Briefing
date: 2025-08-16
source: Ouest-France
---

# Ouverture

## greeting
Bonjour et bienvenue dans Le Briefing.

## lead
Les travaux commencent lundi.

# Circulation

## heading
Circulation

## text
Les automobilistes devront emprunter la rocade.

# Conclusion

## signoff
C'était Le Briefing. À demain !
"""
SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
}


@pytest.fixture(scope="module")
def script_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("script") / "tram.script.md"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, script_file: Path, cache: Path) -> Path:
    """An output folder with one published episode, to copy before each failing build."""
    out = tmp_path_factory.mktemp("published") / "out"
    build_episode(script_file, BuildOptions(out_dir=out, voice="espeak", cache_dir=cache))
    return out


@pytest.fixture
def previous(tmp_path: Path, published: Path) -> Iterator[tuple[Path, dict[str, bytes | None]]]:
    """A copy of the published folder, and its bytes: after a failed build they must be the same."""
    out = tmp_path / "out"
    shutil.copytree(published, out, symlinks=True)
    before = snapshot(out)
    yield out, before


def build(out: Path, script_file: Path, cache: Path, **options: Any) -> BuildResult:
    return build_episode(script_file, BuildOptions(out_dir=out, voice="espeak", cache_dir=cache, **options))


def assert_nothing_published(out: Path, before: dict[str, bytes | None]) -> None:
    assert snapshot(out) == before, "the library, feed and episode files are byte-identical"
    assert not [p.name for p in out.iterdir() if p.name.startswith(".") and p.name != ".library.lock"]


# --- the MP3 checks itself ------------------------------------------------------------------------

Encoder = Callable[..., None]


def cutting_encoder(cut: Callable[[int], int]) -> Encoder:
    """The real encoder, then the file cut to `cut(size)` bytes (a full disk, a killed encoder)."""
    real = ffmpeg.encode_mp3_pieces

    def encode(pieces: Any, rate: int, dest: Path, kbps: int, quality: int = 3) -> None:
        real(pieces, rate, dest, kbps, quality)
        os.truncate(dest, cut(Path(dest).stat().st_size))

    return encode


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        (lambda size: 0, "is empty (0 bytes)"),
        (lambda size: size // 2, "its Info header says"),
        (lambda size: size - 313, "its Info header says"),  # one whole frame at 96 kbps
        (lambda size: size - 1, "its Info header says"),  # decoders pad this back to full length
        (lambda size: 100, "its Info header says"),
    ],
    ids=["0-bytes", "half", "one-frame", "one-byte", "header-only"],
)
def test_a_truncated_or_empty_mp3_is_never_published(
    previous: tuple[Path, dict[str, bytes | None]],
    script_file: Path,
    cache: Path,
    monkeypatch: pytest.MonkeyPatch,
    cut: Callable[[int], int],
    message: str,
) -> None:
    out, before = previous
    monkeypatch.setattr(master_module, "encode_mp3_pieces", cutting_encoder(cut))
    with pytest.raises(AudioError, match=re.escape(message)) as caught:
        build(out, script_file, cache, title="Un autre épisode")
    assert "MP3" in caught.value.one_line()
    assert_nothing_published(out, before)


def test_a_truncated_mp3_is_one_line_and_exit_2_on_the_command_line(
    previous: tuple[Path, dict[str, bytes | None]],
    script_file: Path,
    cache: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, before = previous
    monkeypatch.setattr(master_module, "encode_mp3_pieces", cutting_encoder(lambda size: size // 3))
    args = ["build", str(script_file), "--voice", "espeak", "--cache-dir", str(cache), "--out", str(out)]
    result = runner.invoke(app, [*args, "--title", "Encore un autre"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefing: error: the encoded MP3"), result.stderr
    assert "truncated" in lines[0] and "Traceback" not in result.output
    assert_nothing_published(out, before)


def test_an_mp3_cut_while_it_is_tagged_is_never_published(
    previous: tuple[Path, dict[str, bytes | None]],
    script_file: Path,
    cache: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, before = previous
    real = episode_module.write_tags

    def tag_then_cut(mp3: Path, tags: Any) -> None:
        real(mp3, tags)
        os.truncate(mp3, mp3.stat().st_size - 400)

    monkeypatch.setattr(episode_module, "write_tags", tag_then_cut)
    with pytest.raises(ExportError, match="no longer holds the audio that was checked"):
        build(out, script_file, cache, title="Un épisode coupé")
    assert_nothing_published(out, before)


def test_an_encoder_that_silences_one_chapter_is_caught_in_the_decoded_mp3(
    previous: tuple[Path, dict[str, bytes | None]],
    script_file: Path,
    cache: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The PCM is fine; the MP3 is silent in one chapter (loudness gating would not notice)."""
    out, before = previous
    chapters: list[Mark] = []
    real_master, real_encode = episode_module.master_and_encode, ffmpeg.encode_mp3_pieces

    def spy(timeline: Any, *args: Any, **kwargs: Any) -> Any:
        chapters.extend(timeline.chapters)
        return real_master(timeline, *args, **kwargs)

    def silencing(pieces: Any, rate: int, dest: Path, kbps: int, quality: int = 3) -> None:
        samples = np.concatenate(list(pieces))
        middle = next(c for c in chapters if c.title == "Circulation")
        samples[middle.start : middle.end] = 0.0
        real_encode((samples,), rate, dest, kbps, quality)

    monkeypatch.setattr(episode_module, "master_and_encode", spy)
    monkeypatch.setattr(master_module, "encode_mp3_pieces", silencing)
    with pytest.raises(ExportError, match="chapter 'Circulation' is silent in the MP3"):
        build(out, script_file, cache, title="Un épisode muet")
    assert_nothing_published(out, before)


def test_an_engine_that_returns_silence_for_one_section(
    previous: tuple[Path, dict[str, bytes | None]],
    script_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Right length, no sound: refused before it is cached, so the next build voices it again."""
    out, before = previous
    real = EspeakEngine.synthesize

    def quiet(self: EspeakEngine, pieces: Any, settings: Any) -> list[Pcm]:
        clips = real(self, pieces, settings)
        return [
            Pcm(np.zeros_like(clip.samples), clip.rate) if "rocade" in piece else clip
            for piece, clip in zip(pieces, clips, strict=True)
        ]

    fresh = tmp_path / "cache"
    monkeypatch.setattr(EspeakEngine, "synthesize", quiet)
    with pytest.raises(SpeechError, match="gave silent audio for 'Les automobilistes"):
        build(out, script_file, fresh, title="Un épisode sans voix")
    assert_nothing_published(out, before)
    monkeypatch.setattr(EspeakEngine, "synthesize", real)
    again = build(out, script_file, fresh, title="Un épisode sans voix")
    assert again.synthesized >= 1  # the silent clip was not kept
    assert again.episode.master.chapter_dbfs[1] > episode_module.SILENT_CHAPTER_DBFS


def test_a_good_build_reports_what_the_decoded_mp3_measures(published: Path) -> None:
    [mp3] = published.glob("*.mp3")
    decoded = ffmpeg.decode_mp3_for_check(mp3)
    tags = read_tags(mp3)
    assert [c.title for c in tags.chapters] == ["Ouverture", "Circulation", "Conclusion"]
    assert mp3.stat().st_size > 10_000 and decoded.frames > decoded.rate  # neither empty nor cut


# --- names stay inside their folder ---------------------------------------------------------------


def cli_build(script_file: Path, cache: Path, out: Path, *extra: str) -> Any:
    args = ["build", str(script_file), "--voice", "espeak", "--cache-dir", str(cache), "--out", str(out)]
    return runner.invoke(app, [*args, *extra])


def every_path(root: Path) -> set[Path]:
    return {p.relative_to(root) for p in root.rglob("*")}


@pytest.mark.parametrize(
    "title",
    ["../../etc/passwd", "/tmp/x", "..\\..\\windows\\win.ini", "C:\\x", "\x00../x", "..", ".hidden"],
)
def test_a_title_that_tries_to_leave_the_folder(
    tmp_path: Path, script_file: Path, cache: Path, title: str
) -> None:
    work = tmp_path / "work"
    out = work / "out"
    result = cli_build(script_file, cache, out, "--title", title)
    if result.exit_code != 0:  # refusing is fine, with one line and exit 2
        assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1, result.output
        return
    assert {p.parts[0] for p in every_path(work)} == {"out"}, "nothing outside the output folder"
    for path in out.iterdir():
        assert path.is_file() and path.parent == out
        assert SAFE_NAME.match(path.name) or path.name == ".library.lock", path.name


def test_an_absolute_title_inside_tmp_is_only_a_title(tmp_path: Path, script_file: Path, cache: Path) -> None:
    target = tmp_path / "target" / "x"
    result = cli_build(script_file, cache, tmp_path / "out", "--title", str(target))
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "target").exists()
    [mp3] = (tmp_path / "out").glob("*.mp3")
    assert read_tags(mp3).title == str(target)  # the text is kept as the title, not as a path


@pytest.mark.parametrize(
    ("name", "expected"),
    [("../escape", "escape"), ("/abs", "abs"), ("../../{show}", "le-briefing"), ("..", None), ("/", None)],
)
def test_a_delivery_name_that_tries_to_leave_the_folder(
    tmp_path: Path, script_file: Path, cache: Path, name: str, expected: str | None
) -> None:
    drop = tmp_path / "playout" / "import"
    drop.mkdir(parents=True)
    result = cli_build(script_file, cache, tmp_path / "out", "--deliver", str(drop), "--name", name)
    if expected is None:
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "delivery name" in lines[0], result.stderr
    else:
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in drop.iterdir()) == [f"{expected}.mp3"]
    assert sorted(p.name for p in (tmp_path / "playout").iterdir()) == ["import"]
    assert {p.name for p in tmp_path.iterdir()} <= {"playout", "out"}


def test_deliver_refuses_names_that_leave_the_folder(tmp_path: Path) -> None:
    source = tmp_path / "ep.mp3"
    source.write_bytes(b"audio")
    drop = tmp_path / "drop"
    drop.mkdir()
    for bad in ("../escape", "/abs", "a/../../b", "..\\b"):
        with pytest.raises(ExportError, match="refused file name"):
            deliver([source], drop, bad)
    assert delivery_name("../../{title}", show="x", date=dt.date(2025, 1, 1), title="../y") == "y"
    assert list(drop.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["drop", "ep.mp3"]


def test_a_delivered_name_that_is_a_symlink_out_is_not_written_through(
    tmp_path: Path, script_file: Path, cache: Path
) -> None:
    drop, outside = tmp_path / "drop", tmp_path / "outside.mp3"
    drop.mkdir()
    outside.write_bytes(b"not yours")
    (drop / "briefing-latest.mp3").symlink_to(outside)
    result = cli_build(
        script_file, cache, tmp_path / "out", "--deliver", str(drop), "--name", "briefing-latest"
    )
    assert outside.read_bytes() == b"not yours"
    if result.exit_code == 0:
        assert not (drop / "briefing-latest.mp3").is_symlink()
    else:
        assert result.exit_code == 2 and "refused file name" in result.stderr


@pytest.mark.parametrize("problem", ["missing folder", "symlink out"])
def test_a_delivery_that_cannot_happen_stops_the_build_before_voicing(
    tmp_path: Path, script_file: Path, problem: str
) -> None:
    drop, fresh_cache = tmp_path / "drop", tmp_path / "cache"
    if problem == "symlink out":
        drop.mkdir()
        (drop / "briefing-latest.mp3").symlink_to(tmp_path / "outside.mp3")
    result = cli_build(
        script_file, fresh_cache, tmp_path / "out", "--deliver", str(drop), "--name", "briefing-latest"
    )
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1, result.output
    assert not fresh_cache.exists(), "nothing is voiced"
    assert not (tmp_path / "out" / "feed.xml").exists() and not (tmp_path / "out" / "library.json").exists()


def test_a_show_title_that_tries_to_leave_the_folder(tmp_path: Path, script_file: Path, cache: Path) -> None:
    show = tmp_path / "show.toml"
    show.write_text('[show]\ntitle = "../../../evil/show"\n', encoding="utf-8")
    work = tmp_path / "work"
    drop = work / "drop"
    drop.mkdir(parents=True)
    result = cli_build(script_file, cache, work / "out", "--show", str(show), "--deliver", str(drop))
    assert result.exit_code == 0, result.output
    assert {p.parts[0] for p in every_path(work)} == {"out", "drop"}
    names = [p.name for p in (work / "out").iterdir() if p.name != ".library.lock"]
    assert names and all(SAFE_NAME.match(n) for n in names), names
    assert any(n.startswith("2025-08-16-evil-show-") for n in names)
    assert [p.name for p in drop.iterdir()] == ["evil-show-2025-08-16.mp3"]


# --- no shell, no ffmpeg option from user text ----------------------------------------------------

RUNNERS = {"run", "Popen", "call", "check_call", "check_output", "getoutput", "getstatusoutput"}


def _is_list_expression(node: ast.AST) -> bool:
    if isinstance(node, ast.List | ast.Tuple):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_list_expression(node.left) and _is_list_expression(node.right)
    return False


def _assigned_lists(function: ast.AST, name: str) -> list[ast.AST]:
    values: list[ast.AST] = []
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            values.append(node.value)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
            if node.target.id == name and node.value is not None:
                values.append(node.value)
    return values


def shell_problems(source: str, where: str) -> list[str]:
    """Every call that could run a shell: `shell=True`, os.system/popen/exec*, and subprocess calls
    whose command is not a list (a string is split by a shell, or run as one program name)."""
    tree = ast.parse(source)
    problems: list[str] = []
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]

    def enclosing(node: ast.AST) -> ast.AST:
        inside = [f for f in functions if any(child is node for child in ast.walk(f))]
        return min(inside, key=lambda f: len(list(ast.walk(f)))) if inside else tree

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
        at = f"{where}:{node.lineno}"
        for keyword in node.keywords:
            if keyword.arg == "shell" and not (
                isinstance(keyword.value, ast.Constant) and keyword.value.value is False
            ):
                problems.append(f"{at}: shell={ast.unparse(keyword.value)}")
        if owner == "os" and (name in {"system", "popen"} or name.startswith(("exec", "spawn"))):
            problems.append(f"{at}: os.{name}")
        if owner == "subprocess" and name in {"getoutput", "getstatusoutput"}:
            problems.append(f"{at}: subprocess.{name} runs a shell")
        if owner == "subprocess" and name in RUNNERS - {"getoutput", "getstatusoutput"}:
            command = (
                node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "args"), None)
            )
            if command is None:
                problems.append(f"{at}: subprocess.{name} without a command")
            elif isinstance(command, ast.Name):
                values = _assigned_lists(enclosing(node), command.id)
                if not values or not all(_is_list_expression(v) for v in values):
                    problems.append(f"{at}: subprocess.{name}({command.id}) is not built as a list")
            elif not _is_list_expression(command):
                problems.append(f"{at}: subprocess.{name}({ast.unparse(command)}) is not a list")
    return problems


def test_the_shell_check_catches_what_it_should() -> None:
    bad = """
import os, subprocess
def f(x):
    subprocess.run("ffmpeg -i " + x, shell=True)
    subprocess.Popen(f"espeak {x}")
    os.system("ls")
    os.popen("ls")
    cmd = "ffmpeg " + x
    subprocess.check_output(cmd)
    subprocess.getoutput("ls")
def g(x):
    subprocess.run(["ffmpeg", x], shell=False)
    cmd = ["espeak", "-v", x]
    cmd += ["--stdin"]
    subprocess.run(cmd)
"""
    found = shell_problems(bad, "bad.py")
    assert sorted(int(p.split(":")[1]) for p in found) == [4, 4, 5, 6, 7, 9, 10], found


def test_no_module_calls_a_shell_or_passes_a_string_command() -> None:
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 30
    problems = [p for m in modules for p in shell_problems(m.read_text(encoding="utf-8"), str(m))]
    assert problems == []
    callers = [m.name for m in modules if "subprocess." in m.read_text(encoding="utf-8")]
    assert {"ffmpeg.py", "espeak.py"} <= set(callers)  # the check did see the real callers


def test_ffmpeg_paths_are_file_urls_even_when_they_look_like_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = Path("-i")  # relative, and an ffmpeg option
    folder.mkdir()
    rate = 44_100
    tone = (0.2 * np.sin(2 * np.pi * 440 * np.arange(rate) / rate)).astype(np.float32)
    ffmpeg.encode_wav(Pcm(tone, rate), folder / "-y.wav", bits=16)
    ffmpeg.encode_mp3(Pcm(tone, rate), folder / "-f null -.mp3", 96)
    back = ffmpeg.decode(folder / "-y.wav", rate)
    assert back.frames == rate and np.allclose(back.samples, tone, atol=1e-3)
    assert ffmpeg.decode_mp3_for_check(folder / "-f null -.mp3").frames == rate
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["-f null -.mp3", "-i", "-y.wav"]
    assert ffmpeg._file_url(Path("-i")).startswith("file:/")


HOSTILE = "Titre piégé\n-i /etc/passwd -y; $(touch pwned) `id` -metadata title=x"


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], dict[str, Any]]]:
    """Every process started, with its argument list."""
    calls: list[tuple[list[str], dict[str, Any]]] = []
    real = subprocess.Popen

    class Spy(real):  # type: ignore[misc, valid-type]
        def __init__(self, args: Any, *rest: Any, **kwargs: Any) -> None:
            calls.append((args, kwargs))
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", Spy)
    return calls


def test_user_text_never_reaches_ffmpeg_and_stays_literal_in_the_tags(
    tmp_path: Path,
    script_file: Path,
    cache: Path,
    spied: list[tuple[list[str], dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    out = Path("-i x;$(touch pwned)")  # relative: ffmpeg gets it only inside an absolute file: URL
    show = tmp_path / "show.toml"
    show.write_text(
        '[show]\ntitle = "-y Le Show; $(id)"\ndescription = "-f null -\\n`id`"\n', encoding="utf-8"
    )
    result = build_episode(
        script_file, BuildOptions(out_dir=out, voice="espeak", cache_dir=cache, show=show, title=HOSTILE)
    )
    ffmpeg_calls = [args for args, _ in spied if "ffmpeg" in Path(str(args[0])).name]
    assert ffmpeg_calls, "the build ran ffmpeg"
    for args, kwargs in spied:
        assert isinstance(args, list) and all(isinstance(a, str) for a in args)
        assert not kwargs.get("shell")
    for args in ffmpeg_calls:
        assert "-metadata" not in args
        for arg in args[1:]:
            assert "piégé" not in arg and "Le Show" not in arg and "\n" not in arg
            if "touch pwned" in arg or arg.startswith(("/", ".")):
                assert arg.startswith("file:/"), arg
        inputs = [args[i + 1] for i, a in enumerate(args) if a == "-i"]
        assert all(i == "pipe:0" or i.startswith("file:/") for i in inputs), inputs
        assert args[-1] in ("pipe:1",) or args[-1].startswith("file:/"), args[-1]
    assert not list(tmp_path.rglob("pwned"))
    tags = read_tags(result.episode.mp3)
    assert tags.title == result.script.title and tags.album == "-y Le Show; $(id)"
    assert tags.title.split() == HOSTILE.split()  # literal text (a title may be made one line)
    assert result.episode.mp3.parent.resolve() == (tmp_path / out).resolve()


# --- no XML from user text ------------------------------------------------------------------------

XML_TITLES = [
    "A</title><item><title>injected</title></item><title>",
    "B ]]> <![CDATA[ x ]]> & &amp; &#x41; <!-- c --> <?pi?>",
    "C\x01\x08\x0b\x1f contrôle \u202eRTL\u200f 🎧 \ufffe",
]


def test_user_text_cannot_inject_xml_into_the_feed(tmp_path: Path, script_file: Path, cache: Path) -> None:
    show = tmp_path / "show.toml"
    show.write_text(
        '[show]\ntitle = "Show </title><item/> & ]]>"\n'
        'description = "<script>alert(1)</script> & ]]> </description></channel>"\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    said = [build(out, script_file, cache, title=title, show=show).script.title for title in XML_TITLES]
    assert said[:2] == XML_TITLES[:2]  # markup is kept as text (bidi overrides may be dropped)
    data = (out / "feed.xml").read_bytes()
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    items = root.xpath("/rss/channel/item")
    assert len(items) == len(XML_TITLES)
    assert root.xpath("count(//item//item) + count(/rss/channel/channel)") == 0
    assert root.xpath("string(/rss/channel/title)") == "Show </title><item/> & ]]>"
    channel_description = root.xpath("string(/rss/channel/description)")
    assert html.unescape(channel_description) == "<script>alert(1)</script> & ]]> </description></channel>"
    assert "<script>" not in channel_description  # an app renders it as text, not as markup
    forbidden = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
    titles = {forbidden.sub("", t) for t in said}
    assert "C contrôle" in " ".join(titles) and "🎧" in " ".join(titles)
    assert set(root.xpath("/rss/channel/item/title/text()")) == titles
    assert set(root.xpath("/rss/channel/item/itunes:title/text()", namespaces=NS)) == titles
    for item in items:
        title = item.xpath("string(title)")
        # HTML for the apps: the title's markup escaped once more, then the chapters' timestamps.
        description = item.xpath("string(description)")
        assert description.startswith("<p>" + html.escape(title, quote=False) + ".")
        assert "<br>\n00:" in description
        assert len(item.xpath("enclosure")) == 1 and len(item.xpath("guid")) == 1
        assert item.xpath("string(enclosure/@url)").startswith("http://127.0.0.1:8000/2025-08-16-")
    assert int(root.xpath("count(//podcast:transcript)", namespaces=NS)) == 2 * len(XML_TITLES)
