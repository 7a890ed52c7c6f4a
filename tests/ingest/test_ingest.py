from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from paths import DATA

from briefing.errors import IngestError
from briefing.ingest.core import parse_article, read_article
from briefing.ingest.fetch import Page
from briefing.ingest.source import Source, decode
from briefing.ingest.textclean import is_heading_line

TEXT = "Le président a déclaré « oui » à l’été. Ça coûte 5 €."


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        TEXT.encode("cp1252"),
        TEXT.replace("’", "'").replace("€", "EUR").encode("latin-1"),
        TEXT.encode("utf-16"),
    ],
    ids=["utf8", "utf8-bom", "cp1252", "latin1", "utf16-bom"],
)
def test_encodings_come_out_right(data: bytes) -> None:
    text = decode(data, "x.txt")
    assert text.startswith("Le président a déclaré « oui »")
    assert "\ufeff" not in text


def test_flattened_text_keeps_everything_in_the_lead(reference: Path) -> None:
    article = read_article(reference)
    assert article.sections == ()
    assert article.lead.startswith("La rencontre inédite entre Donald Trump")
    assert article.lead.endswith("sans perspective immédiate de paix.")
    assert "Abonnez" not in article.lead and "Commentaires" not in article.lead
    assert str(article.date) == "2025-08-15"


def test_plain_text_with_heading_lines(tmp_path: Path) -> None:
    text = (
        "Grève à la SNCF\n\nLe trafic est perturbé ce matin. Les usagers patientent.\n\n"
        "Des négociations dans l'impasse\n\nLa direction et les syndicats ne se parlent plus.\n"
        "Une réunion est prévue lundi.\n\nEt maintenant ?\n\nLe gouvernement appelle au calme.\n"
    )
    article = read_article(write(tmp_path, "greve.txt", text))
    assert article.title == "Grève à la SNCF"
    assert article.lead == "Le trafic est perturbé ce matin. Les usagers patientent."
    assert [s.heading for s in article.sections] == [
        "Des négociations dans l'impasse",
        "Et maintenant ?",
    ]
    assert article.sections[0].text == (
        "La direction et les syndicats ne se parlent plus. Une réunion est prévue lundi."
    )


def test_markdown(tmp_path: Path) -> None:
    md = (
        "---\ndate: 2025-03-02\nsource: Le Monde\n---\n# Le titre\n\nUn **chapeau** avec un "
        "[lien](https://x.fr).\n\n## Première partie\n\nTexte *un*.\n\n## Seconde partie\n\n- point a\n"
        "- point b\n\nAbonnez-vous à notre newsletter !\n"
    )
    article = read_article(write(tmp_path, "a.md", md))
    assert article.title == "Le titre"
    assert article.lead == "Un chapeau avec un lien."
    assert [s.heading for s in article.sections] == ["Première partie", "Seconde partie"]
    assert article.sections[1].text == "point a point b\n\nAbonnez-vous à notre newsletter !"
    assert article.source == "Le Monde"
    assert str(article.date) == "2025-03-02"


def test_json(tmp_path: Path) -> None:
    data = {
        "title": "Titre",
        "date": "2024-12-31",
        "source": "France Info",
        "sections": [
            {"heading": "Un", "text": "Premier texte.\n\nSuite."},
            {"heading": "Deux", "text": "Fin."},
        ],
    }
    article = read_article(write(tmp_path, "a.json", json.dumps(data)))
    assert article.title == "Titre"
    assert [s.heading for s in article.sections] == ["Un", "Deux"]
    assert article.sections[0].text == "Premier texte.\n\nSuite."
    assert article.source == "France Info"
    assert str(article.date) == "2024-12-31"


def test_title_override(reference: Path) -> None:
    assert read_article(reference, title="  Mon   titre ").title == "Mon titre"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\t \n ", "empty"),
        ("bin.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary"),
        ("noise.txt", bytes(range(1, 32)) * 50, "garbage"),
        ("a.docx", b"hello", "unknown file type"),
        ("bad.json", b'{"title": "x", "sections": [', "invalid JSON"),
        ("list.json", b"[1, 2]", "must be an object"),
        ("sec.json", b'{"title": "x", "sections": [{"heading": 3, "text": "t"}]}', "'heading'"),
        ("date.json", b'{"title": "x", "date": "hier", "sections": [{"text": "t"}]}', "YYYY-MM-DD"),
    ],
)
def test_bad_input_is_one_clear_error(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = write(tmp_path, name, data)
    with pytest.raises(IngestError) as info:
        read_article(path)
    line = info.value.one_line()
    assert message in line and name in line and "\n" not in line


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file"):
        read_article(tmp_path / "nope.txt")
    with pytest.raises(IngestError, match="is a directory"):
        read_article(tmp_path)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Des négociations dans l'impasse", True),
        ("Et maintenant ?", True),
        ("Le trafic est perturbé ce matin.", False),
        ("une ligne en minuscules", False),
        ("Un très long titre " + "avec beaucoup de mots " * 5, False),
    ],
)
def test_heading_lines(line: str, expected: bool) -> None:
    assert is_heading_line(line) is expected


