"""The accent French capitals often go without: "Etat", "Etats-Unis", "L'Equipe", "Saint-Etienne".

Much French typesetting drops the accent on capitals, and a voice then reads the E as the e of "le":
Pico says "Etats" so that Whisper base hears "antaunis" or "untimes", "Saint-Etienne" as
"Saint-Tien", "Eglise" as "blise". A capital E that starts a word and is followed by one consonant
sound (a consonant, with its h, "qu", or a consonant and r or l) and then a vowel is the É of
"État", "École", "Égypte", "Éric", "Étranger", "Équipe", so it is written back. The Etats-Unis of
the training articles went from 0 of 3 heard right to 3 of 3.

Left as they are: E before two consonants ("Elle", "Emmanuel", "Espagne", "Erdogan") or a vowel
("Europe"), before x ("Exemple"), words in capitals (acronyms and headings), and the English
"Email". "Etre" becomes "Étre", close to "Être".
"""

from __future__ import annotations

import re

_VOWEL = "aeiouyéèêëàâîïôûü"
_ONSET = r"(?:[bcdfgjklmnprstvz]h?|qu|[bcdfgkptv][rl])"
_CAPITAL_E = re.compile(rf"(?<!\w)E(?={_ONSET}[{_VOWEL}])(?!mails?\b)")


def accent_capitals(text: str) -> str:
    """`text` with É for the capital E that stands for it ("l'Etat" -> "l'État")."""
    return _CAPITAL_E.sub("É", text)
