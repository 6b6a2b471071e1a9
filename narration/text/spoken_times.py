"""Spoken form, part 5: times of day, ratios, dates and decades, read as words.

Each function takes text (and the language data, English by default) and returns text. Years
themselves (``1917``, ``1920s``, ``1936–37``) are read by :func:`spoken_numbers.years_to_words`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from narration.text.spoken_en import ENGLISH
from narration.text.spoken_lang import SpokenLanguage, cardinal, ordinal, plural_of_number


def _ampm(name: str) -> str:
    return rf"(?P<{name}>\s?(?:[AP] M|[ap]m|[AP]M)\b)"


# "10:30", "10.30 am", "3:30pm", "5pm", "5 P M" (what "5 p.m." is by then)
_CLOCK = re.compile(
    rf"(?<![\w.,:])(?P<hours>[01]?\d|2[0-4])(?::(?P<minutes>[0-5]\d)(?![:]|[.,]\d){_ampm('ampm1')}?(?!\w)"
    rf"|\.(?P<dotted>[0-5]\d){_ampm('ampm2')}|{_ampm('ampm3')})"
)
_RATIO = re.compile(r"(?<![\w.,:])(\d+):(\d+)(?![\w:]|[.,]\d)")
_DIGIT = re.compile(r"\d")
_PHRASE_END = re.compile(r"\s*(?:[,.;:!?)]|\Z)|\s+\d{4}\b")
_DECADE = re.compile(r"(?<![\w'])'([1-9]0)s\b|(?<![\w.,'])([1-9]0)'?s\b")


def times_to_words(text: str, lang: SpokenLanguage = ENGLISH) -> str:
    """``10:30 a.m.`` (``a.m.`` is "A M" by then) -> "ten thirty A M", ``5:05`` -> "five oh five",
    ``10:00 P M`` -> "ten P M", ``3:30pm`` / ``10.30 am`` -> "three thirty P M", "ten thirty A M",
    ``5pm`` -> "five P M", ``24:00`` -> "twenty-four hundred", ``14:00`` -> "fourteen hundred".
    Not touched: ``3:1`` (a ratio, see :func:`ratios_to_words`), ``12:75``, ``1:2:3``, ``10.30``
    without am or pm (a decimal), ``14pm``."""

    def replace(match: re.Match[str]) -> str:
        hours = int(match["hours"])
        minutes = int(match["minutes"] or match["dotted"] or 0)
        ampm = match["ampm1"] or match["ampm2"] or match["ampm3"] or ""
        if ampm and hours > 12:
            return match.group()
        ampm = f" {ampm.strip()[0].upper()} M" if ampm else ""
        said = cardinal(hours, lang)
        if minutes:
            said += f" {lang.word('oh')} {cardinal(minutes, lang)}" if minutes < 10 else f" {cardinal(minutes, lang)}"
        elif not ampm and (hours > 12 or match["hours"].startswith("0") or hours == 0):
            said += f" {lang.word('hundred')}"
        return said + ampm

    return _CLOCK.sub(replace, text) if _DIGIT.search(text) else text


def ratios_to_words(text: str, lang: SpokenLanguage = ENGLISH) -> str:
    """``a 3:1 ratio`` -> "a three to one ratio", ``by 10:1`` -> "by ten to one": two numbers joined
    by a colon that are not a time (run after :func:`times_to_words`). Not touched: three numbers
    (``1:2:3``), decimals (``1.5:1``), a colon before words (``Chapter 1: The``)."""
    if ":" not in text:
        return text
    return _RATIO.sub(lambda m: f"{cardinal(int(m[1]), lang)} {lang.word('to')} {cardinal(int(m[2]), lang)}", text)


@lru_cache(maxsize=8)
def _date_patterns(lang: SpokenLanguage) -> tuple[re.Pattern[str], re.Pattern[str]]:
    months = "|".join(sorted(lang.months))
    day = r"(?:[12]\d|3[01]|0?[1-9])"
    suffix = "(?:st|nd|rd|th)"
    month_day = re.compile(
        rf"\b({months})\s+({day})({suffix})?(?:(\s+{lang.word('to')}\s+|-|\u2013)({day}){suffix}?)?(?![\w:])"
    )
    day_month = re.compile(rf"(?<![\w.,])({day})(?:st|nd|rd|th)?\s+({months})\b")
    return month_day, day_month


def dates_to_words(text: str, lang: SpokenLanguage = ENGLISH) -> str:
    """``March 5, 1917`` -> "March fifth, 1917", ``March 5-7`` -> "March fifth to seventh", ``5 March
    1917`` -> "the fifth of March 1917" (the year is read later). Only a capitalised month name with
    a day of 1 to 31 that has a suffix (``5th``), ends the phrase, is followed by a year or comes
    after "on", "by", "since"...: ``in March 12 people`` and ``May 1917`` are left alone."""
    if not _DIGIT.search(text):
        return text
    month_day, day_month = _date_patterns(lang)

    def month_first(match: re.Match[str]) -> str:
        before = re.findall(r"(\w+)\s+\Z", text[max(0, match.start() - 20) : match.start()])
        opened = bool(before) and before[-1].lower() in lang.date_openers
        if not (match.group(3) or opened or _PHRASE_END.match(text, match.end())):
            return match.group()  # "in March 12 people died"; but "on August 11 a strike"
        said = f"{match.group(1)} {ordinal(int(match.group(2)), lang)}"
        if match.group(5):
            said += f" {lang.word('to')} {ordinal(int(match.group(5)), lang)}"
        return said

    def day_first(match: re.Match[str]) -> str:
        return f"{lang.word('the')} {ordinal(int(match.group(1)), lang)} {lang.word('of')} {match.group(2)}"

    return day_month.sub(day_first, month_day.sub(month_first, text))


def decades_to_words(text: str, lang: SpokenLanguage = ENGLISH) -> str:
    """``the '30s`` -> "the thirties", ``in the 30s`` / ``his 40's`` -> "the thirties", "his
    forties". A bare ``30s`` only after an opener such as "the", "early" or "his" (``30s`` alone may
    be seconds or shillings); four-digit decades (``1920s``) are read with the years."""

    def replace(match: re.Match[str]) -> str:
        tens = match.group(1) or match.group(2)
        if match.group(2):
            before = re.findall(r"([A-Za-z]+)[\s-]+\Z", text[max(0, match.start() - 20) : match.start()])
            if not before or before[-1].lower() not in lang.decade_openers:
                return match.group()
        return plural_of_number(cardinal(int(tens), lang))

    return _DECADE.sub(replace, text) if "0" in text else text