# ---------------------------------------------------------------- HTML pages and URLs

HTML_DIR = DATA / "html"


@pytest.mark.parametrize("suffix", [".html", ".htm", ".HTML"])
def test_html_files_go_through_the_extractor(tmp_path: Path, suffix: str) -> None:
    page = write(tmp_path, "page" + suffix, (HTML_DIR / "ouestfrance-tempete.html").read_bytes())
    article = read_article(page)
    assert article.title.startswith("Tempête Ciarán. À Brest")
    assert article.origin == str(page)
    assert len(article.sections) == 3 and article.source == "Ouest-France"


def test_html_on_stdin_is_sniffed_and_decoded_by_its_meta_charset(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (HTML_DIR / "lavoix-braderie.html").read_bytes()  # declared iso-8859-1, holds Windows-1252 œ
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    article = read_article("-")
    assert article.title == "Lille : la braderie attend deux millions de visiteurs ce week-end"
    assert "Pour le cœur de ville" in article.lead and article.origin == "<stdin>"


def test_plain_text_on_stdin_stays_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(TEXT.encode("utf-8"))))
    assert read_article("-").lead == TEXT


def test_html_text_is_sniffed_in_parse_article() -> None:
    html = (HTML_DIR / "lemonde-retraites.html").read_text(encoding="utf-8")
    article = parse_article(Source(html, "page", ""), title="Retraites")
    assert article.title == "Retraites"
    assert [s.heading for s in article.sections][0] == "Un âge légal repoussé à 64 ans"


def test_a_text_file_holding_html_is_read_as_text(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, "a.txt", "<p>Un paragraphe. Puis un autre.</p>"))
    assert article.lead == "<p>Un paragraphe. Puis un autre.</p>"


def test_url_goes_through_fetch(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def fake_fetch(url: str) -> Page:
        calls.append(url)
        data = (HTML_DIR / "20minutes-canicule.html").read_bytes()
        return Page(url="https://www.20minutes.fr/final", data=data, media_type="text/html", charset="utf-8")

    monkeypatch.setattr("briefing.ingest.source.fetch", fake_fetch)
    article = read_article("https://www.20minutes.fr/lyon/canicule")
    assert calls == ["https://www.20minutes.fr/lyon/canicule"]
    assert article.origin == "https://www.20minutes.fr/lyon/canicule"
    assert article.url == "https://www.20minutes.fr/lyon/4170000-20250812-canicule-lyon-ouvre-parcs-nuit"
    assert article.author == "Caroline Girardon et Jean Saint-Marc"


def test_text_url_gets_the_final_url(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_fetch(url: str) -> Page:
        data = "# Titre\n\nUn texte en ISO-8859-1 : été.".encode("latin-1")
        return Page(url=url + "?v=2", data=data, media_type="text/plain", charset="iso-8859-1")

    monkeypatch.setattr("briefing.ingest.source.fetch", fake_fetch)
    article = read_article("http://example.org/a.md")
    assert (article.title, article.lead) == ("Titre", "Un texte en ISO-8859-1 : été.")
    assert article.url == "http://example.org/a.md?v=2"


@pytest.mark.parametrize("url", ["ftp://example.org/a.html", "file:///etc/hosts"])
def test_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(IngestError, match="not an http or https URL"):
        read_article(url)


def test_unknown_suffix_mentions_html_and_urls(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as info:
        read_article(write(tmp_path, "a.pdf", b"%PDF"))
    assert ".html" in info.value.one_line() and "URL" in info.value.one_line()


def test_paragraphs_stay_apart_when_trailing_boilerplate_is_dropped(tmp_path: Path) -> None:
    text = (
        "Le conseil a voté le budget.\n\nLes travaux commencent lundi.\n\n"
        "Le chantier durera un an. Commentaires Abonnez-vous à notre newsletter !\n"
    )
    article = read_article(write(tmp_path, "budget.txt", text))
    assert article.lead == (
        "Le conseil a voté le budget.\n\nLes travaux commencent lundi.\n\nLe chantier durera un an."
    )


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("h.md", "# Titre\n\n## Une partie\n\n## Une autre\n"),
        ("h.txt", "Un titre\n\nUne partie\n\nUne autre\n"),
        ("h.json", '{"title": "T", "sections": [{"heading": "H", "text": ""}]}'),
    ],
)
def test_headings_without_text_are_not_an_article(tmp_path: Path, name: str, data: str) -> None:
    with pytest.raises(IngestError, match="headings but no text"):
        read_article(write(tmp_path, name, data))


def test_an_article_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    from briefing.ingest.core import MAX_ARTICLE_CHARS

    paragraph = "Une phrase du compte rendu. " * 1000
    path = write(tmp_path, "long.txt", "\n\n".join([paragraph] * (MAX_ARTICLE_CHARS // len(paragraph) + 1)))
    with pytest.raises(IngestError, match="over the limit of 1,000,000"):
        read_article(path)
