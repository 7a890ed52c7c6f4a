"""Data tables for French speech normalization and sentence splitting (no code here).

Spelled acronyms are written as capital letters separated by spaces ("S N C F"): espeak-ng,
Google TTS and Kokoro (fed espeak phonemes) all read a lone capital as its letter name, while
"UE", "FMI" or "PIB" written together are read as words by espeak ("u", "fmi", "pib").
"""

from __future__ import annotations

from types import MappingProxyType

# Characters replaced by a plain space: no-break, narrow no-break, thin and other spaces.
SPACES = "\u00a0\u202f\u2009\u2007\u2008\u200a\u205f\u3000\t"
# Characters deleted: zero-width spaces and joiners, byte-order mark, soft hyphen.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# Typographic apostrophes turned into "'".
APOSTROPHES = "\u2019\u02bc\u2032"

# Domain endings read in URLs and bare domain names ("lemonde.fr").
TLDS = frozenset(
    "fr com org net eu be ch ca lu mc info io ly co tv gouv edu int news uk de es it "
    "me app dev re nc pf".split()
)

# Titles read in full when a capitalized name follows ("M. Macron" -> "monsieur Macron").
TITLES = MappingProxyType(
    {
        "M.": "monsieur",
        "MM.": "messieurs",
        "Mme": "madame",
        "Mmes": "mesdames",
        "Mlle": "mademoiselle",
        "Mlles": "mesdemoiselles",
        "Dr": "docteur",
        "Pr": "professeur",
        "Me": "maître",
        "Mgr": "monseigneur",
    }
)

# Abbreviations replaced wherever they stand (longest first when matching).
# A final "." that also ends a sentence is put back by the code.
ABBREVIATIONS = MappingProxyType(
    {
        "av. J.-C.": "avant Jésus-Christ",
        "apr. J.-C.": "après Jésus-Christ",
        "J.-C.": "Jésus-Christ",
        "etc.": "et cétéra",
        "p. ex.": "par exemple",
        "c.-à-d.": "c'est-à-dire",
        "c-à-d": "c'est-à-dire",
        "cf.": "voir",
        "env.": "environ",
        "tél.": "téléphone",
        "N.B.": "nota bene",
        "vs.": "contre",
        "vs": "contre",
        "Cie": "compagnie",
        "Jr": "junior",
        "XV de France": "quinze de France",
    }
)

# Abbreviations read only when a number follows ("p. 12" -> "page douze").
BEFORE_NUMBER = MappingProxyType(
    {
        "n°": "numéro",
        "N°": "numéro",
        "nº": "numéro",
        "Nº": "numéro",
        "№": "numéro",
        "no": "numéro",
        "p.": "page",
        "art.": "article",
        "chap.": "chapitre",
        "vol.": "volume",
    }
)

# Units after a number: written form -> (singular, plural, feminine).
UNITS = MappingProxyType(
    {
        "km/h": ("kilomètre heure", "kilomètres heure", False),
        "m/s": ("mètre par seconde", "mètres par seconde", False),
        "hab./km²": ("habitant par kilomètre carré", "habitants par kilomètre carré", False),
        "°C": ("degré Celsius", "degrés Celsius", False),
        "°F": ("degré Fahrenheit", "degrés Fahrenheit", False),
        "°": ("degré", "degrés", False),
        "km²": ("kilomètre carré", "kilomètres carrés", False),
        "m²": ("mètre carré", "mètres carrés", False),
        "m³": ("mètre cube", "mètres cubes", False),
        "km": ("kilomètre", "kilomètres", False),
        "cm": ("centimètre", "centimètres", False),
        "mm": ("millimètre", "millimètres", False),
        "m": ("mètre", "mètres", False),
        "ha": ("hectare", "hectares", False),
        "kg": ("kilo", "kilos", False),
        "mg": ("milligramme", "milligrammes", False),
        "g": ("gramme", "grammes", False),
        "t": ("tonne", "tonnes", True),
        "cl": ("centilitre", "centilitres", False),
        "ml": ("millilitre", "millilitres", False),
        "l": ("litre", "litres", False),
        "L": ("litre", "litres", False),
        "kWh": ("kilowattheure", "kilowattheures", False),
        "MWh": ("mégawattheure", "mégawattheures", False),
        "GWh": ("gigawattheure", "gigawattheures", False),
        "TWh": ("térawattheure", "térawattheures", False),
        "kW": ("kilowatt", "kilowatts", False),
        "MW": ("mégawatt", "mégawatts", False),
        "GW": ("gigawatt", "gigawatts", False),
        "Mo": ("mégaoctet", "mégaoctets", False),
        "Go": ("gigaoctet", "gigaoctets", False),
        "To": ("téraoctet", "téraoctets", False),
        "min": ("minute", "minutes", True),
        "mn": ("minute", "minutes", True),
        "ms": ("milliseconde", "millisecondes", True),
        "hab.": ("habitant", "habitants", False),
    }
)

