"""Hold up: faults at every step of a real rebuild, kill -9 at random moments, ten builds at once.

A published episode is never lost and never half there: after any failure the output folder is
byte-identical to what it was, with no temporary file left; after a kill the feed and library are
whole and list the episodes of before or of after; ten builds started at once all get published.
Builds are real (espeak, ffmpeg, mutagen) on short script files with the jingles off, so they are fast.
"""

from __future__ import annotations

import builtins
import errno
import importlib.util
import io
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from folders import snapshot
from typer.testing import CliRunner

from briefing.audio import ffmpeg
from briefing.cli.app import app
from briefing.speech.engines import espeak

ROOT = Path(__file__).resolve().parent.parent


def _load_soak() -> ModuleType:
    """scripts/soak.py: the kill -9 loop, its workspace and its checks, shared with this test."""
    spec = importlib.util.spec_from_file_location("soak", ROOT / "scripts" / "soak.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["soak"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


soak = _load_soak()
FIRST, CHANGED = (soak.script_text(*variant[1:]) for variant in soak.VARIANTS[:2])  # one episode, changed


runner = CliRunner()


def cli(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


@dataclass(frozen=True, slots=True)
class Published:
    workspace: Any  # soak.Workspace
    first: Path
    changed: Path
    out: Path
    before: dict[str, bytes | None]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """An output folder with the first episode, and a cache that already holds both versions' speech."""
    workspace = soak.make_workspace(tmp_path_factory.mktemp("faults"))
    first, changed = workspace.script("first", FIRST), workspace.script("changed", CHANGED)
    assert cli(*workspace.build_args(changed, workspace.root / "scratch")).exit_code == 0
    out = workspace.root / "out"
    assert cli(*workspace.build_args(first, out)).exit_code == 0
    return Published(workspace, first, changed, out, snapshot(out))


# --- fault injection ------------------------------------------------------------------------------


class Steps:
    """Counts the steps of one kind a build takes; the `fail_at`-th one (from 0) fails."""

    def __init__(self, fail_at: int | None = None, only: str = "") -> None:
        self.fail_at = fail_at
        self.only = only
        self.seen: list[str] = []

    def step(self, what: str) -> bool:
        """Count `what`; True when it is the step that must fail."""
        if self.only not in what:
            return False
        self.seen.append(what)
        return len(self.seen) - 1 == self.fail_at

    def disk(self, what: str) -> None:
        if self.step(what):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), what)


class FailingFile:
    """A writable file whose writes are steps (mutagen's fail-after-N file object, on a real file)."""

    def __init__(self, f: Any, steps: Steps, name: str) -> None:
        self._f, self._steps, self._name = f, steps, name

    def write(self, data: Any) -> int:
        self._steps.disk(f"write {self._name}")
        return int(self._f.write(data))

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._f, name)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._f)

    def __enter__(self) -> FailingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._f.close()


