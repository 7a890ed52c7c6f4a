"""French normalization for speech: golden table, real article, idempotence, lexicon, espeak."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from paths import DATA, ROOT

from briefing.speech.acronyms import spelled
from briefing.speech.normalize import PASSES, normalize

DATA = DATA
ARTICLE = ROOT / "examples" / "anchorage-2025-08-15.txt"
SHARED_ARTICLE = Path("/work/shared/articles/anchorage-2025-08-15.txt")


def _golden() -> list[tuple[str, str]]:
    rows = []
    for line in (DATA / "normalize_golden.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            written, said = line.split("\t")
            rows.append((written, said))
    return rows


GOLDEN = _golden()


def test_golden_table_is_big_enough() -> None:
    assert len(GOLDEN) >= 100
    assert len({written for written, _ in GOLDEN}) == len(GOLDEN)


@pytest.mark.parametrize(("written", "said"), GOLDEN, ids=[w[:40] for w, _ in GOLDEN])
def test_golden(written: str, said: str) -> None:
    assert normalize(written) == said


@pytest.mark.parametrize("said", [s for _, s in GOLDEN], ids=[s[:40] for _, s in GOLDEN])
def test_golden_output_is_a_fixed_point(said: str) -> None:
    assert normalize(said) == said


def _article() -> str:
    path = SHARED_ARTICLE if SHARED_ARTICLE.exists() else ARTICLE
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("acronym", "is_spelled"),
    [
        ("SNCF", True),  # no vowel
        ("IA", True),  # two letters
        ("FCPE", True),  # no French word begins with "fc"
        ("FSU", True),
        ("ZFE", True),
        ("OFB", True),  # three letters ending in two consonants
        ("IRM", True),
        ("GIEC", False),  # read as words
        ("SNES", False),  # "sn" begins French words (snob)
        ("CROUS", False),
        ("SUD", False),
        ("EHPA", False),
        ("DIRECT", False),  # a headline word in capitals
        ("ANTICONSTITUTIONNEL", False),  # over six letters: a headline, never spelled
    ],
)
def test_acronyms_are_spelled_when_french_cannot_read_them(acronym: str, is_spelled: bool) -> None:
    assert spelled(acronym) is is_spelled
    said = normalize(f"Selon la {acronym}, rien.")
    assert said == (f"Selon la {' '.join(acronym)}, rien." if is_spelled else f"Selon la {acronym}, rien.")


def test_the_tables_win_over_the_acronym_rule() -> None:
    assert normalize("le CHU et la CNIL") == "le C H U et la Cnil"


def test_reference_article_leaves_no_digit() -> None:
    text = _article()
    said = normalize(text)
    assert not re.search(r"\d", said)
    assert "vendredi quinze août deux mille vingt-cinq à Anchorage" in said
    assert "pour : premièrement, Relancer" in said
    assert "l'Otan" in said
    # Sentence punctuation survives: the splitter and the pauses need it.
    for mark in (".", ",", "?", "!", "«", "»", ":"):
        assert said.count(mark) >= 1
    assert said.count("«") == text.count("«")
    assert normalize(said) == said


def test_passes_are_small_string_functions() -> None:
    assert isinstance(PASSES, tuple) and len(PASSES) >= 10
    for step in PASSES:
        assert isinstance(step("Il est 14h30."), str)


def test_french_spaces_do_not_break_anything() -> None:
    nbsp, narrow = "\u00a0", "\u202f"
    said = normalize(f"«{nbsp}Vraiment{nbsp}?{narrow}» Il a payé 1{narrow}500{nbsp}€{nbsp}!")
    assert said == "« Vraiment ? » Il a payé mille cinq cents euros !"
    assert nbsp not in said and narrow not in said


def test_paragraphs_are_kept() -> None:
    assert normalize("Le 1er point.\n\nLe 2e point.") == "Le premier point.\n\nLe deuxième point."


def test_other_scripts_digits_are_read() -> None:
    assert normalize("٣ jours") == "trois jours"


def test_huge_numbers_are_read_digit_by_digit() -> None:
    assert normalize("code 12345678901234567890") == "code " + " ".join(
        ["un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "zéro"] * 2
    )


# Realistic tokens, mixed freely: idempotence must hold for any sequence of them.
TOKENS = [
    "Le", "la", "de", "d'", "l'", "et", "en", "à", "il", "Poutine", "Moscou", "femmes", "heures",
    "ans", "personnes", "euros", "siècle", "Louis", "XIV", "XXIe", "Ier", "1er", "1re", "2e",
    "3ème", "21", "1", "80", "200", "1 500", "2016", "3,5", "-5", "12 000 000", "14h30", "5h45",
    "14:30", "15 août 2025", "3,5 %", "90%", "12 €", "1,5 M€", "6,3 milliards", "2 Md€", "$5",
    "130 km/h", "20 °C", "10 km", "25 t", "n° 5", "M. Macron", "Mme Borne", "Dr", "etc.,",
    "av. J.-C.,", "SNCF", "l'UE", "FMI", "OTAN", "ONU", "U.S.A.", "www.lemonde.fr", "a@b.fr",
    "2020-2022", "10-12", "2/4", "«", "»", ",", ";", ":", "?", "!", "…", "fin.", "COVID-19",
    "A350", "G7", "Canal+", "&", "24h/24", "01 23 45 67 89", "30/04/2015", "St-Étienne",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=14))
def test_idempotent(tokens: list[str]) -> None:
    once = normalize(" ".join(tokens))
    assert normalize(once) == once
    assert not re.search(r"\d", once)


@pytest.fixture(scope="module")
def espeak_phonemes() -> Callable[[str], str]:
    """Phonemize with espeak-ng as the engines do (skipped without phonemizer-fork)."""
    pytest.importorskip("phonemizer")
    espeakng_loader = pytest.importorskip("espeakng_loader")
    os.environ.setdefault("ESPEAK_DATA_PATH", espeakng_loader.get_data_path())
    from phonemizer.backend import EspeakBackend
    from phonemizer.backend.espeak.wrapper import EspeakWrapper

    EspeakWrapper.set_library(espeakng_loader.get_library_path())
    backend = EspeakBackend("fr-fr", preserve_punctuation=True)

    def phonemes(text: str) -> str:
        return str(backend.phonemize([text])[0])

    return phonemes


@pytest.mark.parametrize(
    ("written", "wrong", "right"),
    [
        # FIELD.md: espeak reads these wrong when they are not normalized.
        ("à 14h30", "aʃ", "katɔʁz œʁ tʁɑ̃t"),
        ("M. Macron", "ɛm", "məsjø makʁɔ̃"),
        ("l'UE", "ly ", "ly ə"),
        ("le FMI", "fmi", "ɛf ɛm i"),
        ("le PIB", "pib", "pe i be"),
        ("au XXIe siècle", "iks", "vɛ̃t e ynjɛm sjɛkl"),
        ("Louis XIV", "ʁomɛ̃", "lwi katɔʁz"),  # espeak adds "romain"
    ],
)
def test_espeak_reads_normalized_text_right(
    espeak_phonemes: Callable[[str], str],
    written: str,
    wrong: str,
    right: str,
) -> None:
    assert wrong in espeak_phonemes(written) + " "
    said = espeak_phonemes(normalize(written))
    assert right in said
    assert wrong.strip() not in said.replace(right, "")
