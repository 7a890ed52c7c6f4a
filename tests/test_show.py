from __future__ import annotations

from pathlib import Path

import pytest

from briefing.errors import ConfigError
from briefing.show import Show, load_show


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "show.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults() -> None:
    assert load_show(None) == Show()


def test_full_config(tmp_path: Path) -> None:
    show = load_show(
        write(
            tmp_path,
            '[show]\ntitle = "Matinale"\nvoice = "espeak"\n[templates]\n'
            'greeting = "Salut {show}"\nmiddle = ["Ensuite.", "Puis."]\n',
        )
    )
    assert show.title == "Matinale" and show.voice == "espeak"
    assert show.templates.greeting == "Salut {show}"
    assert show.templates.middle == ("Ensuite.", "Puis.")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("[show]\ntitle = 3\n", "show.title"),
        ("[show]\ntitel = 'x'\n", "show.titel"),
        ("[templates]\ngreeting = ''\n", "templates.greeting"),
        ("[templates]\nmiddle = []\n", "templates.middle"),
        ("[templates]\ngreeting = 'Bonjour {nom}'\n", "templates.greeting"),
        ("[templates]\nsignoff = 'Au revoir {'\n", "templates.signoff"),
        ("show = 3\n", "[show]"),
        ("[show\n", "not valid TOML"),
    ],
)
def test_each_wrong_field_is_named(tmp_path: Path, text: str, field: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_show(write(tmp_path, text))
    assert field in info.value.one_line() and "show.toml" in info.value.one_line()


def test_missing_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such show config"):
        load_show(tmp_path / "absent.toml")
