"""Heading detection for ``narration split``: which paragraphs start a chapter.

A paragraph (block between blank lines) is first parsed into a *candidate* of one style:

``markdown``  ``# Title`` (the shallowest level used twice is the chapter level; a single
              shallower heading at the top is the book title; deeper ones are subheadings)
``chapter``   ``Chapter 2``, ``CHAPTER I. Down the Rabbit-Hole``, ``Part IV: Title``,
              ``Book One``, ``Section 3`` (the title may be on the next line)
``roman``     ``IV.`` or ``IV. Title`` (the title may be on the next line)
``numbered``  ``16. The defeat of the joint Left Opposition``
``plain``     any other single line

The first three are explicit. ``numbered`` and ``plain`` candidates are *scored* from several
signals (title case, length, terminal punctuation, quotation marks, what comes before and after);
they count only when the document has fewer than two explicit headings, so that a novel marked
with ``CHAPTER`` lines does not get a chapter for every shouted sign. Not headings: a line ending
in ``:`` (it introduces a quotation), a question or sentence in the body (terminal punctuation,
not title case), lines of a poem (several lines in one block, or runs of short lines), a short
quoted line. A title line followed by quoted paragraphs that cites its source (``From the
"Platform ..."``) is a box or inset: it becomes a spoken subheading inside the chapter.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from narration.config import TextConfig
from narration.text import patterns as P

Style = Literal["markdown", "chapter", "roman", "numbered", "plain"]
HeadingKind = Literal["chapter", "subheading"]

EXPLICIT: frozenset[str] = frozenset({"markdown", "chapter", "roman"})
_STYLE_SWITCH = {
    "markdown": "markdown_headings",
    "chapter": "chapter_words",
    "roman": "roman_headings",
    "numbered": "numbered_headings",
    "plain": "title_headings",
}


@dataclass(frozen=True)
class Candidate:
    """A single-line paragraph parsed as a possible heading."""

    style: Style
    text: str  # the whole line, without Markdown marks
    label: str | None = None  # "Chapter I", "IV", "16"
    title: str | None = None  # the title on the same line, if any
    level: int = 0  # Markdown level


@dataclass(frozen=True)
class Heading:
    index: int  # index of the heading's block
    title: str
    kind: HeadingKind = "chapter"
    span: int = 1  # blocks it occupies (2 when its title is on the next line)
    score: float = 0.0
    style: Style = "plain"


# --- signals -----------------------------------------------------------------------------------


def words_of(text: str) -> list[str]:
    return text.split()


def last_punct(text: str) -> str:
    """The punctuation ending ``text`` (closing quotes and brackets skipped); ``"…"`` for ellipsis."""
    body = text.rstrip().rstrip(P.CLOSERS + " ")
    if body.endswith(("...", "…")):
        return "…"
    return body[-1:] if body[-1:] and body[-1] in P.TERMINAL_PUNCT else ""


def is_title_case(text: str) -> bool:
    """Most words capitalised, small words (of, the, in...) excepted: ``The Crisis of Working-class Leadership``."""
    words = [w.strip(P.QUOTES + "()[]{}.,;:!?…*_-–—") for w in words_of(text)]
    words = [w for w in words if w]
    if not words or not (words[0][0].isupper() or words[0][0].isdigit()):
        return False
    rest = [w for w in words[1:] if w.lower() not in P.SMALL_WORDS]
    if not rest:
        return True
    capitalised = sum(1 for w in rest if w[0].isupper() or w[0].isdigit())
    return capitalised / len(rest) >= 0.75


def is_quoted(text: str) -> bool:
    return text[:1] in P.OPEN_QUOTES


def is_whole_quote(text: str) -> bool:
    """The line is one quotation: opens and closes with quote marks."""
    body = text.rstrip()
    return is_quoted(body) and body[-1:] in P.CLOSE_QUOTES


def starts_lower(text: str) -> bool:
    for ch in text:
        if ch.isalpha():
            return ch.islower()
    return False


def is_prose(block: str | None) -> bool:
    """A paragraph of running text (not a title, a label or a single short line)."""
    if block is None:
        return False
    count = len(words_of(block[:2000]))
    return count >= P.PROSE_MIN_WORDS or (count >= 2 and last_punct(block) in P.SENTENCE_END)


def is_all_caps(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def smart_title(text: str) -> str:
    """``ALICE'S ADVENTURES IN WONDERLAND`` -> ``Alice's Adventures in Wonderland`` (roman numerals kept)."""
    out = []
    for i, word in enumerate(words_of(text)):
        bare = word.strip(P.QUOTES + "().,;:!?")
        if bare and P.ROMAN_VALID.match(bare) and len(bare) <= 4 and (i > 0 or len(bare) > 1 or bare == "I"):
            out.append(word)
        elif i > 0 and bare.lower() in P.SMALL_WORDS:
            out.append(word.lower())
        else:
            out.append("-".join(part[:1].upper() + part[1:].lower() for part in word.split("-")))
    return " ".join(out)


# --- candidates --------------------------------------------------------------------------------


def _chapter_candidate(line: str) -> Candidate | None:
    match = P.CHAPTER_HEADING.match(line)
    if not match:
        return None
    title = match.group("title")
    if match.group("title2"):
        title = match.group("title2")
        if not is_title_case(title) or last_punct(title) in ".!?,;:":
            return None  # "Part two of the plan failed." is a sentence
    return Candidate("chapter", line, label=match.group("label"), title=title)


def _roman_candidate(line: str) -> Candidate | None:
    match = P.ROMAN_HEADING.match(line)
    if not match or not P.ROMAN_VALID.match(match.group("label")):
        return None
    return Candidate("roman", line, label=match.group("label"), title=match.group("title"))


def parse_candidate(block: str) -> Candidate | None:
    """The heading style of a one-line block, or None for a multi-line block."""
    line = block.strip()
    if not line or "\n" in line:
        return None
    match = P.MARKDOWN_HEADING.match(line)
    if match:
        return Candidate("markdown", match.group(2).strip(), level=len(match.group(1)), title=match.group(2).strip())
    if len(line) > P.HEADING_MAX_CHARS:
        return Candidate("plain", line)
    found = _chapter_candidate(line) or _roman_candidate(line)
    if found:
        return found
    match = P.NUMBERED_HEADING.match(line)
    if match:
        return Candidate("numbered", line, label=match.group("label"), title=match.group("title"))
    return Candidate("plain", line)


# --- scoring -----------------------------------------------------------------------------------


def title_score(text: str, numbered: bool = False) -> float:
    """How much a line reads like a title, from its own words only."""
    if len(words_of(text)) > P.HEADING_MAX_WORDS or len(text) > P.HEADING_MAX_CHARS:
        return -math.inf
    score = 2.0 if is_title_case(text) else 0.0
    score += 1 if len(words_of(text)) <= P.SHORT_TITLE_WORDS else 0
    punct = last_punct(text)
    score += {":": -6, "…": 0}.get(punct, -3 if punct else 1)
    if not numbered and starts_lower(text):
        score -= 3
    if is_quoted(text):
        score -= 0.5 if is_whole_quote(text) and punct in ("", "…") else 3
    if not numbered and ", " in text:
        score -= 1
    return score


def context_score(prev: str | None, next_: str | None) -> float:
    """What the neighbouring paragraphs say: a title is followed by prose, not after a colon."""
    score = 0.0
    if prev is not None and last_punct(prev) == ":":
        score -= 3
    if next_ is None:
        score -= 2
    elif is_prose(next_):
        score += 1
    elif (following := parse_candidate(next_)) is not None and following.style in ("plain", "numbered"):
        score -= 3  # a run of short lines: a list or a poem
    return score


def score_candidate(cand: Candidate, prev: str | None, next_: str | None) -> float:
    if cand.style in EXPLICIT:
        own = 6.0 + (title_score(cand.title, numbered=True) - 1 if cand.title and cand.style != "markdown" else 0)
        return own - (2 if next_ is None else 0)
    text = (cand.title or "") if cand.style == "numbered" else cand.text  # a numbered line has a title
    base = 3.0 if cand.style == "numbered" else 0.0
    return base + title_score(text, numbered=cand.style == "numbered") + context_score(prev, next_)


# --- titles ------------------------------------------------------------------------------------


def next_line_title(blocks: Sequence[str], index: int) -> str | None:
    """The title written on the line after a bare ``CHAPTER I.`` label, if there is one."""
    if index + 2 > len(blocks) - 1:
        return None
    line = blocks[index + 1].strip()
    cand = parse_candidate(line)
    if cand is None or cand.style in EXPLICIT or len(words_of(line)) > P.SHORT_TITLE_WORDS:
        return None
    punct = last_punct(line)
    if punct in (":", ",", ";") or (punct in (".", "!", "?") and not is_title_case(line)):
        return None
    return line


def tidy_title(text: str) -> str:
    """A title as written, unless it is in capitals: then in title case."""
    return smart_title(text) if is_all_caps(text) else text


def format_title(cand: Candidate, next_title: str | None = None) -> str:
    """The chapter title as it goes into the script: ``Chapter I: Down the Rabbit-Hole``."""
    title = next_title or cand.title
    if cand.style == "numbered":
        text = tidy_title((cand.title or "").strip())
        return text[:1].upper() + text[1:]
    if cand.style in ("chapter", "roman"):
        label = tidy_title((cand.label or "").strip())
        title = tidy_title(title.strip().rstrip(".").strip()) if title else ""
        return f"{label}: {title}" if title else label
    return tidy_title(cand.text.strip())


# --- detection ---------------------------------------------------------------------------------


def chapter_level(cands: Sequence[Candidate | None]) -> int:
    """The Markdown level chapters use: the shallowest level used at least twice."""
    levels = Counter(c.level for c in cands if c and c.style == "markdown")
    repeated = [lvl for lvl, n in levels.items() if n >= 2]
    return min(repeated or levels or [1])


def separate_heading_lines(blocks: Sequence[str]) -> list[str]:
    """Split ``CHAPTER I.`` / ``# Title`` off the top of a block that continues without a blank line."""
    out: list[str] = []
    for block in blocks:
        lines = block.split("\n")
        cand = parse_candidate(lines[0]) if len(lines) > 1 else None
        if cand is None or cand.style not in EXPLICIT:
            out.append(block)
            continue
        out.append(lines[0])
        rest = lines[1:]
        if (
            cand.style != "markdown"
            and not cand.title
            and len(rest) > 1
            and next_line_title([lines[0], rest[0], "\n".join(rest[1:])], 0)
        ):
            out.append(rest.pop(0))
        out.append("\n".join(rest))
    return out


