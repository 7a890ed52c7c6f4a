"""WebVTT / SubRip transcripts: one cue per sentence at its real time, escaped, parseable."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefing.errors import ExportError
from briefing.export.chapters import samples_to_ms
from briefing.export.subtitles import (
    LINE_LENGTH,
    SubtitleCue,
    check_cues,
    clean_text,
    parse_srt,
    parse_vtt,
    to_srt,
    to_vtt,
    wrap,
)
from briefing.models import Mark

RATE = 24_000

SENTENCES = (
    Mark("Bonjour et bienvenue dans le briefing.", 1_200, 60_000),
    Mark("Aujourd'hui : Trump & Poutine se retrouvent en Alaska, pour un sommet inédit "
         "qui inquiète les Européens.", 72_000, 300_000),
    Mark("Le PIB a progressé de 0,3 %.", 300_000, 350_001),
    Mark("À demain !", 3_600 * RATE, 3_600 * RATE + 30_000),
)  # fmt: skip


def test_vtt_layout() -> None:
    text = to_vtt(SENTENCES, RATE)
    blocks = text.split("\n\n")
    assert blocks[0] == "WEBVTT"
    assert blocks[1].split("\n")[:2] == ["1", "00:00:00.050 --> 00:00:02.500"]
    assert blocks[4].split("\n")[1] == "01:00:00.000 --> 01:00:01.250"
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_srt_layout() -> None:
    text = to_srt(SENTENCES, RATE)
    blocks = text.strip("\n").split("\n\n")
    assert len(blocks) == 4
    assert blocks[2].split("\n")[:2] == ["3", "00:00:12,500 --> 00:00:14,583"]


@pytest.mark.parametrize(("write", "parse"), [(to_vtt, parse_vtt), (to_srt, parse_srt)])
def test_cues_match_sentences(
    write: Callable[[Sequence[Mark], int], str],
    parse: Callable[[str], tuple[SubtitleCue, ...]],
) -> None:
    cues = parse(write(SENTENCES, RATE))
    assert len(cues) == len(SENTENCES)
    for cue, mark in zip(cues, SENTENCES, strict=True):
        assert cue.start_ms == samples_to_ms(mark.start, RATE)
        assert cue.end_ms == samples_to_ms(mark.end, RATE)
        assert cue.text.replace("\n", " ") == clean_text(mark.title)
    check_cues(cues)


def test_long_sentence_wrapped_on_two_lines_not_cut() -> None:
    cue = parse_vtt(to_vtt(SENTENCES, RATE))[1]
    lines = cue.text.split("\n")
    assert len(lines) == 2
    assert " ".join(lines) == clean_text(SENTENCES[1].title)


def test_vtt_escaping() -> None:
    mark = Mark("Si a < b && c > d --> alors <b>gras</b> &amp; fin", 0, 24_000)
    text = to_vtt([mark], RATE)
    body = text.split("\n", 4)[4]
    assert "-->" not in body and "<" not in body
    assert "&lt;b&gt;" in body and "&amp;amp;" in body and "--&gt;" in body
    assert parse_vtt(text)[0].text.replace("\n", " ") == mark.title


def test_srt_keeps_text_as_typed() -> None:
    mark = Mark("Trump & Poutine --> sommet", 0, 24_000)
    assert parse_srt(to_srt([mark], RATE))[0].text == mark.title


@pytest.mark.parametrize(
    ("sentences", "message"),
    [
        ((Mark("a", 0, 24_000), Mark("b", 12_000, 30_000)), "before the previous one ends"),
        ((Mark("  \n ", 0, 24_000),), "no text"),
        ((Mark("a", 100, 100),), "less than a millisecond"),
    ],
)
def test_bad_sentences_raise(sentences: tuple[Mark, ...], message: str) -> None:
    with pytest.raises(ExportError, match=message):
        to_vtt(sentences, RATE)
    with pytest.raises(ExportError, match=message):
        to_srt(sentences, RATE)


def test_wrap_balances_lines() -> None:
    assert wrap("court") == ("court",)
    text = "un deux trois quatre cinq six sept huit neuf dix onze douze"
    first, second = wrap(text)
    assert abs(len(first) - len(second)) <= 6
    assert all(len(line) <= LINE_LENGTH for line in wrap(text))
    assert wrap("x" * 60) == ("x" * 60,)


@given(st.text())
def test_wrap_never_cuts(text: str) -> None:
    lines = wrap(text)
    assert 1 <= len(lines) <= 2
    assert " ".join(lines) == clean_text(text)
    if len(lines) == 2:
        assert all(lines)


texts = st.text(min_size=1).filter(lambda s: clean_text(s) != "")
timed = st.lists(
    st.tuples(texts, st.integers(min_value=0, max_value=50_000),
              st.integers(min_value=24, max_value=500_000)),
    max_size=12,
)  # fmt: skip


def build(items: list[tuple[str, int, int]]) -> list[Mark]:
    marks, at = [], 0
    for text, gap, length in items:
        marks.append(Mark(text, at + gap, at + gap + length))
        at += gap + length
    return marks


@given(timed)
def test_round_trip_any_sentences(items: list[tuple[str, int, int]]) -> None:
    marks = build(items)
    for write, parse in ((to_vtt, parse_vtt), (to_srt, parse_srt)):
        cues = parse(write(marks, RATE))
        check_cues(cues)
        assert [c.text.replace("\n", " ") for c in cues] == [clean_text(m.title) for m in marks]
        assert [(c.start_ms, c.end_ms) for c in cues] == [
            (samples_to_ms(m.start, RATE), samples_to_ms(m.end, RATE)) for m in marks
        ]


def test_parse_vtt_real_world_features() -> None:
    text = (
        "\ufeffWEBVTT - titre\r\nKind: captions\r\n\r\n"
        "STYLE\r\n::cue { color: yellow }\r\n\r\n"
        "NOTE une note\r\nsur deux lignes\r\n\r\n"
        "intro\r\n00:01.000 --> 00:02.500 align:start line:0\r\n<v Léa>Salut</v> &amp; <i>bye</i>\r\n"
        "\r\n00:00:03.000 --> 00:00:04.000\r\nsuite\r\n"
    )
    cues = parse_vtt(text)
    assert [(c.start_ms, c.end_ms, c.text) for c in cues] == [
        (1000, 2500, "Salut & bye"),
        (3000, 4000, "suite"),
    ]
    assert cues[0].line == 11


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("WEBVT\n\n00:00.000 --> 00:01.000\nx\n", 1),
        ("WEBVTT\n\n00:00.000 -> 00:01.000\nx\n", 3),
        ("WEBVTT\n\n1\n00:00:02.000 --> 00:00:01.000\nx\n", 4),
        ("WEBVTT\n\n00:00:02.000 --> 00:00:03.000\nx\n\n00:00:01.000 --> 00:00:04.000\ny\n", 6),
        ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n", 3),
        ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nx\n00:00:03.000 --> 00:00:04.000\ny\n", 5),
        ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nx\n\nSTYLE\na{}\n", 6),
    ],
)
def test_parse_vtt_errors_name_the_line(text: str, line: int) -> None:
    with pytest.raises(ExportError, match=f"WebVTT line {line}:"):
        parse_vtt(text)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("one\n00:00:01,000 --> 00:00:02,000\nx\n", 1),
        ("2\n00:00:01,000 --> 00:00:02,000\nx\n", 1),
        ("1\n00:00:01.000 --> 00:00:02.000\nx\n", 2),
        ("1\n00:00:01,000 --> 00:00:02,000\n", 2),
        ("1\n00:00:01,000 --> 00:00:02,000\nx\n\n2\n00:00:03,000 --> 00:00:02,000\ny\n", 6),
    ],
)
def test_parse_srt_errors_name_the_line(text: str, line: int) -> None:
    with pytest.raises(ExportError, match=f"SubRip line {line}:"):
        parse_srt(text)


def test_check_cues_finds_overlap() -> None:
    cues = parse_srt("1\n00:00:01,000 --> 00:00:05,000\nx\n\n2\n00:00:03,000 --> 00:00:06,000\ny\n")
    with pytest.raises(ExportError, match="line 6"):
        check_cues(cues)
