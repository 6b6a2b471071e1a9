"""The language data of the spoken-form steps for numbers, amounts, dates, letters and symbols.

A :class:`SpokenLanguage` holds every word those steps say (currency and unit names, month names,
the acronyms to spell, the words for ``&``, ``%``, ``§`` ...) and the code ``num2words`` reads
numbers in. The steps take it as their ``lang`` argument (English by default); another language
is one more module like :mod:`narration.text.spoken_en`, registered in
:data:`narration.text.spoken.LANGUAGES`. The
older steps (abbreviations, initials, roman-numeral keywords) read ``spoken_data`` and are English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from num2words import num2words

_LONGEST_NUMBER = 18  # digits; longer is read digit by digit ("one quintillion" is the last said)


@dataclass(frozen=True)
class Currency:
    """How an amount in one currency is read: ``$4.50`` -> "four dollars and fifty cents"."""

    singular: str
    plural: str
    minor_singular: str | None = None  # None: no minor unit is read ("¥500")
    minor_plural: str | None = None


@dataclass(frozen=True)
class Unit:
    """A unit of measure written after a number: ``5 km`` -> "five kilometres"."""

    singular: str
    plural: str


@dataclass(frozen=True, eq=False)  # eq=False: hashed by identity, so patterns can be cached per language
class SpokenLanguage:
    """Everything the number, amount, date, letter and symbol steps say in one language."""

    code: str  # the book's language code ("en")
    num2words: str  # num2words' code for it
    currencies: Mapping[str, Currency]  # written sign or prefix ("$", "US$", "£") -> names
    currency_after: Mapping[str, str]  # signs written after the amount ("¢") -> a key of currencies
    multipliers: Mapping[str, str]  # "$2m", "$2 million" -> "million"
    units: Mapping[str, Unit]  # written unit (case-sensitive) -> names
    dotted_units: frozenset[str]  # units written with a full stop that are also words ("in.", "mi.")
    fractions: Mapping[int, tuple[str, str]]  # denominator -> (one, several): 4 -> ("quarter", "quarters")
    fraction_denominators: frozenset[int]  # "a/b" is a fraction only for these b (not "9/11", "24/7")
    vulgar_fractions: Mapping[str, tuple[int, int]]  # "½" -> (1, 2)
    months: frozenset[str]
    words: Mapping[str, str]  # the small words: minus, point, percent, and, half, to, ...
    symbols: Mapping[str, str]  # symbol between words or numbers -> word ("&" -> "and")
    spelled_acronyms: frozenset[str]  # read letter by letter (USSR, BBC)
    word_acronyms: frozenset[str]  # read as words (NATO, UNESCO)
    capital_words: frozenset[str]  # ordinary words written in capitals, never spelled (NOT, AND)
    onsets: frozenset[str]  # consonant groups a word can start with: the rule for unknown acronyms
    letter_names: Mapping[str, str]  # how a spelled letter is written for the voice ("A" -> "Eh")
    decade_openers: frozenset[str]  # "the 30s", "early 30s": a bare decade after these words
    date_openers: frozenset[str]  # "on August 11 a strike": a month and day after these words is a date

    def word(self, key: str) -> str:
        return self.words[key]


def cardinal(number: int | float | str, lang: SpokenLanguage) -> str:
    """``102`` -> "one hundred and two"; ``"3.05"`` -> "three point zero five" (every decimal
    digit read, as written); a negative number starts with the language's word for minus."""
    text = str(number)
    negative = text.startswith("-")
    text = text.lstrip("-")
    whole, _, decimals = text.partition(".")
    if len(whole) > _LONGEST_NUMBER:  # a serial number, not a quantity: digit by digit
        words = " ".join(_cardinal(int(d), lang.num2words) for d in whole)
    else:
        words = _cardinal(int(whole or "0"), lang.num2words)
    if decimals:
        digits = " ".join(_cardinal(int(d), lang.num2words) for d in decimals)
        words = f"{words} {lang.word('point')} {digits}"
    return f"{lang.word('minus')} {words}" if negative else words


def ordinal(number: int, lang: SpokenLanguage) -> str:
    """``22`` -> "twenty-second"."""
    return _words(number, "ordinal", lang.num2words)


def year(number: int, lang: SpokenLanguage) -> str:
    """``1905`` -> "nineteen oh-five"."""
    return _words(number, "year", lang.num2words)


def plural_of_number(words: str) -> str:
    """``"thirty"`` -> "thirties", ``"nineteen twenty"`` -> "nineteen twenties" (English)."""
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


@lru_cache(maxsize=4096)
def _cardinal(number: int, code: str) -> str:
    return str(num2words(number, lang=code)).replace(",", "")  # "one million two hundred ...": no pause


@lru_cache(maxsize=4096)
def _words(number: int, to: str, code: str) -> str:
    return str(num2words(number, to=to, lang=code)).replace(",", "")
