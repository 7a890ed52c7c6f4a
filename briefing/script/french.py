"""Small French wording helpers for the narration: dates, counts, lists."""

from __future__ import annotations

import datetime as dt

from briefing.speech.frtables import MONTHS, WEEKDAYS
from briefing.speech.numbers import cardinal


def spoken_date(day: dt.date) -> str:
    """`vendredi 15 août 2025` (`1er` for the first of the month), as a French presenter says it."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{WEEKDAYS[day.weekday()]} {number} {MONTHS[day.month - 1]} {day.year}"


def count_of(n: int, noun: str, plural: str | None = None) -> str:
    """`cinq sujets`, `un sujet`, `quarante-deux sujets`."""
    return f"{cardinal(n)} {noun if n == 1 else (plural or noun + 's')}"


def as_sentence(text: str) -> str:
    """End `text` with a period unless it already ends a sentence."""
    text = text.strip()
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def of(name: str) -> str:
    """`de` before a name, contracted as French wants: du Monde, des Echos, d'Ouest-France, de Libération."""
    name = name.strip()
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name[:1].lower() in "aeiouyéèêàâîôûh" and name[:1].isalpha():
        return "d'" + name
    return "de " + name


def and_list(items: list[str] | tuple[str, ...]) -> str:
    """`a`, `a et b`, `a, b et c`."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]
