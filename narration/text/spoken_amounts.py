"""Spoken form, part 4: money, percentages, fractions and units of measure, read as words.

Each function takes text (and the language data, English by default) and returns text. The
voice reads ``$4.50`` as "dollar four point five zero", ``3/4`` as "three slash four" and
``80 km/h`` as "eighty K M slash H"; these steps write what a reader says instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from narration.text.spoken_en import ENGLISH
from narration.text.spoken_lang import Currency, SpokenLanguage, cardinal, ordinal

# A written number: digits with thousands separators and decimals ("1,240,000", "2.3", "0.50").
NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# A minus sign that makes a number negative: not a hyphen inside a word or a range ("B-52", "5-10").
MINUS = r"(?:(?<![\w.,%)\]'-])-)"
_NOT_INSIDE_NUMBER = r"(?![\w]|[.,]\d)"
_DIGIT = re.compile(r"\d")
_ARTICLE_BEFORE = re.compile(r"\b[Aa]n?\s+\Z")  # "a 45° angle" -> "a forty-five-degree angle"
_NOUN_AFTER = re.compile(r"\s+[a-z]")
_TERMINAL_STOP = re.compile(r"\s*(?:\Z|[\"')\]]*\s+[A-Z])")


def number_words(written: str, lang: SpokenLanguage = ENGLISH) -> str:
    """``"1,240,000"`` -> "one million two hundred and forty thousand"; ``"-3.5"`` -> "minus
    three point five"."""
    return cardinal(written.replace(",", ""), lang)


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# --- money ------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _money_pattern(lang: SpokenLanguage) -> re.Pattern[str]:
    signs = _alternatives([s for s in lang.currencies if s not in lang.currency_after])
    glued = _alternatives([m for m in lang.multipliers if len(m) <= 2])
    spaced = _alternatives([m for m in lang.multipliers if len(m) > 2])
    return re.compile(
        rf"(?P<neg>{MINUS})?(?<![\w$])(?P<sign>{signs})\s?(?P<num>{NUMBER})"
        rf"(?:\s?(?:-|\u2013|\u2014|to)\s?(?:{signs})?(?P<num2>{NUMBER}))?"
        rf"(?:(?P<mult>{glued})\b|\s(?P<mult2>{spaced})\b)?{_NOT_INSIDE_NUMBER}"
    )


@lru_cache(maxsize=8)
def _cents_pattern(lang: SpokenLanguage) -> re.Pattern[str]:
    return re.compile(
        rf"(?P<neg>{MINUS})?(?<![\w.,])(?P<num>{NUMBER})\s?(?P<sign>{_alternatives(lang.currency_after)})"
    )


def money_to_words(text: str, lang: SpokenLanguage = ENGLISH) -> str:
    """``$4.50`` -> "four dollars and fifty cents", ``$2 million`` / ``$2m`` -> "two million
    dollars", ``£12`` -> "twelve pounds", ``€30``, ``¥500``, ``US$5`` -> "five US dollars", ``5¢``
    -> "five cents", ``$5–10`` -> "five to ten dollars", ``-$5`` -> "minus five dollars". A
    currency sign not followed by a number (``$``, ``US$``) is left alone."""

    def replace(match: re.Match[str]) -> str:
        currency = lang.currencies[match["sign"]]
        multiplier = match["mult"] or match["mult2"]
        first, last = match["num"], match["num2"]
        minus = f"{lang.word('minus')} " if match["neg"] else ""
        if multiplier or last:
            amount = number_words(first, lang)
            if last:
                amount += f" {lang.word('to')} {number_words(last, lang)}"
            scale = f" {lang.multipliers[multiplier]}" if multiplier else ""
            return f"{minus}{amount}{scale} {currency.plural}"
        return minus + _amount(first, currency, lang)

    def cents(match: re.Match[str]) -> str:
        currency = lang.currencies[lang.currency_after[match["sign"]]]
        minus = f"{lang.word('minus')} " if match["neg"] else ""
        return minus + _amount(match["num"], currency, lang)

    if not _DIGIT.search(text):
        return text
    return _cents_pattern(lang).sub(cents, _money_pattern(lang).sub(replace, text))


def _amount(written: str, currency: Currency, lang: SpokenLanguage) -> str:
    whole, _, minor = written.replace(",", "").partition(".")
    if minor and (len(minor) != 2 or currency.minor_plural is None):
        return f"{cardinal(written.replace(',', ''), lang)} {currency.plural}"
    parts = []
    if int(whole) or not minor or not int(minor):
        parts.append(f"{cardinal(int(whole), lang)} {currency.singular if int(whole) == 1 else currency.plural}")
    if minor and int(minor):
        name = currency.minor_singular if int(minor) == 1 else currency.minor_plural
        parts.append(f"{cardinal(int(minor), lang)} {name}")
    return f" {lang.word('and')} ".join(parts)


# --- percentages ------------------------------------------------------------------------------


