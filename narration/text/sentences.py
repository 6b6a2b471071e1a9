"""Sentence segmentation and engine-sized chunking of written text.

``split_sentences`` cuts a section into sentences *as written* (the transcript shows them); each
line of a multi-line block (a poem, a list) is at least one sentence of its own. A full stop ends a
sentence unless it belongs to an abbreviation (``Dr.``, ``e.g.``, ``p. 12``) or an initial
(``J.N. Westwood``), with the exceptions spelled out in :mod:`narration.text.spoken_data`.

``chunk_sentences`` groups sentences into pieces that fit an engine's limit, cutting an over-long
sentence at clause punctuation, else at a space, never inside a word. Both run in linear time.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right

from narration.text.patterns import CLOSE_QUOTES, OPEN_QUOTES, ROMAN_LETTERS
from narration.text.spoken_data import ABBREVIATION_BY_WRITTEN, LIST_MARKER_DIGITS, SENTENCE_STARTERS

log = logging.getLogger(__name__)

_CLOSERS = re.escape(")]" + CLOSE_QUOTES)
_OPENERS = "([" + OPEN_QUOTES
# a run of terminators (with the quotes/brackets that close on it), or a closing bracket
_CANDIDATE = re.compile(rf"[.!?\u2026]+[{_CLOSERS}]*(?=\s)|\)(?=\s)")
_NEXT_WORD = re.compile(rf"\s+[{re.escape(_OPENERS)}]*(\w+)")
_INITIALS = re.compile(r"(?:[A-Z]\.)*[A-Z]")
_ROMAN = re.compile(ROMAN_LETTERS)
_NUMBER = re.compile(r"[\d.,/¼-¾⅐-⅞]*\d[\d.,/¼-¾⅐-⅞]*")
_LIST_MARKER = re.compile(rf"\d{{1,{LIST_MARKER_DIGITS}}}[.)]\s")
_ASIDE_START = re.compile(r"\s*\(")
_ASIDE_WINDOW = 1000  # a longer bracket is no citation; keeps the search bounded
_TOKEN_WINDOW = 40  # longer than any abbreviation; keeps the look-back bounded
# after ; : , or a spaced dash, or an unspaced em dash ("word—word"; en dashes join ranges)
_CLAUSE_CUT = re.compile(r"[;:,](?=\s)|\s[-\u2012\u2013\u2014\u2015]+(?=\s)|[\u2014\u2015]+")
_SPACE = re.compile(r"\s+")
_LEADING_SPACE = re.compile(r"\s*")


def split_sentences(text: str) -> list[str]:
    """Split written text into sentences, as written; every line is split on its own."""
    sentences: list[str] = []
    for line in text.splitlines():
        sentences.extend(_split_line(line.strip()))
    return sentences


def _split_line(line: str) -> list[str]:
    parts: list[str] = []
    start = 0
    aside_end = _aside_end(line, start)
    for match in _CANDIDATE.finditer(line):
        word = _NEXT_WORD.match(line, match.end())
        if word is None or not _may_start_sentence(word.group(1)):
            continue
        if match.group() == ")":
            ends = match.start() == aside_end  # "(Quoted in J. Reed) Now ..."
        else:
            ends = _terminator_ends(line, start, match, word.group(1))
        if ends:
            parts.append(line[start : match.end()])
            start = match.end()
            aside_end = _aside_end(line, start)
    parts.append(line[start:])
    return [part.strip() for part in parts if part.strip()]


def _aside_end(line: str, start: int) -> int:
    """Where a bracketed aside that opens the sentence at ``start`` closes, or -1. An aside of one
    word, like the list label ``(b)``, does not count."""
    opening = _ASIDE_START.match(line, start)
    if opening is None:
        return -1
    close = line.find(")", opening.end(), opening.end() + _ASIDE_WINDOW)
    return close if close > 0 and " " in line[opening.end() : close].strip() else -1


def _may_start_sentence(word: str) -> bool:
    return word[0].isupper() or word[0].isdigit()


def _terminator_ends(line: str, start: int, match: re.Match[str], next_word: str) -> bool:
    """Whether the terminator ``match`` (followed by ``next_word``) ends the sentence."""
    mark = match.group()
    if any(c in mark for c in "!?\u2026") or ".." in mark:
        return True
    if start == 0 and (marker := _LIST_MARKER.match(line)) and match.end() <= marker.end():
        return False  # "1. The first point" is a list item, not a sentence "1."
    before = line[max(start, match.start() - _TOKEN_WINDOW) : match.start()].split()
    tokens = [t.lstrip(_OPENERS) for t in before[-2:]]
    return _full_stop_ends(tokens, next_word)


def _full_stop_ends(tokens: list[str], next_word: str) -> bool:
    """Whether a full stop after ``tokens`` (the last words before it) ends the sentence."""
    if not tokens:
        return True
    abbreviation = ABBREVIATION_BY_WRITTEN.get(" ".join(tokens) + ".") or ABBREVIATION_BY_WRITTEN.get(tokens[-1] + ".")
    if (
        abbreviation is not None
        and abbreviation.after_number
        and not (len(tokens) > 1 and _NUMBER.fullmatch(tokens[0]))
    ):
        abbreviation = None  # "come in. Smith ..." is the word "in"; "5 in. Smith" is inches
    if abbreviation is not None:
        if abbreviation.numbered:
            return not (next_word[0].isdigit() or _ROMAN.fullmatch(next_word))
        if abbreviation.ends == "never":
            return False
        return abbreviation.ends == "before_capital" or next_word in SENTENCE_STARTERS
    if _INITIALS.fullmatch(tokens[-1]):
        return next_word in SENTENCE_STARTERS  # "Plan B. The ..." ends; "E. Grant" does not
    return True


def chunk_sentences(sentences: list[str], max_chars: int) -> list[list[str]]:
    """Group consecutive sentences into pieces whose text, joined by single spaces, fits ``max_chars``.

    A sentence longer than ``max_chars`` is cut into parts (see :func:`cut_sentence`), which are
    packed like sentences. A single word longer than ``max_chars`` is kept whole (its piece is then
    over the limit): cutting inside a word would garble it.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, not {max_chars}")
    pieces: list[list[str]] = []
    size = 0
    for sentence in sentences:
        for part in cut_sentence(sentence, max_chars):
            if pieces and size + 1 + len(part) <= max_chars:
                pieces[-1].append(part)
                size += 1 + len(part)
            else:
                pieces.append([part])
                size = len(part)
    return pieces


