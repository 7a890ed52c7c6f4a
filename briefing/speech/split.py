"""French sentence splitting, and cutting sentences into pieces a TTS engine accepts.

Both functions only cut at spaces of the whitespace-collapsed text, so joining the result with
single spaces gives that text back: nothing is lost or reordered. The one exception is a single
word longer than the engine's limit, which `split_for_engine` has to cut inside.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from briefing.speech import frtables as T

_CLOSERS = "»”’\")]'"
_OPENERS = '«“‘"(['
_DASHES = "—–-"
_TERMINAL = re.compile(r"(?:[.!?…]+|\.\.\.)$")
_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n\s*")


def _strip_closers(token: str) -> str:
    return token.rstrip(_CLOSERS)


def _starts_sentence(token: str) -> bool:
    """True if `token` may open a sentence: a capital, a digit, an opening quote or a dash."""
    if token[0] in _OPENERS or token[0] in _DASHES:
        return True
    body = token.lstrip(_OPENERS + _DASHES)
    return bool(body) and (body[0].isupper() or body[0].isdigit())


def _is_punctuation(token: str) -> bool:
    """Tokens like "?", "!", ":", "»", ")" that belong to the word before them."""
    return token[0] in "»”)]?!:;,.…"


def _ends_with_period_word(before: str) -> str | None:
    """The word in front of a final "." ("M" for "M."), or None if `before` has no such dot."""
    if not before.endswith(".") or before.endswith(".."):
        return None
    return before[:-1].lstrip(_OPENERS)


def _is_boundary(tokens: list[str], i: int, start: int, quotes: int) -> bool:
    """Does a sentence end between tokens[i] and tokens[i + 1]? The current sentence began at
    tokens[start]; `quotes` counts the '"' seen so far."""
    nxt = tokens[i + 1]
    if nxt[0] == '"' and quotes % 2 == 1:  # a closing straight quote
        return False
    if _is_punctuation(nxt):
        return False
    # Text before the space, ignoring tokens that are only closing quotes or brackets.
    j = i
    while j > 0 and not _strip_closers(tokens[j]):
        j -= 1
    before = _strip_closers(tokens[j])
    if not before or not _TERMINAL.search(before):
        return False
    if not _starts_sentence(nxt):
        return False
    word = _ends_with_period_word(before)
    if word is None:  # ends with ! ? … or "..."
        return True
    if word in T.NON_FINAL_ABBREVIATIONS or word.lower() in T.NON_FINAL_ABBREVIATIONS:
        return False
    if re.fullmatch(r"(?:[A-Z]\.)+[A-Z]", word):  # U.S. or S.N.C.F.
        return False
    if re.fullmatch(r"[A-Z]", word):  # an initial, unless a spelled acronym "U S A."
        previous = tokens[j - 1] if j > 0 else ""
        return re.fullmatch(r"[A-Z]", previous) is not None
    if re.fullmatch(r"\d{1,2}", word):  # "pour : 1. Relancer" is a numbered point
        return j > start and not tokens[j - 1].endswith((":", ";"))
    return True


def _split_paragraph(text: str) -> list[str]:
    tokens = text.split()
    sentences: list[str] = []
    start = 0
    quotes = 0
    for i in range(len(tokens) - 1):
        quotes += tokens[i].count('"')
        if _is_boundary(tokens, i, start, quotes):
            sentences.append(" ".join(tokens[start : i + 1]))
            start = i + 1
    if tokens:
        sentences.append(" ".join(tokens[start:]))
    return sentences


def split_sentences(text: str) -> tuple[str, ...]:
    """Split French text into sentences; blank lines always end a sentence.

    Knows abbreviations (M., Mme, Dr, etc., J.-C.), initials ("J. K. Rowling"), "U.S.",
    decimals, ellipses and « » quotes: « C'est fini. » dit-il. stays one sentence.
    `" ".join(split_sentences(t)) == " ".join(t.split())` always holds.
    """
    sentences: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        sentences.extend(_split_paragraph(paragraph))
    return tuple(sentences)


# Cost of a cut by where it falls; lower is better.
_SENTENCE, _CLAUSE, _DASH, _COMMA, _CONJUNCTION, _SPACE, _AWKWARD = 0.0, 0.5, 1.0, 1.5, 3.0, 6, 60
_PIECE = 1.0  # cost of each piece: fewer pieces are better
_SLACK = 2.0  # weight of (1 - length / limit) ** 2: balanced pieces are better
_SHORT = 4.0  # extra cost of a piece under a quarter of the limit (and under 20 characters)


def _cut_cost(left: str, right: str) -> float:
    """Cost of cutting between the words `left` and `right`."""
    if _is_punctuation(right) or left[-1] in _OPENERS:
        return _AWKWARD
    bare = _strip_closers(left)
    if bare and _TERMINAL.search(bare):
        return _SENTENCE
    if bare.endswith((";", ":")):
        return _CLAUSE
    if left in _DASHES or left.endswith("—") or right[0] in "—–":
        return _DASH
    if bare.endswith(",") or left.endswith(")") or right[0] == "(":
        return _COMMA
    lowered = right.lower()
    head = lowered.split("'")[0] + "'" if "'" in lowered else lowered
    if lowered in T.CONJUNCTIONS or head in T.CONJUNCTIONS:
        return _CONJUNCTION
    return _SPACE


def _hard_cut(word: str, limit: int) -> list[str]:
    count = -(-len(word) // limit)
    size, extra = divmod(len(word), count)
    bounds = [k * size + min(k, extra) for k in range(count + 1)]
    return [word[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def _best_pieces(words: list[str], limit: int) -> list[str]:
    """Group `words` (each at most `limit` long) into pieces of at most `limit` characters,
    minimizing cut costs, piece count and unbalance (a small dynamic program)."""
    n = len(words)
    short = min(20, limit // 4)
    best = [0.0] + [float("inf")] * n
    back = [0] * (n + 1)
    for j in range(1, n + 1):
        length = -1
        for i in range(j - 1, -1, -1):
            length += len(words[i]) + 1
            if length > limit:
                break
            cut = _cut_cost(words[j - 1], words[j]) if j < n else 0.0
            cost = best[i] + _PIECE + _SLACK * (1 - length / limit) ** 2 + cut
            cost += _SHORT if length < short else 0.0
            if cost < best[j]:
                best[j], back[j] = cost, i
    pieces: list[str] = []
    j = n
    while j > 0:
        pieces.append(" ".join(words[back[j] : j]))
        j = back[j]
    return pieces[::-1]


def split_for_engine(sentence: str, limit: int) -> tuple[str, ...]:
    """Cut `sentence` into pieces of at most `limit` characters at the best places: sentence
    ends, then ; and :, then dashes, then commas, then before a conjunction, then any space.
    Only a word longer than `limit` is cut inside; the pieces are balanced in length."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    text = " ".join(sentence.split())
    if not text:
        return ()
    if len(text) <= limit:
        return (text,)
    pieces: list[str] = []
    run: list[str] = []
    for word in text.split(" "):
        if len(word) <= limit:
            run.append(word)
            continue
        if run:
            pieces.extend(_best_pieces(run, limit))
            run = []
        pieces.extend(_hard_cut(word, limit))
    if run:
        pieces.extend(_best_pieces(run, limit))
    return tuple(pieces)