# Currencies: symbol or code -> (singular, plural, feminine).
CURRENCIES = MappingProxyType(
    {
        "€": ("euro", "euros", False),
        "EUR": ("euro", "euros", False),
        "$US": ("dollar", "dollars", False),
        "US$": ("dollar", "dollars", False),
        "$": ("dollar", "dollars", False),
        "USD": ("dollar", "dollars", False),
        "£": ("livre", "livres", True),
        "GBP": ("livre", "livres", True),
        "¥": ("yen", "yens", False),
        "CHF": ("franc suisse", "francs suisses", False),
    }
)

# Multipliers written before a currency symbol ("1,5 M€", "6 Md$", "500 k€").
MULTIPLIERS = MappingProxyType(
    {
        "k": "mille",
        "K": "mille",
        "M": "million",
        "Mn": "million",
        "Md": "milliard",
        "Mds": "milliard",
        "Mrd": "milliard",
        "Mrds": "milliard",
        "G": "milliard",
    }
)

# Feminine nouns commonly counted: "21 heures" -> "vingt et une heures" (plural adds "s").
FEMININE_NOUNS = frozenset(
    """
    heure minute seconde journée nuit semaine année décennie fois personne femme fille mère
    sœur tonne voiture victime page place classe étoile maison famille entreprise commune
    ville région école balle voix vie étape édition saison partie manche loi mesure chose raison
    question proposition idée élection circonscription nation langue usine société banque
    association bouteille cigarette dose calorie tranche centaine dizaine douzaine vingtaine
    trentaine quarantaine cinquantaine soixantaine année-lumière génération chaîne station
    ligne route rue voie porte chambre table carte lettre note photo image vidéo œuvre chanson
    plainte affaire enquête arrestation interpellation candidate députée sénatrice espèce
    fusée bombe frappe attaque roquette arme munition troupe division brigade compagnie
    université faculté clinique pharmacie boulangerie épreuve course médaille victoire défaite
    finale demi-finale rencontre réunion séance session conférence exposition présentation
    """.split()
)

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

# Names after which a roman numeral is a regnal number ("Louis XIV" -> "Louis quatorze").
REGNAL_NAMES = frozenset(
    """
    Louis Henri Charles François Philippe Jean Paul Jean-Paul Pie Benoît Léon Grégoire Clément
    Innocent Urbain Boniface Sixte Alexandre Napoléon Élisabeth Elisabeth Elizabeth Édouard
    Edouard George Georges Guillaume Frédéric Nicolas Pierre Catherine Victor-Emmanuel Juan
    Carlos Felipe Alphonse Ferdinand Christian Harald Olav Gustave Carl Mohammed Hassan Abdallah
    Baudouin Albert Rainier Léopold Constantin Richard Henry Jacques Rodolphe Othon Conrad
    Lothaire Pépin Childéric Clovis Dagobert Robert Hugues Philippe-Auguste Martin Eugène Marcel
    Vatican Acte acte Tome tome Chapitre chapitre Livre Titre Saison saison Volume volume
    """.split()
)

