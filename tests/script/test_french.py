from __future__ import annotations

import datetime as dt

import pytest

from briefing.script.french import and_list, as_sentence, count_of, of, spoken_date


@pytest.mark.parametrize(
    ("day", "spoken"),
    [
        (dt.date(2025, 8, 15), "vendredi 15 août 2025"),
        (dt.date(2026, 11, 25), "mercredi 25 novembre 2026"),
        (dt.date(2024, 2, 1), "jeudi 1er février 2024"),
        (dt.date(2023, 12, 31), "dimanche 31 décembre 2023"),
    ],
)
def test_spoken_date(day: dt.date, spoken: str) -> None:
    assert spoken_date(day) == spoken


def test_counts_and_sentences() -> None:
    assert count_of(1, "sujet") == "un sujet"
    assert count_of(5, "sujet") == "cinq sujets"
    assert count_of(42, "sujet") == "quarante-deux sujets"
    assert as_sentence("Vers Moscou ?") == "Vers Moscou ?"
    assert as_sentence("Un Zelensky spectateur") == "Un Zelensky spectateur."


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Le Monde", "du Monde"),
        ("Les Echos", "des Echos"),
        ("Ouest-France", "d'Ouest-France"),
        ("Libération", "de Libération"),
        ("La Croix", "de La Croix"),
        ("France Info", "de France Info"),
    ],
)
def test_of_contracts_like_french(name: str, said: str) -> None:
    assert of(name) == said


def test_and_list() -> None:
    assert and_list(["a"]) == "a"
    assert and_list(["a", "b", "c"]) == "a, b et c"
