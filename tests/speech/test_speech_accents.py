"""The É that French capitals go without is written back; other capital E are left alone."""

from __future__ import annotations

import pytest

from briefing.speech.accents import accent_capitals
from briefing.speech.normalize import normalize


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("les Etats-Unis", "les États-Unis"),
        ("le chef de l'Etat, l’Etat", "le chef de l'État, l’État"),
        ("L'Equipe", "L'Équipe"),
        ("Saint-Etienne", "Saint-Étienne"),
        ("une Eglise en Egypte", "une Église en Égypte"),
        ("Ethiopie, Echo, Ephémère", "Éthiopie, Écho, Éphémère"),
        ("Etranger, Ecrivain, Evry", "Étranger, Écrivain, Évry"),
        ("Eric et Edouard à l'Elysée", "Éric et Édouard à l'Élysée"),
    ],
)
def test_the_e_of_etat_gets_its_accent(text: str, said: str) -> None:
    assert accent_capitals(text) == said


@pytest.mark.parametrize(
    "text",
    [
        "Elle, Emmanuel, Erreur, Essonne",  # two consonants: è, or a name said so
        "Espagne, Erdogan, Entre, Ensuite",
        "Et alors ? En effet. Est-ce Eux ?",  # no vowel after the consonant, or a vowel first
        "Europe, Eure",
        "Exemple, Exxon",  # x
        "ETATS-UNIS, EDF, ENA",  # capitals: headings and acronyms
        "Email, Emails",
        "Déjà État, Élysée",  # already accented
        "rEtat",  # inside a word
    ],
)
def test_other_capital_e_are_left(text: str) -> None:
    assert accent_capitals(text) == text


def test_names_are_read_as_written_before_the_accent_goes_back() -> None:
    assert normalize("la reine Elizabeth II et les Etats-Unis") == "la reine Élizabeth deux et les États-Unis"
