"""Soak: kill -9 `briefing build` at random moments, again and again, on one output folder.

Each run builds one of four short episodes (two articles, each in two versions, so a run either
adds an episode or replaces one) and is killed at a moment drawn over a build's measured duration.
After every run, `feed.xml` (with an XML parser) and `library.json` must parse and list exactly the
episodes of before the run or of after it, and every file they name must be there with its size.
A last normal build must succeed and leave nothing behind: no staging folder, no temporary file,
no file the library does not reference but the show's pages; and every page the feed links to is
there.

    .venv/bin/python scripts/soak.py --runs 500
    .venv/bin/python scripts/soak.py --duration 600 --seed 7 --keep /tmp/soak

`tests/test_holdup_faults.py` runs the same loop 50 times.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
SHOW_TOML = """[show]
title = "Le Briefing"
base_url = "http://127.0.0.1:8000/"
artwork = "cover.png"

[sound]
intro = ""
outro = ""
stinger = ""
bed = ""
"""
#: Files of an output folder that are not an episode's.
FOLDER_FILES = ("feed.xml", "library.json", ".library.lock", "index.html", "briefing.css", "briefing.js")


def script_text(title: str, date: str, lead: str, body: str) -> str:
    """A script file as `briefing script` writes it: read back as it is, without the French model."""
    return f"""<!-- briefing script -->
---
title: {title}
show: Le Briefing
date: {date}
---

# Ouverture

## greeting
Bonjour et bienvenue dans Le Briefing.

# {title}

## lead
{lead}

## text
{body}
"""


TRAM, PORT = "Le tramway de Brest prolongé", "Le port de Lorient agrandi"
VARIANTS = (  # name, title, date, lead, text: two versions of each article
    ("tram-1", TRAM, "2025-08-16", "Le tramway sera prolongé.", "Les travaux commencent lundi."),
    ("tram-2", TRAM, "2025-08-16", "Le tramway ira plus loin.", "Les travaux dureront deux ans."),
    ("port-1", PORT, "2025-08-17", "Le port sera agrandi.", "Un quai neuf ouvre en mai."),
    ("port-2", PORT, "2025-08-17", "Le port grandit encore.", "Deux quais neufs ouvriront."),
)


@dataclass(frozen=True, slots=True)
class Workspace:
    """A show config with its cover, a speech cache, and script files, all under `root`."""

    root: Path
    show: Path
    cache: Path

    def script(self, name: str, text: str) -> Path:
        path = self.root / f"{name}.script.md"
        path.write_text(text, encoding="utf-8")
        return path

    def build_args(self, script: Path, out: Path, *more: str) -> list[str]:
        """Arguments of `briefing build` for `script` into `out` (espeak, one process, this cache)."""
        return [
            "build", str(script), "--out", str(out), "--voice", "espeak", "--show", str(self.show),
            "--cache-dir", str(self.cache), "--jobs", "1", *more,
        ]  # fmt: skip

    def command(self, script: Path, out: Path, *more: str) -> list[str]:
        return [sys.executable, "-m", "briefing", *self.build_args(script, out, *more)]


def make_workspace(root: Path) -> Workspace:
    from briefing.export.cover import make_cover

    root.mkdir(parents=True, exist_ok=True)
    workspace = Workspace(root, root / "show.toml", root / "cache")
    workspace.show.write_text(SHOW_TOML, encoding="utf-8")
    (root / "cover.png").write_bytes(make_cover("Le Briefing"))  # drawn once, not at every build
    return workspace


class Broken(Exception):
    """The output folder is not whole."""


@dataclass(frozen=True, slots=True)
class Published:
    """What an output folder publishes: the library's (key, MP3) pairs and the feed's MP3s."""

    library: frozenset[tuple[str, str]]
    feed: frozenset[str]

    def with_episode(self, key: str, mp3: str) -> Published:
        """The folder after a build of `key` with audio `mp3`: the feed made from the library."""
        library = frozenset({(k, m) for k, m in self.library if k != key} | {(key, mp3)})
        return Published(library, frozenset(m for _, m in library))

    @property
    def files(self) -> frozenset[str]:
        return frozenset(m for _, m in self.library) | self.feed


def read_published(out: Path) -> tuple[Published, set[str]]:
    """Parse `library.json` and `feed.xml`, check that every file they name is there with its size,
    and return what they publish with every file path the library names. Broken if anything is off."""
    try:
        doc = json.loads((out / "library.json").read_text(encoding="utf-8"))
        root = ET.parse(out / "feed.xml").getroot()
    except (OSError, ValueError, ET.ParseError) as e:
        raise Broken(f"unreadable library or feed: {type(e).__name__}: {e}") from e
    library: set[tuple[str, str]] = set()
    named: set[str] = set()
    for record in doc["episodes"]:
        for f in record["info"]["files"]:
            _check_size(out, f["path"], int(f["size"]), "library.json")
            named.add(f["path"])
            if f["role"] == "mp3":
                library.add((record["key"], f["path"]))
    feed: set[str] = set()
    for item in root.iter("item"):
        enclosure = item.find("enclosure")
        if enclosure is None:
            raise Broken(f"feed item {item.findtext('title')!r} has no enclosure")
        name = unquote(urlsplit(enclosure.get("url", "")).path.rsplit("/", 1)[-1])
        _check_size(out, name, int(enclosure.get("length", "-1")), "feed.xml")
        feed.add(name)
    return Published(frozenset(library), frozenset(feed)), named


def _check_size(out: Path, name: str, size: int, where: str) -> None:
    try:
        actual = (out / name).stat().st_size
    except OSError as e:
        raise Broken(f"{where} names {name}, which is missing ({e.strerror})") from e
    if actual != size:
        raise Broken(f"{where} says {name} is {size} bytes, it is {actual}")


def leftovers(out: Path) -> list[str]:
    """What a build should not have left in `out`: hidden files and folders (staging, temporary),
    and files nothing publishes."""
    _, named = read_published(out)
    named |= feed_pages(out)
    found = []
    for path in sorted(out.iterdir()):
        name = path.name
        if name in FOLDER_FILES or name in named or (name.startswith("artwork-") and path.is_file()):
            continue
        found.append(name + ("/" if path.is_dir() else ""))
    return found


def feed_pages(out: Path) -> set[str]:
    """The episode pages the feed's items link to (file names in `out`)."""
    root = ET.parse(out / "feed.xml").getroot()
    return {
        unquote(urlsplit(item.findtext("link") or "").path.rsplit("/", 1)[-1]) for item in root.iter("item")
    }


