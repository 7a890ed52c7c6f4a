from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from briefing.config.show import Show
from briefing.errors import ConfigError, ExportError
from briefing.export.names import delivery_name
from briefing.publish.deliver import deliver

DAY = dt.date(2025, 8, 15)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{show}-{date}", "le-briefing-2025-08-15"),
        ("briefing-latest", "briefing-latest"),
        ("{weekday}-{show}", "vendredi-le-briefing"),
        ("{date}-{title}", "2025-08-15-sommet-a-anchorage"),
        ("../../etc/{show}", "etc-le-briefing"),
    ],
)
def test_delivery_names_are_stable_and_safe(pattern: str, expected: str) -> None:
    assert delivery_name(pattern, show="Le Briefing", date=DAY, title="Sommet à Anchorage") == expected


@pytest.mark.parametrize("pattern", ["{nom}", "{show", "///"])
def test_bad_patterns(pattern: str) -> None:
    with pytest.raises(ExportError):
        delivery_name(pattern, show="Le Briefing", date=DAY, title="t")


def test_show_config_checks_the_pattern() -> None:
    with pytest.raises(ConfigError, match="show.delivery_name"):
        Show(delivery_name="{nom}")


def test_deliver_replaces_only_with_a_complete_file(tmp_path: Path) -> None:
    watched = tmp_path / "watched"
    watched.mkdir()
    old = watched / "le-briefing.mp3"
    old.write_bytes(b"yesterday")
    new = tmp_path / "episode.mp3"
    new.write_bytes(b"today" * 1000)
    wav = tmp_path / "episode.wav"
    wav.write_bytes(b"RIFF")
    delivered = deliver([new, wav], watched, "le-briefing")
    assert delivered == (watched / "le-briefing.mp3", watched / "le-briefing.wav")
    assert old.read_bytes() == b"today" * 1000
    assert sorted(p.name for p in watched.iterdir()) == ["le-briefing.mp3", "le-briefing.wav"]


def test_a_failed_copy_leaves_yesterdays_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    watched = tmp_path / "watched"
    watched.mkdir()
    (watched / "le-briefing.mp3").write_bytes(b"yesterday")
    source = tmp_path / "episode.mp3"
    source.write_bytes(b"x" * 10_000)
    seen: list[str] = []

    def half_then_fail(src: object, dst: object, length: int = 0) -> None:
        dst.write(b"x" * 100)  # type: ignore[attr-defined]
        seen.extend(p.name for p in watched.iterdir())
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shutil, "copyfileobj", half_then_fail)
    with pytest.raises(ExportError, match="No space left"):
        deliver([source], watched, "le-briefing")
    assert (watched / "le-briefing.mp3").read_bytes() == b"yesterday"
    assert [p.name for p in watched.iterdir()] == ["le-briefing.mp3"]
    partial = [n for n in seen if n != "le-briefing.mp3"]
    assert partial and all(n.startswith(".le-briefing.mp3.") and n.endswith(".part") for n in partial)


def test_missing_folder(tmp_path: Path) -> None:
    source = tmp_path / "e.mp3"
    source.write_bytes(b"x")
    with pytest.raises(ExportError, match="does not exist"):
        deliver([source], tmp_path / "absent", "x")
