"""WebVTT / SubRip transcripts: sentences cut into cues of at most 65-character lines, timed from the
sentence marks, named by speaker in WebVTT, escaped, parseable, the same cues in both files."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, strategies as st

from briefing.errors import ExportError
from briefing.export.chapters import samples_to_ms
from briefing.export.subtitles import (
    CUE_LINE,
    check_cues,
    clean_text,
    escape_vtt,
    parse_srt,
    parse_vtt,
    plan_cues,
    split_line,
    to_srt,
    to_vtt,
)
from briefing.models import Mark

RATE = 24_000
SPEAKER = "La rédaction"

SENTENCES = (
    Mark("Bonjour et bienvenue dans le briefing.", 1_200, 60_000),
    Mark("Aujourd'hui : Trump & Poutine se retrouvent en Alaska, pour un sommet inédit "
         "qui inquiète les Européens.", 72_000, 300_000),
    Mark("Le PIB a progressé de 0,3 %.", 300_000, 350_001),
    Mark("À demain !", 3_600 * RATE, 3_600 * RATE + 30_000),
)  # fmt: skip

_TIMING = re.compile(r"^(\d{2}):(\d{2}):(\d{2})\.(\d{3}) --> (\d{2}):(\d{2}):(\d{2})\.(\d{3})$")


def read_vtt(text: str) -> list[tuple[int, int, str, str]]:
    """A parser apart from the one under test: (start ms, end ms, voice, text) of each cue of a file
    laid out as we write it (header, numbered cues, one text line opened by an optional <v>)."""
    blocks = text.rstrip("\n").split("\n\n")
    assert blocks[0] == "WEBVTT"
    cues = []
    for number, block in enumerate(blocks[1:], 1):
        index, timing, line = block.rstrip("\n").split("\n")
        assert index == str(number)
        match = _TIMING.match(timing)
        assert match, timing
        h1, m1, s1, f1, h2, m2, s2, f2 = map(int, match.groups())
        voice = re.match(r"<v ([^>]*)>", line)
        body = line[voice.end() :] if voice else line
        assert "<" not in body and ">" not in body and "-->" not in body
        cues.append(
            (
                ((h1 * 60 + m1) * 60 + s1) * 1000 + f1,
                ((h2 * 60 + m2) * 60 + s2) * 1000 + f2,
                html.unescape(voice.group(1)) if voice else "",
                html.unescape(body),
            )
        )
    return cues


def test_vtt_layout() -> None:
    text = to_vtt(plan_cues(SENTENCES, RATE, speaker=SPEAKER), speaker=SPEAKER)
    blocks = text.split("\n\n")
    assert blocks[0] == "WEBVTT"
    assert blocks[1].split("\n") == [
        "1",
        "00:00:00.050 --> 00:00:02.500",
        "<v La rédaction>Bonjour et bienvenue dans le briefing.",
    ]
    assert blocks[-1].split("\n")[1] == "01:00:00.000 --> 01:00:01.250"
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_srt_layout_same_cues_without_voice() -> None:
    cues = plan_cues(SENTENCES, RATE, speaker=SPEAKER)
    text = to_srt(cues)
    blocks = text.strip("\n").split("\n\n")
    assert len(blocks) == len(cues) == 6  # the long sentence in three
    assert blocks[4].split("\n")[:2] == ["5", "00:00:12,500 --> 00:00:14,583"]
    assert "<v" not in text
    assert [(c.start_ms, c.end_ms, c.text) for c in parse_srt(text)] == [
        (c.start_ms, c.end_ms, c.text) for c in cues
    ]


def test_every_vtt_cue_names_the_speaker_and_fits_65() -> None:
    text = to_vtt(plan_cues(SENTENCES, RATE, speaker=SPEAKER), speaker=SPEAKER)
    cues = read_vtt(text)
    assert {voice for _, _, voice, _ in cues} == {SPEAKER}
    assert max(len(line) for line in text.split("\n")) <= CUE_LINE
    assert " ".join(body for *_, body in cues) == " ".join(clean_text(m.title) for m in SENTENCES)


def test_a_long_sentence_is_split_at_words_and_its_time_shared_by_characters() -> None:
    mark, text = SENTENCES[1], clean_text(SENTENCES[1].title)
    cues = plan_cues([mark], RATE, speaker=SPEAKER)
    assert len(cues) == 3 and " ".join(c.text for c in cues) == text
    assert max(len(c.text) for c in cues) - min(len(c.text) for c in cues) <= 12  # even, no stub
    assert cues[0].start_ms == samples_to_ms(mark.start, RATE) and cues[-1].end_ms == samples_to_ms(
        mark.end, RATE
    )
    assert all(a.end_ms == b.start_ms for a, b in zip(cues, cues[1:], strict=False))  # covered, no overlap
    span, said = cues[-1].end_ms - cues[0].start_ms, 0
    for cue in cues[:-1]:
        said += len(cue.text) + 1
        assert (cue.end_ms - cues[0].start_ms) / span == pytest.approx(said / len(text), abs=0.01)


def test_without_a_speaker_the_whole_line_is_text() -> None:
    mark = Mark("mot " * 15 + "fin", 0, 10 * RATE)  # 63 characters
    assert len(plan_cues([mark], RATE)) == 1
    assert len(plan_cues([mark], RATE, speaker=SPEAKER)) == 2
    assert to_vtt(plan_cues([mark], RATE)).split("\n")[4] == clean_text(mark.title)


def test_vtt_escaping_of_text_and_speaker() -> None:
    mark = Mark("Si a < b && c > d --> alors <b>gras</b> &amp; fin", 0, 24_000)
    speaker = "Tom & <Jerry>"
    text = to_vtt(plan_cues([mark], RATE, speaker=speaker), speaker=speaker)
    body = text.split("\n\n", 1)[1]
    lines = [line for line in body.split("\n") if line.startswith("<v ")]
    assert len(lines) == len(read_vtt(text)) > 1
    assert all(line.count("<") == 1 and line.count(">") == 1 and "-->" not in line for line in lines)
    assert "&lt;b&gt;" in body and "&amp;amp;" in body and "--&gt;" in body
    assert "<v Tom &amp; &lt;Jerry&gt;>" in body
    assert " ".join(c[3] for c in read_vtt(text)) == mark.title
    assert {c[2] for c in read_vtt(text)} == {speaker}
    assert " ".join(c.text for c in parse_vtt(text)) == mark.title


def test_srt_keeps_text_as_typed() -> None:
    mark = Mark("Trump & Poutine --> sommet", 0, 24_000)
    assert parse_srt(to_srt(plan_cues([mark], RATE)))[0].text == mark.title


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
        plan_cues(sentences, RATE)


def test_split_line_is_even_and_never_cuts_a_word() -> None:
    assert split_line("court", 65) == ("court",)
    text = "un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze"
    pieces = split_line(text, 65)
    assert len(pieces) == 2 and abs(len(pieces[0]) - len(pieces[1])) <= 6
    assert split_line("x" * 80 + " y", 65) == ("x" * 80, "y")
    assert split_line("a & b", 7) == ("a &", "b")
    assert split_line("a & b", 5) == ("a", "&", "b")  # "a &amp;" is what counts: 7 > 5
    assert split_line(text, 65, most=1) == (text,)


@given(st.text(), st.integers(min_value=1, max_value=80))
def test_split_line_loses_nothing_and_keeps_to_the_width(text: str, width: int) -> None:
    pieces = split_line(text, width)
    assert " ".join(pieces) == clean_text(text)
    assert all(len(escape_vtt(p)) <= width or " " not in p for p in pieces)
    greedy = 0 if not clean_text(text) else 1  # as few pieces as filling lines in order gives
    used = -1
    for word in clean_text(text).split(" ") if clean_text(text) else ():
        size = len(escape_vtt(word))
        if used >= 0 and used + 1 + size > width:
            greedy, used = greedy + 1, size
        else:
            used += 1 + size
    assert len(pieces) == max(1, greedy)


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


@given(timed, st.sampled_from(["", SPEAKER, "Léa"]))
def test_round_trip_any_sentences(items: list[tuple[str, int, int]], speaker: str) -> None:
    marks = build(items)
    cues = plan_cues(marks, RATE, speaker=speaker)
    vtt = to_vtt(cues, speaker=speaker)
    read = read_vtt(vtt)
    assert [(s, e, t) for s, e, _, t in read] == [(c.start_ms, c.end_ms, c.text) for c in cues]
    assert all(voice == clean_text(speaker) for _, _, voice, _ in read)
    for line in vtt.split("\n"):
        assert len(line) <= CUE_LINE or " " not in line.split(">", 1)[-1]  # a lone long word
    for parse, text in ((parse_vtt, vtt), (parse_srt, to_srt(cues))):
        back = parse(text)
        check_cues(back)
        assert [(c.start_ms, c.end_ms, c.text) for c in back] == [
            (c.start_ms, c.end_ms, c.text) for c in cues
        ]
    assert all(c.end_ms > c.start_ms for c in cues)
    # Each sentence is covered by its own cues, from its start to its end, in its words.
    at = 0
    for mark in marks:
        words, own = clean_text(mark.title), []
        while at < len(cues) and len(" ".join(c.text for c in own)) < len(words):
            own.append(cues[at])
            at += 1
        assert " ".join(c.text for c in own) == words
        assert own[0].start_ms == samples_to_ms(mark.start, RATE)
        assert own[-1].end_ms == samples_to_ms(mark.end, RATE)
        assert all(a.end_ms == b.start_ms for a, b in zip(own, own[1:], strict=False))
    assert at == len(cues)


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
