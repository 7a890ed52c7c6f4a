from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st
from paths import DATA, ROOT

from briefing.errors import IngestError
from briefing.ingest.core import read_article
from briefing.ingest.html import Block, clean_blocks, decode_html, looks_like_html, parse_html
from briefing.ingest.metadata import page_meta, strip_site_suffix
from briefing.models import Article
from briefing.sections.finder import find_sections

ROOT = ROOT
HTML = DATA / "html"
DATA = DATA


def read(name: str) -> Article:
    return read_article(HTML / name)


def everything(article: Article) -> str:
    """All the text that would reach the script: title, lead, headings, section texts."""
    return "\n".join([article.title, article.lead] + [f"{s.heading}\n{s.text}" for s in article.sections])


def page(body: str, head: str = "") -> str:
    return (
        f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"
    )


PARAS = [
    "Le conseil municipal a voté jeudi soir le budget de la ville pour l'année prochaine, après un débat "
    "de plus de quatre heures marqué par de vifs échanges entre la majorité et l'opposition.",
    "Les investissements porteront d'abord sur la rénovation des écoles et sur la création de deux "
    "nouvelles pistes cyclables, a précisé le maire devant une salle comble.",
    "L'opposition dénonce une hausse de la taxe foncière qu'elle juge injuste pour les familles modestes "
    "et annonce un recours devant le tribunal administratif dans les prochaines semaines.",
]


# ---------------------------------------------------------------- the real pages


def test_franceculture_title_metadata_and_sections() -> None:
    article = read("franceculture.fr.idees.html")
    expected = json.loads((DATA / "franceculture-idees.expected.json").read_text(encoding="utf-8"))
    assert article.title == expected["title"] == "Prendre la parole"
    assert [s.heading for s in article.sections] == expected["headings"]
    assert article.date == dt.date(2020, 1, 14)
    assert article.source == "France Culture"
    assert article.author == "Jacques Munier"
    assert article.url is not None and article.url.startswith("https://www.franceculture.fr/emissions/")
    assert article.lead.startswith("Grand débat national, Convention citoyenne pour le climat")
    last = article.sections[-1].text
    assert last.endswith("« le long terme ne peut être géré que par le langage ».")
    text = everything(article)
    leaked = [
        junk
        for junk in (
            "A lire aussi",
            "Les plus consultés",
            "Revue Projet",
            "Savons-nous encore débattre",
            "Par Jacques Munier",
            "Esprit",
            "Denis Meyer",
        )
        if junk in text
    ]
    assert leaked == []


def test_franceculture_sections_survive_find_sections() -> None:
    article = read("franceculture.fr.idees.html")
    assert find_sections(article) == article


def test_liberation_article_without_the_page_around_it() -> None:
    article = read("liberation-1.html")
    expected = json.loads((DATA / "liberation-seisme.expected.json").read_text(encoding="utf-8"))
    assert article.title == expected["title"]
    assert article.date == dt.date(2015, 4, 30)
    assert article.source == "Libération"
    assert article.author == "AFP"
    assert article.url == (
        "http://www.liberation.fr/monde/2015/04/30/un-troisieme-francais-mort-dans-le-seisme-au-nepal_1278483"
    )
    assert article.sections == ()
    # the chapô shown under the title opens the lead, then the four paragraphs of the article
    paragraphs = article.lead.split("\n\n")
    assert paragraphs[0].startswith("Laurent Fabius a accueilli jeudi matin à Roissy")
    assert paragraphs[1].startswith("Un troisième Français a été tué dans le tremblement de terre")
    assert paragraphs[-1].endswith("Des dizaines de milliers de personnes sont sans abri.")
    assert "Népal" in article.lead and len(paragraphs) == 5
    text = everything(article)
    leaked = [
        junk
        for junk in (
            "L'actu Libé tous les matins",
            "suivi ce live",
            "Cours d'anglais",
            "exode sous pression",
            "Offrez ou offrez-vous",
            "Rafale",
            "Photo Prakash Mathema",
            "Katmandou, «le grand cirque",
        )
        if junk in text
    ]
    assert leaked == []


