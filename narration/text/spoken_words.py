"""Spoken form, part 2: abbreviations, initials, web and e-mail addresses.

Each function takes text and returns text. An abbreviation that can also end a sentence keeps a
full stop after its expansion when a sentence follows (``etc. Then`` -> ``et cetera. Then``).
"""

from __future__ import annotations

import re

from narration.text.patterns import ROMAN_LETTERS
from narration.text.spoken_data import (
    ABBREVIATION_BY_WRITTEN,
    ABBREVIATIONS,
    ADDRESS_SYMBOLS,
    BARE_DOMAIN_TLDS,
    SENTENCE_STARTERS,
    SentenceEnd,
)

_NEXT_WORD = re.compile(r"\s+[\"'(\[]*(\w+)")
_AT_END = re.compile(r"[\s\"']*\Z")
_PREVIOUS_WORD = re.compile(r"(\w+)\W*?\s+\Z")
_NUMBER = re.compile(rf"\d|(?:{ROMAN_LETTERS})\Z")
_EXPANDED = sorted((a.written for a in ABBREVIATIONS if a.spoken is not None), key=len, reverse=True)
_ABBREVIATION = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, _EXPANDED)) + r")(?!\w)")
_SAINT = re.compile(r"(?<![\w.])(Sts?)\b\.?")
_EDITOR = re.compile(r"(?<![\w.])(eds?)\.(?!\w)")
_EDITOR_NOTE = re.compile(r"(?<=\[)\s*(?:[Ee]d|[Ee]ditor|[Ee]ds)\.?\s*:")
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|new|revised|enlarged", re.I)
_INITIAL = re.compile(r"(?<![\w'])([A-Z])\.")
_EMAIL = r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_URL = r"(?:https?://|ftp://|www\.)[^\s<>\"'()\[\]]+"
_BARE = r"(?<![\w@.-])[\w-]+(?:\.[\w-]+)*\.(?:{})(?![\w-]|\.\w)(?:/[^\s<>\"'()\[\]]*)?".format(
    "|".join(re.escape(tld) for tld in BARE_DOMAIN_TLDS)
)
_ADDRESS = re.compile(f"{_EMAIL}|{_URL}|{_BARE}", re.I)
_SCHEME = re.compile(r"^[a-z]+://", re.I)
_ADDRESS_SYMBOL = re.compile("|".join(map(re.escape, ADDRESS_SYMBOLS)))


def _next_word(text: str, end: int) -> str | None:
    match = _NEXT_WORD.match(text, end)
    return match.group(1) if match else None


def _previous_word(text: str, start: int) -> str | None:
    match = _PREVIOUS_WORD.search(text[max(0, start - 40) : start])
    return match.group(1) if match else None


def _keeps_full_stop(ends: SentenceEnd, text: str, end: int) -> bool:
    """Whether the full stop of an abbreviation ending at ``end`` also ends the sentence."""
    if ends == "never":
        return False
    if _AT_END.match(text, end):
        return True
    word = _next_word(text, end)
    if word is None:
        return False
    return word[0].isupper() if ends == "before_capital" else word in SENTENCE_STARTERS


def expand_abbreviations(text: str) -> str:
    """``Lt.`` -> ``Lieutenant``, ``e.g.`` -> ``for example,``, ``pp. 12`` -> ``pages 12``, ... (the
    table is ``spoken_data.ABBREVIATIONS``); ``No.``/``p.`` only before a number."""

    def expand(match: re.Match[str]) -> str:
        abbreviation = ABBREVIATION_BY_WRITTEN[match.group(1)]
        if abbreviation.numbered:
            word = _next_word(text, match.end())
            if word is None or not _NUMBER.match(word):
                return match.group()
        stop = _keeps_full_stop(abbreviation.ends, text, match.end())
        return f"{abbreviation.spoken}{'.' if stop else ''}"

    return _ABBREVIATION.sub(expand, text)


def expand_saint_street(text: str) -> str:
    """``St.`` -> ``Street`` after a name or a number (``Baker St.``, ``12 Main St``), else
    ``Saint`` (``St. Petersburg``, ``the church of St Mary``); ``Sts.`` likewise."""

    def expand(match: re.Match[str]) -> str:
        before = _previous_word(text, match.start())
        after = _next_word(text, match.end())
        after_name = before is not None and (before[0].isupper() or before[0].isdigit())
        names_follow = after is not None and after[0].isupper() and after not in SENTENCE_STARTERS
        plural = "s" if match.group(1) == "Sts" else ""
        if after_name and not names_follow:
            has_stop = match.group().endswith(".")
            stop = has_stop and _keeps_full_stop("before_starter", text, match.end())
            return f"Street{plural}{'.' if stop else ''}"
        return f"Saint{plural}"

    return _SAINT.sub(expand, text)


def expand_edition_editor(text: str) -> str:
    """``2nd ed.`` -> ``2nd edition``, ``ed. by`` -> ``edited by``, ``(ed.)``/``eds.`` -> ``editor(s)``,
    ``[ed: ...]`` -> ``[editor's note: ...]``."""

    def expand(match: re.Match[str]) -> str:
        plural = "s" if match.group(1) == "eds" else ""
        before = _previous_word(text, match.start())
        if before is not None and _ORDINAL.fullmatch(before):
            word = f"edition{plural}"
        elif _next_word(text, match.end()) == "by":
            word = "edited"
        else:
            word = f"editor{plural}"
        return word + ("." if _keeps_full_stop("before_starter", text, match.end()) else "")

    return _EDITOR.sub(expand, _EDITOR_NOTE.sub("editor's note:", text))


def expand_initials(text: str) -> str:
    """``J.N. Westwood`` -> ``J N Westwood``, ``E. H. Carr`` -> ``E H Carr``: an initial's full stop
    is not a sentence end. It stays before a sentence opener (``Plan B. The``) or at the end. The
    initial ``A`` is respelled ``Eh`` (alone, the voice reads it as the article)."""

    def expand(match: re.Match[str]) -> str:
        letter = "Eh" if match.group(1) == "A" else match.group(1)
        if text[match.end() : match.end() + 1].isalpha():
            return letter + " "
        return letter + ("." if _keeps_full_stop("before_starter", text, match.end()) else "")

    return _INITIAL.sub(expand, text)


def expand_addresses(text: str) -> str:
    """Web and e-mail addresses read aloud: ``https://www.example.com/about-us`` -> ``example dot
    com slash about us``; ``bob@example.org`` -> ``bob at example dot org``."""

    def expand(match: re.Match[str]) -> str:
        address = match.group()
        trailing = address[len(address.rstrip(".,;:!?")) :]
        address = address[: len(address) - len(trailing)]
        spoken = _say_email(address) if "@" in address and "/" not in address else _say_url(address)
        return spoken + trailing

    return _ADDRESS.sub(expand, text)


def _say_symbols(part: str) -> str:
    return " ".join(_ADDRESS_SYMBOL.sub(lambda m: ADDRESS_SYMBOLS[m.group()], part).split())


def _say_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{_say_symbols(local)} at {_say_symbols(domain)}"


def _say_url(address: str) -> str:
    rest = _SCHEME.sub("", address)
    rest = re.sub(r"^www\.", "", rest, flags=re.I)
    rest = re.split(r"[?#]", rest, maxsplit=1)[0].rstrip("/")
    host, _, path = rest.partition("/")
    segments = [re.sub(r"[-_+]+", " ", segment) for segment in path.split("/") if segment]
    return " slash ".join([_say_symbols(host), *(_say_symbols(s) for s in segments)])
