"""Spoken form, part 3: roman numerals in context, number ranges and years.

Each function takes text and returns text. espeak-ng reads a capital roman numeral as "roman two"
(``World War II`` -> "World War roman two") and a year as "nineteen hundred seventeen"; numbers
become words here, with ``num2words``. A roman numeral is only read as a number in context (after
``Chapter``/``World War``/..., after a regnal name, or as ``the XVII Congress``): the pronoun ``I``
and words such as ``MIX`` or ``CIVIL`` stay as they are.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from num2words import num2words

from narration.text.patterns import ROMAN_LETTERS, ROMAN_NUMERAL
from narration.text.spoken_data import (
    NUMERAL_KEYWORDS,
    PRONOUN_I_FOLLOWERS,
    REGNAL_NAMES,
    REGNAL_TITLES,
    SENTENCE_STARTERS,
)

_ROMAN_FORM = re.compile(ROMAN_NUMERAL)
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_KEYWORDS = "|".join(k.replace(" ", r"\s+") for k in sorted(NUMERAL_KEYWORDS, key=len, reverse=True))
_KEYWORD_NUMERAL = re.compile(rf"\b((?i:{_KEYWORDS}))(\s+)({ROMAN_LETTERS})\b(?![.-]\w)")
_REGNAL = re.compile(r"\b(?:([A-Z][a-z]+)\s+)?([A-Z][a-z]+)(\s+)([IVXLCDM]+)\b(?![.-]\w)")
_UNICODE_ROMAN = re.compile("[\u2160-\u2188]+")
_HEADING_NUMERAL = re.compile(r"^([ \t]*)([IVXLCDM]+)([.:])(?=[ \t]+[A-Z]|[ \t]*$)", re.M)
_ORDINAL_BEFORE_NOUN = re.compile(r"\b([Tt]he\s+)([IVXL]{2,})(\s+)(?=[A-Z][a-z])")
_NEXT_WORD = re.compile(r"\s+(\w+)")
_DASH = "\u2012\u2013\u2014-"  # the hyphen last: a literal, not a range, inside [...]
# a digit group is part of a larger number when a "," or "." joins it to more digits ("1,240,000", "3.1416")
_RANGE = re.compile(rf"(?<![\d.{_DASH}])(?<!\d,)(\d+)[ \t]?[{_DASH}][ \t]?(\d+)(?!\w|[,.]\d|[{_DASH}]\d)")
_YEAR = re.compile(
    # not inside a word, an amount or a date; but "mid-1930s" and "G.—1891"
    rf"(?:(?<![\w$£€#{_DASH}])|(?<=[a-z]-)|(?<=[^\d\s][\u2012-\u2015]))(?<!\d[,.])"
    rf"(1[1-9]\d\d|20\d\d)('?s)?(?: to (\d\d)\b)?"
    rf"(?!\w|[,.]\d|[{_DASH}]\d|%|\s?(?:per ?cent|percent)\b)"
)


def roman_value(numeral: str) -> int | None:
    """The value of a well-formed roman numeral in one case (``"XIV"`` -> 14), else None."""
    if not numeral or not (numeral.isupper() or numeral.islower()):
        return None
    upper = numeral.upper()
    if not _ROMAN_FORM.fullmatch(upper):
        return None
    values = [_ROMAN_VALUES[c] for c in upper]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


@lru_cache(maxsize=4096)
def _number_words(number: int, to: str) -> str:
    return num2words(number, to=to)


def _words(number: int, numeral: str, to: str = "cardinal") -> str:
    words = _number_words(number, to)
    return words.title() if numeral.isupper() else words


def _pronoun_follows(text: str, numeral: str, end: int) -> bool:
    """Whether a lone ``I`` is the pronoun: "when Peter I think ..."."""
    if numeral != "I":
        return False
    match = _NEXT_WORD.match(text, end)
    return match is not None and match.group(1).lower() in PRONOUN_I_FOLLOWERS


def keyword_numerals(text: str) -> str:
    """``World War II`` -> ``World War Two``, ``Chapter IV`` -> ``Chapter Four``, ``Volume II`` ->
    ``Volume Two``, ``page iv`` -> ``page four`` (the keywords are ``NUMERAL_KEYWORDS``)."""

    def replace(match: re.Match[str]) -> str:
        keyword, space, numeral = match.groups()
        value = roman_value(numeral)
        if value is None or _pronoun_follows(text, numeral, match.end()):
            return match.group()
        return f"{keyword}{space}{_words(value, numeral)}"

    return _KEYWORD_NUMERAL.sub(replace, text)


def regnal_numerals(text: str) -> str:
    """``Louis XIV`` -> ``Louis the Fourteenth``, ``Tsar Boris III`` -> ``Tsar Boris the Third``,
    ``Pius XI`` -> ``Pius the Eleventh``: after a name in ``REGNAL_NAMES`` or any name after a title
    in ``REGNAL_TITLES``; after any other capitalised name (not a sentence opener), a numeral of two
    letters or more made of ``I V X`` only. Not touched: ``Malcolm X``, ``Washington DC``, ``Size XL``,
    and ``Peter I think`` (the pronoun)."""

    def replace(match: re.Match[str]) -> str:
        title, name, _, numeral = match.groups()
        value = roman_value(numeral)
        known = name in REGNAL_NAMES or title in REGNAL_TITLES
        other = len(numeral) >= 2 and set(numeral) <= set("IVX") and name not in SENTENCE_STARTERS
        if not (known or other) or value is None or _pronoun_follows(text, numeral, match.end()):
            return match.group()
        prefix = f"{title} " if title else ""
        return f"{prefix}{name} the {_words(value, numeral, 'ordinal')}"

    return _REGNAL.sub(replace, text)


def ordinal_numerals(text: str) -> str:
    """``the XVII Congress`` -> ``the Seventeenth Congress`` (a numeral of two letters or more
    between "the" and a name)."""

    def replace(match: re.Match[str]) -> str:
        the, numeral, space = match.groups()
        value = roman_value(numeral)
        return match.group() if value is None else f"{the}{_words(value, numeral, 'ordinal')}{space}"

    return _ORDINAL_BEFORE_NOUN.sub(replace, text)


def ranges_to_words(text: str) -> str:
    """``pages 102-103`` -> ``pages 102 to 103``, ``1927-28`` -> ``1927 to 28``, ``1917–1964`` ->
    ``1917 to 1964``: a dash between two numbers where the second (completed from the first, as
    in ``1927-28``) is larger; scores, dates like ``2024-01-05`` and phone numbers are left alone."""

    def replace(match: re.Match[str]) -> str:
        first, last = match.groups()
        completed = first[: max(0, len(first) - len(last))] + last
        return f"{first} to {last}" if int(completed) > int(first) else match.group()

    return _RANGE.sub(replace, text)


def years_to_words(text: str) -> str:
    """``1917`` -> ``nineteen seventeen``, ``1920s`` / ``1920's`` / ``mid-1930s`` -> ``nineteen
    twenties``, ``mid-nineteen thirties``; a short range (``1936 to 37``, as :func:`ranges_to_words`
    leaves ``1936–37``) -> ``nineteen thirty-six to thirty-seven``, ``1905 to 06`` -> ``... to
    oh-six``. Four-digit numbers from 1100 to 2099 read as years (not amounts with
    ``%``/``percent``/currency, nor parts of ``1,240,000`` or ``3.1416``)."""

    def replace(match: re.Match[str]) -> str:
        first, plural, tail = match.group(1), match.group(2), match.group(3)
        words = _number_words(int(first), "year")
        if plural:
            words = words[:-1] + "ies" if words.endswith("y") else words + "s"
        if tail is None:
            return words
        if int(first[:2] + tail) <= int(first) or plural:
            return f"{words} to {tail}"  # "in 1936 to 20 villages": not a range of years
        said = _number_words(int(tail), "cardinal") if tail[0] != "0" else f"oh-{_number_words(int(tail), 'cardinal')}"
        return f"{words} to {said}"

    return _YEAR.sub(replace, text)


def unicode_numerals(text: str) -> str:
    """The roman-numeral characters ``Ⅰ Ⅱ Ⅻ ⅳ`` -> ``I II XII iv``, then read as any roman numeral
    in context (``Part Ⅲ`` -> ``Part Three``, ``Henry Ⅷ``); one that no context reads is a number
    all the same: ``Ⅻ`` alone -> ``twelve``. Not touched: ASCII letters (read only in context by
    the steps after this one) and a run of numeral characters that is no well-formed numeral."""

    def replace(match: re.Match[str]) -> str:
        letters = unicodedata.normalize("NFKC", match.group())
        before = text[max(0, match.start() - 30) : match.start()]
        if re.search(r"(?:\b[A-Z][a-z]+|\b(?i:" + _KEYWORDS + r"))\.?\s+\Z", before):
            return letters
        value = roman_value(letters)
        return letters if value is None else _number_words(value, "cardinal")

    return _UNICODE_ROMAN.sub(replace, text)


def heading_numerals(text: str) -> str:
    """A roman numeral that numbers a heading or a list at the start of a line: ``III. The
    Counter-Revolution`` -> ``Three. The Counter-Revolution``, ``IV.`` alone -> ``Four.``. ``I.``
    counts only alone or before a sentence opener (``I. Deutscher`` is an initial)."""

    def replace(match: re.Match[str]) -> str:
        space, numeral, mark = match.groups()
        value = roman_value(numeral)
        if value is None:
            return match.group()
        if numeral == "I":
            following = _NEXT_WORD.match(text, match.end())
            if following is not None and following.group(1) not in SENTENCE_STARTERS:
                return match.group()
        return f"{space}{_words(value, numeral)}{mark}"

    return _HEADING_NUMERAL.sub(replace, text)