def test_javascript_shell_is_a_clear_error() -> None:
    with pytest.raises(IngestError) as info:
        read("lanouvellerepublique.fr.martin.html")
    line = info.value.one_line()
    assert line.startswith("no article text found in ") and "lanouvellerepublique.fr.martin.html" in line
    assert "JavaScript" in line and "\n" not in line


# ---------------------------------------------------------------- pages in the style of other French sites


def test_ouestfrance_style_windows_1252_page() -> None:
    article = read("ouestfrance-tempete.html")
    assert article.title == "Tempête Ciarán. À Brest, les habitants découvrent les dégâts au petit matin"
    assert (article.date, article.source, article.author) == (
        dt.date(2023, 11, 2),
        "Ouest-France",
        "Yann Le Goff",
    )
    assert article.url is not None and article.url.endswith("-7d1e2a3c.html")
    assert article.lead.startswith("Après une nuit de rafales, les Brestois")  # the chapô
    assert [s.heading for s in article.sections] == [
        "Des rafales à plus de 150 km/h",
        "Plus de 200 000 foyers privés d’électricité",
        "« On n’avait jamais vu ça »",
    ]
    assert "on n’a pas fermé l’œil" in article.lead
    assert article.sections[-1].text.endswith("pas avant samedi selon les prévisions.")
    text = everything(article)
    leaked = [
        junk
        for junk in (
            "Lire aussi",
            "écoles fermées",
            "EN IMAGES",
            "Newsletter",
            "boîte mail",
            "Sur le même sujet",
            "Commentaires",
            "Breizh29",
            "Courage à tous",
            "Les plus lus",
            "Partager",
            "Copier le lien",
            "Mots-clés",
            "Accueil",
            "cookies",
            "Tous droits réservés",
            "App Store",
            "Publié le",
        )
        if junk in text
    ]
    assert leaked == []


def test_lemonde_style_paywall_and_related_links() -> None:
    article = read("lemonde-retraites.html")
    assert article.title == "Réforme des retraites : ce que contient le projet du gouvernement"
    assert article.date == dt.date(2023, 1, 10)
    assert article.source == "Le Monde"
    assert article.author == "Claire Martin et Paul Durand"
    assert [s.heading for s in article.sections] == [
        "Un âge légal repoussé à 64 ans",
        "Des exceptions pour les carrières longues",
    ]
    assert article.sections[-1].text.endswith("pour les nouveaux retraités comme pour les actuels.")
    text = everything(article)
    assert text.count("Le système par répartition doit être préservé") == 1  # the pull quote is a repeat
    leaked = [
        junk
        for junk in (
            "Lire aussi",
            "première journée de grève le 19 janvier",
            "Il vous reste",
            "abonnés",
            "Déjà abonné",
            "autre appareil",
            "Offrir cet article",
            "Temps de lecture",
            "Réutiliser",
            "Contribuer",
            "Dans la même rubrique",
            "Services Le Monde",
            "Facebook",
        )
        if junk in text
    ]
    assert leaked == []


def test_20minutes_style_jsonld_graph_and_list() -> None:
    article = read("20minutes-canicule.html")
    # <title> and og:title carry " - 20 minutes"; the site name goes
    assert (
        article.title == "Canicule : Lyon ouvre ses parcs la nuit pour aider les habitants à dormir au frais"
    )
    assert article.date == dt.date(2025, 8, 12)
    assert article.source == "20 Minutes"
    assert article.author == "Caroline Girardon et Jean Saint-Marc"
    assert article.url == "https://www.20minutes.fr/lyon/4170000-20250812-canicule-lyon-ouvre-parcs-nuit"
    assert [s.heading for s in article.sections] == [
        "Des agents de sécurité et des fontaines",
        "Une mesure déjà testée en 2019",
    ]
    consignes = article.sections[0].text.split("\n\n")[1]
    assert consignes.startswith("boire régulièrement de l’eau") and consignes.endswith("âgées et isolées.")
    text = everything(article)
    leaked = [
        junk
        for junk in (
            "Chaleur\n",
            "A lire aussi",
            "vigilance orange",
            "Vidéo",
            "newsletter",
            "Réagir",
            "LyonnaisDu69",
            "Les plus lus",
            "Publicité",
            "Copier le lien",
            "Publié le",
            "Copyright",
        )
        if junk in text
    ]
    assert leaked == []