@dataclass(frozen=True, slots=True)
class Variant:
    name: str
    script: Path
    key: str
    mp3: str  # the MP3 a build of it publishes (the name carries a hash of the audio)


@dataclass(slots=True)
class Summary:
    runs: int = 0
    killed: int = 0
    finished: int = 0
    killed_in_a_row: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)  # library/feed as before or after
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    build_seconds: float = 0.0

    def report(self) -> str:
        lines = [
            f"{self.runs} runs in {self.seconds:.0f} s (a build takes {self.build_seconds:.2f} s): "
            f"{self.killed} killed, {self.finished} finished",
            "after each run, library/feed: "
            + ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items())),
        ]
        lines += [f"PROBLEM: {p}" for p in self.problems] or ["no problem"]
        return "\n".join(lines)


def prepare(workspace: Workspace, out: Path) -> tuple[list[Variant], float]:
    """Voice every variant once (in this process, into scratch folders, so runs hit the cache),
    then publish the first into `out` with `briefing build`, timed."""
    from briefing.pipeline import BuildOptions, build_episode, episode_key

    variants = []
    for name, title, date, lead, body in VARIANTS:
        script = workspace.script(name, script_text(title, date, lead, body))
        options = BuildOptions(
            out_dir=workspace.root / f"scratch-{name}",
            voice="espeak",
            show=workspace.show,
            cache_dir=workspace.cache,
        )
        result = build_episode(script, options)
        variants.append(Variant(name, script, episode_key(result.script), result.episode.mp3.name))
    started = time.monotonic()
    subprocess.run(workspace.command(variants[0].script, out), check=True, capture_output=True, timeout=300)
    return variants, time.monotonic() - started


