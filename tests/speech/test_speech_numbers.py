"""French number words, checked against values from grammar references (traditional spelling)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, strategies as st

from briefing.speech.numbers import (
    LIMIT,
    cardinal,
    decimal,
    digits,
    fraction_digits,
    integer,
    ordinal,
    quantity,
    roman,
    spells_a_number,
)

CARDINALS = [
    (0, "zéro"),
    (1, "un"),
    (7, "sept"),
    (16, "seize"),
    (17, "dix-sept"),
    (21, "vingt et un"),
    (22, "vingt-deux"),
    (31, "trente et un"),
    (61, "soixante et un"),
    (70, "soixante-dix"),
    (71, "soixante et onze"),
    (72, "soixante-douze"),
    (79, "soixante-dix-neuf"),
    (80, "quatre-vingts"),
    (81, "quatre-vingt-un"),
    (88, "quatre-vingt-huit"),
    (90, "quatre-vingt-dix"),
    (91, "quatre-vingt-onze"),
    (99, "quatre-vingt-dix-neuf"),
    (100, "cent"),
    (101, "cent un"),
    (180, "cent quatre-vingts"),
    (200, "deux cents"),
    (201, "deux cent un"),
    (280, "deux cent quatre-vingts"),
    (999, "neuf cent quatre-vingt-dix-neuf"),
    (1000, "mille"),
    (1001, "mille un"),
    (1080, "mille quatre-vingts"),
    (1990, "mille neuf cent quatre-vingt-dix"),
    (2000, "deux mille"),
    (2025, "deux mille vingt-cinq"),
    (21_000, "vingt et un mille"),
    (80_000, "quatre-vingt mille"),
    (200_000, "deux cent mille"),
    (1_000_000, "un million"),
    (1_000_001, "un million un"),
    (2_000_000, "deux millions"),
    (80_000_000, "quatre-vingts millions"),
    (200_000_000, "deux cents millions"),
    (1_000_000_000, "un milliard"),
    (2_500_000_000, "deux milliards cinq cents millions"),
    (
        999_999_999_999,
        "neuf cent quatre-vingt-dix-neuf milliards neuf cent quatre-vingt-dix-neuf millions "
        "neuf cent quatre-vingt-dix-neuf mille neuf cent quatre-vingt-dix-neuf",
    ),
    (10**12, "un billion"),
    (-5, "moins cinq"),
]


@pytest.mark.parametrize(("n", "words"), CARDINALS)
def test_cardinal(n: int, words: str) -> None:
    assert cardinal(n) == words


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (1, "une"),
        (21, "vingt et une"),
        (81, "quatre-vingt-une"),
        (101, "cent une"),
        (1001, "mille une"),
        (2, "deux"),
        (1_000_000, "un million"),  # million is a noun: "un million de personnes"
        (21_000, "vingt et un mille"),
    ],
)
def test_cardinal_feminine(n: int, words: str) -> None:
    assert cardinal(n, feminine=True) == words


@pytest.mark.parametrize(
    ("n", "feminine", "words"),
    [
        (1, False, "premier"),
        (1, True, "première"),
        (2, False, "deuxième"),
        (4, False, "quatrième"),
        (5, False, "cinquième"),
        (9, False, "neuvième"),
        (11, False, "onzième"),
        (21, False, "vingt et unième"),
        (21, True, "vingt et unième"),
        (71, False, "soixante et onzième"),
        (80, False, "quatre-vingtième"),
        (81, False, "quatre-vingt-unième"),
        (100, False, "centième"),
        (200, False, "deux centième"),
        (1000, False, "millième"),
        (2000, False, "deux millième"),
        (1_000_000, False, "millionième"),
        (2_000_000, False, "deux millionième"),
        (200_000_000, False, "deux cent millionième"),
        (1_000_000_000, False, "milliardième"),
    ],
)
def test_ordinal(n: int, feminine: bool, words: str) -> None:
    assert ordinal(n, feminine) == words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("3,5", "trois virgule cinq"),
        ("3.5", "trois virgule cinq"),
        ("0,25", "zéro virgule vingt-cinq"),
        ("3,05", "trois virgule zéro cinq"),
        ("-2,5", "moins deux virgule cinq"),
        ("3,14159", "trois virgule un quatre un cinq neuf"),
        ("1 500,5", "mille cinq cents virgule cinq"),
        ("12", "douze"),
    ],
)
def test_decimal(text: str, words: str) -> None:
    assert decimal(text) == words


def test_digit_strings() -> None:
    assert digits("007") == "zéro zéro sept"
    assert integer("007") == "zéro zéro sept"
    assert integer("0") == "zéro"
    assert integer("21", feminine=True) == "vingt et une"
    assert integer("1" * 20) == " ".join(["un"] * 20)  # beyond the speller: digit by digit
    assert fraction_digits("50") == "cinquante"
    assert fraction_digits("000") == "zéro zéro zéro"


@pytest.mark.parametrize(
    ("args", "kwargs", "words"),
    [
        (("1", "tonne", "tonnes"), {"feminine": True}, "une tonne"),
        (("21", "tonne", "tonnes"), {"feminine": True}, "vingt et une tonnes"),
        (("1,2", "mètre", "mètres"), {}, "un virgule deux mètre"),
        (("3,2", "mètre", "mètres"), {}, "trois virgule deux mètres"),
        (("2,5", "mètre", "mètres"), {}, "deux virgule cinq mètres"),
        (("2,5", "million", "millions"), {"half": True}, "deux millions et demi"),
        (("1,5", "heure", "heures"), {"feminine": True, "half": True}, "une heure et demie"),
        (("2000000", "euro", "euros"), {}, "deux millions d'euros"),
        (("3000000", "dollar", "dollars"), {}, "trois millions de dollars"),
        (("-4", "degré", "degrés"), {}, "moins quatre degrés"),
    ],
)
def test_quantity(args: tuple[str, str, str], kwargs: dict[str, bool], words: str) -> None:
    feminine, half = kwargs.get("feminine", False), kwargs.get("half", False)
    assert quantity(*args, feminine=feminine, half=half) == words


@pytest.mark.parametrize(
    ("text", "value"),
    [("I", 1), ("IV", 4), ("XIV", 14), ("XXI", 21), ("XLII", 42), ("MCMXC", 1990), ("MMXXV", 2025)],
)
def test_roman(text: str, value: int) -> None:
    assert roman(text) == value


@pytest.mark.parametrize("text", ["", "IIII", "VV", "IC", "ABC", "xiv", "MMMM"])
def test_not_roman(text: str) -> None:
    assert roman(text) is None


def test_errors() -> None:
    with pytest.raises(ValueError, match="out of range"):
        cardinal(LIMIT)
    with pytest.raises(ValueError, match="positive"):
        ordinal(0)
    with pytest.raises(ValueError, match="not a decimal"):
        decimal("trois")
    with pytest.raises(ValueError, match="not a string of digits"):
        integer("12a")
    with pytest.raises(TypeError):
        cardinal(True)


def test_spellings_are_distinct() -> None:
    spelled = [cardinal(n) for n in range(3000)]
    assert len(set(spelled)) == len(spelled)


_WORD = re.compile(
    r"zéro|une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|"
    r"seize|vingts?|trente|quarante|cinquante|soixante|cents?|mille|millions?|milliards?|et"
)


@given(st.integers(min_value=0, max_value=LIMIT - 1))
def test_cardinal_words_and_plural_rules(n: int) -> None:
    words = cardinal(n)
    for word in re.split(r"[ -]", words):
        assert _WORD.fullmatch(word) or word in ("billion", "billions"), word
    # "vingts" and "cents" only end the number or come before million, milliard, billion.
    for m in re.finditer(r"(?:vingts|cents) ?(\S*)", words):
        assert m[1] in ("", "millions", "milliards", "billions", "million", "milliard")
    assert "  " not in words


@given(st.integers(min_value=2, max_value=LIMIT - 1))
def test_ordinal_ends_like_an_ordinal(n: int) -> None:
    words = ordinal(n)
    assert words.endswith("ième")
    assert not re.search(r"\d|  |ièmes", words)


def test_ordinals_are_distinct() -> None:
    spelled = [ordinal(n) for n in range(1, 3000)]
    assert len(set(spelled)) == len(spelled)


@pytest.mark.parametrize("n", [18, 21, 71, 80, 99, 288, 1963, 2027])
def test_spells_a_number_knows_every_cardinal_and_ordinal_it_writes(n: int) -> None:
    for words in (cardinal(n), ordinal(n), ordinal(n) + "s"):
        assert spells_a_number(words.replace("-", " ").split())


@pytest.mark.parametrize("words", ["deux roues", "mille feuille", "saint égrève", "vingt ans", "dixit"])
def test_spells_a_number_refuses_other_words(words: str) -> None:
    assert not spells_a_number(words.split())