def cut_sentence(sentence: str, max_chars: int) -> list[str]:
    """Cut ``sentence`` into parts of at most ``max_chars``: at clause punctuation (``; : ,`` and
    dashes) where possible, else at a space, never inside a word. Linear in the sentence's length."""
    sentence = sentence.strip()
    if len(sentence) <= max_chars:
        return [sentence] if sentence else []
    clause_cuts = [m.end() for m in _CLAUSE_CUT.finditer(sentence)]
    space_cuts = [m.start() for m in _SPACE.finditer(sentence)]
    parts: list[str] = []
    start = 0
    while len(sentence) - start > max_chars:
        cut = _last_cut(clause_cuts, start, start + max_chars) or _last_cut(space_cuts, start, start + max_chars)
        if cut is None:
            cut = _first_cut_after(space_cuts, start + max_chars, len(sentence))
            log.warning("a word of %d characters is longer than the engine's limit (%d)", cut - start, max_chars)
        parts.append(sentence[start:cut].strip())
        match = _LEADING_SPACE.match(sentence, cut)
        start = match.end() if match else cut
    if start < len(sentence):
        parts.append(sentence[start:])
    return [part for part in parts if part]


def _last_cut(cuts: list[int], start: int, limit: int) -> int | None:
    """The last position in ``cuts`` within ``(start, limit]``."""
    index = bisect_right(cuts, limit) - 1
    return cuts[index] if index >= 0 and cuts[index] > start else None


def _first_cut_after(cuts: list[int], position: int, default: int) -> int:
    index = bisect_right(cuts, position)
    return cuts[index] if index < len(cuts) else default
