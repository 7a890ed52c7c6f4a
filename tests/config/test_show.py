from __future__ import annotations

from pathlib import Path

import pytest
from bad_inputs import BAD_SHOWS, BAD_SOUNDS

from briefing.config.loader import load_show
from briefing.config.show import Show
from briefing.errors import ConfigError


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


#: A show config with one wrong field, and the field the error must name (also run through the CLI).


@pytest.mark.parametrize(("text", "field"), BAD_SHOWS)
def test_each_wrong_field_is_named(tmp_path: Path, text: str, field: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_show(write(tmp_path, text))
    assert field in info.value.one_line() and "show.toml" in info.value.one_line()


def test_missing_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such show config"):
        load_show(tmp_path / "absent.toml")


def test_publishing_fields(tmp_path: Path) -> None:
    from PIL import Image

    (tmp_path / "art").mkdir()
    Image.new("RGB", (1400, 1400)).save(tmp_path / "art" / "cover.png")
    show = load_show(
        write(
            tmp_path,
            """[show]
title = "Matinale"
description = "Les nouvelles du jour."
author = "Rédaction"
narrator = "Léa (voix de synthèse)"
owner_name = "Camille"
owner_email = "camille@example.org"
language = "fr-BE"
category = "Society & Culture"
subcategory = "Documentary"
explicit = true
artwork = "art/cover.png"
base_url = "https://example.org/matinale"
link = "https://example.org/"
copyright = "© 2025"
timezone = "Europe/Brussels"
keep = 7
voice = "espeak"
preset = "broadcast"
""",
        )
    )
    assert (show.author, show.owner_name, show.owner_email) == ("Rédaction", "Camille", "camille@example.org")
    assert show.narrator == "Léa (voix de synthèse)"
    assert (show.category, show.subcategory, show.explicit, show.keep) == (
        "Society & Culture",
        "Documentary",
        True,
        7,
    )
    assert show.artwork == tmp_path / "art" / "cover.png"
    assert show.base_url == "https://example.org/matinale/"
    assert show.feed_url == "https://example.org/matinale/feed.xml"
    assert (
        show.url_for("2025-08-15 été/a.mp3")
        == "https://example.org/matinale/2025-08-15%20%C3%A9t%C3%A9/a.mp3"
    )
    assert (show.timezone, show.preset, show.language, show.voice) == (
        "Europe/Brussels",
        "broadcast",
        "fr-BE",
        "espeak",
    )


def test_publishing_defaults() -> None:
    show = Show()
    assert (show.language, show.category, show.subcategory) == ("fr-FR", "News", "Daily News")
    assert (show.timezone, show.preset, show.explicit, show.artwork) == (
        "Europe/Paris",
        "podcast",
        False,
        None,
    )
    assert show.feed_url == "http://127.0.0.1:8000/feed.xml"
    assert show.narrator is None  # the transcripts then name the author, else the title


def test_the_feed_description_is_said_from_the_title_and_author_without_one() -> None:
    assert Show().feed_description == "Le Briefing : l'actualité lue par une voix de synthèse."
    assert Show(title="Matinale", author="Radio Sud").feed_description == (
        "Matinale : l'actualité lue par une voix de synthèse, proposée par Radio Sud."
    )
    assert Show(description="Mon émission.").feed_description == "Mon émission."
    with pytest.raises(ConfigError, match="the description said from the title is longer than 4000"):
        Show(title="T" * 4000)


def test_a_category_without_subcategory(tmp_path: Path) -> None:
    show = load_show(write(tmp_path, "[show]\ncategory = 'Technology'\n"))
    assert (show.category, show.subcategory) == ("Technology", None)


def test_checks_also_hold_in_code() -> None:
    with pytest.raises(ConfigError, match="<defaults>: show.keep"):
        Show(keep=0)
    with pytest.raises(ConfigError, match="show.artwork"):
        Show(artwork=Path("cover.gif"))


def test_sound_section(tmp_path: Path) -> None:
    (tmp_path / "intro.mp3").write_bytes(b"x")
    show = load_show(
        write(tmp_path, '[sound]\nintro = "intro.mp3"\nbed = ""\ntarget_lufs = -18\nmp3_kbps = 128\n')
    )
    assert show.sound.files == (("intro", tmp_path / "intro.mp3"),)
    assert show.sound.off == ("bed",)
    assert show.sound.target_lufs == -18.0 and show.sound.mp3_kbps == 128


@pytest.mark.parametrize(("text", "field"), BAD_SOUNDS)
def test_sound_fields_are_checked(tmp_path: Path, text: str, field: str) -> None:
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
        load_show(write(tmp_path, text))


def test_a_config_not_in_utf8_says_so(tmp_path: Path) -> None:
    path = tmp_path / "show.toml"
    path.write_bytes('[show]\ntitle = "Le Café"\n'.encode("cp1252"))
    with pytest.raises(ConfigError) as info:
        load_show(path)
    assert info.value.one_line().endswith("Probable cause: it is not UTF-8 text")


@pytest.mark.parametrize("field", ["show.lexicon", "show.artwork", "sound.intro"])
def test_a_folder_named_as_a_file_is_called_a_folder(tmp_path: Path, field: str) -> None:
    """It was said not to exist: the producer looking at it would not see why."""
    (tmp_path / "sons").mkdir()
    table, key = field.split(".")
    with pytest.raises(ConfigError, match=rf"{field} .*sons is a folder, not a file"):
        load_show(write(tmp_path, f'[{table}]\n{key} = "sons"\n'))


def test_lexicon_file_and_table(tmp_path: Path) -> None:
    (tmp_path / "names.tsv").write_text("Kyiv\tKiève\nMbappé\tEmbappé\n", encoding="utf-8")
    config = tmp_path / "show.toml"
    config.write_text(
        '[show]\nlexicon = "names.tsv"\nhouse_lexicon = false\n'
        '[lexicon]\n"Mbappé" = "Èmbapé"\nOTAN = "Otane"\n',
        encoding="utf-8",
    )
    show = load_show(config)
    assert dict(show.lexicon) == {"Kyiv": "Kiève", "Mbappé": "Èmbapé", "OTAN": "Otane"}
    assert show.house_lexicon is False
    assert Show().lexicon == () and Show().house_lexicon is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[show]\nlexicon = "none.tsv"\n', "show.lexicon .*none.tsv does not exist"),
        ("[lexicon]\nKyiv = 3\n", r"\[lexicon\]: entry 'Kyiv' must be text"),
        ('[lexicon]\nKyiv = ""\n', "empty entry"),
        ("[show]\nhouse_lexicon = 1\n", "show.house_lexicon must be true or false"),
        ('[lexicon]\nKyiv = "Ki\\u0007ève"\n', "control character"),
    ],
)
def test_wrong_lexicons_are_named(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "show.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_show(config)
