"""`briefing batch` end to end on a LocalCluster of 2 worker processes, against a local news site:
three shows, one with only broken sources; every good episode lands in its feed exactly once."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from newsite import DATA
from typer.testing import CliRunner

from briefing.batch.tasks import EpisodeJob, Probe, build_job, check_visible
from briefing.cli.app import app
from briefing.errors import BatchError
from briefing.pipeline import BuildOptions

runner = CliRunner()
HOLDOUT = DATA / "holdout"
#: What a run must never leave in an output folder.
STRAY = re.compile(r"^\.staging-|\.part$|\.tmp|\.probe$")

PLAN = """
[defaults]
voice = "pico"
cache_dir = "cache"

[[show]]
name = "regions"
out = "out/regions"
each = true
  [[show.feed]]
  url = "{site}/rss.xml"
  items = 10
  exclude = ["sport"]
  max_age_hours = 24

[[show]]
name = "matin"
out = "out/matin"
title = "Le matin"
sources = ["{holdout}/regional-incendie-lillers.flat.txt"]
  [[show.feed]]
  url = "{site}/atom.xml"

[[show]]
name = "cassee"
out = "out/cassee"
sources = ["{site}/disparue.html"]
  [[show.feed]]
  url = "{site}/missing.xml"
"""


def stray_files(folder: Path) -> list[str]:
    return [str(p) for p in folder.rglob("*") if STRAY.search(p.name)]


def feed_items(out: Path) -> list[tuple[str, str]]:
    """(GUID, enclosure URL) of every item of the feed, parsed."""
    channel = ET.parse(out / "feed.xml").getroot().find("channel")
    assert channel is not None
    return [(i.findtext("guid") or "", i.find("enclosure").get("url", "")) for i in channel.iter("item")]  # type: ignore[union-attr]


@pytest.mark.slow
def test_three_shows_one_broken_every_good_episode_published_once(news_site: str, tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN.format(site=news_site, holdout=HOLDOUT), encoding="utf-8")
    result = runner.invoke(app, ["batch", str(plan), "--workers", "2", "--no-dashboard"])
    assert result.exit_code == 1, result.stderr  # one show failed
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:4]}
    assert rows["regions"][1] == "2/5" and rows["regions"][-1] == "ok", result.stdout
    assert rows["matin"][1] == "1/1" and rows["matin"][-1] == "ok"
    assert rows["cassee"][1] == "0/1" and rows["cassee"][-1] == "échec"
    assert "pico" in rows["regions"] and result.stdout.splitlines()[0].split() == [
        "émission",
        "épisodes",
        "durée",
        "voix",
        "temps",
        "état",
    ]
    assert "Total : 3 épisode(s)" in result.stdout
    # Progress while it ran, then why each source was left out, one line each.
    assert len(re.findall(r"^\[\d/7\] ", result.stderr, re.M)) == 7, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("briefing: warning: ")]
    assert any("abonnes.html" in w and "words" in w for w in warnings), warnings
    assert any("english.html" in w and "not in French" in w for w in warnings)
    assert any("disparue.html" in w and "404" in w for w in warnings)
    assert any("cassee" in w and "missing.xml answered 404" in w for w in warnings)

    out = tmp_path / "out"
    regions = feed_items(out / "regions")
    assert len(regions) == 2 and len({g for g, _ in regions}) == 2 and len({u for _, u in regions}) == 2
    library = json.loads((out / "regions" / "library.json").read_text(encoding="utf-8"))
    assert sorted(e["guid"] for e in library["episodes"]) == sorted(g for g, _ in regions)
    assert sorted(e["number"] for e in library["episodes"]) == [1, 2]
    titles = {e["info"]["title"] for e in library["episodes"]}
    assert any("Brest" in t for t in titles) and any("braderie" in t for t in titles), titles
    (matin,) = json.loads((out / "matin" / "library.json").read_text(encoding="utf-8"))["episodes"]
    assert matin["info"]["title"] == "Le matin" and len(feed_items(out / "matin")) == 1
    assert len(matin["info"]["chapters"]) >= 5  # sommaire and end, around three articles
    assert not (out / "cassee" / "feed.xml").exists()
    assert stray_files(tmp_path) == []


def test_a_worker_that_cannot_see_a_shared_folder_fails_clearly(tmp_path: Path) -> None:
    shared = Probe(tmp_path / "out", "0123abcd", "the output folder of show 'x'")
    shared.write()
    assert check_visible([shared]) != ""
    elsewhere = Probe(tmp_path / "out", "ffffffff", "the output folder of show 'x'")  # another machine's
    with pytest.raises(BatchError) as info:
        check_visible([elsewhere])
    line = info.value.one_line()
    assert f"cannot see the output folder of show 'x' {tmp_path / 'out'}" in line
    assert "at the same path (a shared folder)" in line
    with pytest.raises(BatchError, match="cannot see the show config"):
        check_visible([shared], [tmp_path / "show.toml"])
    # A task checks again before it builds (a worker may join the cluster later).
    job = EpisodeJob("x", ("a.txt",), BuildOptions(out_dir=tmp_path / "out"), probes=(elsewhere,))
    outcome = build_job(job)
    assert not outcome.ok and "cannot see the output folder" in (outcome.error or "")
    shared.remove()
    assert stray_files(tmp_path) == []
