from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from briefing.config.show import Show, Templates
from briefing.errors import ScriptError
from briefing.models import Article, Cue, CueKind, Script, Section
from briefing.script.build import (
    build_briefing_script,
    build_script,
    canonical_line,
    canonical_text,
    looks_like_script,
    parse_script,
    read_script,
    render_script,
    write_script,
)

ARTICLE = Article(
    title="Sommet à Anchorage",
    lead="Un chapeau.",
    sections=(
        Section("Aucun accord, mais une atmosphère cordiale", "Texte un."),
        Section("Poutine gagnant", "Texte deux.\n\nSuite deux."),
        Section("Trump capitalise", "Texte trois."),
        Section("Vers Moscou ?", "Texte quatre."),
    ),
    date=dt.date(2025, 8, 15),
    source="Le Monde",
)


def test_greeting_speaks_the_date_in_french() -> None:
    script = build_script(ARTICLE, Show())
    greeting = script.cues[0]
    assert greeting.kind is CueKind.GREETING
    assert "Le Briefing" in greeting.text
    assert "Nous sommes le vendredi 15 août 2025" in greeting.text


def test_date_option_wins_and_first_of_month() -> None:
    script = build_script(ARTICLE, Show(), date=dt.date(2026, 5, 1))
    assert "vendredi 1er mai 2026" in script.cues[0].text


def test_sommaire_names_every_section() -> None:
    script = build_script(ARTICLE, Show())
    sommaire = next(c for c in script.cues if c.kind is CueKind.SOMMAIRE)
    assert "quatre sujets" in sommaire.text
    for section in ARTICLE.sections:
        assert section.heading.rstrip("?").strip() in sommaire.text


def test_structure_transitions_vary_and_chapters() -> None:
    script = build_script(ARTICLE, Show())
    assert script.chapters == (
        "Ouverture",
        *(s.heading for s in ARTICLE.sections),
        "Conclusion",
    )
    transitions = [c.text for c in script.cues if c.kind is CueKind.TRANSITION and c.chapter > 0]
    assert transitions[0] == "Premier point."
    assert transitions[-1] == "Enfin, dernier point."
    assert len(set(transitions)) == len(transitions)
    kinds = [c.kind for c in script.chapter_cues(2)]
    assert kinds == [CueKind.TRANSITION, CueKind.HEADING, CueKind.TEXT]
    assert script.chapter_cues(2)[2].text == "Texte deux.\n\nSuite deux."
    signoff = script.cues[-1]
    assert signoff.kind is CueKind.SIGNOFF and signoff.chapter == len(script.chapters) - 1
    assert "reprend un article du Monde." in signoff.text


def test_templates_can_be_overridden() -> None:
    show = Show(title="Matin", templates=Templates(greeting="Salut, ici {show}, le {date}."))
    assert build_script(ARTICLE, show).cues[0].text == "Salut, ici Matin, le vendredi 15 août 2025."


def test_render_and_parse_round_trip(tmp_path: Path) -> None:
    script = build_script(ARTICLE, Show())
    path = tmp_path / "episode.md"
    write_script(script, path)
    assert read_script(path) == script
    assert looks_like_script(path.read_text(encoding="utf-8"))


def test_write_script_keeps_other_text_unless_asked_to_replace_it(tmp_path: Path) -> None:
    script = build_script(ARTICLE, Show())
    path = tmp_path / "episode.md"
    path.write_text("mes notes", encoding="utf-8")
    with pytest.raises(ScriptError, match="already exists with other text"):
        write_script(script, path)
    assert path.read_text(encoding="utf-8") == "mes notes"
    write_script(script, path, replace=True)
    assert read_script(path) == script
    write_script(script, path)  # the same text again


def test_an_edited_script_reads_back_exactly() -> None:
    script = build_script(ARTICLE, Show())
    text = render_script(script)
    edited = text.replace("Texte trois.", "Texte trois,\ncorrigé   à la main.").replace(
        "# Trump capitalise", "# Trump capitalise sur l'image"
    )
    result = parse_script(edited)
    cue = next(c for c in result.cues if c.text.startswith("Texte trois"))
    assert cue.text == "Texte trois, corrigé à la main."
    assert result.chapters[3] == "Trump capitalise sur l'image"
    assert result.cues[:-1] != script.cues[:-1]
    assert len(result.cues) == len(script.cues)


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=80)
markupish = st.sampled_from(["# ", "## ", "\\", "---", "<!-- ", "## text", "#", ""])


@st.composite
def odd_text(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.tuples(markupish, texts), min_size=1, max_size=4))
    return "\n\n".join(a + b for a, b in pieces)


