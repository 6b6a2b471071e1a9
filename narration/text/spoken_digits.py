"""Spoken form, part 6: ordinals, symbols between words or numbers, and the numbers left over.

Each function takes text (and the language data, English by default) and returns text. They run
after the steps that read numbers in context (money, units, times, dates, years), so what reaches
:func:`numbers_to_words` is a plain quantity.
"""

from __future__ import annotations

import re
from functools import lru_cache

from narration.text.spoken_amounts import MINUS, NUMBER, number_words
from narration.text.spoken_en import ENGLISH
from narration.text.spoken_lang import SpokenLanguage, cardinal, ordinal

_ORDINAL = re.compile(r"(?<![\w.,])(\d+)(st|nd|rd|th)\b")
_ORDINAL_SUFFIX = {"1": "st", "2": "nd", "3": "rd"}
_LEADING_ZERO = re.compile(r"0\d+")
_SYMBOL = re.compile(r"[&§#+=~×]")
_DIGIT = re.compile(r"\d")
# a number glued to letters ("A4", "MP3", "3D") or joined to more digits by "/" or "." or "-"
# ("1/2/1917", "2024-01-05", "192.168.1.1") is a code, read by the voice as written
_CODE = re.compile(r"[\w.]*\d[\w.]*(?:[-/.][\w.]*\d[\w.]*){2,}|[^\W\d_]+\d+\w*|\d+[^\W\d_]\w*")


def _suffix_matches(number: str, suffix: str) -> bool:
    last, tens = number[-1], number[-2:-1]
    expected = "th" if tens == "1" else _ORDINAL_SUFFIX.get(last, "th")
    return suffix == expected


def ordinals_to_words(text: str, lang: SpokenLanguage = ENGLISH) -> str:
    """``1st`` -> "first", ``22nd`` -> "twenty-second", ``the 19th-century`` -> "the
    nineteenth-century". Not touched: a suffix that does not fit the number (``2th``)."""

    def replace(match: re.Match[str]) -> str:
        number, suffix = match.groups()
        return ordinal(int(number), lang) if _suffix_matches(number, suffix) else match.group()

    return _ORDINAL.sub(replace, text) if _DIGIT.search(text) else text


@lru_cache(maxsize=8)
def _symbol_patterns(lang: SpokenLanguage) -> tuple[tuple[re.Pattern[str], str], ...]:
    words = lang.symbols
    return (
        (re.compile(r"(?<=\s)&(?=\s)|(?<=[A-Z])&(?=[A-Z])"), f" {words['&']} "),
        (re.compile(r"§§\s*(?=\d)"), f"{words['§§']} "),
        (re.compile(r"§\s*(?=\d)"), f"{words['§']} "),
        (re.compile(r"(?<![\w&])#\s?(?=\d)"), f"{words['#']} "),
        (re.compile(r"(?<=[^\W_])\s?\+\s?(?=[^\W_])"), f" {words['+']} "),
        (re.compile(r"(?<![\w+])\+(?=\d)"), f"{words['+']} "),
        (re.compile(r"(?<=\d)\+(?![\w+])|(?<=\b[A-Z])\+(?![\w+])"), f" {words['+']}"),
        (re.compile(r"(?<=[^\W_])\s?=\s?(?=[^\W_])"), f" {words['=']} "),
        (re.compile(r"(?<![\w~])~\s?(?=\d)"), f"{words['~']} "),
    )


def symbols_to_words(text: str, lang: SpokenLanguage = ENGLISH) -> str:
    """``A & B`` / ``R&D`` -> "and", ``§ 5`` -> "section 5", ``§§ 5-7`` -> "sections", ``#1`` ->
    "number 1", ``2 + 2 = 4`` -> "2 plus 2 equals 4", ``+5`` -> "plus 5", ``~50`` -> "about 50",
    ``3 × 4`` -> "3 times 4" (``3 × 4 m`` -> "3 by 4 m": dimensions). Not touched: a symbol that
    stands alone or inside a word (``AT&T's`` is read "A T and T's", ``C++``, ``#hashtag``)."""
    if not _SYMBOL.search(text):
        return text
    for pattern, word in _symbol_patterns(lang):
        text = pattern.sub(word, text)
    if "×" not in text:
        return text
    text = _dimensions_pattern(lang).sub(f" {lang.symbols['× unit']} ", text)
    return re.sub(r"(?<=[\d\w])\s?×\s?(?=[\d\w])", f" {lang.symbols['×']} ", text)


@lru_cache(maxsize=8)
def _dimensions_pattern(lang: SpokenLanguage) -> re.Pattern[str]:
    units = "|".join(re.escape(u) for u in sorted(lang.units, key=len, reverse=True))
    return re.compile(rf"(?<=\d)\s?×\s?(?=\d+(?:\.\d+)?\s?(?:{units})(?!\w))")


def numbers_to_words(text: str, lang: SpokenLanguage = ENGLISH) -> str:
    """Every number left: ``1,240,000`` -> "one million two hundred and forty thousand", ``3.5`` ->
    "three point five", ``-5`` and ``−5`` -> "minus five", ``2.3 million`` -> "two point three
    million", ``007`` -> "zero zero seven", ``36-hour`` -> "thirty-six-hour". Not touched: codes
    (``A4``, ``MP3``, ``1/2/1917``, ``2024-01-05``, ``192.168.1.1``), which the voice reads as written."""
    if not _DIGIT.search(text):
        return text
    codes = [(m.start(), m.end()) for m in _CODE.finditer(text)]

    def replace(match: re.Match[str]) -> str:
        if any(start <= match.start() < end for start, end in codes):
            return match.group()
        number = match["num"]
        # a footnote number after a quotation or a mark ('"heroic nudity"10') is a word of its own
        space = " " if match.start() and text[match.start() - 1] in '")]!?' else ""
        if _LEADING_ZERO.fullmatch(number):
            return space + " ".join(cardinal(int(d), lang) for d in number)
        return space + number_words(("-" if match["neg"] else "") + number, lang)

    return re.sub(rf"(?P<neg>{MINUS})?(?<![\w.,])(?P<num>{NUMBER})(?![.,]\d)", replace, text)
