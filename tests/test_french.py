from __future__ import annotations

import datetime as dt

import pytest

from briefing.french import as_sentence, count_of, spoken_date


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
    assert count_of(42, "sujet") == "42 sujets"
    assert as_sentence("Vers Moscou ?") == "Vers Moscou ?"
    assert as_sentence("Un Zelensky spectateur") == "Un Zelensky spectateur."
