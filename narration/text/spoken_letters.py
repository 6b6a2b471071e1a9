"""Spoken form, part 7: acronyms, read letter by letter or as a word.

The voice guesses: it spells ``USSR`` but says "see-soo" for ``CPSU`` and "tuck" for ``TUC``. An
acronym in the language's list of spelled acronyms is written as separate letters (``C P S U``);
one in the list of word acronyms (``NATO``, ``UNESCO``) is left to be read as a word. An unknown
one is spelled when it cannot be a word: no vowel (``NKVD``), a start no word has (``GPU``), two
letters, or three that are not consonant-vowel-consonant (``ILP``; not ``MIX``), unless it is an
ordinary word written in capitals (``NOT``).
"""

from __future__ import annotations

import re

from narration.text.spoken_en import ENGLISH
from narration.text.spoken_lang import SpokenLanguage
from narration.text.spoken_numbers import roman_value

# Two to eight capitals, with an optional plural "s" or "'s" ("SRs", "MP's").
_ACRONYM = re.compile(r"(?<![\w'&.-])([A-Z]{2,8})('?s)?(?![\w'&$]|\.\w)")
_VOWELS = set("AEIOUY")


def _leading_consonants(word: str) -> str:
    match = re.match(r"[^AEIOUY]*", word)
    return match.group().lower() if match else ""


def spells(word: str, lang: SpokenLanguage = ENGLISH) -> bool:
    """Whether an acronym in capitals is read letter by letter (see the module's rule)."""
    if word in lang.spelled_acronyms:
        return True
    if word in lang.word_acronyms or word in lang.capital_words:
        return False
    if not _VOWELS & set(word) or len(word) == 2:
        return True
    if len(word) == 3 and not re.fullmatch(r"[^AEIOUY][AEIOU][^AEIOUY]", word):
        return True  # "ILP", "CIA"; a consonant-vowel-consonant ("MIX") may be a word
    onset = _leading_consonants(word)
    return bool(onset) and onset not in lang.onsets


def spell(word: str, lang: SpokenLanguage = ENGLISH) -> str:
    """``"CPSU"`` -> "C P S U"; the letters the voice would misread are respelled (``A`` -> "Eh")."""
    return " ".join(lang.letter_names.get(letter, letter) for letter in word)


def _in_capitals_line(text: str, start: int, end: int) -> bool:
    """Whether the acronym stands in a run of words written in capitals (a heading, a shout)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    words = re.findall(r"[^\W\d_]{2,}", text[line_start : line_end if line_end >= 0 else len(text)])
    capitals = [w for w in words if w.isupper()]
    return len(words) >= 4 and len(capitals) / len(words) > 0.6


def acronyms_to_letters(text: str, lang: SpokenLanguage = ENGLISH) -> str:
    """``the CPSU`` -> "the C P S U", ``the SRs`` -> "the S R's", ``USSR`` -> "U S S R"; ``NATO``
    and ``UNESCO`` stay words. Not touched: a roman numeral made of ``I V X`` (``II``: read in
    context earlier, or left), words in a line written all in capitals (a heading), mixed case
    (``PhD``, ``McDonald``) and single letters."""

    def replace(match: re.Match[str]) -> str:
        word, plural = match.group(1), match.group(2) or ""
        if set(word) <= set("IVX") and roman_value(word) is not None:
            return match.group()
        known_plural = plural == "s" and word + "s" in lang.spelled_acronyms
        if not spells(word, lang) and not known_plural:
            return match.group()
        if word not in lang.spelled_acronyms and _in_capitals_line(text, match.start(), match.end()):
            return match.group()
        return spell(word, lang) + ("'s" if plural else "")

    return _ACRONYM.sub(replace, text)