def _greedy(sizes: Sequence[int], width: int) -> list[int]:
    """How many items each part takes when items of `sizes`, one separator apart, are filled in order
    into parts of at most `width` (an item longer than that makes a part of its own)."""
    counts: list[int] = []
    used = -1
    for size in sizes:
        if counts and used + 1 + size <= width:
            counts[-1] += 1
            used += 1 + size
        else:
            counts.append(1)
            used = size
    return counts


def even_parts(
    items: Sequence[str], width: int, *, size: Callable[[str], int] = len, most: int | None = None
) -> list[str]:
    """`items` joined by single spaces, in order, into as few parts of at most `width` (measured with
    `size`, spaces counting one) as they allow, and at most `most`; among those cuts, the one whose
    longest part is shortest, so no short tail is left. An item wider than `width` is a part alone."""
    sizes = [size(item) for item in items]
    count = len(_greedy(sizes, width))
    if most is not None:
        count = min(count, most)
    low, high = 1, max(1, sum(sizes) + len(sizes) - 1)  # the narrowest width needing <= count parts
    while low < high:
        middle = (low + high) // 2
        if len(_greedy(sizes, middle)) <= count:
            high = middle
        else:
            low = middle + 1
    parts, at = [], 0
    for n in _greedy(sizes, low):
        parts.append(" ".join(items[at : at + n]))
        at += n
    return parts
