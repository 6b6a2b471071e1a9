"""Spoken-form normalisation: what the engine receives for a written sentence.

The scripts stay as written; :func:`to_spoken` composes small ``str -> str`` steps (in
``spoken_marks``, ``spoken_words``, ``spoken_numbers``, ``spoken_letters``, ``spoken_times``,
``spoken_amounts`` and ``spoken_digits``; their data in ``spoken_data`` and, for the steps that
take a ``lang``, per language in ``spoken_en``) and applies the book's pronunciation lexicon
last. Example::

    >>> to_spoken("Lt. Smith served in World War II (pp. 102-103).")
    'Lieutenant Smith served in World War Two, pages one hundred and two to one hundred and three.'

The result is deterministic (it is part of the clip cache key) and ends with ``. ! ?``; it is
``""`` when nothing in the text can be said.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from pathlib import Path

from narration.errors import ConfigError
from narration.text import lexicon as _lexicon
from narration.text.lexicon import apply_lexicon
from narration.text.spoken_amounts import fractions_to_words, money_to_words, percent_to_words, units_to_words
from narration.text.spoken_digits import numbers_to_words, ordinals_to_words, symbols_to_words
from narration.text.spoken_en import ENGLISH
from narration.text.spoken_lang import SpokenLanguage
from narration.text.spoken_letters import acronyms_to_letters
from narration.text.spoken_marks import (
    brackets_to_pauses,
    close_lines,
    dashes_to_pauses,
    drop_quotation_marks,
    drop_unspeakable,
    ellipses_to_pauses,
    list_markers_to_pauses,
    normalise_characters,
    tidy_punctuation,
    unspeakable,
)
from narration.text.spoken_numbers import (
    heading_numerals,
    keyword_numerals,
    ordinal_numerals,
    ranges_to_words,
    regnal_numerals,
    unicode_numerals,
    years_to_words,
)
from narration.text.spoken_times import dates_to_words, decades_to_words, ratios_to_words, times_to_words
from narration.text.spoken_words import (
    expand_abbreviations,
    expand_addresses,
    expand_edition_editor,
    expand_initials,
    expand_saint_street,
)

__all__ = [
    "LANGUAGES",
    "STEPS",
    "apply_lexicon",
    "load_lexicon",
    "spoken_language",
    "steps_for",
    "to_spoken",
    "unspeakable",
]

# The order matters: addresses before anything reads their dots; abbreviations and initials
# before numerals ("Vol. II", "a.m."); roman numerals before acronyms ("II" is no acronym); money
# before ranges ("$5-10"); ranges before the amounts ("5-10%") and dashes; every reading of a
# number in context before the numbers left over; pauses before the final tidy-up.
STEPS: tuple[Callable[..., str], ...] = (
    normalise_characters,
    drop_unspeakable,
    expand_addresses,
    expand_saint_street,
    expand_edition_editor,
    expand_abbreviations,
    expand_initials,
    unicode_numerals,
    keyword_numerals,
    regnal_numerals,
    ordinal_numerals,
    heading_numerals,
    money_to_words,
    acronyms_to_letters,
    times_to_words,
    ratios_to_words,
    ranges_to_words,
    dates_to_words,
    years_to_words,
    decades_to_words,
    symbols_to_words,
    percent_to_words,
    fractions_to_words,
    units_to_words,
    ordinals_to_words,
    list_markers_to_pauses,
    numbers_to_words,
    ellipses_to_pauses,
    dashes_to_pauses,
    brackets_to_pauses,
    drop_quotation_marks,
    tidy_punctuation,
    close_lines,
)


# The languages the steps have data for, by language code.
LANGUAGES: Mapping[str, SpokenLanguage] = {"en": ENGLISH}


def spoken_language(code: str | None) -> SpokenLanguage:
    """The data for a language code (``"en"``, ``"en-GB"`` -> English); :class:`ConfigError` for a
    language that has none yet."""
    key = (code or "en").lower().replace("_", "-").split("-")[0]
    if key not in LANGUAGES:
        raise ConfigError(f"no spoken-form data for language {code!r} yet (have: {', '.join(sorted(LANGUAGES))})")
    return LANGUAGES[key]


@functools.lru_cache(maxsize=8)
def steps_for(language: str | None = None) -> tuple[Callable[[str], str], ...]:
    """:data:`STEPS` with the data of ``language`` (a book's language code; ``None``: English) bound
    to the steps that take it; :class:`ConfigError` for a language that has no data yet."""
    lang = spoken_language(language)
    bound: list[Callable[[str], str]] = []
    for step in STEPS:
        if "lang" in inspect.signature(step).parameters:
            bound.append(functools.update_wrapper(functools.partial(step, lang=lang), step))
        else:
            bound.append(step)
    return tuple(bound)


def to_spoken(text: str, lexicon: Mapping[str, str] | None = None, language: str | None = None) -> str:
    """What the engine receives for ``text`` (the script keeps the written form)."""
    for step in STEPS if language is None else steps_for(language):
        text = step(text)
    return apply_lexicon(text, lexicon)


def load_lexicon(scripts_dir: Path) -> dict[str, str]:
    """The book's pronunciation lexicon, ``<scripts_dir>/lexicon.toml`` (``{}`` when absent)."""
    return _lexicon.load_lexicon(scripts_dir)
