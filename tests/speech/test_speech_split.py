"""French sentence splitting and engine-sized pieces: examples and no-text-lost laws."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st
from paths import ROOT

from briefing.speech.normalize import normalize
from briefing.speech.split import even_parts, split_for_engine, split_sentences

ARTICLE = ROOT / "examples" / "anchorage-2025-08-15.txt"


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Il part. Elle reste.", ("Il part.", "Elle reste.")),
        ("« C'est fini. » dit-il. Puis il part.", ("« C'est fini. » dit-il.", "Puis il part.")),
        ("« C'est fini ! » Il part.", ("« C'est fini ! »", "Il part.")),
        ('"Je pars." dit-il. "Oui." Il part.', ('"Je pars." dit-il.', '"Oui."', "Il part.")),
        ("M. Dupont et Mme Durand arrivent. Le Dr Martin aussi.",
         ("M. Dupont et Mme Durand arrivent.", "Le Dr Martin aussi.")),
        ("MM. Dupont et Durand. St. Martin. Fin.",
         ("MM. Dupont et Durand.", "St. Martin.", "Fin.")),
        ("J. K. Rowling a écrit. Puis rien.", ("J. K. Rowling a écrit.", "Puis rien.")),
        ("Les U.S. Marines arrivent.", ("Les U.S. Marines arrivent.",)),
        ("Il mesure 3.5 m. Il court.", ("Il mesure 3.5 m.", "Il court.")),
        ("Des pommes, etc. Puis des poires.", ("Des pommes, etc.", "Puis des poires.")),
        ("Des pommes, etc., des poires.", ("Des pommes, etc., des poires.",)),
        ("En 52 av. J.-C. César arriva.", ("En 52 av. J.-C.", "César arriva.")),
        ("Voir p. 12 et cf. Dupont.", ("Voir p. 12 et cf. Dupont.",)),
        ("Il hésite… Puis il part.", ("Il hésite…", "Puis il part.")),
        ("Il hésite... puis il part.", ("Il hésite... puis il part.",)),
        ("Que se passe-t-il en Tunisie ? Nous expliquons.",
         ("Que se passe-t-il en Tunisie ?", "Nous expliquons.")),
        ("Quoi ?! Vraiment ? oui.", ("Quoi ?!", "Vraiment ? oui.")),
        ("Pour : 1. Relancer. 2. Recevoir.", ("Pour : 1. Relancer.", "2. Recevoir.")),
        ("Il a vu les U S A. Il part.", ("Il a vu les U S A.", "Il part.")),
        ("Titre\n\nLe texte commence.", ("Titre", "Le texte commence.")),
        ("Une ligne\ncoupée en deux.", ("Une ligne coupée en deux.",)),
        ("", ()),
        ("   \n\n  ", ()),
    ],
)  # fmt: skip
def test_split_sentences(text: str, sentences: tuple[str, ...]) -> None:
    assert split_sentences(text) == sentences


def test_french_spacing_with_no_break_spaces() -> None:
    text = "Vraiment\u00a0? Oui\u202f! «\u00a0Fini.\u00a0» dit-il."
    assert split_sentences(text) == ("Vraiment ?", "Oui !", "« Fini. » dit-il.")


def test_reference_article() -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    sentences = split_sentences(text)
    assert " ".join(sentences) == " ".join(text.split())
    assert sentences[0].startswith("La rencontre inédite") and sentences[0].endswith("concret.")
    assert any(s.endswith("Que se passe-t-il en Tunisie?") for s in sentences)
    assert len(sentences) > 15
    normalized = split_sentences(normalize(text))
    assert any(s.startswith("Deuxièmement, Recevoir") for s in normalized)
    for sentence in normalized:
        pieces = split_for_engine(sentence, 100)
        assert all(len(p) <= 100 for p in pieces)
        assert " ".join(pieces) == sentence


TEXT = st.text(
    alphabet=st.sampled_from(list("abcAB éÉ.,;:!?…«»\"'()—–-\n\t\u00a0\u202f0123456789MmeDrJC")),
    max_size=300,
)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_split_sentences_loses_nothing(text: str) -> None:
    sentences = split_sentences(text)
    assert " ".join(sentences) == " ".join(text.split())
    assert all(s and s == s.strip() for s in sentences)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.one_of(st.just(100), st.integers(min_value=1, max_value=120)))
def test_split_for_engine_loses_nothing_and_fits(text: str, limit: int) -> None:
    pieces = split_for_engine(text, limit)
    assert all(0 < len(p) <= limit for p in pieces)
    assert "".join(pieces).replace(" ", "") == "".join(text.split())
    if all(len(word) <= limit for word in text.split()):
        assert " ".join(pieces) == " ".join(text.split())


def test_short_sentence_is_one_piece() -> None:
    assert split_for_engine("  Il part.  ", 100) == ("Il part.",)
    assert split_for_engine("", 100) == ()


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="limit"):
        split_for_engine("Il part.", 0)


def test_prefers_sentence_end_then_clause_then_comma() -> None:
    first = "Le président a parlé longtemps devant la presse"
    second = "il a promis des mesures, des crédits et des postes"
    assert split_for_engine(f"{first}. Puis {second}.", 80) == (f"{first}.", f"Puis {second}.")
    assert split_for_engine(f"{first} ; {second}.", 80) == (f"{first} ;", f"{second}.")
    assert split_for_engine(f"{first} — {second}.", 80)[0] in (first, f"{first} —")
    assert split_for_engine(f"{first}, {second}.", 80) == (f"{first},", f"{second}.")


def test_cuts_before_a_conjunction_rather_than_anywhere() -> None:
    text = "Le gouvernement a présenté un budget très attendu mais les syndicats restent inquiets"
    assert split_for_engine(text, 60) == (
        "Le gouvernement a présenté un budget très attendu",
        "mais les syndicats restent inquiets",
    )


def test_pieces_are_balanced() -> None:
    text = " ".join(["mot"] * 30)  # 119 characters, no punctuation
    pieces = split_for_engine(text, 100)
    assert len(pieces) == 2
    assert min(len(p) for p in pieces) >= 50


def test_a_comma_next_to_the_end_does_not_leave_a_tiny_tail() -> None:
    text = "Les négociateurs se sont retrouvés à Genève pour une nouvelle série de débats, oui"
    assert split_for_engine(text, 80) == (
        "Les négociateurs se sont retrouvés à Genève",
        "pour une nouvelle série de débats, oui",
    )


def test_never_cuts_inside_a_word_unless_it_is_too_long() -> None:
    text = "anticonstitutionnellement " * 5
    pieces = split_for_engine(text, 30)
    assert all(p.strip() == p and " " not in p for p in pieces)
    assert pieces == ("anticonstitutionnellement",) * 5
    long_word = "a" * 250
    assert [len(p) for p in split_for_engine(long_word, 100)] == [84, 83, 83]


def test_does_not_cut_before_french_punctuation() -> None:
    text = "Que se passe-t-il vraiment en Tunisie depuis des semaines ? Nous vous expliquons tout"
    for piece in split_for_engine(text, 62):
        assert not piece.startswith(("?", "!", ":", ";", "»"))


@given(
    st.lists(st.text(alphabet="abcdé&<", min_size=1, max_size=15), min_size=1, max_size=30),
    st.integers(min_value=1, max_value=60),
)
def test_even_parts_lose_nothing_and_are_as_few_and_even_as_they_can_be(items: list[str], width: int) -> None:
    parts = even_parts(items, width)
    assert " ".join(parts) == " ".join(items)
    assert all(len(p) <= width or " " not in p for p in parts)  # only a lone wide item passes
    greedy = even_parts(items, width, most=len(items))
    assert len(parts) == len(greedy)
    if len(parts) > 1:  # one character narrower would need one more part
        narrower = max(len(p) for p in parts) - 1
        assert len(even_parts(items, narrower)) > len(parts) or narrower < max(map(len, items))


def test_even_parts_leave_no_short_tail() -> None:
    words = "un deux trois quatre cinq six sept huit neuf dix".split()
    assert even_parts(words, 30) == ["un deux trois quatre cinq", "six sept huit neuf dix"]
    doubled = even_parts(words, 30, size=lambda w: 2 * len(w))  # widest: 2 x 11 + 2 = 24
    assert doubled == ["un deux trois", "quatre cinq", "six sept huit", "neuf dix"]
    assert even_parts(words, 30, most=1) == [" ".join(words)]
