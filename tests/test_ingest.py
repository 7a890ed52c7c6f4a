from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing.errors import IngestError
from briefing.ingest import decode, is_heading_line, read_article

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
