from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from paths import DATA

from briefing.ingest.core import read_article
from briefing.models import Article
from briefing.sections.finder import derive_title, find_sections
from briefing.sections.tagger import Tagger, Token

REFERENCE_HEADINGS = [
    "Aucun accord, mais une atmosphère cordiale",
    "Poutine, gagnant sur le plan diplomatique",
    "Trump capitalise sur l'image et le discours",
    "Un Zelensky spectateur",
    "Vers une rencontre à Moscou ?",
]


@pytest.fixture(scope="module")
def reference_article() -> Article:
    return find_sections(read_article(DATA / "anchorage-2025-08-15.txt"))


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


# ---------------------------------------------------------------- inline headings, case by case

_B1 = (
    "Les élus locaux ont été reçus mardi à la préfecture pour une réunion de plus de trois heures. "
    "Ils en sont ressortis sans aucune garantie, mais avec la promesse d'un nouveau rendez-vous avant l'été."
)
_B2 = (
    "Le dossier sera de nouveau examiné en conseil municipal le mois prochain, après la publication du "
    "rapport des services techniques. Plusieurs associations de riverains demandent déjà à être entendues."
)
_B3 = (
    "La décision finale reviendra au préfet, qui doit se prononcer avant la fin de l'année. Les opposants "
    "promettent de saisir le tribunal administratif si le projet est validé en l'état."
)


def _headings(text: str) -> list[str]:
    article = find_sections(Article(title="Titre", lead=text))
    assert article.words() == text.split(), "a word was lost or duplicated"
    return [s.heading for s in article.sections]


@pytest.mark.parametrize(
    ("middle", "headings"),
    [
        # An elided capital opens the paragraph ("C'" is no acronym).
        (
            "Objectif zéro voiture en centre-ville C'est l'ambition affichée par la nouvelle majorité.",
            ["Objectif zéro voiture en centre-ville"],
        ),
        (
            "Des contrats à 2 millions d’euros L’essentiel a été versé en 2022.",
            ["Des contrats à 2 millions d’euros"],
        ),
        # A paragraph that opens with a quotation.
        ("Colère « On nous demande toujours plus d'efforts », lance une commerçante.", ["Colère"]),
        # A heading ending in a name, then a determiner and a common noun.
        (
            "Le silence de Matignon Le cabinet du premier ministre n'a pas répondu.",
            ["Le silence de Matignon"],
        ),
        # A pronoun that is also a determiner, before its verb.
        (
            "Le tournant de la 58e minute Tout a basculé peu avant l'heure de jeu.",
            ["Le tournant de la 58e minute"],
        ),
        # A one-word heading, then a capitalized participle.
        ("Prudence Interrogé par notre journal, un urbaniste appelle à la patience.", ["Prudence"]),
        # "Thème : …" headings.
        (
            "Circulation : ce qui change dès lundi Les automobilistes devront emprunter la rocade.",
            ["Circulation : ce qui change dès lundi"],
        ),
        # A whole quotation as the heading.
        (
            "« Personne ne voulait savoir » Dans les services, les consultants ont laissé des traces.",
            ["« Personne ne voulait savoir »"],
        ),
        ("«Je suis une mouette» Toute la soirée repose sur la comédienne.", ["«Je suis une mouette»"]),
        # A heading that ends with a stressed pronoun.
        ("Dupont, encore lui À 21 ans, le jeune attaquant a marqué son dixième but.", ["Dupont, encore lui"]),
    ],
)
def test_one_inline_heading(middle: str, headings: list[str]) -> None:
    assert _headings(f"{_B1} {middle} {_B2}") == headings


@pytest.mark.parametrize(
    ("first", "second", "headings"),
    [
        # Weaker openers come in series: a number, a spelled-out number, a name followed by its verb.
        (
            "Un chantier de deux ans 4,2 km de voies nouvelles : le tracé reliera la gare à l'hôpital.",
            "Ce qui change au 1er mars Deux évolutions majeures sont prévues pour les automobilistes.",
            ["Un chantier de deux ans", "Ce qui change au 1er mars"],
        ),
        (
            "Une réunion publique le 4 avril Lille métropole organise une soirée d'information.",
            "2027 en ligne de mire Emmanuel Macron a choisi de rester à distance des débats locaux.",
            ["Une réunion publique le 4 avril", "2027 en ligne de mire"],
        ),
        # A narrow no-break space before the closing quote does not hide the end of the sentence.
        (
            "« Nous prendrons nos responsabilités.\u202f» 2027 en ligne de mire Emmanuel Macron a choisi.",
            "Une réunion publique le 4 avril Lille métropole organise une soirée d'information.",
            ["2027 en ligne de mire", "Une réunion publique le 4 avril"],
        ),
    ],
)
def test_weaker_headings_in_series(first: str, second: str, headings: list[str]) -> None:
    assert _headings(f"{_B1} {first} {_B2} {second} {_B3}") == headings


def test_a_lone_doubtful_heading_is_dropped() -> None:
    text = f"{_B1} Une réunion publique le 4 avril Lille métropole organise une soirée d'information. {_B2}"
    assert _headings(text) == []