def test_latin1_declared_page_reads_as_windows_1252() -> None:
    # declared iso-8859-1 in http-equiv; œ and € are Windows-1252 bytes, as browsers read them
    article = read("lavoix-braderie.html")
    assert article.title == "Lille : la braderie attend deux millions de visiteurs ce week-end"
    assert (article.date, article.source, article.author) == (
        dt.date(2024, 8, 30),
        "La Voix du Nord",
        "Sophie Lefebvre",
    )
    assert article.url is None  # its og:url is relative and a file has no address
    assert "Pour le cœur de ville" in article.lead and "14 €" in article.lead
    assert "Les œuvres d'art" in article.lead
    text = everything(article)
    leaked = [
        junk for junk in ("Par Sophie", "Publié le", "©", "Newsletter", "Imprimer", "Abonnez") if junk in text
    ]
    assert leaked == []


PREFET = (
    "Le préfet dispose désormais de deux mois pour contrôler la légalité de la délibération, une étape "
    "habituellement formelle mais que l'opposition espère voir aboutir cette fois-ci."
)


def test_franceinfo_style_link_before_the_last_paragraph() -> None:
    article = read("franceinfo-budget.html")
    assert (article.title, article.date) == (
        "Budget : la ville vote une hausse de la taxe foncière",
        dt.date(2024, 3, 12),
    )
    assert (article.source, article.author) == ("Franceinfo", "Marie Martin")
    assert article.lead.split("\n\n") == PARAS[:2]
    assert [(s.heading, s.text.split("\n\n")) for s in article.sections] == [
        ("Un recours annoncé", [PARAS[2], PREFET])
    ]
    text = everything(article)
    leaked = [
        junk
        for junk in (
            "Partag",
            "Article rédigé",
            "Publié le",
            "Temps de lecture",
            "Lire aussi",
            "les villes où",
            "publicité",
            "Connectez-vous",
            "Commentaires",
            "France Télévisions",
            "rubrique",
        )
        if junk in text
    ]
    assert leaked == []


def test_lefigaro_style_paywall_after_the_text() -> None:
    article = read("lefigaro-budget.html")
    assert (article.source, article.author, article.date) == (
        "Le Figaro",
        "Paul Durand",
        dt.date(2024, 3, 12),
    )
    standfirst = (
        "Le conseil municipal a adopté un budget controversé. "
        "L'opposition annonce un recours devant la justice administrative."
    )
    assert article.lead.split("\n\n") == [standfirst, *PARAS[:3]]
    text = everything(article)
    leaked = [
        junk
        for junk in (
            "abonnés",
            "Il vous reste",
            "Débloquez",
            "Sans engagement",
            "Déjà abonné",
            "lire aussi",
            "publicité",
            "Par Paul",
            "vous conseille",
            "Se connecter",
        )
        if junk in text
    ]
    assert leaked == []


def test_javascript_shell_with_jsonld_body_reads_the_body() -> None:
    article = read("shell-jsonld.html")
    assert article.title == "Grève des contrôleurs aériens : des centaines de vols annulés jeudi"
    assert article.date == dt.date(2024, 4, 24)
    assert article.source == "Le Quotidien du Sud"
    assert article.author == "La rédaction avec AFP"
    assert article.lead.startswith("La Direction générale de l'aviation civile")
    assert article.lead.endswith("rappelle la DGAC.")


def test_template_junk_falls_back_on_the_jsonld_body() -> None:
    body = "\n\n".join(PARAS)
    jsonld = json.dumps({"@type": "NewsArticle", "headline": "Le budget voté", "articleBody": body})
    html = page(
        "<div ng-app='site'><p>{{ page.title }} {{ page.author }} {{ page.date | date:'dd/MM' }} "
        "{{ page.section }}</p></div>",
        f"<script type='application/ld+json'>{jsonld}</script>",
    )
    article = parse_html(html, origin="shell.html")
    assert article.title == "Le budget voté"
    assert article.lead.split("\n\n") == PARAS


