from __future__ import annotations

import pytest

from briefing.ingest.textclean import clean_paragraph, drop_trailing_boilerplate, rough_sentences


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("chaîne YouTube .", "chaîne YouTube."),
        ("un  texte\n\t sur   deux lignes", "un texte sur deux lignes"),
        ("( entre parenthèses )", "(entre parenthèses)"),
        ("« citation » : oui ; non !", "« citation » : oui ; non !"),
        ("prix\u00a0: 5\u202f€", "prix\u00a0: 5\u202f€"),
        ("a\u200bb\u202ec", "abc"),
    ],
)
def test_clean_paragraph(raw: str, clean: str) -> None:
    assert clean_paragraph(raw) == clean


def test_reference_tail_is_dropped() -> None:
    text = (
        "Fin de l'article, sans perspective immédiate de paix. Commentaires Que se passe-t-il en "
        "Tunisie? Nous expliquons sur notre chaîne YouTube. Abonnez-vous!"
    )
    assert drop_trailing_boilerplate(text) == "Fin de l'article, sans perspective immédiate de paix."


def test_article_without_boilerplate_is_untouched() -> None:
    text = "Premier. Deuxième ? Troisième !"
    assert drop_trailing_boilerplate(text) == text


def test_boilerplate_only_in_the_tail() -> None:
    text = "Les commentaires ont fusé. " + "Une phrase du corps. " * 12 + "Partager cet article"
    kept = drop_trailing_boilerplate(text)
    assert kept.startswith("Les commentaires ont fusé.") and not kept.endswith("article")


def test_rough_sentences_keep_quotes() -> None:
    assert rough_sentences("« C'est fini. » dit-il. Oui ! Non…") == [
        "« C'est fini. »",
        "dit-il.",
        "Oui !",
        "Non…",
    ]


@pytest.mark.parametrize(
    "tail",
    [
        "Partager Facebook X WhatsApp Copier le lien Offrir cet article",
        "Réagissez à cet article 48 commentaires Vous devez être connecté pour réagir Se connecter",
        "Vous souhaitez réagir? Connectez-vous ou créez un compte pour commenter. Voir les 12 commentaires",
        "Newsletter L'essentiel du matin S'inscrire à la newsletter Toutes les newsletters",
        "Lire aussi Budget : ce que contient le projet de loi ? Le Monde Réutiliser ce contenu",
        "Téléchargez l'application App Store Google Play",
    ],
)
def test_web_furniture_at_the_end_is_dropped(tail: str) -> None:
    body = "Le conseil municipal a voté le budget. La séance a duré trois heures."
    assert drop_trailing_boilerplate(f"{body} {tail}") == body