def test_question_intertitles_with_verbs() -> None:
    text = (
        f"{_B1} Que prévoit le texte ? La loi crée un fonds d'indemnisation pour les riverains. {_B2} "
        f"Qui pourra en bénéficier ? Les commerçants installés depuis plus d'un an. {_B3} Et maintenant ? "
        f"Les élus attendent les décrets d'application. {_B2}"
    )
    assert _headings(text) == ["Que prévoit le texte ?", "Qui pourra en bénéficier ?", "Et maintenant ?"]


def test_interview_questions_take_their_lead_in() -> None:
    text = (
        f"{_B1} Quel bilan tirez-vous de cette saison ? Un bilan contrasté, puisque nous visions le titre. "
        f"{_B2} Vous parlez d'un « tournant ». Que voulez-vous dire ? Nous avons changé de méthode. {_B3} "
        f"Vos joueurs semblent fatigués. Cela vous inquiète-t-il ? Beaucoup. {_B2} "
        f"Pourquoi ? Parce que la saison est longue et que l'effectif est réduit. {_B1}"
    )
    assert _headings(text) == [
        "Quel bilan tirez-vous de cette saison ?",
        "Vous parlez d'un « tournant ». Que voulez-vous dire ?",
        "Vos joueurs semblent fatigués. Cela vous inquiète-t-il ?",
    ]


@pytest.mark.parametrize(
    "middle",
    [
        # Rhetorical questions: answered by a quotation, a verbless reply, "Parce que", or pointing back.
        "Un recul ? « C'est le prix à payer pour avancer », reconnaît un conseiller municipal.",
        "Une promesse ? Plutôt une menace, selon les dirigeants européens réunis à Bruxelles.",
        "Pourquoi une telle colère ? Les habitants se sentent abandonnés depuis des années.",
        "Pourquoi si tard ? Parce que les demandes d'extradition sont restées lettre morte.",
        # A title or function in apposition to a name, an adverbial without its comma.
        "Le président russe Vladimir Poutine a réagi dans la soirée.",
        "Le juge d'instruction Marc Durand avait relancé l'enquête.",
        "Depuis 2017 Emmanuel Macron a multiplié les annonces.",
        # A letter used as a label is no preposition "A".
        "Les véhicules de catégorie A pourront circuler jusqu'en 2026 dans le centre-ville.",
        # A phrase quoted inside a sentence.
        "Le slogan « On ne lâche rien » résonne dans tous les cortèges depuis des semaines.",
        # A pronoun-like name with no verb after it; first name and surname; a name seen twice.
        "Dans un entretien au magazine Elle publié mardi, l'actrice revient sur sa carrière.",
        "Raphaël Garrigos et Isabelle Roberts rappellent que la règle est ancienne.",
        "La vente de 24 avions de combat Rafale au Qatar rapporte gros. Le Qatar aura ses Rafale en 2027.",
    ],
)
def test_no_heading_inside_running_text(middle: str) -> None:
    assert _headings(f"{_B1} {middle} {_B2} {_B3}") == []
    heading = "Le silence de Matignon Le cabinet du premier ministre n'a pas répondu."  # company for it
    assert _headings(f"{_B1} {heading} {_B2} {middle} {_B3}") == ["Le silence de Matignon"]


_VOCAB = (
    "Le la les L' C'est Qu'est-ce qu' Paris Emmanuel Macron a dit « » : , . ? 12 2027 mars Pour pour "
    "Interrogé par Une réunion publique Et maintenant Colère \u202f» Brest métropole organise vous "
    "Êtes-vous optimiste Parce que"
).split()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=60))
def test_no_word_lost_on_any_text(words: list[str]) -> None:
    text = " ".join(words)
    article = find_sections(Article(title="Titre", lead=text))
    assert article.words() == text.split()


def test_opening_apposition_before_a_name_is_no_title(tmp_path: Path) -> None:
    text = (
        "Le spécialiste lyonnais des vélos cargo Cargolo a publié mardi des comptes en recul. "
        "Le groupe emploie trois cents personnes et veut se développer en Allemagne."
    )
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    article = find_sections(read_article(path))
    assert article.sections == ()
    assert article.lead == text


def test_a_flattened_split_is_cached_by_content(tmp_path: Path) -> None:
    class CountingTagger(Tagger):
        def __init__(self) -> None:
            super().__init__()
            self.calls = 0

        def tag(self, text: str) -> list[Token]:
            self.calls += 1
            return super().tag(text)

    article = read_article(DATA / "anchorage-2025-08-15.txt")
    tagger = CountingTagger()
    first = find_sections(article, tagger=tagger, cache_dir=tmp_path)
    again = find_sections(article, tagger=tagger, cache_dir=tmp_path)
    assert tagger.calls == 1 and again == first
    assert [s.heading for s in again.sections] == REFERENCE_HEADINGS
    next(tmp_path.glob("*.json")).write_text("{broken", encoding="utf-8")
    assert find_sections(article, tagger=tagger, cache_dir=tmp_path) == first
    assert tagger.calls == 2
