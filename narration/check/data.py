"""Data of the check's normalisation (English), kept apart from the code that uses it."""

from __future__ import annotations

import re

# Currency sign -> (major unit, minor unit), as said after the amount.
CURRENCIES: dict[str, tuple[str, str]] = {
    "$": ("dollars", "cents"),
    "£": ("pounds", "pence"),
    "€": ("euros", "cents"),
    "¥": ("yen", "sen"),
}

# Words the recogniser writes short (after normalisation: lower case, no full stop) -> as said.
EQUIVALENT: dict[str, str] = {
    "mr": "mister",
    "mrs": "missus",
    "dr": "doctor",
    "st": "saint",
    "ok": "okay",
    "vs": "versus",
    "etc": "etcetera",
    "lieut": "lieutenant",
    "lt": "lieutenant",
    "gen": "general",
    "prof": "professor",
}

# British spellings compared as American ones (whole-word endings; applied in order).
SPELLING: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<=\w\w)our(s?|ed|ing|ite|ites|able)$"), r"or\1"),  # labour, favourite
    (re.compile(r"(?<=\w\w)is(e|es|ed|ing|ation|ations)$"), r"iz\1"),  # organise, organisation
    (re.compile(r"(?<=\w\w)ys(e|es|ed|ing)$"), r"yz\1"),  # analyse
    (re.compile(r"(?<=\w\w)tre(s?)$"), r"ter\1"),  # centre
    (re.compile(r"(?<=\w)ll(ed|ing|er|ers)$"), r"l\1"),  # travelled
    (re.compile(r"ogue$"), "og"),  # catalogue
    (re.compile(r"(?<=\w)ence$"), "ense"),  # defence
)
