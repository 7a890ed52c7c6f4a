from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing.ingest import read_article
from briefing.models import Article
from briefing.sections import derive_title, find_sections

REFERENCE_HEADINGS = [
    "Aucun accord, mais une atmosphère cordiale",
    "Poutine, gagnant sur le plan diplomatique",
    "Trump capitalise sur l'image et le discours",
    "Un Zelensky spectateur",
    "Vers une rencontre à Moscou ?",
]


@pytest.fixture(scope="module")
def reference_article() -> Article:
    return find_sections(read_article(Path(__file__).parent / "data" / "anchorage-2025-08-15.txt"))


def body_words(article: Article) -> list[str]:
    return article.words()


def test_reference_has_a_lead_and_exactly_five_sections(reference_article: Article) -> None:
    assert [s.heading for s in reference_article.sections] == REFERENCE_HEADINGS
    assert reference_article.lead.startswith("La rencontre inédite")
    assert reference_article.lead.endswith("reste dans l'expectative.")


def test_reference_numbered_points_stay_in_their_section(reference_article: Article) -> None:
    third = reference_article.sections[2].text
    assert "pour : 1. Relancer ses attaques" in third
    assert "2. Recevoir publiquement l'éloge de Poutine" in third


def test_reference_closing_paragraph_kept_and_boilerplate_gone(reference_article: Article) -> None:
    last = reference_article.sections[-1].text
    assert "En l'absence de résultats tangibles" in last
    assert last.endswith("sans perspective immédiate de paix.")
    everything = " ".join(body_words(reference_article))
    for junk in ("Commentaires", "Tunisie", "YouTube", "Abonnez"):
        assert junk not in everything


def test_reference_no_word_lost_or_duplicated(reference_article: Article, reference: Path) -> None:
    source = reference.read_text(encoding="utf-8")
    expected = source[: source.index(" Commentaires")].split()
    assert body_words(reference_article) == expected


@pytest.mark.parametrize("name", ["franceculture-idees", "liberation-seisme"])
def test_shared_pages_flattened(data_dir: Path, name: str) -> None:
    expected = json.loads((data_dir / f"{name}.expected.json").read_text(encoding="utf-8"))
    path = data_dir / f"{name}.flat.txt"
    article = find_sections(read_article(path))
    assert [s.heading for s in article.sections] == expected["headings"]
    assert body_words(article) == path.read_text(encoding="utf-8").split()


def test_structured_article_is_kept_as_is(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("# T\n\nChapeau.\n\n## Une\n\nTexte Le Monde. Pour Paris.\n", encoding="utf-8")
    article = find_sections(read_article(path))
    assert [(s.heading, s.text) for s in article.sections] == [("Une", "Texte Le Monde. Pour Paris.")]


@pytest.mark.parametrize(
    ("text", "headings"),
    [
        # A name with a capitalized particle is no heading.
        ("Le site d'information Les Jours a entrepris une enquête. Elle dure.", []),
        ("Le parti La République en marche a perdu. Il se reconstruit.", []),
        # A rhetorical question opened by a connector belongs to the text.
        ("Tout le monde en parle. Mais pour quel résultat ? Personne ne le sait encore.", []),
        # A one-word heading before a determiner.
        (
            "Le débat est ouvert depuis des mois. Performativité Les éditions Allia rééditent le livre.",
            ["Performativité"],
        ),
    ],
)
def test_inline_heading_cases(tmp_path: Path, text: str, headings: list[str]) -> None:
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    article = find_sections(read_article(path))
    assert [s.heading for s in article.sections] == headings
    assert article.words() == text.split() or article.title in text


def test_leading_heading_becomes_the_title(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(
        "Grève historique à la SNCF Le trafic est très perturbé ce lundi matin. Les usagers attendent.",
        encoding="utf-8",
    )
    article = find_sections(read_article(path))
    assert article.title == "Grève historique à la SNCF"
    assert article.lead.startswith("Le trafic est très perturbé")


@pytest.mark.parametrize(
    ("lead", "title"),
    [
        (
            "La rencontre inédite entre Donald Trump et Vladimir Poutine, tenue vendredi, n'a rien donné.",
            "La rencontre inédite entre Donald Trump et Vladimir Poutine",
        ),
        ("Il pleut. Encore.", "Il pleut"),
        (
            "Un très long début de phrase sans la moindre virgule qui continue encore et encore "
            "jusqu'au bout.",
            "Un très long début de phrase sans la moindre virgule qui continue …",
        ),
    ],
)
def test_derived_title(lead: str, title: str) -> None:
    assert derive_title(Article(title="", lead=lead)) == title
