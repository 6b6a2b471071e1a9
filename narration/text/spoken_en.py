"""English data of the spoken-form steps for numbers, amounts, dates, letters and symbols.

Plain data only (see :class:`narration.text.spoken_lang.SpokenLanguage` for what each field is).
Spellings are British (the voice says "kilometre" and "kilometer" alike).
"""

from __future__ import annotations

from narration.text.spoken_data import words_of
from narration.text.spoken_lang import Currency, SpokenLanguage, Unit

_DOLLAR = Currency("dollar", "dollars", "cent", "cents")

CURRENCIES = {
    "US$": Currency("US dollar", "US dollars", "cent", "cents"),
    "A$": Currency("Australian dollar", "Australian dollars", "cent", "cents"),
    "C$": Currency("Canadian dollar", "Canadian dollars", "cent", "cents"),
    "$": _DOLLAR,
    "£": Currency("pound", "pounds", "penny", "pence"),
    "€": Currency("euro", "euros", "cent", "cents"),
    "¥": Currency("yen", "yen"),
    "₽": Currency("rouble", "roubles", "kopek", "kopeks"),
    "₹": Currency("rupee", "rupees"),
    "¢": Currency("cent", "cents"),
}

CURRENCY_AFTER = {"¢": "¢"}

MULTIPLIERS = {
    "k": "thousand",
    "m": "million",
    "mn": "million",
    "bn": "billion",
    "thousand": "thousand",
    "million": "million",
    "billion": "billion",
    "trillion": "trillion",
}


def _u(singular: str, plural: str | None = None) -> Unit:
    return Unit(singular, plural or singular + "s")


UNITS = {
    # metric
    "mm": _u("millimetre"),
    "cm": _u("centimetre"),
    "m": _u("metre"),
    "km": _u("kilometre"),
    "mg": _u("milligram"),
    "g": _u("gram"),
    "kg": _u("kilogram"),
    "ml": _u("millilitre"),
    "ha": _u("hectare"),
    "km²": _u("square kilometre"),
    "m²": _u("square metre"),
    "sq km": _u("square kilometre"),
    "sq. km": _u("square kilometre"),
    "km/h": _u("kilometre per hour", "kilometres per hour"),
    "kph": _u("kilometre per hour", "kilometres per hour"),
    "m/s": _u("metre per second", "metres per second"),
    "kW": _u("kilowatt"),
    "MW": _u("megawatt"),
    "kWh": _u("kilowatt hour"),
    "Hz": _u("hertz", "hertz"),
    "kHz": _u("kilohertz", "kilohertz"),
    "MHz": _u("megahertz", "megahertz"),
    # imperial
    "mph": _u("mile per hour", "miles per hour"),
    "ft": _u("foot", "feet"),
    "ft.": _u("foot", "feet"),
    "in.": _u("inch", "inches"),
    "lb": _u("pound"),
    "lb.": _u("pound"),
    "lbs": _u("pound"),
    "lbs.": _u("pound"),
    "oz": _u("ounce"),
    "oz.": _u("ounce"),
    "mi.": _u("mile"),
    "yd": _u("yard"),
    "yd.": _u("yard"),
    "yds": _u("yard"),
    "yds.": _u("yard"),
    "sq. mi.": _u("square mile"),
    "sq mi": _u("square mile"),
    # time
    "hrs": _u("hour"),
    "hrs.": _u("hour"),
    "hr": _u("hour"),
    "hr.": _u("hour"),
    "min.": _u("minute"),
    "sec.": _u("second"),
    # temperatures and angles
    "°C": _u("degree Celsius", "degrees Celsius"),
    "°F": _u("degree Fahrenheit", "degrees Fahrenheit"),
    "° C": _u("degree Celsius", "degrees Celsius"),
    "° F": _u("degree Fahrenheit", "degrees Fahrenheit"),
    "°": _u("degree"),
}

# Units that are also words or end a sentence with their full stop ("come in.", "my.")
DOTTED_UNITS = frozenset(unit for unit in UNITS if unit.endswith("."))