def _kind(cand: Candidate, next_: str | None, level: int) -> HeadingKind:
    if cand.style == "markdown":
        return "subheading" if cand.level > level else "chapter"
    quoted_next = cand.style == "plain" and next_ is not None and is_quoted(next_.strip())
    if quoted_next and (P.INSET_START.match(cand.text) or any(q in cand.text for q in P.QUOTES)):
        return "subheading"
    return "chapter"


def _enabled(cand: Candidate, config: TextConfig, scored_allowed: bool) -> bool:
    if not getattr(config, _STYLE_SWITCH[cand.style]):
        return False
    return cand.style in EXPLICIT or scored_allowed


def detect_headings(blocks: Sequence[str], config: TextConfig | None = None) -> list[Heading]:
    """The chapter headings and subheadings among ``blocks`` (paragraphs, in order)."""
    config = config or TextConfig()
    cands = [parse_candidate(b) for b in blocks]
    explicit = sum(1 for c in cands if c and c.style in EXPLICIT and _enabled(c, config, True))
    level = chapter_level(cands)
    headings: list[Heading] = []
    i = 0
    while i < len(blocks):
        cand = cands[i]
        prev = blocks[i - 1] if i else None
        next_ = blocks[i + 1] if i + 1 < len(blocks) else None
        score = score_candidate(cand, prev, next_) if cand and _enabled(cand, config, explicit < 2) else -math.inf
        if cand is None or score < P.HEADING_THRESHOLD:
            i += 1
            continue
        kind = _kind(cand, next_, level)
        if kind == "subheading" and not config.subheadings:
            i += 1
            continue
        extra = next_line_title(blocks, i) if cand.style in ("chapter", "roman") and not cand.title else None
        span = 2 if extra else 1
        headings.append(Heading(i, format_title(cand, extra), kind, span, score, cand.style))
        i += span
    return headings


def _letters(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def is_book_title(block: str, known: Sequence[str] = ()) -> bool:
    """Whether the document's first paragraph is its own title line (not a chapter heading).

    ``known`` are titles known from elsewhere (``--title``, a Gutenberg header): when given, the
    line must match one of them.
    """
    cand = parse_candidate(block)
    if cand is None or cand.style not in ("plain", "markdown"):
        return False
    text = cand.text
    if known:
        mine = _letters(text)
        return bool(mine) and any(k and (mine in k or k in mine) for k in map(_letters, known))
    return (
        len(words_of(text)) <= P.HEADING_MAX_WORDS
        and last_punct(text) in ("", "…")
        and not starts_lower(text)
        and not is_quoted(text)
    )
