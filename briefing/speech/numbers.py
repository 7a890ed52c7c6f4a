"""French number words: cardinals, ordinals, decimals, digit strings, roman numerals.

Traditional spelling (as in the press and on the radio): hyphens between tens and units below
one hundred only, "et" in 21, 31, 41, 51, 61 and 71 ("vingt et un", "soixante et onze"),
"quatre-vingts" and "deux cents" plural only when they end the number and are not followed by
"mille" ("quatre-vingt mille", "deux cent mille", but "deux cents millions"), "mille"
invariable, "million", "milliard" and "billion" are nouns and take an "s".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_UNITS = (
    "zéro",
    "un",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
)
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}
# Nouns for 10**6, 10**9 and 10**12, largest first.
_SCALES = ((10**12, "billion"), (10**9, "milliard"), (10**6, "million"))
LIMIT = 10**15  # cardinal() and ordinal() accept abs(n) < LIMIT
#: The words `cardinal` spells numbers below a million with ("et" of "vingt et un" included).
CARDINAL_WORDS = frozenset((*_UNITS, "une", *_TENS.values(), "vingts", "cent", "cents", "mille", "et"))

_ROMAN_RE = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def _below_100(n: int, final: bool) -> str:
    if n <= 16:
        return _UNITS[n]
    if n < 20:
        return "dix-" + _UNITS[n - 10]
    tens, unit = divmod(n, 10)
    if tens == 7:
        return "soixante et onze" if unit == 1 else "soixante-" + _below_100(10 + unit, final)
    if tens == 8:
        if unit == 0:
            return "quatre-vingts" if final else "quatre-vingt"
        return "quatre-vingt-" + _UNITS[unit]
    if tens == 9:
        return "quatre-vingt-" + _below_100(10 + unit, final)
    if unit == 0:
        return _TENS[tens]
    if unit == 1:
        return _TENS[tens] + " et un"
    return _TENS[tens] + "-" + _UNITS[unit]


def _below_1000(n: int, final: bool) -> str:
    """Spell 1..999; `final` is False when "mille" follows (no plural "s" on cent, vingt)."""
    hundreds, rest = divmod(n, 100)
    if hundreds == 0:
        return _below_100(rest, final)
    if hundreds == 1:
        head = "cent"
    elif rest == 0 and final:
        head = _UNITS[hundreds] + " cents"
    else:
        head = _UNITS[hundreds] + " cent"
    return head if rest == 0 else head + " " + _below_100(rest, final)


def _check(n: int) -> None:
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"expected an int, got {type(n).__name__}")
    if abs(n) >= LIMIT:
        raise ValueError(f"{n} is out of range: abs(n) must be below {LIMIT}")


def cardinal(n: int, feminine: bool = False) -> str:
    """Spell an integer in words: 81 -> "quatre-vingt-un", 21 feminine -> "vingt et une"."""
    _check(n)
    if n < 0:
        return "moins " + cardinal(-n, feminine)
    if n == 0:
        return "zéro"
    words: list[str] = []
    rest = n
    for value, noun in _SCALES:
        count, rest = divmod(rest, value)
        if count:
            # "quatre-vingts millions", "deux cents milliards": million is a noun.
            words.append(f"{cardinal(count)} {noun}{'s' if count > 1 else ''}")
    thousands, units = divmod(rest, 1000)
    if thousands == 1:
        words.append("mille")
    elif thousands:
        words.append(_below_1000(thousands, final=False) + " mille")
    if units:
        text = _below_1000(units, final=True)
        if feminine and (text == "un" or text.endswith((" un", "-un"))):
            text += "e"
        words.append(text)
    return " ".join(words)


def ordinal(n: int, feminine: bool = False) -> str:
    """Spell an ordinal: 1 -> "premier"/"première", 21 -> "vingt et unième", 200 -> "deux
    centième"."""
    _check(n)
    if n <= 0:
        raise ValueError(f"no ordinal for {n}: it must be positive")
    if n == 1:
        return "première" if feminine else "premier"
    words = cardinal(n)
    if n in (10**6, 10**9, 10**12):  # "millionième", not "un millionième"
        words = words.removeprefix("un ")
    cut = max(words.rfind(" "), words.rfind("-")) + 1
    head, last = words[:cut], words[cut:]
    if last.endswith("s") and last != "trois":
        last = last[:-1]  # quatre-vingts, cents, millions
    if last in ("million", "milliard", "billion"):  # "deux cent millionième"
        head = head.replace("vingts ", "vingt ").replace("cents ", "cent ")
    return head + _ordinal_word(last)


def _ordinal_word(last: str) -> str:
    """The last word of a cardinal made ordinal: "cinq" -> "cinquième", "onze" -> "onzième"."""
    if last == "cinq":
        return "cinquième"
    if last == "neuf":
        return "neuvième"
    return last.removesuffix("e") + "ième"


_ORDINAL_WORDS = frozenset(_ordinal_word(w) for w in CARDINAL_WORDS - {"zéro", "et", "vingts", "cents"})