def test_bold_intertitles_embedded_tweets_and_a_newsletter_heading() -> None:
    html = page(
        "<article><h1>Budget : le conseil municipal vote dans la douleur</h1>"
        f"<p>{PARAS[0]}</p><p><strong>Des écoles rénovées</strong></p><p>{PARAS[1]}</p>"
        "<blockquote class='twitter-tweet'><p lang='fr'>Le budget est voté, place aux actes ! "
        "pic.twitter.com/AbCdEf1234</p>&mdash; Jean Maire (@jeanmaire) March 14, 2025</blockquote>"
        f"<p><strong>Pourquoi une hausse de la taxe foncière ?</strong></p><p>{PARAS[2]}</p>"
        "<h2>Newsletter Brest</h2><p>Chaque matin, l'essentiel de l'actualité de votre ville.</p>"
        "</article>",
        "<meta property='og:title' content='Budget 2025 : ce que le conseil a voté'>",
    )
    article = parse_html(html, origin="budget.html")
    assert article.title == "Budget 2025 : ce que le conseil a voté"  # the <h1> is not read as a section
    assert article.lead == PARAS[0]
    assert [s.heading for s in article.sections] == ["Des écoles rénovées"]  # a bold question is no heading
    assert article.sections[0].text.split("\n\n") == [
        PARAS[1],
        "Pourquoi une hausse de la taxe foncière ?",
        PARAS[2],
    ]


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        (
            "<nav><ul>"
            + "".join(f"<li><a href='/{i}'>Rubrique {i}</a></li>" for i in range(30))
            + "</ul></nav>",
            "holds no article",
        ),
        ("<p>Cet article est réservé aux abonnés.</p><p><a href='/abo'>S'abonner</a></p>", "subscription"),
        ("<noscript>Activez JavaScript pour lire cet article.</noscript><div id='app'></div>", "JavaScript"),
    ],
    ids=["links-only", "paywall", "noscript"],
)
def test_no_article_names_the_probable_cause(body: str, cause: str) -> None:
    with pytest.raises(IngestError) as info:
        parse_html(page(body), origin="page.html")
    assert "no article text found in page.html" in info.value.one_line()
    assert cause in (info.value.cause or "")


# ---------------------------------------------------------------- cleaning the extracted blocks


def blocks(*items: tuple[str, str]) -> list[Block]:
    return [Block(kind, text) for kind, text in items]


def test_link_marker_drops_the_paragraphs_holding_links_after_it() -> None:
    revue = Block("p", "Revue Projet : Savons-nous encore débattre ? Tout le monde s'accorde.", linked=True)
    items = [Block("p", PARAS[0]), Block("p", PARAS[1]), Block("p", "A lire aussi :"), revue, revue]
    assert [b.text for b in clean_blocks(items, "T")] == PARAS[:2]
    items = [Block("p", PARAS[0]), Block("p", "A lire aussi :"), revue, Block("p", PARAS[1])]
    assert [b.text for b in clean_blocks(items, "T")] == PARAS[:2]  # an unlinked paragraph ends the links


def test_block_marker_near_the_end_cuts_the_rest() -> None:
    items = [("p", PARAS[0]), ("p", PARAS[1]), ("p", "Sur le même sujet"), ("head", "Autre"), ("p", PARAS[2])]
    assert [b.text for b in clean_blocks(blocks(*items), "T")] == PARAS[:2]


def test_lone_marker_mid_article_drops_only_the_link() -> None:
    kept = clean_blocks(
        blocks(
            ("p", PARAS[0]),
            ("p", "Lire aussi"),
            ("p", "Budget : ce qui change"),
            ("p", PARAS[1]),
            ("p", PARAS[2]),
        ),
        "T",
    )
    assert [b.text for b in kept] == PARAS


def test_marker_heading_drops_its_section_and_empty_headings_go() -> None:
    kept = clean_blocks(
        blocks(
            ("head", "Le titre"),
            ("p", PARAS[0]),
            ("head", "Sur le même sujet"),
            ("p", "Un autre article"),
            ("head", "Les chiffres"),
            ("p", PARAS[1]),
            ("head", "Commentaires (2)"),
            ("p", "Bravo !"),
            ("head", "Vide"),
        ),
        "Le titre",
    )
    assert [(b.kind, b.text) for b in kept] == [("p", PARAS[0]), ("head", "Les chiffres"), ("p", PARAS[1])]


