"""Cleaning rules of ``narration split``: remove what must never be read aloud.

Each rule is a small ``str -> str`` function, on by default and switchable in ``book.toml``
(``[text]`` table, one boolean per rule, see :class:`narration.config.TextConfig`).
:func:`clean_text` runs them in order and counts, for each rule, how many non-blank lines it
removed (or joined) and how many it edited, for the report. Their data lives in
:mod:`narration.text.patterns`.

Rules, in the order they run:

``gutenberg``
    Project Gutenberg license header and footer (everything up to ``*** START OF ...`` and from
    ``*** END OF ...``), any paragraph that mentions Project Gutenberg, and producer credits
    (``Produced by ...``, ``E-text prepared by ...``, transcriber's notes).
``illustrations``
    ``[Illustration: ...]`` markers (also across lines) and Markdown images ``![alt](src)``.
``captions``
    Web-page image captions pasted with the text: a line that ends with a credit
    (``... / Image: fair use``), or a line that repeats its own words before `` / <credit>``
    (``Images of the Civil War YanachkaImages of the Civil War / Yanachka``).
``footnotes``
    Footnote bodies are dropped, not narrated: ``[Footnote 1: ...]`` blocks, paragraphs that start
    with a marker (``[1] ...``, ``[^1]: ...``), and a trailing ``Notes``/``Footnotes``/``Endnotes``
    heading with the numbered paragraphs under it. Then inline markers ``[1]``, ``[A]``, ``[*]``,
    ``[^1]`` are removed. Editorial brackets such as ``[elected councils]`` are kept.
``contents``
    A ``Contents`` / ``Table of Contents`` / ``List of Illustrations`` heading and its entries,
    up to the first paragraph of prose or the first heading that repeats the first entry.
``markup``
    ``_italic_``, ``*bold*``, ``**bold**``, simple HTML tags, Markdown links (their text is kept)
    and decorative lines (``* * *``, ``-----``).
``dehyphenate``
    A word hyphenated across a line break is re-joined (``extra-`` / ``ordinary`` ->
    ``extraordinary``); the hyphen stays when the text elsewhere spells the word with it
    (``well-known``) or the second part is capitalised (``anti-Marxist``).
``rewrap``
    Hard-wrapped lines are re-joined into paragraphs. A line break is kept when the next line's
    first word would have fitted on the line (so poems and short lines stay as written), before a
    list item, and in Markdown after a hard break (two spaces or ``\\``).
"""

from __future__ import annotations

import itertools
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from narration.config import TextConfig
from narration.text import patterns as P

log = logging.getLogger(__name__)

_SENTINEL = "\x00"


@dataclass(frozen=True)
class RuleCount:
    """What one cleaning rule did: non-blank lines it removed (or joined) and lines it edited."""

    removed: int = 0
    changed: int = 0


# --- helpers ------------------------------------------------------------------------------------


def blocks_of(text: str) -> list[str]:
    """The text's paragraphs (blocks separated by blank lines), without empty ones."""
    return [b.strip("\n") for b in P.BLANK_SPLIT.split(text) if b.strip()]


def join_blocks(blocks: Iterable[str]) -> str:
    return "\n\n".join(blocks)


def _drop_marked(text: str, pattern: re.Pattern[str]) -> str:
    """Remove every match; a line left holding nothing but removed matches disappears."""
    if not pattern.search(text):
        return text
    marked = pattern.sub(_SENTINEL, text)
    lines = []
    for line in marked.split("\n"):
        if _SENTINEL in line:
            line = line.replace(_SENTINEL, "")
            if not line.strip():
                continue
            line = re.sub(r"(?<=\S)[ \t]{2,}", " ", line).rstrip()
            line = re.sub(r"(?<=\S)[ \t]+(?=[,.;:!?])", "", line)
        lines.append(line)
    return "\n".join(lines)