def soak(
    workspace: Workspace,
    out: Path,
    *,
    runs: int | None = None,
    duration: float | None = None,
    seed: int = 0,
) -> Summary:
    """Kill builds into `out` at random moments for `runs` runs or `duration` seconds."""
    rng = random.Random(seed)
    variants, build_seconds = prepare(workspace, out)
    summary = Summary(build_seconds=build_seconds)
    started = time.monotonic()
    while (runs is None or summary.runs < runs) and (
        duration is None or time.monotonic() - started < duration
    ):
        variant = rng.choice(variants)
        try:
            before, _ = read_published(out)
        except Broken as e:
            summary.problems.append(f"run {summary.runs}, before it: {e}")
            break
        after = before.with_episode(variant.key, variant.mp3)
        proc = subprocess.Popen(
            workspace.command(variant.script, out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        # A moment over the build's duration, a little past it so that some builds finish; after
        # four kills in a row one is let through, so the folder keeps changing.
        moment = rng.uniform(0.0, 1.1 * build_seconds)
        let_through = summary.runs >= 4 and summary.killed_in_a_row >= 4
        try:
            _, err = proc.communicate(timeout=None if let_through else moment)
            summary.finished += 1
            summary.killed_in_a_row = 0
            if proc.returncode != 0:
                summary.problems.append(f"run {summary.runs} failed: {err.decode(errors='replace')}")
        except subprocess.TimeoutExpired:
            proc.kill()  # SIGKILL
            proc.communicate()
            summary.killed += 1
            summary.killed_in_a_row += 1
        summary.runs += 1
        try:
            now, _ = read_published(out)
        except Broken as e:
            summary.problems.append(f"run {summary.runs - 1} ({variant.name}): {e}")
            break
        library = _which(now.library, before.library, after.library)
        feed = _which(now.feed, before.feed, after.feed)
        outcome = f"{library}/{feed}"
        summary.outcomes[outcome] = summary.outcomes.get(outcome, 0) + 1
        if "neither" in outcome:
            summary.problems.append(
                f"run {summary.runs - 1} ({variant.name}) left library/feed {outcome}: {now} "
                f"(before {before}, after {after})"
            )
    summary.problems += _final_build(workspace, out, rng.choice(variants))
    summary.seconds = time.monotonic() - started
    return summary


def _which(now: frozenset[object], before: frozenset[object], after: frozenset[object]) -> str:
    return "before" if now == before else "after" if now == after else "neither"


def _final_build(workspace: Workspace, out: Path, variant: Variant) -> list[str]:
    """A normal build after the kills succeeds, publishes its episode, and cleans up after them."""
    done = subprocess.run(workspace.command(variant.script, out), capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        return [f"the build after the kills failed: {done.stderr.strip()}"]
    try:
        now, _ = read_published(out)
        left = leftovers(out)
    except Broken as e:
        return [f"after the last build: {e}"]
    problems = []
    if (variant.key, variant.mp3) not in now.library or now.feed != {m for _, m in now.library}:
        problems.append(f"the last build did not publish {variant.mp3} in both library and feed: {now}")
    if left:
        problems.append(f"left in the output folder after the last build: {left}")
    missing = sorted(p for p in feed_pages(out) | {"index.html"} if not (out / p).is_file())
    if missing:
        problems.append(f"pages missing after the last build: {missing}")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, help="number of killed (or finished) builds")
    parser.add_argument("--duration", type=float, help="seconds to go on for (default: 100 runs)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random kill moments")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temp one)")
    args = parser.parse_args(argv)
    runs = args.runs if args.runs is not None or args.duration is not None else 100
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="briefing-soak-") as temp:
        root = args.keep or Path(temp)
        workspace = make_workspace(root)
        summary = soak(workspace, root / "out", runs=runs, duration=args.duration, seed=args.seed)
    print(summary.report())
    return 1 if summary.problems else 0


if __name__ == "__main__":
    sys.exit(main())
