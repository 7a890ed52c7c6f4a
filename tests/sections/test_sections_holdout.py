"""Blind hold-out corpus for `find_sections`: flattened French news articles, written without
looking at the detector.

Each `tests/data/holdout/NAME.flat.txt` is one line (headings and paragraphs joined by single
spaces, sometimes followed by web boilerplate); `NAME.expected.json` holds the true headings, the
first words of the lead, the last words of the real article and whether boilerplate follows.

Measured over the whole corpus: heading precision and recall (exact match after whitespace
normalization), lead start, and that the words of lead + headings + section texts are the words of
the input in order, nothing lost or duplicated up to the end of the real article. Boilerplate
words left after the article are counted and shown, not failed: they are neither lost nor
duplicated.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from paths import DATA

from briefing.ingest.core import read_article
from briefing.sections.finder import find_sections

HOLDOUT = DATA / "holdout"
MIN_PRECISION = 0.85
MIN_RECALL = 0.75
CONTEXT_CHARS = 60


def norm(text: str) -> str:
    """Whitespace normalization: any run of spaces (NBSP and U+202F included) becomes one space."""
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class Expected:
    headings: tuple[str, ...]
    lead_starts: str
    last_body_words: str
    boilerplate: bool


@dataclass(frozen=True, slots=True)
class Outcome:
    """What `find_sections` made of one hold-out article, checked against its expectations."""

    name: str
    expected: tuple[str, ...]
    found: tuple[str, ...]
    true_positives: int
    lead_ok: bool
    words_ok: bool
    word_problem: str
    boilerplate_left: int
    misses: tuple[str, ...]
    false_headings: tuple[str, ...]


def load_expected(path: Path) -> Expected:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Expected(
        headings=tuple(data["headings"]),
        lead_starts=data["lead_starts"],
        last_body_words=data["last_body_words"],
        boilerplate=bool(data["boilerplate"]),
    )


def article_names() -> tuple[str, ...]:
    return tuple(sorted(p.name.removesuffix(".flat.txt") for p in HOLDOUT.glob("*.flat.txt")))


def find_run(words: list[str], run: list[str]) -> list[int]:
    """Every index where `run` starts in `words`."""
    n = len(run)
    return [i for i in range(len(words) - n + 1) if words[i : i + n] == run]


def real_article_end(words: list[str], expected: Expected) -> int:
    """Number of input words up to and including the last word of the real article."""
    run = expected.last_body_words.split()
    starts = find_run(words, run)
    if len(starts) != 1:
        raise ValueError(f"last_body_words {expected.last_body_words!r} occurs {len(starts)} times")
    return starts[0] + len(run)


def context(flat: str, needle: str) -> str:
    """`needle` in the normalized flat text with some characters either side."""
    i = flat.find(needle)
    if i < 0:
        return f"<{needle!r} not in the text>"
    before = flat[max(0, i - CONTEXT_CHARS) : i]
    after = flat[i + len(needle) : i + len(needle) + CONTEXT_CHARS]
    return f"…{before}[[{needle}]]{after}…"


def compare_words(got: list[str], source: list[str], end: int) -> tuple[bool, str, int]:
    """(ok, problem, boilerplate words left): `got` must be a prefix of `source` covering `end`."""
    for i, word in enumerate(got):
        if i >= len(source) or word != source[i]:
            want = " ".join(source[max(0, i - 6) : i + 6])
            have = " ".join(got[max(0, i - 6) : i + 6])
            where = "inside the article" if i < end else "in the boilerplate"
            return False, f"word {i} {where}: expected …{want}… got …{have}…", 0
    if len(got) < end:
        lost = " ".join(source[len(got) : min(end, len(got) + 12)])
        return False, f"{end - len(got)} final article words lost: {lost}…", 0
    return True, "", len(got) - end


def evaluate(name: str) -> Outcome:
    flat_path = HOLDOUT / f"{name}.flat.txt"
    expected = load_expected(HOLDOUT / f"{name}.expected.json")
    source = flat_path.read_text(encoding="utf-8").split()
    article = find_sections(read_article(flat_path))
    found = tuple(norm(s.heading) for s in article.sections)
    wanted = tuple(norm(h) for h in expected.headings)
    hits = Counter(found) & Counter(wanted)
    misses = tuple((Counter(wanted) - hits).elements())
    false_headings = tuple((Counter(found) - hits).elements())
    got_words = article.words()
    ok, problem, left = compare_words(got_words, source, real_article_end(source, expected))
    return Outcome(
        name=name,
        expected=wanted,
        found=found,
        true_positives=sum(hits.values()),
        lead_ok=norm(article.lead).startswith(norm(expected.lead_starts)),
        words_ok=ok,
        word_problem=problem,
        boilerplate_left=left,
        misses=misses,
        false_headings=false_headings,
    )


@cache
def outcomes() -> tuple[Outcome, ...]:
    return tuple(evaluate(name) for name in article_names())


def totals(results: tuple[Outcome, ...]) -> tuple[float, float]:
    tp = sum(r.true_positives for r in results)
    found = sum(len(r.found) for r in results)
    wanted = sum(len(r.expected) for r in results)
    precision = tp / found if found else 1.0
    recall = tp / wanted if wanted else 1.0
    return precision, recall


def report(results: tuple[Outcome, ...]) -> str:
    precision, recall = totals(results)
    lines = [
        f"{'article':36} {'exp':>3} {'fnd':>3} {'tp':>3} {'lead':>4} {'words':>5} {'boil':>4}",
    ]
    for r in results:
        lines.append(
            f"{r.name:36} {len(r.expected):3} {len(r.found):3} {r.true_positives:3} "
            f"{'ok' if r.lead_ok else 'NO':>4} {'ok' if r.words_ok else 'NO':>5} "
            f"{r.boilerplate_left:4}"
        )
    leads = sum(r.lead_ok for r in results)
    lines.append(
        f"precision {precision:.3f} (min {MIN_PRECISION})  recall {recall:.3f} (min {MIN_RECALL})"
        f"  lead start {leads}/{len(results)}"
        f"  words intact {sum(r.words_ok for r in results)}/{len(results)}"
    )
    for r in results:
        flat = norm((HOLDOUT / f"{r.name}.flat.txt").read_text(encoding="utf-8"))
        for heading in r.misses:
            lines.append(f"MISS  {r.name}: {context(flat, heading)}")
        for heading in r.false_headings:
            lines.append(f"FALSE {r.name}: {context(flat, heading)}")
        if not r.words_ok:
            lines.append(f"WORDS {r.name}: {r.word_problem}")
        if r.boilerplate_left:
            lines.append(f"BOIL  {r.name}: {r.boilerplate_left} boilerplate words kept")
    return "\n".join(lines)


# ---------------------------------------------------------------- the corpus itself


@pytest.mark.parametrize("name", article_names())
def test_holdout_file_is_consistent(name: str) -> None:
    flat = (HOLDOUT / f"{name}.flat.txt").read_text(encoding="utf-8")
    expected = load_expected(HOLDOUT / f"{name}.expected.json")
    assert "\n" not in flat.strip() and "  " not in flat
    assert norm(flat).startswith(norm(expected.lead_starts))
    for heading in expected.headings:
        assert norm(heading) in norm(flat), heading
    words = flat.split()
    end = real_article_end(words, expected)
    assert (end < len(words)) == expected.boilerplate
    assert 300 <= end <= 900


def test_holdout_corpus_shape() -> None:
    names = article_names()
    with_headings = [n for n in names if load_expected(HOLDOUT / f"{n}.expected.json").headings]
    assert len(names) == 12
    assert len(with_headings) == 9


# ---------------------------------------------------------------- the detector on it


def test_heading_precision_and_recall() -> None:
    results = outcomes()
    precision, recall = totals(results)
    print("\n" + report(results))
    assert precision >= MIN_PRECISION and recall >= MIN_RECALL, "\n" + report(results)


def test_no_word_lost_or_duplicated() -> None:
    results = outcomes()
    assert all(r.words_ok for r in results), "\n" + report(results)