def percent_to_words(text: str, lang: SpokenLanguage = ENGLISH) -> str:
    """``45%`` -> "forty-five percent", ``12.5 %`` -> "twelve point five percent", ``-3%`` ->
    "minus three percent". Not touched: ``per cent`` written out (the voice reads it), a ``%``
    with no number before it, and a number glued to letters (``B52%``)."""
    if "%" not in text:
        return text
    pattern = rf"(?P<neg>{MINUS})?(?<![\w.,])(?P<num>{NUMBER})\s?%"

    def replace(match: re.Match[str]) -> str:
        return f"{number_words(('-' if match['neg'] else '') + match['num'], lang)} {lang.word('percent')}"

    return re.sub(pattern, replace, text)


# --- fractions --------------------------------------------------------------------------------


def fraction_words(numerator: int, denominator: int, lang: SpokenLanguage = ENGLISH) -> str:
    """``(3, 4)`` -> "three quarters", ``(1, 2)`` -> "one half", ``(5, 8)`` -> "five eighths"."""
    one, several = lang.fractions.get(denominator) or (ordinal(denominator, lang), ordinal(denominator, lang) + "s")
    return f"{cardinal(numerator, lang)} {one if numerator == 1 else several}"


def _mixed(whole: str | None, numerator: int, denominator: int, lang: SpokenLanguage) -> str:
    if whole is None:
        return fraction_words(numerator, denominator, lang)
    part = fraction_words(numerator, denominator, lang)
    if numerator == 1:
        part = f"{lang.word('a')} {part.split(' ', 1)[1]}"  # "one and a half"
    return f"{cardinal(int(whole), lang)} {lang.word('and')} {part}"


def fractions_to_words(text: str, lang: SpokenLanguage = ENGLISH) -> str:
    """``3/4`` -> "three quarters", ``1 1/2`` -> "one and a half", ``½`` -> "one half", ``2¾`` ->
    "two and three quarters". Only proper fractions with a usual denominator (2, 3, 4, 8, 100, ...):
    ``9/11``, ``24/7``, ``1/2/1917`` and ``and/or`` are left alone."""
    vulgar = "".join(lang.vulgar_fractions)
    if "/" not in text and not any(c in text for c in vulgar):
        return text

    def unicode(match: re.Match[str]) -> str:
        numerator, denominator = lang.vulgar_fractions[match["frac"]]
        return _mixed(match["whole"], numerator, denominator, lang)

    def written(match: re.Match[str]) -> str:
        numerator, denominator = int(match["num"]), int(match["den"])
        if denominator not in lang.fraction_denominators or not 0 < numerator < denominator:
            return match.group()
        return _mixed(match["whole"], numerator, denominator, lang)

    if vulgar:
        text = re.sub(rf"(?<![\w.,])(?:(?P<whole>\d+)\s?)?(?P<frac>[{vulgar}])", unicode, text)
    pattern = r"(?<![\w/.,])(?:(?P<whole>\d+)\s+)?(?P<num>\d+)/(?P<den>\d+)(?![\w/]|[.,]\d)"
    return re.sub(pattern, written, text)


# --- units ------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _unit_pattern(lang: SpokenLanguage) -> re.Pattern[str]:
    units = _alternatives(lang.units)
    return re.compile(
        rf"(?P<neg>{MINUS})?(?<![\w.,])(?P<num>{NUMBER})(?P<sep>\s?|-)(?P<unit>{units})(?P<end>(?<=\.)|(?![\w²/]))"
    )


def units_to_words(text: str, lang: SpokenLanguage = ENGLISH) -> str:
    """A unit after a number: ``80 km/h`` -> "eighty kilometres per hour", ``5 mi.`` -> "five miles",
    ``6 ft.`` -> "six feet", ``1 lb.`` -> "one pound", ``−40°C`` -> "minus forty degrees Celsius",
    ``98.6°F``, ``45°`` -> "forty-five degrees"; ``a 10-km walk`` and ``a 45° angle`` -> "a
    ten-kilometre walk", "a forty-five-degree angle". Units
    written with a full stop keep it where it also ends the sentence. Not touched: a unit with no
    number before it ("in.", "m"), units that are words ("5 in the morning")."""

    def replace(match: re.Match[str]) -> str:
        unit = lang.units[match["unit"]]
        number = ("-" if match["neg"] else "") + match["num"]
        adjective = match["sep"] == "-" or (
            _ARTICLE_BEFORE.search(text, max(0, match.start() - 4), match.start()) is not None
            and _NOUN_AFTER.match(text, match.end()) is not None
        )
        name = unit.singular if adjective or number == "1" else unit.plural
        stop = ""
        if match["unit"].endswith(".") and _TERMINAL_STOP.match(text, match.end()):
            stop = "."
        return f"{number_words(number, lang)}{'-' if adjective else ' '}{name}{stop}"

    return _unit_pattern(lang).sub(replace, text) if _DIGIT.search(text) else text