def spells_a_number(words: Sequence[str]) -> bool:
    """Whether `words` (lower case, at least one) are a number as `cardinal` and `ordinal` spell
    it below a million: cardinal words, the last one possibly an ordinal ("vingt", "et", "unième")."""
    *first, last = words
    ordinal_word = last.removesuffix("s") in _ORDINAL_WORDS  # "les vingt-cinquièmes"
    return all(w in CARDINAL_WORDS for w in first) and (last in CARDINAL_WORDS or ordinal_word)


def digits(text: str) -> str:
    """Read a string of digits one by one: "007" -> "zéro zéro sept"."""
    if not text.isdigit() or not text.isascii():
        raise ValueError(f"not a string of digits: {text!r}")
    return " ".join(_UNITS[int(c)] for c in text)


def integer(text: str, feminine: bool = False) -> str:
    """Read an integer as written: digit by digit after a leading zero, else as a cardinal."""
    if not text.isdigit() or not text.isascii():
        raise ValueError(f"not a string of digits: {text!r}")
    if len(text) > 1 and text.startswith("0"):
        stripped = text.lstrip("0")
        zeros = " ".join(["zéro"] * (len(text) - len(stripped)))
        return zeros if not stripped else f"{zeros} {integer(stripped, feminine)}"
    if len(text) > 15:
        return digits(text)
    return cardinal(int(text), feminine)


def fraction_digits(text: str) -> str:
    """Read the part after a decimal comma: "5" -> "cinq", "05" -> "zéro cinq", "14" -> "quatorze".

    Up to three digits after the leading zeros are read as a number, longer runs digit by digit.
    """
    if not text.isdigit() or not text.isascii():
        raise ValueError(f"not a string of digits: {text!r}")
    stripped = text.lstrip("0")
    zeros = ["zéro"] * (len(text) - len(stripped))
    if not stripped:
        return " ".join(zeros)
    tail = cardinal(int(stripped)) if len(stripped) <= 3 else digits(stripped)
    return " ".join([*zeros, tail])


def decimal(text: str, feminine: bool = False) -> str:
    """Read a written decimal number: "3,5" -> "trois virgule cinq", "-0,25" -> "moins zéro
    virgule vingt-cinq". A dot is accepted as the decimal mark too; spaces inside are thousands
    separators."""
    raw = text.strip().replace("\u2212", "-")
    sign = ""
    if raw and raw[0] in "-+":
        sign = "moins " if raw[0] == "-" else "plus "
        raw = raw[1:]
    raw = re.sub(r"[ \u00a0\u202f]", "", raw)
    whole, sep, frac = raw.replace(".", ",").partition(",")
    if not whole.isdigit() or (sep and not frac.isdigit()):
        raise ValueError(f"not a decimal number: {text!r}")
    if not sep:
        return sign + integer(whole, feminine)
    return f"{sign}{integer(whole)} virgule {fraction_digits(frac)}"


def roman(text: str) -> int | None:
    """Value of an upper-case roman numeral ("XIV" -> 14), or None if `text` is not a valid one."""
    if not text or _ROMAN_RE.fullmatch(text) is None:
        return None
    total = 0
    for char, following in zip(text, [*text[1:], ""], strict=True):
        value = _ROMAN_VALUES[char]
        total += -value if following and _ROMAN_VALUES[following] > value else value
    return total


def _starts_with_vowel(word: str) -> bool:
    return word[:1].lower() in "aeiouyhàâäéèêëîïôöûüœ"


def quantity(
    number: str,
    singular: str,
    plural: str,
    *,
    feminine: bool = False,
    half: bool = False,
) -> str:
    """Read a written number with the noun it counts, agreeing in gender and number.

    "1" -> "une tonne", "1,2" -> "un virgule deux mètre" (below two the noun stays singular),
    "2000000" -> "deux millions d'euros"; with `half`, "2,5" -> "deux millions et demi".
    """
    raw = number.strip().replace("\u2212", "-").replace(" ", "").replace(".", ",")
    negative = raw.startswith("-")
    whole, _, frac = raw.lstrip("+-").partition(",")
    if not whole.isdigit() or (frac and not frac.isdigit()):
        raise ValueError(f"not a number: {number!r}")
    value = int(whole)
    if half and frac == "5" and value >= 1 and not negative:
        noun = plural if value >= 2 else singular
        return f"{integer(whole, feminine)} {noun} et demi{'e' if feminine else ''}"
    words = decimal(raw, feminine)
    big = 10**6
    if value < 2:
        return f"{words} {singular}"
    if value >= big and value % big == 0 and not frac.strip("0"):
        return f"{words} {de(plural)}"
    return f"{words} {plural}"


def de(noun: str) -> str:
    """The preposition "de" before `noun`, elided before a vowel or mute h: "d'euros"."""
    return ("d'" if _starts_with_vowel(noun) else "de ") + noun