def inject_disk(monkeypatch: pytest.MonkeyPatch, steps: Steps) -> None:
    """Make every write to the disk a step: creating a file or folder, each write, each rename."""
    real_open, real_os_open = io.open, os.open
    real_replace, real_rename, real_mkdir = os.replace, os.rename, os.mkdir

    def open_(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        writing = any(c in mode for c in "wax+")
        name = str(file)
        if writing and not isinstance(file, int) and ("+" not in mode or not os.path.exists(file)):
            steps.disk(f"open {name}")
        f = real_open(file, mode, *args, **kwargs)
        if isinstance(file, int) and not stat.S_ISREG(os.fstat(file).st_mode):
            return f  # a pipe to ffmpeg, not the disk
        return FailingFile(f, steps, name) if writing else f

    def os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT and not os.path.exists(path):
            steps.disk(f"create {path}")
        return real_os_open(path, flags, *args, **kwargs)

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        steps.disk(f"rename {src} -> {dst}")
        real_replace(src, dst, *args, **kwargs)

    def rename(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        steps.disk(f"rename {src} -> {dst}")
        real_rename(src, dst, *args, **kwargs)

    def mkdir(path: Any, *args: Any, **kwargs: Any) -> None:
        if not os.path.exists(path):  # an existing folder fails with EEXIST, before any space is needed
            steps.disk(f"mkdir {path}")
        real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(io, "open", open_)
    monkeypatch.setattr(builtins, "open", open_)
    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "rename", rename)
    monkeypatch.setattr(os, "mkdir", mkdir)


def inject_engine(monkeypatch: pytest.MonkeyPatch, steps: Steps) -> None:
    """libespeak-ng reports an internal error on the failing piece (the real engine's own check)."""
    library = espeak._library()
    real = library.lib.espeak_Synth

    def synth(*args: Any) -> int:
        failing = steps.step("piece")
        status = real(*args)
        return 1 if failing else int(status)

    monkeypatch.setattr(library.lib, "espeak_Synth", synth)


def inject_ffmpeg(monkeypatch: pytest.MonkeyPatch, steps: Steps) -> None:
    """The failing ffmpeg run really fails: it is given an option it does not know."""
    real = ffmpeg._run

    def run(args: Any, what: str, *more: Any, **kwargs: Any) -> bytes:
        if steps.step(f"ffmpeg {what}"):
            args = ["-no-such-option", *args]
        return real(args, what, *more, **kwargs)

    monkeypatch.setattr(ffmpeg, "_run", run)


def inject_feed(monkeypatch: pytest.MonkeyPatch, steps: Steps) -> None:
    """The feed writer: rendering, then every disk step of writing feed.xml."""
    from briefing.publish import feed

    real_render = feed.render_feed

    def render(*args: Any, **kwargs: Any) -> bytes:
        if steps.step("feed render"):
            raise OSError(errno.EIO, "feed rendering failed", "feed.xml")
        return real_render(*args, **kwargs)

    monkeypatch.setattr(feed, "render_feed", render)
    inject_disk(monkeypatch, steps)


PARTS: dict[str, tuple[Callable[[pytest.MonkeyPatch, Steps], None], str, tuple[str, ...]]] = {
    # part: (injector, steps counted, extra build options)
    "engine": (inject_engine, "piece", ("--no-cache",)),
    "ffmpeg": (inject_ffmpeg, "ffmpeg", ()),
    "disk": (inject_disk, "", ()),
    "feed": (inject_feed, "feed", ()),
}


@pytest.mark.parametrize("part", sorted(PARTS))
def test_a_failure_at_any_step_leaves_the_folder_byte_identical(
    published: Published, part: str, tmp_path: Path
) -> None:
    """Rebuild a changed script into a published folder, making the engine, ffmpeg, the disk or the
    feed writer fail at its i-th step, for every i: one line and exit 2, and nothing changed."""
    published_out, before, build = published.out, published.before, published.workspace.build_args
    inject, only, options = PARTS[part]
    out, copy = tmp_path / "out", tmp_path / "copy"
    shutil.copytree(published_out, out)
    # A first run counts the steps, on a copy of the folder (it succeeds and changes it).
    shutil.copytree(published_out, copy)
    counting = Steps(only=only)
    with pytest.MonkeyPatch.context() as mp:
        inject(mp, counting)
        assert cli(*build(published.changed, copy, *options)).exit_code == 0
    assert snapshot(copy) != before, "the changed script makes a new episode"
    assert counting.seen, f"the build took no {part} step"
    problems: list[str] = []
    for index, what in enumerate(counting.seen):
        steps = Steps(fail_at=index, only=only)
        with pytest.MonkeyPatch.context() as mp:
            inject(mp, steps)
            result = runner.invoke(app, build(published.changed, out, *options))
        where = f"{part} step {index} ({what})"
        lines = result.stderr.splitlines()
        if result.exit_code != 2 or len(lines) != 1 or not lines[0].startswith("briefing: error: "):
            problems.append(f"{where}: exit {result.exit_code}, {result.exception!r}, stderr {lines}")
        elif len(steps.seen) <= index or steps.seen[index].split()[0] != what.split()[0]:
            problems.append(f"{where}: the build took other steps than the counting run")
        if snapshot(out) != before:
            changed = sorted(set(snapshot(out).items()) ^ set(before.items()))
            problems.append(f"{where}: the output folder changed: {[name for name, _ in changed]}")
            shutil.rmtree(out)
            shutil.copytree(published_out, out)
    assert not problems, "\n".join(problems)


# --- kill -9 --------------------------------------------------------------------------------------


def test_kill_9_at_random_moments_never_corrupts_the_feed_or_library(tmp_path: Path) -> None:
    workspace = soak.make_workspace(tmp_path)
    summary = soak.soak(workspace, tmp_path / "out", runs=50, seed=9)
    assert summary.runs == 50 and summary.killed > 0, summary.report()
    assert not summary.problems, summary.report()


def test_a_killed_build_is_swept_by_the_next_and_never_published(
    published: Published, tmp_path: Path
) -> None:
    """What a build killed just after moving its files in leaves: a staging folder nobody holds, with
    its journal, and the new files. The next build deletes both; the library never names them."""
    out = tmp_path / "out"
    shutil.copytree(published.out, out)
    copy = tmp_path / "copy"
    shutil.copytree(published.out, copy)
    assert cli(*published.workspace.build_args(published.changed, copy)).exit_code == 0
    new = sorted(set(snapshot(copy)) - set(snapshot(out)))
    assert new, "the changed script makes new files"
    stale = out / ".staging-killed"
    stale.mkdir()
    (stale / ".placed.json").write_text(json.dumps(new), encoding="utf-8")
    (stale / "half-written.mp3").write_bytes(b"\xff\xfb" * 100)
    for name in new:
        shutil.copy2(copy / name, out / name)
    assert cli(*published.workspace.build_args(published.first, out)).exit_code == 0
    after = snapshot(out)
    assert set(after) == set(published.before), "the stale folder and the new files are gone"
    for name in ("feed.xml", "library.json"):  # published again: only the update time changed
        del after[name]
    assert after.items() <= published.before.items(), "the episode files are the same"


# --- concurrency ----------------------------------------------------------------------------------


def test_ten_builds_at_once_all_land_in_library_and_feed(tmp_path: Path) -> None:
    workspace = soak.make_workspace(tmp_path)
    lead, text = "Le conseil municipal a voté.", "La décision sera appliquée dès lundi."
    days = [f"2025-09-{i + 1:02d}" for i in range(10)]
    scripts = [
        workspace.script(f"day{i}", soak.script_text(f"Conseil du jour {i}", day, lead, text))
        for i, day in enumerate(days)
    ]
    # Same words every day (the title is not said): one build voices them for all ten.
    assert cli(*workspace.build_args(scripts[0], tmp_path / "scratch")).exit_code == 0
    out = tmp_path / "out"
    procs = [
        subprocess.Popen(workspace.command(s, out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for s in scripts
    ]
    errors = [p.communicate(timeout=300)[1].decode(errors="replace") for p in procs]
    assert [p.returncode for p in procs] == [0] * 10, errors
    now, _ = soak.read_published(out)  # parses both; every file is there with its size
    keys = {key for key, _ in now.library}
    assert keys == {f"{day}/conseil-du-jour-{i}" for i, day in enumerate(days)}
    assert now.feed == {mp3 for _, mp3 in now.library} and len(now.feed) == 10
    library = json.loads((out / "library.json").read_text(encoding="utf-8"))
    assert sorted(r["number"] for r in library["episodes"]) == list(range(1, 11))
    assert soak.leftovers(out) == []