# Acronyms spelled letter by letter.
SPELLED_ACRONYMS = frozenset(
    """
    UE FMI PIB USA PS RN LFI BCE PME TVA SNCF AFP NSA FN USGS CGT CFDT RATP EDF GDF PMA IVG HLM TGV
    RER PDG DRH CDI CDD RSA OMS OCDE ONG OGM PCF UMP LR UDI CNRS CSA ARS SDF JO JT RFI RTL BBC CNN
    FBI CIA KGB URSS RDA RFA UK IA PC CV VTC SUV TPE QG PSG OM OL DGSE DGSI GIGN CRS HEC ADN ARN
    BFM BFMTV TF LCI LCP AP AFD CHU TER ESA BNP SAS SARL RGPD TNT USB PMU CAC EPR UNEF FNSEA
    TPMP OQTF CRA FO MRAP LDH CSG CRDS APL AAH PLU CSP IDF TTC HT BTP RH BD DJ TV GPS SMS PDF URL
    VIP CEA SOS ANSM
    """.split()
)

# Acronyms read as words, with the spelling that makes engines say them right.
WORD_ACRONYMS = MappingProxyType(
    {
        "OTAN": "Otan",
        "ONU": "Onu",
        "UNESCO": "Unesco",
        "UNICEF": "Unicef",
        "SIDA": "sida",
        "COVID": "Covid",
        "NASA": "Nasa",
        "OPEP": "Opep",
        "INSEE": "Insé",
        "URSSAF": "Urssaf",
        "SAMU": "Samu",
        "SMIC": "Smic",
        "MEDEF": "Medef",
        "CNIL": "Cnil",
        "IFOP": "Ifop",
        "INSERM": "Inserm",
        "CERN": "Cern",
        "UEFA": "Uéfa",
        "FIFA": "Fifa",
        "ENA": "Éna",
        "INA": "Ina",
        "CAF": "Caf",
        "RAID": "Raid",
        "UNEDIC": "Unédic",
        "EHPAD": "Éhpad",
        "ZAD": "Zad",
        "OVNI": "ovni",
        "CELSA": "Celsa",
        "ARCOM": "Arcom",
        "ASEAN": "Aséane",
        "CNES": "Cness",
    }
)

# Words after a round number of millions that take no "de" ("2000000 de personnes", but
# "2000000 sont").
AFTER_MILLIONS_NO_DE = frozenset(
    """
    de d' du des et ou à au aux en dans pour par sur avec sans contre est sont ont a avait
    avaient était étaient sera seront serait seraient ne n' se s' qui que qu' environ près plus
    moins selon
    """.split()
)

# Symbols read as words when nothing more specific applied.
SYMBOLS = MappingProxyType(
    {
        "&": " et ",
        "=": " égale ",
        "§": " paragraphe ",
        "±": " plus ou moins ",
        "×": " fois ",
        "~": " environ ",
        "≈": " environ ",
        "@": " arobase ",
        "%": " pour cent ",
        "‰": " pour mille ",
        "+": " plus ",
        "€": " euros ",
        "$": " dollars ",
        "£": " livres ",
        "°": " degrés ",
        "№": " numéro ",
        "*": " ",
        "_": " ",
        "|": ", ",
        "•": ", ",
        "·": ", ",
        "→": ", ",
        "/": " ",
        "\\": " ",
    }
)

# Words that open a clause: split_for_engine prefers to cut before them.
CONJUNCTIONS = frozenset(
    "et mais ou donc car qui que qu' où dont puis lorsque lorsqu' quand parce puisque "
    "puisqu' tandis alors ni sans avant après pour".split()
)

# Words before a "." that never ends a sentence ("M. Dupont", "p. 12").
NON_FINAL_ABBREVIATIONS = frozenset(
    """
    M MM Mme Mmes Mlle Mlles Dr Pr Me Mgr St Ste Sts Stes av apr cf p pp ex env vol chap art n no
    tél hab éd fig coll dir boul bd Jr Sr vs c.-à-d p.ex ch
    """.split()
)
