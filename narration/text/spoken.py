"""Spoken-form normalisation: what the engine receives for a written sentence.

The scripts stay as written; :func:`to_spoken` composes small ``str -> str`` steps (in
``spoken_marks``, ``spoken_words`` and ``spoken_numbers``, their data in ``spoken_data``) and
applies the book's pronunciation lexicon last. Example::

    >>> to_spoken("Lt. Smith served in World War II (pp. 102-103).")
    'Lieutenant Smith served in World War Two, pages 102 to 103.'

The result is deterministic (it is part of the clip cache key) and ends with ``. ! ?``; it is
``""`` when nothing in the text can be said.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from narration.text import lexicon as _lexicon
from narration.text.lexicon import apply_lexicon
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
    keyword_numerals,
    ordinal_numerals,
    ranges_to_words,
    regnal_numerals,
    years_to_words,
)
from narration.text.spoken_words import (
    expand_abbreviations,
    expand_addresses,
    expand_edition_editor,
    expand_initials,
    expand_saint_street,
)

__all__ = ["STEPS", "apply_lexicon", "load_lexicon", "to_spoken", "unspeakable"]

# The order matters: addresses before anything reads their dots; abbreviations and initials
# before numerals ("Vol. II"); ranges before dashes; pauses before the final tidy-up.
STEPS: tuple[Callable[[str], str], ...] = (
    normalise_characters,
    drop_unspeakable,
    expand_addresses,
    expand_saint_street,
    expand_edition_editor,
    expand_abbreviations,
    expand_initials,
    keyword_numerals,
    regnal_numerals,
    ordinal_numerals,
    ranges_to_words,
    years_to_words,
    list_markers_to_pauses,
    ellipses_to_pauses,
    dashes_to_pauses,
    brackets_to_pauses,
    drop_quotation_marks,
    tidy_punctuation,
    close_lines,
)


def to_spoken(text: str, lexicon: Mapping[str, str] | None = None) -> str:
    """What the engine receives for ``text`` (the script keeps the written form)."""
    for step in STEPS:
        text = step(text)
    return apply_lexicon(text, lexicon)


def load_lexicon(scripts_dir: Path) -> dict[str, str]:
    """The book's pronunciation lexicon, ``<scripts_dir>/lexicon.toml`` (``{}`` when absent)."""
    return _lexicon.load_lexicon(scripts_dir)