def test_link_heading_mid_article_drops_only_the_link_titles() -> None:
    items = [
        ("p", PARAS[0]),
        ("head", "À lire aussi"),
        ("p", "Budget : ce qui change pour vous"),
        ("p", "Impôts locaux, la hausse en question ?"),
        ("p", PARAS[1]),
        ("p", PARAS[2]),
    ]
    kept = clean_blocks(blocks(*items), "T")
    assert [(b.kind, b.text) for b in kept] == [("p", p) for p in PARAS]


def test_comments_go_even_when_longer_than_the_article() -> None:
    comment = (
        "Je ne suis pas d'accord avec cette décision, les familles vont encore payer pour les autres. " * 3
    )
    items = [("p", PARAS[0]), ("p", PARAS[1]), ("head", "Commentaires (12)")] + [("p", comment)] * 4
    assert [b.text for b in clean_blocks(blocks(*items), "T")] == PARAS[:2]


def test_kicker_before_the_title_goes_but_text_stays() -> None:
    kept = clean_blocks(blocks(("p", "Politique"), ("head", "Le titre"), ("p", PARAS[0])), "Le titre")
    assert [b.text for b in kept] == [PARAS[0]]
    kept = clean_blocks(blocks(("p", PARAS[1]), ("head", "Le titre"), ("p", PARAS[0])), "Le titre")
    assert [b.text for b in kept] == [PARAS[1], PARAS[0]]


def test_furniture_between_paragraphs_goes() -> None:
    junk = [
        "Lire aussi | Budget : la majorité divisée",
        "LIRE AUSSI - Impôts locaux : ce qui change",
        "Par Marie Dupont",
        "Publié le 12/03/2024 à 10h05, mis à jour à 11h00",
        "Il vous reste 64.3% de cet article à lire. La suite est réservée aux abonnés.",
        "Partager sur Facebook",
        "Vidéo : le débat en images",
    ]
    items = [("p", PARAS[0])] + [("p", j) for j in junk] + [("p", PARAS[1])]
    assert [b.text for b in clean_blocks(blocks(*items), "T")] == PARAS[:2]


def test_sentences_that_only_look_like_furniture_stay() -> None:
    keep = [
        "Partager les richesses, voilà le programme de la liste d'opposition.",
        "Voir la mer en hiver reste un bonheur, dit-il.",
        "Par ailleurs, la ville renonce à la hausse des tarifs de cantine.",
    ]
    assert [b.text for b in clean_blocks(blocks(*[("p", k) for k in keep]), "T")] == keep


# ---------------------------------------------------------------- metadata fallbacks


def meta_of(head: str, body: str = "<p>x</p>", base: str | None = None) -> Article:
    html = page(body + "".join(f"<p>{p}</p>" for p in PARAS), head)
    return parse_html(html, origin="m.html", base_url=base)


def test_jsonld_date_beats_a_time_element() -> None:
    jsonld = '{"@context":"https://schema.org","@type":"ReportageNewsArticle","datePublished":"2024-03-05T23:10:00+01:00"}'
    article = meta_of(
        f"<script type='application/ld+json'>{jsonld}</script>", "<time datetime='2024-03-07'>7 mars</time>"
    )
    assert article.date == dt.date(2024, 3, 5)


def test_meta_and_time_fallbacks() -> None:
    assert meta_of("<meta property='article:published_time' content='2023-06-01T08:00:00Z'>").date == dt.date(
        2023, 6, 1
    )
    tree_only = page("<article><time datetime='2022-02-03T10:00'>3 février</time></article>")
    from trafilatura import load_html

    meta = page_meta(load_html(tree_only))
    assert meta.pick_date(None) == dt.date(2022, 2, 3)
    assert meta.pick_date("2021-01-01") == dt.date(2021, 1, 1)  # the extractor's date beats <time>


