"""The data of pronunciation discovery (:mod:`narration.text.words`), kept apart from the code.

Per language code, like :mod:`narration.text.spoken_en`: letter patterns that mark a word as
foreign to the language's voice, the suffixes a known word may take, and spelling variants the
pronouncing dictionary does not list (it is American: "organise" is known as "organize").
"""

from __future__ import annotations

from dataclasses import dataclass

from narration.text.spoken_data import words_of


@dataclass(frozen=True)
class WordsLanguage:
    code: str
    foreign_patterns: tuple[str, ...]  # regular expressions on the lower-case word
    suffixes: tuple[str, ...]  # longest first; a word is known when its stem is
    spelling_variants: tuple[tuple[str, str], ...]  # (ending as written, ending the dictionary knows)
    scores: dict[str, int]  # reason -> weight
    never: frozenset[str]  # capitalised words never worth a look (months, days)


ENGLISH_WORDS = WordsLanguage(
    code="en",
    foreign_patterns=(
        # Russian transliterations: Zinoviev, Preobrazhensky, Kharkov, Shchusev, Tsaritsyn, Yagoda
        r"kh",
        r"zh",
        r"shch",
        r"^ts|[^s]ts[aeiouy]",
        r"(?:ov|ev|yov|yev)(?:a|s)?$",
        r"(?:sky|ski|skaya|skii|sk)$",
        r"(?:vich|vitch|vna)$",
        r"^(?:ya|yu|ye)",
        r"iy|yi",
        r"[^aeiou]y[aeiou]",
        # German: Kautsky's Thälmann, Schlageter, Brandler, Kronstadt, Reichstag, Freikorps
        r"sch|tsch",
        r"stadt|städt|dt$",
        r"(?:mann|burg|berg|heim|hausen|dorf|feld|stein|thal)$",
        r"ei[^n]|ie(?:b|ch|g|p|k|ss|tz)|^ei",
        r"tz|pf|^kr|^kn|^sp[^aeiou]|^st[^aeiour]",
        r"aa|uu|ij|oe[^sy]",
        # Romance and others
        r"ç|ñ|gli[aeiou]|gn[aeo]$|^gn|eaux?$|oix$|ault$",
        r"[àáâãäåæèéêëìíîïòóôõöøùúûüýÿœšžčřłńśźżőű]",
    ),
    suffixes=(
        "isations",
        "izations",
        "isation",
        "ization",
        "ations",
        "ation",
        "ists",
        "isms",
        "ism",
        "ist",
        "ite",
        "ites",
        "ness",
        "ings",
        "ing",
        "ers",
        "er",
        "ed",
        "ly",
        "es",
        "s",
        "'s",
    ),
    spelling_variants=(
        ("isation", "ization"),
        ("isations", "izations"),
        ("ise", "ize"),
        ("ised", "ized"),
        ("ises", "izes"),
        ("ising", "izing"),
        ("yse", "yze"),
        ("ysed", "yzed"),
        ("our", "or"),
        ("ours", "ors"),
        ("oured", "ored"),
        ("ouring", "oring"),
        ("tre", "ter"),
        ("tres", "ters"),
        ("lled", "led"),
        ("lling", "ling"),
        ("ogue", "og"),
        ("ence", "ense"),
        ("mme", "m"),
    ),
    scores={
        "not in the dictionary": 3,
        "foreign spelling": 2,
        "name": 1,
        "unusual letters": 1,
        "mixed case": 1,
        "hyphenated name": 1,
    },
    never=words_of(
        """
        January February March April May June July August September October November December
        Monday Tuesday Wednesday Thursday Friday Saturday Sunday
        """
    ),
)

WORDS_LANGUAGES = {"en": ENGLISH_WORDS}
