"""The French model in a process of its own: the same tokens as in this process, a clear error when
the model is missing or the process dies, and nothing left running once closed."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefing.errors import SectionError
from briefing.sections.tagger import SpacyTagger, Tagger, serve

# Curly apostrophes, no-break spaces and accents: the offsets must still point into this text.
PARAGRAPH = (
    "Vladimir Poutine et Donald Trump se sont retrouvés à Anchorage\u202f: l’Europe reste dans "
    "l’expectative. Aucun accord, mais une atmosphère cordiale Après près de trois heures, "
    "«\u00a0nous avons beaucoup avancé\u00a0», dit-il."
)


@pytest.fixture(scope="module")
def tagger() -> Iterator[Tagger]:
    """One tagger for the module: each new child loads the model again (3-4 s), so the tests that
    end or kill its child leave it to start the next one."""
    tagger = Tagger()
    yield tagger
    tagger.close()


@pytest.fixture(scope="module")
def in_process() -> SpacyTagger:
    return SpacyTagger()


def test_the_child_gives_the_tokens_spacy_gives_here(tagger: Tagger, in_process: SpacyTagger) -> None:
    tokens = tagger.tag(PARAGRAPH)
    assert tokens == in_process.tag(PARAGRAPH)
    assert all(PARAGRAPH[t.start : t.start + len(t.text)] == t.text for t in tokens)
    assert {"PROPN", "VERB", "PUNCT"} <= {t.pos for t in tokens}
    assert any(t.finite for t in tokens)
    assert [t.text for t in tokens].count("l’") == 2  # tagged folded ("l'"), given back as written


def test_close_ends_the_child_and_tagging_again_starts_another(tagger: Tagger) -> None:
    first = tagger.tag("Le président a parlé.")
    child = tagger._child
    assert tagger.running and child is not None
    tagger.close()
    assert not tagger.running and child.process.returncode == 0
    assert tagger.tag("Le président a parlé.") == first
    assert tagger.running and tagger._child is not child
    idle = Tagger()
    assert not idle.running
    idle.close()  # with no child: nothing to do


def test_a_missing_model_is_a_clear_error_and_leaves_no_process() -> None:
    tagger = Tagger(model="fr_no_such_model")
    with pytest.raises(
        SectionError, match="cannot load the French language model fr_no_such_model"
    ) as caught:
        tagger.tag("Bonjour.")
    assert "make demo" in (caught.value.cause or "")
    assert not tagger.running


def test_a_child_killed_mid_build_is_a_clear_error_and_the_next_paragraph_starts_another(
    tagger: Tagger,
) -> None:
    tagger.tag("Une phrase.")
    dead = tagger._child
    assert dead is not None
    dead.process.kill()
    dead.process.wait()
    with pytest.raises(SectionError, match="the French tagger process stopped") as caught:
        tagger.tag("Une autre phrase.")
    assert "killed" in caught.value.one_line()
    assert not tagger.running
    assert dead.process.stdout is not None and dead.process.stdout.closed and dead.errors.closed
    assert [t.text for t in tagger.tag("Une autre phrase.")] == ["Une", "autre", "phrase", "."]


def test_a_paragraph_too_long_is_refused_and_the_child_goes_on(
    tagger: Tagger, in_process: SpacyTagger
) -> None:
    in_process.load()
    longest = in_process._nlp.max_length
    with pytest.raises(SectionError, match="too long to look for headings in"):
        tagger.tag("mot " * (longest // 4 + 1))
    assert tagger.running
    assert tagger.tag("Il pleut.")[0].text == "Il"


def test_serve_answers_each_line_and_reports_a_model_it_cannot_load() -> None:
    requests = io.BytesIO(b"".join(json.dumps({"text": t}).encode() + b"\n" for t in ("Il pleut.", "Oui.")))
    replies = io.BytesIO()
    serve("fr_core_news_sm", requests, replies)
    lines = [json.loads(line) for line in replies.getvalue().splitlines()]
    assert lines[0] == {"ready": True}
    assert [[token[0:2] for token in line["tokens"]] for line in lines[1:]] == [
        [[0, 2], [3, 5], [8, 1]],
        [[0, 3], [3, 1]],
    ]
    replies = io.BytesIO()
    serve("fr_no_such_model", io.BytesIO(b""), replies)
    (line,) = [json.loads(line) for line in replies.getvalue().splitlines()]
    assert line["error"].startswith("cannot load the French language model")


def test_a_library_printing_in_the_child_does_not_break_the_replies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line the child prints on its own (here at start-up, before it takes stdout over) is skipped."""
    (tmp_path / "sitecustomize.py").write_text("print('a library says hello')\n", encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    tagger = Tagger()
    try:
        assert [t.text for t in tagger.tag("Il pleut.")] == ["Il", "pleut", "."]
    finally:
        tagger.close()
