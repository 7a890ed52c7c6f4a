"""French text normalization for speech: what a TTS engine should read, as plain words.

`normalize()` runs the small `str -> str` passes in `PASSES` in order, over the tables of
`frtables`, then applies the show's pronunciation lexicon. Punctuation that marks clauses and
sentences (, ; : . ! ? « » …) is kept: the splitter and the pauses depend on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date

from briefing.speech import frtables as T
from briefing.speech.accents import accent_capitals
from briefing.speech.acronyms import say_acronyms
from briefing.speech.lexicon import Lexicon
from briefing.speech.numbers import LIMIT, cardinal, de, decimal, integer, ordinal, quantity, roman

_NUM = r"\d+(?:[,.]\d+)?"
_FREE = r"(?<![\w,.])"  # a number starts here: not inside a word or another number
_CAP = "A-ZÀ-ÖØ-Þ"
_MONTHS = "|".join(T.MONTHS)


def _alternatives(keys: Iterable[str]) -> str:
    """Regex alternation of literal keys, longest first so "km/h" wins over "km"."""
    return "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))


def _sentence_goes_on(text: str, end: int) -> bool:
    """False when the text after `end` starts a new sentence (end of text, line, or a capital)."""
    return re.match(rf"[ ]*$|[ ]*\n|[ ]+[«\"]?[ ]?[{_CAP}]", text[end:]) is None


def _typography(text: str) -> str:
    text = re.sub(r"(?![0-9])\d", lambda m: str(int(m[0])), text)  # other scripts' digits
    text = text.translate({ord(c): " " for c in T.SPACES})
    text = text.translate({ord(c): None for c in T.INVISIBLE})
    text = text.translate({ord(c): "'" for c in T.APOSTROPHES})
    text = re.sub(r"[ ]{2,}", " ", text)
    return re.sub(r"[ ]*\n[ ]*", "\n", text)


def _say_domain(domain: str) -> str:
    return " point ".join(domain.replace("-", " tiret ").split("."))


def _urls(text: str) -> str:
    tlds = "|".join(sorted(T.TLDS))

    def email(m: re.Match[str]) -> str:
        local = m["local"].replace(".", " point ").replace("_", " tiret bas ")
        local = local.replace("-", " tiret ")
        return f"{local} arobase {_say_domain(m['domain'])}"

    text = re.sub(r"(?<![\w.])(?P<local>[\w.+-]+)@(?P<domain>[\w-]+(?:\.[\w-]+)+)", email, text)
    path = r"(?:[/?#][^\s«»\"<>]*[^\s«»\"<>.,;:!?)])?/?"
    full = rf"https?://(?:www\.)?(?P<domain>[\w-]+(?:\.[\w-]+)+){path}"
    text = re.sub(rf"(?<![\w.@/]){full}", _say_url, text)
    bare = rf"(?:www\.)?(?P<domain>(?:[\w-]+\.)+(?:{tlds}))(?![\w-]){path}"
    return re.sub(rf"(?<![\w.@/]){bare}", _say_url, text)


def _say_url(m: re.Match[str]) -> str:
    return _say_domain(m["domain"])


def _abbreviations(text: str) -> str:
    def full(m: re.Match[str]) -> str:
        word = T.ABBREVIATIONS[m[0]]
        dot = m[0].endswith(".") and not _sentence_goes_on(m.string, m.end())
        return word + "." if dot else word

    text = re.sub(rf"(?<![\w.])(?:{_alternatives(T.ABBREVIATIONS)})(?!\w)", full, text)
    titles = _alternatives(T.TITLES)
    text = re.sub(
        rf"(?<![\w.])({titles})\.?(?=[ ](?:[{_CAP}]|le |la |l'))",
        lambda m: T.TITLES[m[1]],
        text,
    )
    text = re.sub(
        rf"(?<![\w.])S(te?)\.?(?=([- ])[{_CAP}])",
        lambda m: ("S" if m[2] == "-" else "s") + ("ainte" if m[1] == "te" else "aint"),
        text,
    )
    text = re.sub(
        rf"(?<![\w.])({_alternatives(T.BEFORE_NUMBER)})[ ]?(?=\d)",
        lambda m: T.BEFORE_NUMBER[m[1]] + " ",
        text,
    )
    text = re.sub(r"#(?=\d)", "numéro ", text)
    return re.sub(r"(?<![\w&])#+(?=\w)", "", text)


def _dotted_acronyms(text: str) -> str:
    def spell(m: re.Match[str]) -> str:
        letters = " ".join(m[1].replace(".", ""))
        return letters if _sentence_goes_on(m.string, m.end()) else letters + "."

    return re.sub(r"(?<![\w.])((?:[A-Z]\.){2,})(?!\w)", spell, text)


def _date(day: int, month: int, year: str) -> str | None:
    y = int(year) if len(year) == 4 else 2000 + int(year)
    try:
        date(y, month, day)
    except ValueError:
        return None
    return f"{'1er' if day == 1 else day} {T.MONTHS[month - 1]} {y}"


def _dates(text: str) -> str:
    text = re.sub(
        r"(?<![\d/.])(\d{1,2})([/.])(\d{1,2})\2(\d{4}|\d{2})(?![\d/]|\.\d)",
        lambda m: _date(int(m[1]), int(m[3]), m[4]) or m[0],
        text,
    )
    text = re.sub(
        r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])",
        lambda m: _date(int(m[3]), int(m[2]), m[1]) or m[0],
        text,
    )
    return re.sub(rf"{_FREE}1(?=[ ](?:{_MONTHS})\b)", "1er", text, flags=re.IGNORECASE)


def _clock(hours: str, minutes: str | None) -> str:
    h = int(hours)
    said = f"{cardinal(h, feminine=True)} heure{'s' if h >= 2 else ''}"
    if minutes and int(minutes):
        said += " " + cardinal(int(minutes), feminine=True)
    return said


def _times(text: str) -> str:
    text = re.sub(
        r"(?<![\w,.])(\d{1,2})[ ]?h[ ]?/[ ]?(\d{1,2})(?!\w)",
        lambda m: f"{m[1]} heures sur {m[2]}",
        text,
    )
    text = re.sub(r"(?<![\w,.])7[ ]?j[ ]?/[ ]?7(?!\w)", "7 jours sur 7", text)
    text = re.sub(
        r"(?<![\w,.:])([01]?\d|2[0-4])[ ]?[hH](?:[ ]?([0-5]\d)(?:[ ]?min\b)?)?(?![\w'])",
        lambda m: _clock(m[1], m[2]),
        text,
    )
    colon = r"(?<![\w,.:])([01]?\d|2[0-3]):([0-5]\d)(?![\w:])"
    text = re.sub(colon, lambda m: _clock(m[1], m[2]), text)
    hours = rf"{_FREE}({_NUM})[ ]?h(?![\w'])"
    return re.sub(hours, lambda m: quantity(m[1], "heure", "heures", feminine=True), text)


def _phones(text: str) -> str:
    def pairs(m: re.Match[str]) -> str:
        return " ".join(integer(p) for p in re.split(r"[ .]", m[0]))

    return re.sub(r"(?<![\w,.])0[1-9](?:([ .])\d{2})(?:\1\d{2}){3}(?![\w])", pairs, text)


def _group_thousands(text: str) -> str:
    for sep in (" ", r"\."):
        text = re.sub(
            rf"(?<![\w,.])[1-9]\d{{0,2}}(?:{sep}\d{{3}})+(?!\d|[.,]\d)",
            lambda m: re.sub(r"[ .]", "", m[0]),
            text,
        )
    return text


def _ordinal_words(n: int, suffix: str) -> str | None:
    base = suffix if suffix in ("ères", "es") else suffix.rstrip("sˢ")
    base = {"ères": "ère", "es": "e"}.get(base, base)
    plural = "s" if base != suffix else ""
    if not 0 < n < LIMIT:
        return None
    if base in ("nd", "nde"):
        return ("seconde" if base == "nde" else "second") + plural if n == 2 else None
    return ordinal(n, feminine=base in ("re", "ère", "ʳᵉ")) + plural


def _ordinals(text: str) -> str:
    suffixes = "ères|ère|èmes|ème|ers|er|res|re|es|e|è|ndes|nde|nds|nd|ᵉʳ|ᵉˢ|ᵉ|ʳᵉ"
    text = re.sub(
        rf"{_FREE}(\d+)({suffixes})(?!\w)",
        lambda m: _ordinal_words(int(m[1]), m[2]) or m[0],
        text,
    )

    def roman_ordinal(m: re.Match[str]) -> str:
        value = roman(m[1])
        first = m[2] in ("er", "re", "ère", "ᵉʳ", "ʳᵉ")
        if value is None or (first != (value == 1)) or (len(m[1]) == 1 and m[1] not in "IVX"):
            return m[0]
        return ordinal(value, m[2] in ("re", "ère", "ʳᵉ")) + m[3]

    text = re.sub(r"(?<!\w)([IVXLCDM]+)(ère|ème|er|re|e|è|ᵉʳ|ʳᵉ|ᵉ)(s?)(?!\w)", roman_ordinal, text)
    text = re.sub(
        r"(?<![\w-])(?<![A-Z] )([IVXLCDM]+)(?=[ ](?:siècles?|millénaires?)\b)",
        lambda m: ordinal(v) if (v := roman(m[1])) else m[0],
        text,
    )

    def regnal(m: re.Match[str]) -> str:
        value = roman(m[2])
        initial = re.match(rf"\.[ ]?[{_CAP}]", m.string[m.end() :]) is not None
        if value is None or (len(m[2]) == 1 and (m[2] not in "IVX" or initial)):
            return m[0]
        return f"{m[1]} {'premier' if value == 1 else cardinal(value)}"

    names = _alternatives(T.REGNAL_NAMES)
    return re.sub(rf"(?<![\w-])({names})[ ]([IVXLCDM]+)(?!\w)", regnal, text)


def _list_items(text: str) -> str:
    def item(m: re.Match[str]) -> str:
        word = ordinal(int(m[2]), feminine=True) + "ment, "
        return m[1] + (word if m[1].strip() in (":", ";") else word.capitalize())

    return re.sub(rf"(\A|\n|[:;.!?»][ ])(\d{{1,2}})[.)][ ](?=[«\"]?[ ]?[{_CAP}])", item, text)


def _money(text: str) -> str:
    currencies = _alternatives(T.CURRENCIES)
    multipliers = _alternatives(T.MULTIPLIERS)

    def say(number: str, mult: str | None, cur: str) -> str:
        singular, plural, feminine = T.CURRENCIES[cur]
        if mult and T.MULTIPLIERS[mult] != "mille":
            noun = T.MULTIPLIERS[mult]
            return f"{quantity(number, noun, noun + 's', half=True)} {de(plural)}"
        if mult:
            number = _times_thousand(number)
        whole, _, cents = number.replace(".", ",").partition(",")
        if len(cents) > 2 or not whole.isdigit():
            return quantity(number, singular, plural, feminine=feminine)
        cents_said = cardinal(int(cents.ljust(2, "0"))) if cents.strip("0") else ""
        if whole == "0" and cents_said and singular == "euro":
            return cents_said + " centimes"
        said = quantity(whole, singular, plural, feminine=feminine)
        return f"{said} {cents_said}" if cents_said else said

    text = re.sub(
        rf"{_FREE}(-?{_NUM})[ ]?({multipliers})?[ ]?({currencies})(?!\w)",
        lambda m: say(m[1], m[2], m[3]),
        text,
    )
    return re.sub(
        rf"(?<![\w])({currencies})[ ]?({_NUM})(?:[ ]?({multipliers})(?!\w))?",
        lambda m: say(m[2], m[3], m[1]),
        text,
    )


def _times_thousand(number: str) -> str:
    whole, _, frac = number.replace(".", ",").partition(",")
    frac = frac[:3].ljust(3, "0")
    return str(int(whole) * 1000 + int(frac))


def _units(text: str) -> str:
    text = re.sub(
        rf"{_FREE}([-+−]?)({_NUM})[ ]?(%|‰)",
        lambda m: (
            {"-": "moins ", "−": "moins ", "+": "plus ", "": ""}[m[1]]
            + decimal(m[2])
            + (" pour cent" if m[3] == "%" else " pour mille")
        ),
        text,
    )

    def unit(m: re.Match[str]) -> str:
        singular, plural, feminine = T.UNITS[m[3]]
        sign = "moins " if m[1] else ""
        return sign + quantity(m[2], singular, plural, feminine=feminine)

    return re.sub(
        rf"(?:(?<![^\s(])([-−]))?{_FREE}({_NUM})[ ]?({_alternatives(T.UNITS)})(?![\w'²³/-])",
        unit,
        text,
    )


def _scale_nouns(text: str) -> str:
    return re.sub(
        rf"{_FREE}(\d+[,.]\d+)[ ](million|milliard|billion)(s?)\b",
        lambda m: quantity(m[1], m[2], m[2] + "s", half=True),
        text,
    )


def _is_feminine(word: str) -> bool:
    word = word.lower()
    return word in T.FEMININE_NOUNS or (word[-1:] in "sx" and word[:-1] in T.FEMININE_NOUNS)


def _ranges(text: str) -> str:
    def say(m: re.Match[str]) -> str:
        feminine = _is_feminine(m[3] or "")
        return f"{decimal(m[1], feminine)} à {decimal(m[2], feminine)}"

    return re.sub(rf"{_FREE}({_NUM})[ ]?[-–][ ]?({_NUM})(?![\w]|[,.]\d)(?=[ ]([\w-]+))?", say, text)


def _cardinals(text: str) -> str:
    text = re.sub(r"(?<![\w,.])(\d+)/(\d+)(?![\w/])", r"\1 sur \2", text)
    text = re.sub(r"(?<=[^\W\d_])-?(?=\d)|(?<=\d)(?=[^\W\d_])", " ", text)

    def say(m: re.Match[str]) -> str:
        sign = "moins " if m[1] else ""
        number, following = m[2], m[3] or ""
        if re.fullmatch(r"\d+\.\d+", number):
            number = number.replace(".", ",")
        if "," not in number and following and number.isdigit():
            value = int(number)
            head = following.split("'")[0] + "'" if "'" in following else following
            if value >= 10**6 and value % 10**6 == 0 and following.islower():
                if head not in T.AFTER_MILLIONS_NO_DE:
                    elided = following[0] in "aeiouyhéè"
                    return sign + integer(number) + (" d'" if elided else " de")
        return sign + decimal(number, _is_feminine(following))

    number = rf"(?:(?<![^\s(])([-−]))?{_FREE}(\d+(?:[,.]\d+)?)(?!\w)(?=[ ]([\w'-]+))?"
    text = re.sub(number, say, text)
    text = re.sub(r"(?<!\w)([dD]e|[qQ]ue) (une?)(?!\w)", lambda m: m[1][:-1] + "'" + m[2], text)
    return re.sub(r"\d+", lambda m: integer(m[0]), text)


def _symbols(text: str) -> str:
    text = re.sub(r"(?<=\w)/(?=\w)", " ", text)
    return text.translate({ord(k): v for k, v in T.SYMBOLS.items()})


def _spacing(text: str) -> str:
    text = re.sub(r"[ ]{2,}", " ", text)
    text = re.sub(r"[ ]+(?=[,.)])|(?<=\()[ ]+|(?<=[dD]')(?<![\w'][dD]')[ ]+(?=\w)", "", text)
    return re.sub(r"[ ]*\n[ ]*", "\n", text).strip(" ")


PASSES: tuple[Callable[[str], str], ...] = (
    _typography,
    _urls,
    _list_items,
    _abbreviations,
    _dotted_acronyms,
    _dates,
    _times,
    _phones,
    _group_thousands,
    _ordinals,
    _money,
    _units,
    _scale_nouns,
    _ranges,
    _cardinals,
    _symbols,
    say_acronyms,
    accent_capitals,  # after the passes that know names as written ("Elizabeth II")
    _spacing,
)


def normalize(text: str, lexicon: Lexicon | None = None) -> str:
    """Turn written French into the words a TTS engine should read.

    `lexicon` says how to read some words (whole words, with the case rules of `speech.lexicon`).
    Its entries win over the built-in rules: a word found in the written text is set aside before
    the passes and its pronunciation put in last, never re-normalized; the normalized text is
    searched again, for words the passes wrote out.
    """
    if not lexicon:
        for step in PASSES:
            text = step(text)
        return text
    said: dict[str, int] = {}

    def hold(says: str) -> str:
        return f"\ue000{chr(0xE100 + said.setdefault(says, len(said)))}\ue001"

    text = lexicon.sub(text, hold)
    for step in PASSES:
        text = step(text)
    text = lexicon.sub(text, hold)
    spoken = list(said)
    return re.sub("\ue000(.)\ue001", lambda m: spoken[ord(m[1]) - 0xE100], text)