def _letters(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


# --- normalisation (always on) -----------------------------------------------------------------


def normalise(text: str, markdown: bool = False) -> str:
    """Unify line ends and tabs; strip trailing spaces, BOM, zero-width and soft-hyphen characters."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(
        {0x09: "    ", 0x0C: "\n", 0x2028: "\n", 0x2029: "\n\n", 0x200B: None, 0xAD: None, 0xFEFF: None}
    )  # no-break spaces stay until the end (a wrapper does not break there)
    text = "\n".join(_strip_line(line, markdown) for line in text.split("\n"))
    return setext_to_atx(text) if markdown else text


def _strip_line(line: str, markdown: bool) -> str:
    """Trailing spaces removed; in Markdown a hard break (two trailing spaces) becomes ``\\``."""
    stripped = line.rstrip()
    return stripped + "\\" if markdown and stripped and line.endswith("  ") else stripped


def setext_to_atx(text: str) -> str:
    """Markdown ``Title`` / ``=====`` headings become ``# Title`` (``-----`` gives ``## Title``)."""
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        match = P.SETEXT_UNDERLINE.match(line)
        if (
            match
            and out
            and out[-1].strip()
            and not out[-1].lstrip().startswith("#")
            and (len(out) == 1 or not out[-2].strip())
        ):
            level = "#" if match.group(1)[0] == "=" else "##"
            out[-1] = f"{level} {out[-1].strip()}"
            continue
        out.append(line)
    return "\n".join(out)


# --- gutenberg -----------------------------------------------------------------------------------


def gutenberg_metadata(text: str) -> dict[str, str]:
    """``{"title": ..., "author": ...}`` from a Project Gutenberg header, if there is one."""
    start = P.GUTENBERG_START.search(text)
    head = text[: start.start()] if start else text[:5000]
    if not P.GUTENBERG_MARK.search(head):
        return {}
    return {m.group(1).lower(): m.group(2).strip() for m in P.GUTENBERG_FIELD.finditer(head)}


def strip_gutenberg(text: str) -> str:
    """Remove the Project Gutenberg header, footer, license paragraphs and producer credits."""
    start = P.GUTENBERG_START.search(text)
    if start:
        text = text[start.end() :]
    end = P.GUTENBERG_END.search(text)
    if end:
        text = text[: end.start()]
    return join_blocks(b for b in blocks_of(text) if not P.GUTENBERG_MARK.search(b) and not P.PRODUCER_CREDIT.match(b))


# --- illustrations and captions ----------------------------------------------------------------


def strip_illustrations(text: str) -> str:
    """Remove ``[Illustration: ...]`` markers and Markdown images."""
    return _drop_marked(_drop_marked(text, P.ILLUSTRATION), P.MARKDOWN_IMAGE)


def is_caption(line: str) -> bool:
    """A web-page image caption: ``X<junk>X / <credit>`` or ``... / Image: <credit>``."""
    line = line.strip()
    if len(line) > P.CAPTION_MAX_LEN or P.CAPTION_SPLIT not in line:
        return False
    left, _, credit = line.rpartition(P.CAPTION_SPLIT)
    if P.CAPTION_CREDIT.search(line):
        return len(credit.split()) <= 2 * P.CAPTION_MAX_CREDIT_WORDS
    if len(credit.split()) > P.CAPTION_MAX_CREDIT_WORDS or credit.rstrip()[-1:] in "?!.":
        return False
    letters = _letters(left)
    size = min(P.CAPTION_ECHO_CHARS, len(letters) // 3)
    return size >= 6 and letters[-size:] in letters[:-size]


def strip_captions(text: str) -> str:
    """Remove web-page image captions: a caption line, or a paragraph that is a (wrapped) caption."""
    kept = []
    for block in blocks_of(text):
        if "\n" in block and len(block) <= P.CAPTION_MAX_LEN and is_caption(" ".join(block.split())):
            continue
        lines = [line for line in block.split("\n") if not is_caption(line)]
        if lines:
            kept.append("\n".join(lines))
    return join_blocks(kept)


# --- footnotes -----------------------------------------------------------------------------------


def _drop_notes_sections(blocks: list[str]) -> list[str]:
    """Drop a ``Notes``/``Footnotes`` heading and the marker-led paragraphs under it."""
    kept: list[str] = []
    in_notes = False
    for block in blocks:
        if P.NOTES_HEADING.match(block):
            in_notes = True
            continue
        if in_notes and P.FOOTNOTE_BODY_START.match(block):
            continue
        in_notes = False
        kept.append(block)
    return kept


def strip_footnotes(text: str) -> str:
    """Drop footnote bodies and inline markers (see the module docstring)."""
    text = _drop_marked(text, P.FOOTNOTE_BLOCK)
    blocks = [b for b in blocks_of(text) if not P.FOOTNOTE_BODY_START.match(b) or not b.lstrip().startswith("[")]
    return _drop_marked(join_blocks(_drop_notes_sections(blocks)), P.FOOTNOTE_MARKER)


# --- contents ------------------------------------------------------------------------------------


def _entry_key(line: str) -> str:
    """The first two words of a contents entry or heading, lower case: ``"chapter i"``."""
    line = P.MARKDOWN_LINK.sub(r"\1", line)
    words = re.findall(r"[a-z0-9]+", line[:200].lower())
    return " ".join(words[:2])


def _is_entry_block(block: str) -> bool:
    """Short lines only, each looking like an entry (no prose)."""
    for line in block.split("\n"):
        if len(line) > 200:
            return False
        line = P.PAGE_NUMBER_TAIL.sub("", line).strip()
        if len(line.split()) > P.SHORT_TITLE_WORDS or len(line) > 100:
            return False
    return True


def _contents_end(blocks: list[str], start: int) -> int | None:
    """Index of the first block after the contents entries that begin at ``start``."""
    first_key = ""
    labelled = False
    for i in range(start, len(blocks)):
        block = blocks[i]
        key = _entry_key(block.split("\n", 1)[0])
        is_label = bool(P.CHAPTER_HEADING.match(block.split("\n", 1)[0].strip()))
        if first_key and (key == first_key or (is_label and not labelled)):
            return i
        if not _is_entry_block(block) or P.CONTENTS_HEADING.match(block):
            return i
        first_key = first_key or key
        labelled = labelled or any(P.CHAPTER_HEADING.match(ln.strip()) for ln in block.split("\n"))
    return None


def strip_contents(text: str) -> str:
    """Remove tables of contents and lists of illustrations (heading and entries)."""
    blocks = blocks_of(text)
    i = 0
    while i < len(blocks):
        lines = blocks[i].split("\n")
        if not P.CONTENTS_HEADING.match(lines[0]):
            i += 1
            continue
        rest = "\n".join(lines[1:])
        work = ([rest] if rest.strip() else []) + blocks[i + 1 :]
        end = _contents_end(work, 0)
        if not end:  # no entries, or no end: not a contents table after all
            i += 1
            continue
        blocks[i:] = work[end:]
    return join_blocks(blocks)


# --- markup --------------------------------------------------------------------------------------


def strip_markup(text: str) -> str:
    """Remove emphasis marks, simple HTML tags, link targets and decorative rule lines."""
    text = P.HTML_TAG.sub("", text)
    text = P.MARKDOWN_LINK.sub(r"\1", text)
    text = P.UNDERSCORE_EMPHASIS.sub(r"\2", text)
    text = P.ASTERISK_EMPHASIS.sub(r"\2", text)
    return "\n".join(line for line in text.split("\n") if not P.RULE_LINE.match(line))


# --- dehyphenate ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Vocabulary:
    words: Counter[str]  # words and hyphenated compounds as written, lower case
    parts: frozenset[str]  # the pieces of the hyphenated compounds

    @classmethod
    def of(cls, text: str) -> _Vocabulary:
        words = Counter(w.lower() for w in P.WORD.findall(text))
        return cls(words, frozenset(p for w in words if "-" in w for p in w.split("-")))

    def knows(self, piece: str) -> bool:
        """A word used elsewhere (the broken piece itself counts once) or a piece of a compound."""
        piece = piece.lower()
        return self.words[piece] >= 2 or piece in self.parts


def _rejoin(first: str, second: str, vocabulary: _Vocabulary) -> str:
    """How ``first-`` + newline + ``second`` is written once re-joined.

    Without the hyphen when the text uses the joined word elsewhere, or the pieces are not words
    (``care-ful``); with it when the text uses the compound elsewhere, the second piece is
    capitalised (``anti-Marxist``), or both pieces are words of 3+ letters (``counter-revolution``).
    """
    joined, compound = first + second, f"{first}-{second}"
    if vocabulary.words[joined.lower()]:
        return joined
    if vocabulary.words[compound.lower()] or second[:1].isupper():
        return compound
    if min(len(first), len(second)) >= 3 and vocabulary.knows(first) and vocabulary.knows(second):
        return compound
    return joined


def dehyphenate(text: str) -> str:
    """Re-join words hyphenated across a line break."""
    if "-\n" not in text:
        return text
    vocabulary = _Vocabulary.of(text)
    parts: list[str] = []
    pos = 0
    for match in re.finditer(r"-\n[ \t]*(?=[^\W\d_])", text):
        head = re.search(r"(?<![-\w])[^\W\d_]{1,40}$", text[max(pos, match.start() - 41) : match.start()])
        tail = re.match(r"[^\W\d_]{1,40}", text[match.end() : match.end() + 40])
        if not head or not tail:
            continue
        first, second = head.group(0), tail.group(0)
        parts.append(text[pos : match.start() - len(first)])
        parts.append(_rejoin(first, second, vocabulary))
        pos = match.end() + len(second)
    parts.append(text[pos:])
    return "".join(parts)


# --- rewrap --------------------------------------------------------------------------------------


def wrap_width(blocks: list[str]) -> int:
    """The width the text was hard-wrapped at: a high percentile of non-final line lengths."""
    lengths = sorted(len(line) for b in blocks for line in b.split("\n")[:-1])
    if not lengths:
        return 0
    return lengths[min(len(lengths) - 1, int(len(lengths) * 0.9))]


def _keeps_break(prev: str, line: str, width: int, markdown: bool, in_list: bool = False) -> bool:
    """True when the line break between ``prev`` and ``line`` is meant (poem, list, heading).

    ``in_list``: the block is a list (or ``prev`` introduces one), so a line that starts like a
    list item starts a new item; in running prose "54) ..." is just a wrapped line.
    """
    if ((in_list or prev.rstrip().endswith(":")) and P.LIST_ITEM.match(line)) or not prev.strip():
        return True
    if markdown:
        return bool(P.MD_HARD_BREAK.search(prev)) or prev.lstrip().startswith("#") or line.lstrip().startswith("#")
    first_word = line.lstrip().split(" ", 1)[0]  # a no-break space does not end a word
    return len(prev) + 1 + len(first_word) <= width


def rewrap_block(block: str, width: int, markdown: bool = False) -> str:
    lines = block.split("\n")
    out = [lines[0]]
    in_list = bool(P.LIST_ITEM.match(lines[0]))
    for prev, line in itertools.pairwise(lines):
        if _keeps_break(prev, line, width, markdown, in_list):
            out[-1] = re.sub(r"(?:  |\\)$", "", out[-1]).rstrip() if markdown else out[-1]
            out.append(line)
        else:
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
    return "\n".join(out)


def rewrap(text: str, markdown: bool = False) -> str:
    """Re-join hard-wrapped lines into paragraphs (poems, lists and short lines keep their breaks)."""
    blocks = blocks_of(text)
    width = wrap_width(blocks)
    return join_blocks(rewrap_block(b, width, markdown) if "\n" in b else b for b in blocks)


# --- the pipeline --------------------------------------------------------------------------------

Rule = Callable[[str], str]

RULE_NAMES = ("gutenberg", "illustrations", "captions", "footnotes", "contents", "markup", "dehyphenate", "rewrap")
JOINING_RULES = frozenset({"dehyphenate", "rewrap"})


def rules_for(config: TextConfig, markdown: bool = False) -> list[tuple[str, Rule]]:
    """The enabled rules, in order."""
    table: dict[str, Rule] = {
        "gutenberg": strip_gutenberg,
        "illustrations": strip_illustrations,
        "captions": strip_captions,
        "footnotes": strip_footnotes,
        "contents": strip_contents,
        "markup": strip_markup,
        "dehyphenate": dehyphenate,
        "rewrap": partial(rewrap, markdown=markdown),
    }
    return [(name, table[name]) for name in RULE_NAMES if getattr(config, name)]


def count_change(before: str, after: str) -> RuleCount:
    """Non-blank lines removed, and lines of ``after`` that were not in ``before`` (edited)."""
    old = Counter(line.strip() for line in before.split("\n") if line.strip())
    new = Counter(line.strip() for line in after.split("\n") if line.strip())
    removed = max(0, sum(old.values()) - sum(new.values()))
    return RuleCount(removed=removed, changed=sum((new - old).values()))


def clean_text(text: str, config: TextConfig, markdown: bool = False) -> tuple[str, dict[str, RuleCount]]:
    """Normalise then run every enabled rule; return the text and what each rule did."""
    text = normalise(text, markdown)
    counts: dict[str, RuleCount] = {}
    for name, rule in rules_for(config, markdown):
        cleaned = rule(text)
        counts[name] = count_change(text, cleaned)
        log.debug("rule %s: %s", name, counts[name])
        text = cleaned
    return text, counts