FRACTIONS = {2: ("half", "halves"), 4: ("quarter", "quarters"), 100: ("hundredth", "hundredths")}
FRACTION_DENOMINATORS = frozenset([2, 3, 4, 5, 6, 8, 10, 12, 16, 32, 64, 100])
VULGAR_FRACTIONS = {
    "½": (1, 2),
    "⅓": (1, 3),
    "⅔": (2, 3),
    "¼": (1, 4),
    "¾": (3, 4),
    "⅕": (1, 5),
    "⅖": (2, 5),
    "⅗": (3, 5),
    "⅘": (4, 5),
    "⅙": (1, 6),
    "⅚": (5, 6),
    "⅛": (1, 8),
    "⅜": (3, 8),
    "⅝": (5, 8),
    "⅞": (7, 8),
}

MONTHS = words_of("January February March April May June July August September October November December")

WORDS = {
    "minus": "minus",
    "point": "point",
    "percent": "percent",
    "and": "and",
    "a": "a",
    "one": "one",
    "to": "to",
    "the": "the",
    "of": "of",
    "hundred": "hundred",
    "oh": "oh",
    "circa": "circa",
}

SYMBOLS = {
    "&": "and",
    "§": "section",
    "§§": "sections",
    "#": "number",
    "+": "plus",
    "=": "equals",
    "~": "about",
    "×": "times",
    "× unit": "by",  # between dimensions: "3 × 4 m" -> "three by four metres"
}

SPELLED_ACRONYMS = words_of(
    """
    BBC CIA CNN CP CPGB CPSU CPUSA DC ECCI EU FBI GDR GPU ILP IMF KGB KPD MP MPs NGO NKVD OGPU PC
    RAF RSDLP SDP SOS SPD SR SRs TUC UK UN UNO US USA USSR VAT
    """
)
WORD_ACRONYMS = words_of(
    """
    AIDS ASEAN CERN FIFA GATT NASA NATO NEP OPEC POUM RADAR SEATO SWAPO UNESCO UNICEF UNITA
    """
)

# Words that may be written in capitals for emphasis or in a heading: never spelled.
CAPITAL_WORDS = words_of(
    """
    A ALL AM AN AND ANY ARE AS AT BE BUT BY CAN DID DO FOR GO HAD HAS HE HER HIM HIS HOW I IF IN IS IT
    ITS LET MAY ME MEN MR MRS MY NO NOR NOT NOW OF OFF OH OK ON ONE OR OUR OUT OWN SAW SAY SEE SHE SO
    THE TO TOO TWO UP WAR WAS WE WHO WHY YES YET YOU
    """
)

# Consonant groups an English word can start with; an unknown acronym starting with another
# (CPSU, GPU, FBI) is spelled.
ONSETS = words_of(
    """
    b bl br c ch chr cl cr d dr dw f fl fr g gl gn gr h j k kl kn kr l m n p ph pl pr ps qu r s sc sch
    scr sh shr sk sl sm sn sp sph spl spr squ st str sw t th thr tr ts tw v w wh wr x y z
    """
)

LETTER_NAMES = {"A": "Eh"}  # alone, the voice reads "A" as the article

DECADE_OPENERS = frozenset(["the", "early", "mid", "late", "his", "her", "their", "its", "our", "my", "your"])

DATE_OPENERS = frozenset(["on", "by", "until", "till", "from", "since", "before", "after", "of"])

ENGLISH = SpokenLanguage(
    code="en",
    num2words="en",
    currencies=CURRENCIES,
    currency_after=CURRENCY_AFTER,
    multipliers=MULTIPLIERS,
    units=UNITS,
    dotted_units=DOTTED_UNITS,
    fractions=FRACTIONS,
    fraction_denominators=FRACTION_DENOMINATORS,
    vulgar_fractions=VULGAR_FRACTIONS,
    months=MONTHS,
    words=WORDS,
    symbols=SYMBOLS,
    spelled_acronyms=SPELLED_ACRONYMS,
    word_acronyms=WORD_ACRONYMS,
    capital_words=CAPITAL_WORDS,
    onsets=ONSETS,
    letter_names=LETTER_NAMES,
    decade_openers=DECADE_OPENERS,
    date_openers=DATE_OPENERS,
)
