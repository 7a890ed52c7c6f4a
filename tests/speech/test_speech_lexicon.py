"""Pronunciation lexicons: reading, layering, whole words and case rules, and their place in
normalization (house list < voice's own < show's)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, strategies as st
from paths import ROOT

from briefing.errors import ConfigError
from briefing.speech.lexicon import (
    HOUSE_LEXICON,
    Lexicon,
    Pronunciations,
    house_lexicon,
    layered,
    lexicon_from_table,
    load_lexicon,
)
from briefing.speech.normalize import normalize

SHIPPED = ROOT / "voices"


def say(pairs: dict[str, str], text: str) -> str:
    return normalize(text, Lexicon(tuple(pairs.items())))


def test_tsv_and_toml_are_read(tmp_path: Path) -> None:
    tsv = tmp_path / "lex.tsv"
    tsv.write_text("\ufeff# comment\nFMI\tF M I\n\nNew York Times\tNiou Yorque Taïmse\n", encoding="utf-8")
    assert load_lexicon(tsv) == (("FMI", "F M I"), ("New York Times", "Niou Yorque Taïmse"))
    toml = tmp_path / "lex.toml"
    toml.write_text('FMI = "F M I"\n"Mme" = "madame"\n', encoding="utf-8")
    assert load_lexicon(toml) == (("FMI", "F M I"), ("Mme", "madame"))


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("lex.tsv", "FMI\tF M I\nPIB P I B\n", "line 2"),
        ("lex.tsv", "FMI\t \n", "line 1"),
        ("lex.toml", "FMI = 3\n", "'FMI' must be text"),
        ("lex.toml", 'FMI = "\n', "not valid TOML"),
        ("lex.toml", '"" = "rien"\n', "empty entry"),
    ],
)
def test_bad_lexicons_name_file_and_place(tmp_path: Path, name: str, body: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_lexicon(path)
    assert str(path) in str(info.value)


def test_missing_lexicon_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        load_lexicon(tmp_path / "none.tsv")


def test_whole_words_only() -> None:
    assert say({"Trump": "Treumpe"}, "Trump, Trumpisme et Trump-Poutine") == (
        "Treumpe, Trumpisme et Treumpe-Poutine"
    )
    assert Lexicon((("UE", "U E"),)).sub("L'UE, la BUE et UEFA.", str.lower) == "L'u e, la BUE et UEFA."


def test_names_and_acronyms_match_as_written_or_in_capitals() -> None:
    pairs = {"Nice": "Nisse", "Poutine": "Poutinne", "UE": "u e"}
    assert say(pairs, "Nice est nice.") == "Nisse est nice."
    assert say(pairs, "POUTINE et Poutine, pas la poutine") == "Poutinne et Poutinne, pas la poutine"
    assert say(pairs, "UE, ue, Ue") == "u e, ue, Ue"


def test_common_words_match_in_any_case() -> None:
    assert say({"week-end": "ouikènde"}, "Week-end, WEEK-END et week-end") == (
        "ouikènde, ouikènde et ouikènde"
    )


def test_spaces_and_apostrophes_of_any_kind() -> None:
    pairs = {"New York Times": "Niou Yorque Taïmse", "Côte d'Ivoire": "Côte-d'Ivoire"}
    assert say(pairs, "Le New\u00a0York Times en Côte d\u2019Ivoire") == (
        "Le Niou Yorque Taïmse en Côte-d'Ivoire"
    )


def test_longest_entry_wins() -> None:
    pairs = {"New York": "Niou Yorque", "New York Times": "le Times"}
    assert say(pairs, "Le New York Times de New York") == "Le le Times de Niou Yorque"


def test_lexicon_wins_over_built_in_rules_and_is_not_renormalized() -> None:
    pairs = {"SNCF": "la S.N.C.F.", "K2": "K2", "Otan": "Ottan"}
    # "SNCF" is in the written text; "Otan" only appears after normalization of "OTAN".
    said = say(pairs, "La SNCF, le K2 et l'OTAN en 2016.")
    assert said == "La la S.N.C.F., le K2 et l'Ottan en deux mille seize."


def test_empty_lexicon_is_no_lexicon() -> None:
    assert normalize("M. Dupont à 14h", Lexicon(())) == normalize("M. Dupont à 14h")


def test_layers_later_wins() -> None:
    house = (("Trump", "Treumpe"), ("FMI", "F M I"))
    voice = (("FMI", "èf èm i"),)
    show = (("Trump", "Trompe"),)
    assert dict(layered(house, voice, show)) == {"FMI": "èf èm i", "Trump": "Trompe"}
    lexicon = Pronunciations(house=house, show=show).for_voice(voice)
    assert normalize("Trump et le FMI", lexicon) == "Trompe et le èf èm i"


def test_table_entries_are_checked() -> None:
    assert lexicon_from_table({" Kyiv ": " Kiev "}, "x") == (("Kyiv", "Kiev"),)
    with pytest.raises(ConfigError, match="show.toml: entry 'Kyiv' must be text"):
        lexicon_from_table({"Kyiv": 1}, "show.toml")


def test_house_list_is_shipped_valid_and_the_user_one_wins(tmp_path: Path) -> None:
    shipped = house_lexicon([SHIPPED])
    assert shipped == load_lexicon(SHIPPED / HOUSE_LEXICON)
    assert {"The Beast", "New York Times", "Trump"} <= {word for word, _ in shipped}
    mine = tmp_path / HOUSE_LEXICON
    mine.parent.mkdir(parents=True)
    mine.write_text("Trump\tTrompe\n", encoding="utf-8")
    assert house_lexicon([tmp_path, SHIPPED]) == (("Trump", "Trompe"),)
    assert house_lexicon([tmp_path / "none"]) == ()


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Joe Biden et Kamala Harris.", "Djo Biden et Kamala Harrisse."),
        ("Le président Trump.", "Le président Treum-pe."),
        ("Joel et harris restent.", "Joel et harris restent."),
    ],
)
def test_the_house_list_says_foreign_names_as_french_newsreaders_do(text: str, said: str) -> None:
    assert normalize(text, Lexicon(house_lexicon([SHIPPED]))) == said


def test_every_shipped_entry_changes_what_is_said() -> None:
    for path in sorted((SHIPPED / "lexicons").glob("*.tsv")):
        pairs = load_lexicon(path)
        lexicon = Lexicon(pairs)
        for word, says in pairs:
            assert normalize(word, lexicon) != normalize(word), (path.name, word)
            assert says.strip() == says and word.strip() == word


words = st.text(alphabet="abcdéèAZÉ -'", min_size=1, max_size=12).map(str.strip).filter(bool)


@given(st.lists(st.tuples(words, words), max_size=5), st.text(alphabet="abcAZ é.,'-", max_size=40))
def test_text_without_entries_is_unchanged(pairs: list[tuple[str, str]], text: str) -> None:
    lexicon = Lexicon(tuple(pairs))
    held = lexicon.sub(text, lambda says: "\x00")
    if "\x00" not in held:
        assert held == text
