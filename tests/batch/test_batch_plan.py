"""The plan file: typed values out, one clear line naming the show and the field for each mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.batch import FeedSource, check_plan, load_plan
from briefing.errors import BatchError

GOOD = """
[defaults]
voice = "espeak"
cache_dir = "cache"

[[show]]
name = "matin"
out = "out/matin"
title = "Le matin"
sources = ["a.txt", "https://www.example.fr/x.html", "du-jour.list"]

[[show]]
name = "regions"
out = "/srv/regions"
each = true
voice = "pico"
  [[show.feed]]
  url = "https://www.example.fr/rss.xml"
  items = 3
  include = ["Bordeaux"]
  exclude = ["sport", "publicité"]
  max_age_hours = 24
  [[show.feed]]
  url = "feeds/local.xml"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_plan_reads_into_typed_values_with_paths_from_its_folder(tmp_path: Path) -> None:
    plan = load_plan(write(tmp_path, GOOD))
    assert plan.cache_dir == tmp_path / "cache"
    matin, regions = plan.shows
    assert matin.name == "matin" and matin.out == tmp_path / "out" / "matin" and not matin.each
    assert matin.sources == (
        str(tmp_path / "a.txt"),
        "https://www.example.fr/x.html",
        str(tmp_path / "du-jour.list"),
    )
    assert matin.voice == "espeak" and matin.title == "Le matin" and matin.feeds == ()
    assert regions.each and regions.voice == "pico" and regions.out == Path("/srv/regions")
    assert regions.feeds == (
        FeedSource("https://www.example.fr/rss.xml", 3, ("Bordeaux",), ("sport", "publicité"), 24.0),
        FeedSource(str(tmp_path / "feeds" / "local.xml")),
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('out = "out/matin"', ""), "show 'matin': field 'out' is missing"),
        (('name = "matin"', 'name = ""'), "show '#1': field 'name' must be a non-empty string"),
        (("each = true", 'each = "oui"'), "show 'regions': field 'each' must be true or false"),
        (("items = 3", "items = 0"), "show 'regions': field 'feed[1].items' must be a whole number above 0"),
        (("items = 3", "items = 2.5"), "show 'regions': field 'feed[1].items' must be a whole number"),
        (
            ("max_age_hours = 24", "max_age_hours = -1"),
            "field 'feed[1].max_age_hours' must be a number of hours",
        ),
        (('include = ["Bordeaux"]', 'include = "Bordeaux"\nlimit = 2'), "field 'feed[1].limit' is unknown"),
        (('url = "feeds/local.xml"', 'link = "x"'), "show 'regions': field 'feed[2].link' is unknown"),
        (('voice = "pico"', 'voice = "pico"\ncolour = "bleu"'), "show 'regions': field 'colour' is unknown"),
        (('name = "regions"', 'name = "matin"'), "show 'matin': field 'name' is used by two shows"),
        (
            ('out = "/srv/regions"', 'out = "out/matin/"'),
            "field 'out' is also the output folder of show 'matin'",
        ),
        (
            ('title = "Le matin"', 'title = "Le matin"\neach = true'),
            "show 'matin': field 'title' cannot go with",
        ),
        (('cache_dir = "cache"', "cache_dir = 3"), "field 'defaults.cache_dir' must be a non-empty line"),
        (("[defaults]", "[default]"), "field 'default' is unknown"),
        (('  url = "https://www.example.fr/rss.xml"\n', ""), "field 'feed[1].url' is missing"),
    ],
)
def test_each_mistake_is_one_line_naming_the_show_and_field(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in GOOD
    with pytest.raises(BatchError) as info:
        load_plan(write(tmp_path, GOOD.replace(old, new, 1)))
    line = info.value.one_line()
    assert expected in line and "\n" not in line
    assert line.startswith(str(tmp_path / "plan.toml"))


def test_a_show_with_nothing_to_read_and_a_plan_without_shows_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BatchError, match="show 'x': field 'sources' is empty and the show has no feed"):
        load_plan(write(tmp_path, '[[show]]\nname = "x"\nout = "o"\n'))
    with pytest.raises(BatchError, match="field 'show' is missing"):
        load_plan(write(tmp_path, '[defaults]\nvoice = "pico"\n'))
    with pytest.raises(BatchError, match="not valid TOML"):
        load_plan(write(tmp_path, "[[show]\n"))
    with pytest.raises(BatchError, match="no such plan file"):
        load_plan(tmp_path / "missing.toml")


def test_a_wrong_show_config_voice_or_preset_is_found_before_anything_runs(tmp_path: Path) -> None:
    base = '[[show]]\nname = "x"\nout = "o"\nsources = ["a.txt"]\n'
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "show.toml").write_text('[show]\ntitle = "X"\ncolour = 1\n', encoding="utf-8")
    for extra, field in [
        ('config = "show.toml"', "config"),
        ('config = "none.toml"', "config"),
        ('voice = "nobody"', "voice"),
        ('preset = "loud"', "preset"),
        ('out = "a-file/o"', "out"),  # was a dry run that passed, then "cannot write into: File exists"
    ]:
        text = base.replace('out = "o"\n', "") if extra.startswith("out") else base
        plan = load_plan(write(tmp_path, text + extra + "\n"))
        with pytest.raises(BatchError) as info:
            check_plan(plan)
        line = info.value.one_line()
        assert f"show 'x': field '{field}': " in line and line.count("Probable cause") <= 1, line
    check_plan(load_plan(write(tmp_path, base + 'voice = "espeak"\n')))
