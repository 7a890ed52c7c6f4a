"""A worker process killed mid-episode: the scheduler runs the episode again elsewhere, and it is
published once (same GUID, no duplicate item), with no stray file left behind."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import psutil
import pytest
from newsite import DATA

from briefing.batch import load_plan, run_batch
from briefing.publish.pages import INDEX_NAME, SCRIPT_NAME, STYLE_NAME, page_name

ARTICLES = ("regional-incendie-lillers", "environnement-secheresse-charente", "international-senegal-peche")


class Killer(threading.Thread):
    """Kills, once, the worker process that holds a staging folder of `out` (an episode being
    written), as soon as one appears."""

    def __init__(self, out: Path, deadline_s: float = 120.0) -> None:
        super().__init__(daemon=True)
        self.out, self.deadline = out, time.monotonic() + deadline_s
        self.killed: tuple[int, str] | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set() and time.monotonic() < self.deadline and self.killed is None:
            for staging in self.out.glob(".staging-*") if self.out.is_dir() else []:
                pid = self.holder(staging)
                if pid is not None:
                    os.kill(pid, signal.SIGKILL)
                    self.killed = (pid, staging.name)
                    return
            time.sleep(0.01)

    @staticmethod
    def holder(folder: Path) -> int | None:
        """The process below this one with `folder` open (a build holds its staging folder)."""
        for child in psutil.Process().children(recursive=True):
            try:
                fds = os.listdir(f"/proc/{child.pid}/fd")
                if any(os.readlink(f"/proc/{child.pid}/fd/{fd}") == str(folder) for fd in fds):
                    return child.pid
            except OSError:
                continue
        return None


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="finds the worker through /proc")
def test_a_worker_killed_mid_episode_still_ends_with_every_episode_published_once(tmp_path: Path) -> None:
    out = tmp_path / "out"
    sources = ", ".join(f'"{DATA / "holdout" / name}.flat.txt"' for name in ARTICLES)
    plan = tmp_path / "plan.toml"
    plan.write_text(
        f'[defaults]\nvoice = "pico"\ncache_dir = "cache"\n\n'
        f'[[show]]\nname = "regions"\nout = "out"\neach = true\nsources = [{sources}]\n',
        encoding="utf-8",
    )
    environment = dict(os.environ)
    killer = Killer(out)
    killer.start()
    try:
        report = run_batch(load_plan(plan), workers=2, dashboard=False)
    finally:
        killer.stop.set()
        killer.join()
    assert killer.killed is not None, "no episode was caught mid-way"
    assert dict(os.environ) == environment  # the nannies' variables for their workers stay theirs
    (show,) = report.shows
    assert report.ok and len(show.published) == 3 and not show.failed, show.all_notes()
    assert not psutil.pid_exists(killer.killed[0]) or psutil.Process(killer.killed[0]).status() == "zombie"

    channel = ET.parse(out / "feed.xml").getroot().find("channel")
    assert channel is not None
    guids = [i.findtext("guid") for i in channel.iter("item")]
    library = json.loads((out / "library.json").read_text(encoding="utf-8"))["episodes"]
    assert len(guids) == len(set(guids)) == len(library) == 3
    assert sorted(guids) == sorted(e["guid"] for e in library) == sorted(o.guid for o in show.published)
    assert len({e["key"] for e in library}) == 3
    # Every file in the folder belongs to a published episode or the show's pages: nothing half-written,
    # nothing left over.
    named = {f["path"] for e in library for f in e["info"]["files"]}
    pages = {page_name(e["key"], e["number"]) for e in library} | {INDEX_NAME, STYLE_NAME, SCRIPT_NAME}
    kept = {"feed.xml", "library.json", ".library.lock", *pages, *(p.name for p in out.glob("artwork-*.png"))}
    assert {p.name for p in out.iterdir()} == named | kept, sorted(p.name for p in out.iterdir())
    assert not list((tmp_path / "cache").rglob("*.probe"))

    # Run again: the same episodes, their GUIDs and numbers kept, no item added.
    again = run_batch(load_plan(plan), workers=2, dashboard=False)
    assert again.ok and sorted(o.guid for o in again.shows[0].published) == sorted(guids)
    library2 = json.loads((out / "library.json").read_text(encoding="utf-8"))["episodes"]
    assert sorted((e["guid"], e["number"]) for e in library2) == sorted(
        (e["guid"], e["number"]) for e in library
    )
    assert {p.name for p in out.iterdir()} == named | kept
