"""Inline headings in flattened French text, found from part-of-speech tags and French grammar.

A heading shows as a short run of words opening a "sentence" that a capitalized word re-opens mid-way
("… l'expectative. Aucun accord, mais une atmosphère cordiale Après près de trois heures …"). Each
possible cut is scored: the opener (a capitalized grammar word such as "Après", "Le", "C'est", not a
name particle as in "Marine Le Pen", or a participle, count most; a verb, adverb or adjective after a
common word, a quotation, a name followed by its verb, a number count less), the run before it (short,
no finite verb, a noun phrase, "Thème : …" or a whole quotation), the text after it (a finite verb).
A question is a heading when an answer paragraph follows: no "Mais …" before it, no "Parce que …",
quotation or verbless reply after it, nothing pointing back ("une telle fébrilité"); in an interview
(questions saying "vous") or among question intertitles those doubts are dropped. Headings come in
series, a short paragraph apart at least.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefing.sections.tagger import Token

# ---------------------------------------------------------------- tables

HEADING_MAX_WORDS = 14
LONG_HEADING_WORDS = 8  # longer headings lose a point
MIN_WORDS_AFTER_HEADING = 3
QUESTION_MAX_WORDS = 12
LEAD_IN_MAX_WORDS = 25
SHORT_ANSWER_WORDS = 3
LONG_ANSWER_WORDS = 6
MIN_SECTION_WORDS = 25  # headings stand a short paragraph apart at least
ACCEPT = 3  # the score a heading needs
# How strongly a token re-opens a sentence (see `_opener`).
OPENER_SCORE = {"closed": 3, "quoted": 3, "verb": 3, "open": 2, "quote": 2, "name": 2, "number": 1}


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Closed classes (lower case, straight apostrophe): capitalized inside a sentence, they open one.
DETERMINERS = _set(
    "le la les l' un une des du au aux ce cet cette ces mon ma mes ton ta tes son sa ses notre nos "
    "votre vos leur leurs quel quelle quels quelles chaque plusieurs certains certaines aucun aucune "
    "tout toute tous toutes quelques nul nulle"
)
PREPOSITIONS = _set(
    "à a après avant avec chez contre dans de d' depuis derrière dès devant durant en entre envers "
    "hors jusqu' jusque malgré outre par parmi pendant pour sans selon sous sur vers via face grâce lors"
)
PRONOUNS = _set(
    "je j' tu il elle on nous vous ils elles n' m' t' c' ce cela ça ceci celui celle ceux celles qui "
    "que qu' quoi dont où rien chacun chacune personne lequel laquelle"
)
CONJUNCTIONS = _set(
    "mais et ou donc or ni car si s' quand lorsque lorsqu' puisque comme pourquoi comment combien"
)
CLOSED_WORDS = DETERMINERS | PREPOSITIONS | PRONOUNS | CONJUNCTIONS
# Articles and prepositions come before their noun, never before a verb ("la catégorie A pourra").
NEEDS_NOUN = (
    (DETERMINERS | PREPOSITIONS) - PRONOUNS - _set("tout toute tous toutes aucun aucune certains nul")
)
NAME_ARTICLES = _set("le la les l'")  # "Le Monde", "Les Jours"
NAME_PREPOSITIONS = _set("de d' du des en")  # "Charles De Gaulle", "La République En Marche"
CONTRACTED_ARTICLES = _set("du des au aux")
STRESSED_PRONOUNS = _set("lui elle elles eux moi toi nous vous soi autre autres tous rien")
NOT_FINAL = CLOSED_WORDS - STRESSED_PRONOUNS - _set("tout toutes personne")  # a heading's last word
RELATIVES = _set("qui que qu' dont où")
TIME_WORDS = _set(
    "lundi mardi mercredi jeudi vendredi samedi dimanche janvier février mars avril mai juin juillet "
    "août septembre octobre novembre décembre matin midi soir soirée nuit après-midi veille lendemain "
    "jour jours semaine semaines mois an ans année années heure heures minute minutes hier demain "
    "aujourd'hui début fin"
)
LINKING_CONNECTORS = _set("mais or donc car pourtant alors ainsi")  # tie a question to the text
REASON_OPENERS = _set("parce car")  # "Pourquoi ? Parce que …"
ANAPHORIC_DETERMINERS = _set("ce cet cette ces tel telle tels telles")
ANAPHORIC_PRONOUNS = _set("cela ça ceci ce c'")
OBJECT_CLITICS = _set("le la les l' leur lui en y")
SUBJECT_PRONOUNS = _set("je j' tu il elle on nous vous ils elles")
CLITICS = OBJECT_CLITICS | _set("ne n' se s' me m' te t' nous vous")
OPEN_POS = frozenset({"VERB", "AUX", "ADV", "ADJ", "NUM"})
HEADING_END_POS = frozenset({"NOUN", "PROPN", "ADJ", "VERB", "NUM", "X", "ADV"})
NOMINAL_POS = frozenset({"DET", "NUM", "NOUN", "ADJ", "PROPN"})
SENTENCE_END = frozenset({".", "!", "?", "…", "...", "?!", "!?"})
CLOSERS = frozenset({"»", '"', "”", ")", "'", "’"})
OPEN_QUOTES = frozenset({"«", "“", '"'})
CLOSE_QUOTES = frozenset({"»", "”", '"'})
NOT_IN_HEADING = frozenset({".", "!", "?", ";", "…", "...", "(", ")", "[", "]"})


@dataclass(frozen=True, slots=True)
class Heading:
    """Tokens [start, end) of a paragraph are a heading, found with this score."""

    start: int
    end: int
    score: int
    question: bool = False


Span = tuple[int, int]


def _words(tokens: list[Token]) -> int:
    return sum(t.is_word for t in tokens)


# ---------------------------------------------------------------- a paragraph's headings


def find_headings(tokens: list[Token]) -> list[Heading]:
    """The headings inside one tagged paragraph, in order, not overlapping."""
    spans = sentence_spans(tokens)
    pairs = zip(tokens, tokens[1:], strict=False)  # a word capitalized inside sentences: a name
    names = Counter(t.text for p, t in pairs if t.is_capitalized and p.leaves_sentence_open)
    interview = _is_interview(tokens, spans)
    found = _candidates(tokens, spans, names, series=interview, interview=interview)
    if not interview and sum(h.question and h.score >= ACCEPT for h in found if h) >= 2:
        found = _candidates(tokens, spans, names, series=True, interview=False)  # question intertitles
    if interview:
        found = [_with_lead_in(tokens, spans, i, h) if h and h.question else h for i, h in enumerate(found)]
    return _spaced([h for h in found if h and h.score >= ACCEPT], tokens)


def sentence_spans(tokens: list[Token]) -> list[Span]:
    """Token ranges of the "sentences": cut after . ! ? … (and closing quotes) before a capital."""
    spans, start, i = [], 0, 0
    while i < len(tokens):
        if tokens[i].text in SENTENCE_END:
            j = i + 1
            while j < len(tokens) and tokens[j].text in CLOSERS:
                j += 1
            if j < len(tokens) and (tokens[j].text[:1].isupper() or tokens[j].text[:1] in '«"“—–-0123456789'):
                spans.append((start, j))
                start = j
            i = j
        else:
            i += 1
    if start < len(tokens):
        spans.append((start, len(tokens)))
    return spans


def _candidates(
    tokens: list[Token], spans: list[Span], names: Counter[str], *, series: bool, interview: bool
) -> list[Heading | None]:
    pairs = zip(spans, spans[1:], strict=False)
    questions = [_question(tokens, s, n, series, interview) for s, n in pairs] + [None]
    return [q or _inline(tokens[a:b], a, names) for q, (a, b) in zip(questions, spans, strict=True)]


def _spaced(headings: list[Heading], tokens: list[Token]) -> list[Heading]:
    """Of two headings closer than a short paragraph keep the better; drop a doubtful one alone."""
    kept: list[Heading] = []
    for h in headings:
        if kept and _words(tokens[kept[-1].end : h.start]) < MIN_SECTION_WORDS:
            if h.score <= kept[-1].score:
                continue
            kept.pop()
        kept.append(h)
    if kept and kept[-1].question and _words(tokens[kept[-1].end :]) < MIN_SECTION_WORDS:
        kept.pop()  # a heading question stands over a paragraph
    inside = [h for h in kept if h.start > 0]
    if len(inside) == 1 and inside[0].score <= ACCEPT:
        kept.remove(inside[0])  # intertitles come in series
    return kept


# ---------------------------------------------------------------- a heading run into its paragraph


def _inline(span: list[Token], offset: int, names: Counter[str]) -> Heading | None:
    """The best-scoring heading that opens this sentence span, if any."""
    first = span[0]
    if not (first.is_capitalized or first.text[:1].isdigit() or first.text in OPEN_QUOTES):
        return None
    best: Heading | None = None
    for k in range(1, len(span)):
        head, rest = span[:k], span[k:]
        if _words(head) > HEADING_MAX_WORDS or head[-1].text in NOT_IN_HEADING:
            break
        kind = _opener(span, k, names)
        if kind is None or _words(rest) < MIN_WORDS_AFTER_HEADING or not _heading_shape(head, kind):
            continue
        if offset == 0 and OPENER_SCORE[kind] < OPENER_SCORE["closed"]:
            continue  # an opening apposition: "Le spécialiste des pompes à chaleur Thermalis a publié …"
        score = OPENER_SCORE[kind] + _head_score(head, kind) + any(t.finite for t in rest)
        if best is None or score > best.score:
            best = Heading(offset, offset + k, score)
    return best


def _opener(span: list[Token], k: int, names: Counter[str]) -> str | None:
    """How span[k] re-opens a sentence after span[:k] (a key of OPENER_SCORE), or None."""
    token, prev = span[k], span[k - 1]
    nxt = span[k + 1] if k + 1 < len(span) else None
    next_cap = nxt is not None and nxt.is_capitalized
    if span[0].text in OPEN_QUOTES and prev.text in CLOSE_QUOTES and k > 2:
        return "quoted" if token.is_capitalized and token.is_word else None  # "« Tout à refaire » Le …"
    if token.text in OPEN_QUOTES:
        return "quote" if next_cap and _quotes_a_sentence(span[k:]) else None  # "Colère « On nous …"
    if token.text[:1].isdigit():
        return "number" if nxt is not None and nxt.pos in ("NOUN", "ADJ", "PROPN") else None
    if not token.is_capitalized or not token.is_word:
        return None
    name_before = prev.is_capitalized and k > 1
    if token.lower in CLOSED_WORDS:
        if token.lower in NAME_ARTICLES and next_cap:
            return None  # "Les Jours a entrepris", "Le Monde révèle"
        if token.lower in NAME_PREPOSITIONS and next_cap and name_before:
            return None  # "Charles De Gaulle"
        if token.lower in SUBJECT_PRONOUNS and not _finite_follows(span[k + 1 :]):
            return None  # "au magazine Elle publié mardi"
        if token.lower in NEEDS_NOUN and (nxt is None or not nxt.is_word or nxt.finite or nxt.pos == "CCONJ"):
            return None  # "la catégorie A pourra …", "les groupes A et B"
        return "closed"
    elsewhere = names[token.text] > prev.leaves_sentence_open  # capitalized inside another sentence: a name
    if token.pos in OPEN_POS and not next_cap and not name_before and not elsewhere:
        if token.pos == "VERB" and token.verb_form in ("Part", "Inf") and prev.pos != "PROPN":
            return "verb"  # "Prudence Interrogé par …"
        return "open" if k > 1 or not prev.is_capitalized else None  # not "Raphaël Garrigos"
    if token.pos == "PROPN" and not prev.is_capitalized and _name_then_verb(span[k:]):
        return "name"  # "… le 12 mars Brest métropole organise …"
    return None


def _quotes_a_sentence(rest: list[Token]) -> bool:
    """The quotation is a sentence of its own: it ends with a stop, or a comma follows it ("», dit-il"),
    or it runs on past this span; not a phrase quoted inside a sentence ("Le slogan « On … » résonne")."""
    for j, t in enumerate(rest[1:], 1):
        if t.text in CLOSE_QUOTES:
            after = rest[j + 1].text if j + 1 < len(rest) else "."
            return rest[j - 1].text in SENTENCE_END or after in (",", ".", ":", "!", "?", "…")
    return True


def _finite_follows(rest: list[Token]) -> bool:
    """After a subject pronoun: the first word past "ne" and object pronouns is a finite verb."""
    verb = next((t for t in rest if t.lower not in CLITICS), None)
    return verb is not None and verb.pos in ("VERB", "AUX") and verb.verb_form not in ("Part", "Inf")


def _name_then_verb(rest: list[Token]) -> bool:
    """One to three capitalized words (and maybe a common noun: "Brest métropole"), then the verb."""
    i = 0
    while i < len(rest) and i < 3 and rest[i].is_capitalized:
        i += 1
    if i < len(rest) and rest[i].pos == "NOUN" and not rest[i].is_capitalized:
        i += 1
    return i < len(rest) and rest[i].is_word and (rest[i].finite or rest[i].pos in ("AUX", "VERB", "ADV"))


def _heading_shape(head: list[Token], kind: str) -> bool:
    last = head[-1]
    if kind == "quoted":
        return not any(t.text in NOT_IN_HEADING or t.text in OPEN_QUOTES for t in head[1:-1])
    if not last.is_word or last.lower in NOT_FINAL:
        return False
    if last.pos not in HEADING_END_POS and last.lower not in STRESSED_PRONOUNS:
        return False
    if kind != "closed" and len(head) > 1 and head[-2].pos == "DET" and last.pos == "ADJ":
        return False  # "l'ancien Premier ministre": the adjective waits for its noun
    quotes = sum(t.text in OPEN_QUOTES for t in head)
    if quotes != sum(t.text in CLOSE_QUOTES for t in head) or (quotes and kind != "closed"):
        return False
    colons = [i for i, t in enumerate(head) if t.text == ":"]
    if colons and (len(colons) > 1 or not 1 <= _words(head[: colons[0]]) <= 3):
        return False  # only "Thème : …"
    if kind == "number":
        return _words(head) >= 2 and all(t.text != "," for t in head)
    return kind != "name" or _topic_phrase(head)


def _topic_phrase(head: list[Token]) -> bool:
    """A noun phrase that cannot run on into the name after it ("2027 en ligne de mire Emmanuel …")."""
    if _words(head) < 2 or any(t.text == "," for t in head) or head[-1].pos not in ("NOUN", "NUM"):
        return False
    if not (head[0].pos in NOMINAL_POS or head[0].text[:1].isdigit()):
        return False  # "Depuis 2017 Emmanuel Macron …": an adverbial, its comma left out
    if not any(t.pos == "NOUN" and t.lower not in TIME_WORDS for t in head):
        return False  # "Dimanche soir Emmanuel Macron …"
    return not _ends_in_apposition(head)


def _ends_in_apposition(head: list[Token]) -> bool:
    """ "… le juge d'instruction" before a name is its title, in apposition: no heading.

    The last noun phrase, with its bare "de" complements ("juge d'instruction"), is determined: it
    starts with a determiner or follows "du", "des", "au", "aux". A date ("le 12 mars") is not.
    """
    i = len(head)
    while i > 0 and head[i - 1].pos != "ADP":
        i -= 1
    while i > 1 and head[i - 1].lower in ("de", "d'") and head[i].pos != "DET":
        i -= 1
        while i > 0 and head[i - 1].pos != "ADP":
            i -= 1
    phrase = head[i:]
    if not phrase or any(t.pos == "NUM" for t in phrase):
        return False
    return phrase[0].pos == "DET" or (i > 0 and head[i - 1].lower in CONTRACTED_ARTICLES)


def _head_score(head: list[Token], kind: str) -> int:
    """+1 for a verbless noun phrase or "Thème : …", -1 for a finite verb, -1 for length."""
    if kind == "quoted":
        return 0
    colon = next((i for i, t in enumerate(head) if t.text == ":"), len(head))
    clause = [t for i, t in enumerate(head[:colon]) if not any(p.lower in RELATIVES for p in head[:i])]
    score = 0
    if any(t.finite for t in clause):  # not "Ce que révèlent les échantillons"
        score -= 1
    elif head[0].pos in NOMINAL_POS or head[0].text[:1].isdigit() or colon < len(head):
        score += 1
    return score - (_words(head) > LONG_HEADING_WORDS)


# ---------------------------------------------------------------- questions


def _question(tokens: list[Token], span: Span, nxt: Span, series: bool, interview: bool) -> Heading | None:
    """A question standing as a heading over the paragraph that answers it.

    In a `series` (the article's intertitles are questions) a question is expected: one point more.
    In an interview, short replies ("Beaucoup.") and words pointing back are no evidence against it.
    """
    q, answer = tokens[span[0] : span[1]], tokens[nxt[0] : nxt[1]]
    if span[0] == 0 or q[-1].text not in ("?", "?!") or not q[0].is_capitalized or not q[0].is_word:
        return None  # a text that opens with a question opens with its lead
    if _words(q) > QUESTION_MAX_WORDS or q[0].lower in LINKING_CONNECTORS:
        return None  # "Mais pour quel résultat ?"
    if answer[0].lower in REASON_OPENERS or answer[-1].text == "?":
        return None  # "Pourquoi ? Parce que …", a string of questions
    score = 2 + series + (_words(answer) >= LONG_ANSWER_WORDS)
    if answer[0].text in OPEN_QUOTES:
        score -= 2  # a quotation answers a rhetorical question
    if not interview:
        score -= _words(answer) <= SHORT_ANSWER_WORDS or not _main_verb(answer)
        score -= any(t.lower in ANAPHORIC_DETERMINERS and t.pos in ("DET", "ADJ") for t in q)
        score -= any(t.text == "," for t in q)  # "Trop peu, trop lentement ?"
    return Heading(span[0], span[1], score, question=True)


def _main_verb(sentence: list[Token]) -> bool:
    """A finite verb outside relative clauses ("Une éducation dont personne ne sait …" has none)."""
    in_relative = False
    for t in sentence:
        in_relative = (in_relative or t.lower in RELATIVES and t.pos == "PRON") and t.text != ","
        if t.finite and not in_relative:
            return True
    return False


def _is_interview(tokens: list[Token], spans: list[Span]) -> bool:
    """Two questions or more that say "vous" (outside quotations) make an interview."""
    asking = [
        tokens[a:b] for a, b in spans if tokens[b - 1].text == "?" and tokens[a].text not in OPEN_QUOTES
    ]
    return sum(any(t.person == "2" for t in q) for q in asking) >= 2


def _with_lead_in(tokens: list[Token], spans: list[Span], i: int, h: Heading) -> Heading:
    """The interviewer's sentence before a question belongs to it when it says "vous" ("Vous parlez
    de …. Que voulez-vous dire ?") or the question points back to it ("Cela vous inquiète-t-il ?")."""
    if i < 2:
        return h
    start, end = spans[i - 1]
    before = tokens[start:end]
    if before[-1].text == "?" or _words(before) > LEAD_IN_MAX_WORDS or any(t.person == "1" for t in before):
        return h  # a question of its own, a long answer, the interviewee speaking
    if _points_back(tokens[h.start : h.end]) or any(t.person == "2" for t in before):
        return replace(h, start=start)
    return h


def _points_back(question: list[Token]) -> bool:
    """ "Cela …", or an object pronoun before the verb ("Comment les rassurer ?", "Que leur dites-vous ?")."""
    if question[0].lower in ANAPHORIC_PRONOUNS:
        return True
    return any(
        t.lower in OBJECT_CLITICS and (nxt.pos in ("VERB", "AUX") or after.text.startswith("-"))
        for t, nxt, after in zip(question, question[1:], question[2:], strict=False)
    )