@st.composite
def scripts(draw: st.DrawFn) -> Script:
    line = odd_text().map(canonical_line).filter(bool)
    chapters = tuple(draw(st.lists(line, min_size=1, max_size=4)))
    cues = []
    for _ in range(draw(st.integers(1, 8))):
        text = canonical_text(draw(odd_text()))
        if text:
            chapter = draw(st.integers(0, len(chapters) - 1))
            cues.append(Cue(draw(st.sampled_from(list(CueKind))), text, chapter))
    cues.sort(key=lambda c: c.chapter)
    if not cues:
        cues = [Cue(CueKind.TEXT, "x", 0)]
    return Script(
        title=draw(line),
        show=draw(line),
        date=draw(st.dates(dt.date(1900, 1, 1), dt.date(2200, 1, 1))),
        chapters=chapters,
        cues=tuple(cues),
    )


@settings(max_examples=150, deadline=None)
@given(scripts())
def test_round_trip_property(script: Script) -> None:
    assert parse_script(render_script(script)) == script


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# A\n## text\nx\n", "missing the '---' header"),
        ("---\ntitle: t\nshow: s\ndate: 2025-01-01\n", "never closed"),
        ("---\ntitle: t\nshow: s\n---\n# A\n## text\nx\n", "no date"),
        ("---\ntitle: t\nshow: s\ndate: demain\n---\n# A\n## text\nx\n", "YYYY-MM-DD"),
        ("---\ntitle: t\nshow: s\ndate: 2025-01-01\nvoice: x\n---\n", "header line"),
        ("---\ntitle: t\nshow: s\ndate: 2025-01-01\n---\n# A\n## chanson\nx\n", "unknown cue kind"),
        ("---\ntitle: t\nshow: s\ndate: 2025-01-01\n---\n## text\nx\n", "before any '# chapter'"),
        ("---\ntitle: t\nshow: s\ndate: 2025-01-01\n---\n# A\nperdu\n", "text outside any cue"),
        ("---\ntitle: t\nshow: s\ndate: 2025-01-01\n---\n# A\n## text\n\n## lead\nx\n", "no text"),
        ("---\ntitle: t\nshow: s\ndate: 2025-01-01\n---\n# A\n", "no cues"),
    ],
)
def test_broken_scripts_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(ScriptError, match=message):
        parse_script(text, "ep.md")


def test_read_script_errors(tmp_path: Path) -> None:
    with pytest.raises(ScriptError, match="no such script"):
        read_script(tmp_path / "nope.md")
    with pytest.raises(ScriptError, match="is a directory"):
        read_script(tmp_path)


def test_briefing_of_several_articles() -> None:
    other = Article(
        title="Le budget adopté",
        lead="Les députés ont voté.",
        sections=(),
        date=dt.date(2025, 8, 16),
        source="Ouest-France",
    )
    script = build_briefing_script([ARTICLE, other], Show())
    assert script.chapters == ("Ouverture", "Sommet à Anchorage", "Le budget adopté", "Conclusion")
    assert script.date == dt.date(2025, 8, 16)
    assert script.title == "Le Briefing du samedi 16 août 2025"
    sommaire = next(c for c in script.cues if c.kind is CueKind.SOMMAIRE).text
    assert "deux sujets" in sommaire and "Sommet à Anchorage" in sommaire and "Le budget adopté" in sommaire
    first = script.chapter_cues(1)
    assert [c.kind for c in first[:3]] == [CueKind.TRANSITION, CueKind.HEADING, CueKind.LEAD]
    assert first[1].text == "Sommet à Anchorage"
    headings = [c.text for c in first if c.kind is CueKind.HEADING]
    assert headings == ["Sommet à Anchorage", *(s.heading for s in ARTICLE.sections)]
    assert script.chapter_cues(2)[0].text == "Enfin, notre dernier sujet."
    assert "des articles du Monde et d'Ouest-France" in script.cues[-1].text
    assert parse_script(render_script(script)) == script


def test_author_and_source_are_credited() -> None:
    from dataclasses import replace

    script = build_script(replace(ARTICLE, author="Jacques Munier", source="France Culture"), Show())
    assert "un article de Jacques Munier, publié par France Culture." in script.cues[-1].text


def test_a_lead_that_gave_the_title_is_still_read() -> None:
    lead = "La rencontre entre les deux présidents, tenue vendredi, n'a rien donné. Ils se reverront."
    script = build_script(Article(title="La rencontre entre les deux présidents", lead=lead), Show())
    assert [c.text for c in script.cues if c.kind is CueKind.LEAD] == [lead]
    assert not any(c.text.startswith("À la une") for c in script.cues)  # the title is not said twice


def test_control_characters_never_reach_a_script() -> None:
    assert canonical_line("\x07Le\x1b port\x0b de\u202e Sète ") == "Le port de Sète"
    text = "---\ntitle: Le \x07port\nshow: s\ndate: 2025-01-01\n---\n# A\n## text\nLes\x00 quais\x1b.\n"
    script = parse_script(text)
    assert script.title == "Le port" and script.cues[0].text == "Les quais."
