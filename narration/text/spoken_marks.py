"""Spoken form, part 1: characters, pauses and punctuation.

Each function takes text and returns text. Piper (through espeak-ng) pauses on ``, ; : . ! ?`` but
not on every dash, ellipsis or bracket, and it reads emoji and foreign scripts letter by letter
("grinning face", "Chinese letter"); these functions turn the written marks into the few it reads well.
"""

from __future__ import annotations

import re

from narration.text.spoken_data import (
    CHARACTER_MAP,
    DASHES,
    INSERTION_AFTER,
    INSERTION_OPENERS,
    LIST_MARKER_DIGITS,
    SPEAKABLE_RANGES,
)

_TRANSLATION = str.maketrans(CHARACTER_MAP)
_UNSPEAKABLE = re.compile(f"[^{SPEAKABLE_RANGES}]")
_LIST_MARKER = re.compile(
    rf"^[ \t]*(?:(\d{{1,{LIST_MARKER_DIGITS}}})[.)]|\(?(\d{{1,{LIST_MARKER_DIGITS}}}|[a-zA-Z])\))[ \t]+(?=\S)", re.M
)
_ELLIPSIS = re.compile(r"[ \t]*\.(?:[ \t]?\.){2,}[ \t]*")
_SPACED_DASH = re.compile(rf"(?:^|(?<=\s))(?:[{DASHES}]+|-{{1,3}})(?=\s|$)", re.M)
_SPACED_SLASH = re.compile(r"(?<=\s)/(?=\s)")
_PAIRED_DASH = re.compile(r"(?<=\w)(?:[\u2014\u2015]|--)(?=\w)")
_JOINING_DASH = re.compile(r"(?<=[^\W\d_])[\u2012\u2013](?=[^\W\d_])")
_OTHER_DASH = re.compile(rf"[{DASHES}]+")
_SIC = re.compile(r"\s*\[sic\]", re.I)
_EDITORIAL = re.compile(r"(?:(?<!\w)(\w+)\s+|^|(?<=[\s\"']))\[(\w*)([^\[\]]*)\]", re.M)
_BRACKETED = re.compile(r"[(\[{]([^()\[\]{}]*)[)\]}]")
_STRAY_BRACKET = re.compile(r"[()\[\]{}]")
_QUOTED = re.compile(r"(?<![^\W_])'(?=[^\W\d_])([^\n]{0,400}?)(?<=\S)'(?![^\W_])")
_QUOTE_MARK = re.compile(r"\"|(?<![^\W_])'(?!\d)|(?<![sS])'(?![^\W_])")
_TERMINAL = re.compile(r"[.!?]['\"]*$")


def normalise_characters(text: str) -> str:
    """Curly quotes and apostrophes to straight ones, ``…`` to ``...``, odd spaces to spaces,
    invisible characters (zero-width, soft hyphen, BOM) removed."""
    return text.translate(_TRANSLATION)


def unspeakable(text: str) -> str:
    """The distinct characters of ``text`` that the voice cannot say (emoji, other scripts), in
    order of first appearance: what :func:`to_spoken` drops, for the caller to warn about."""
    return "".join(dict.fromkeys(_UNSPEAKABLE.findall(normalise_characters(text))))


def drop_unspeakable(text: str) -> str:
    """Remove the characters the voice cannot say (see :func:`unspeakable`)."""
    return _UNSPEAKABLE.sub("", text)


def list_markers_to_pauses(text: str) -> str:
    """A list marker at the start of a line, ``1.``, ``2)``, ``(a)``, -> ``1:``, ``2:``, ``Eh:`` (no
    sentence "one." of its own; the letter ``a`` alone would be read as the article)."""

    def marker(match: re.Match[str]) -> str:
        label = match.group(1) or match.group(2)
        return ("Eh" if label in "aA" else label) + ": "

    return _LIST_MARKER.sub(marker, text)


def ellipses_to_pauses(text: str) -> str:
    """``...`` (and ``. . .``) -> a comma; at the end of a line it becomes a full stop later."""
    return _ELLIPSIS.sub(", ", text)


def dashes_to_pauses(text: str) -> str:
    """Dashes between words (``‒ – —``, a spaced hyphen, ``--``) and a spaced slash -> a comma;
    an en dash joining two words (``Hitler–Stalin``) -> a hyphen. Number ranges are read earlier."""
    text = _SPACED_DASH.sub(",", text)
    text = _SPACED_SLASH.sub(",", text)
    text = _PAIRED_DASH.sub(", ", text)
    text = _JOINING_DASH.sub("-", text)
    return _OTHER_DASH.sub(", ", text)


def brackets_to_pauses(text: str) -> str:
    """``the Soviets [elected councils] met`` -> ``the Soviets , elected councils, met``: a
    bracketed aside is read as a parenthesis between commas (punctuation is tidied later). What an
    editor put into a quotation to fill a gap (``hostility to the [Bolshevik] regime``, ``[It] will``)
    is read inline, and ``[sic]`` is not read."""
    text = _EDITORIAL.sub(_editorial_insertion, _SIC.sub("", text))
    while True:
        text, count = _BRACKETED.subn(r", \1, ", text)
        if not count:
            return _STRAY_BRACKET.sub(" ", text)


def _editorial_insertion(match: re.Match[str]) -> str:
    before, first, rest = match.group(1), match.group(2), match.group(3)
    fills_gap = before is None or before.lower() in INSERTION_AFTER or first.lower() in INSERTION_OPENERS
    if not fills_gap:
        return match.group()
    return f"{before} {first}{rest}" if before is not None else f"{first}{rest}"


def drop_quotation_marks(text: str) -> str:
    """Remove double quotes and single quotes used as quotation marks (``'knows'``, ``'Left
    Communists'``); keep apostrophes (``don't``, ``the workers' state``, ``Lenin's``, ``'30s``)."""
    return _QUOTE_MARK.sub("", _QUOTED.sub(r"\1", text))


def tidy_punctuation(text: str) -> str:
    """Collapse the punctuation the other steps leave behind: no space before a mark, one mark
    where several meet (``, ,`` -> ``,``; ``,.`` -> ``.``), none at the start of a line."""
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" +(?=[,;:.!?])", "", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r"[,;:]+\s*(?=[.!?])", "", text)
    text = re.sub(r"\.(?:\s*[,;:])+\s*(?=[a-z])", ", ", text)  # 'state.", see ...' -> 'state, see'
    text = re.sub(r"([.!?])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r"([,;:])(?=[^\W\d_])", r"\1 ", text)
    return re.sub(r"^[\s,;:.]+", "", text, flags=re.M)


def close_lines(text: str) -> str:
    """End every line with a full stop (or its own ``. ! ?``) and join the lines with spaces, so a
    poem line or a heading is spoken as a sentence; lines with nothing to say are dropped."""
    return " ".join(_close_line(line) for line in text.splitlines() if re.search(r"\w", line))


def _close_line(line: str) -> str:
    line = line.strip()
    if _TERMINAL.search(line):
        return line
    body = line.rstrip("'\"")
    return body.rstrip(" ,;:-") + "." + line[len(body) :]