def test_relative_canonical_resolves_against_the_fetched_url() -> None:
    head = "<link rel='canonical' href='/politique/budget-vote.html'>"
    assert (
        meta_of(head, base="https://www.example.fr/a?utm=x").url
        == "https://www.example.fr/politique/budget-vote.html"
    )
    assert meta_of(head).url is None
    home = "<link rel='canonical' href='https://www.example.fr/'>"
    assert (
        meta_of(home, base="https://www.example.fr/x/article.html").url
        == "https://www.example.fr/x/article.html"
    )


@pytest.mark.parametrize(
    ("title", "names", "expected"),
    [
        ("Prendre la parole | France Culture", ["France Culture"], "Prendre la parole"),
        ("Un titre - 20 minutes", ["20 Minutes"], "Un titre"),
        ("Un titre - Libération", ["Libération.fr"], "Un titre"),
        ("Un titre - Le Monde.fr", ["lemonde.fr"], "Un titre"),
        ("Paris - Brest : la course", ["Le Télégramme"], "Paris - Brest : la course"),
    ],
)
def test_site_suffix(title: str, names: list[str], expected: str) -> None:
    assert strip_site_suffix(title, names) == expected


# ---------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("declaration", "encoding"),
    [
        ("<meta charset='utf-8'>", "utf-8"),
        ("<meta charset=windows-1252>", "cp1252"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">', "cp1252"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15">', "iso-8859-15"),
        ("", "utf-8"),
        ("", "cp1252"),
    ],
)
def test_declared_and_guessed_charsets(declaration: str, encoding: str) -> None:
    text = "Élisabeth a payé 5 € pour l'œuvre « Noël »"
    data = f"<!DOCTYPE html><html><head>{declaration}</head><body><p>{text}</p></body></html>".encode(
        encoding
    )
    assert text in decode_html(data, "x.html")


def test_http_charset_beats_meta_and_bom_beats_both() -> None:
    data = "<html><head><meta charset='utf-8'></head><body>déjà</body></html>".encode("cp1252")
    assert "déjà" in decode_html(data, "x", charset="windows-1252")
    bom = b"\xef\xbb\xbf" + "<html><body>déjà</body></html>".encode()
    assert "déjà" in decode_html(bom, "x", charset="iso-8859-1")


@settings(max_examples=60, deadline=None)
@given(st.text(st.sampled_from("aeéèêëàâçîïôœùûüÿ€’«» ,.;:!?ÉÀÇŒ0123456789"), min_size=1, max_size=80))
def test_windows_1252_declared_pages_round_trip(text: str) -> None:
    data = f"<html><head><meta charset='windows-1252'></head><body>{text}</body></html>".encode("cp1252")
    assert (
        decode_html(data, "x.html")
        == f"<html><head><meta charset='windows-1252'></head><body>{text}</body></html>"
    )


def test_html_sniffing() -> None:
    assert looks_like_html(b"\n<!DOCTYPE html>\n<html>")
    assert looks_like_html(b"<!-- saved from url=(0042) --><html lang='fr'>")
    assert looks_like_html(b"\xef\xbb\xbf<html>")
    assert not looks_like_html(b"# Titre\n\nTexte <b>gras</b>")
    assert not looks_like_html(b'{"title": "<html>"}')


def test_binary_and_empty_pages_are_errors() -> None:
    with pytest.raises(IngestError, match="binary"):
        decode_html(b"\x89PNG\r\n\x1a\n\x00\x00\x00", "x.html")
    with pytest.raises(IngestError, match="empty"):
        decode_html(b"  \n ", "x.html")


# ---------------------------------------------------------------- end to end


def test_sections_command_reads_an_html_page() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "briefing", "sections", str(HTML / "franceculture.fr.idees.html"), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["title"] == "Prendre la parole"
    assert [s["heading"] for s in data["sections"]] == ["Performativité", "Je est un autre"]
    assert "A lire aussi" not in run.stdout


def test_sections_command_fails_in_one_line_on_a_javascript_shell() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "briefing", "sections", str(HTML / "lanouvellerepublique.fr.martin.html")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert run.returncode != 0 and run.stdout == ""
    assert "no article text found" in run.stderr and len(run.stderr.strip().splitlines()) == 1
