"""Episode file names: dated, ASCII slugs, safe on every OS; safe_join never leaves its folder."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from briefing.errors import ExportError
from briefing.export.names import (
    MAX_BASENAME,
    RESERVED,
    ascii_fold,
    episode_basename,
    safe_join,
    slugify,
)

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
HEX = st.text(alphabet="0123456789abcdef", min_size=6, max_size=64)


def assert_safe_name(name: str) -> None:
    assert SLUG.match(name), name
    assert name.split(".")[0] not in RESERVED
    assert len(name) <= 255


def test_slugify_folds_french() -> None:
    assert slugify("Été : l'Œuvre de Noël à Besançon") == "ete-l-oeuvre-de-noel-a-besancon"
    assert slugify("Trump & Poutine, 3,5 % d'inflation") == "trump-et-poutine-3-5-pourcent-d-inflation"


def test_slugify_never_empty_nor_reserved() -> None:
    assert slugify("") == "sans-titre"
    assert slugify("🇫🇷 !!! 中文") == "sans-titre"
    assert slugify("CON") == "con-x"
    assert slugify("lpt1") == "lpt1-x"
    assert slugify("../../etc/passwd") == "etc-passwd"


def test_slugify_cuts_at_a_hyphen() -> None:
    text = "un deux trois quatre cinq six sept huit neuf dix"
    assert slugify(text, max_length=20) == "un-deux-trois-quatre"
    assert slugify(text, max_length=19) == "un-deux-trois"
    assert len(slugify("a" * 500)) == 60


def test_episode_basename_example() -> None:
    name = episode_basename("Le Briefing", dt.date(2025, 8, 15), "Trump–Poutine : le sommet", "A3F9C2D1E0")
    assert name == "2025-08-15-le-briefing-trump-poutine-le-sommet-a3f9c2"


def test_episode_basename_rejects_short_hash() -> None:
    with pytest.raises(ExportError, match="too short"):
        episode_basename("S", dt.date(2025, 1, 1), "t", "ab-c")


@given(st.text(), st.text(), st.dates(min_value=dt.date(1000, 1, 1)), HEX)
def test_any_input_gives_a_safe_basename(show: str, title: str, day: dt.date, h: str) -> None:
    name = episode_basename(show, day, title, h)
    assert name.startswith(day.isoformat() + "-")
    assert name.endswith("-" + h[:6])
    assert_safe_name(name)
    assert len(name) <= MAX_BASENAME
    assert episode_basename(show, day, title, h) == name


@given(st.text(), st.integers(min_value=10, max_value=200))
def test_any_input_gives_a_safe_slug(text: str, limit: int) -> None:
    slug = slugify(text, max_length=limit)
    assert_safe_name(slug)
    assert len(slug) <= max(limit, len("sans-titre")) + 2  # "-x" for reserved names


@given(st.text())
def test_ascii_fold_is_ascii(text: str) -> None:
    assert ascii_fold(text).isascii()


def test_ascii_fold_keeps_word_boundaries() -> None:
    assert ascii_fold("Trump–Poutine «l’été»\u202f!") == 'Trump-Poutine "l\'ete" !'
    assert ascii_fold("東京 Paris") == " Paris"


def test_safe_join_allows_inside(tmp_path: Path) -> None:
    assert safe_join(tmp_path, "a.mp3") == tmp_path / "a.mp3"
    assert safe_join(tmp_path, "audio/a.mp3") == tmp_path / "audio" / "a.mp3"


@pytest.mark.parametrize(
    "name",
    ["", "..", "../x", "a/../../x", "/etc/passwd", "C:\\x", "C:x", "\\\\server\\share", "a\\b",
     "a\x00b", ".", "./"],
)  # fmt: skip
def test_safe_join_refuses_escapes(tmp_path: Path, name: str) -> None:
    with pytest.raises(ExportError, match="refused"):
        safe_join(tmp_path, name)


def test_safe_join_refuses_symlink_out(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = tmp_path / "episodes"
    folder.mkdir()
    (folder / "link").symlink_to(outside)
    with pytest.raises(ExportError, match="outside"):
        safe_join(folder, "link/x.mp3")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1))
def test_safe_join_result_is_always_inside(tmp_path: Path, name: str) -> None:
    try:
        path = safe_join(tmp_path, name)
    except ExportError:
        return
    assert path.resolve().is_relative_to(tmp_path.resolve())
    assert path.resolve() != tmp_path.resolve()


def test_show_named_once_in_a_briefing_name() -> None:
    name = episode_basename(
        "Le Briefing", dt.date(2025, 8, 16), "Le Briefing du samedi 16 août 2025", "f26b4e00"
    )
    assert name == "2025-08-16-le-briefing-du-samedi-16-aout-2025-f26b4e"
