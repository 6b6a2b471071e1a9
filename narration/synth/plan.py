"""Book -> work: what has to be spoken, cut into engine-sized pieces with their cache keys.

Each chapter's title and each section (and, before the first chapter's title, the AI disclosure
when ``[disclosure] speak`` is on) is cut into sentences (``split_sentences``), grouped into
pieces that fit the engine (``chunk_sentences``), and every sentence is normalised to spoken form
(``to_spoken`` with the book's lexicon). Characters the voice cannot say are dropped with a warning;
sentences with nothing left to say are skipped, and so are pieces and sections left empty.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from narration import fsutil
from narration.disclosure import spoken_disclosure
from narration.errors import ConfigError
from narration.model import Book, Chapter
from narration.synth.cache import clip_key
from narration.synth.takes import take_key
from narration.synth.types import OPENING
from narration.text.sentences import chunk_sentences, split_sentences

log = logging.getLogger(__name__)

_SAYABLE = re.compile(r"\w")
_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


@dataclass(frozen=True)
class Piece:
    """Sentences spoken as one clip: as written (for transcripts) and as the engine receives them."""

    key: str
    written: tuple[str, ...]
    spoken: tuple[str, ...]
    take: int = 1  # which rendition the book uses (narration.synth.takes); a re-take has its own key
    first_key: str | None = None  # the key of take 1, for a re-take (None: this is take 1)

    @property
    def take1_key(self) -> str:
        return self.first_key or self.key

    @property
    def chars(self) -> int:
        return sum(len(s) for s in self.spoken)


@dataclass(frozen=True)
class Item:
    """A chapter title, a section or the book's opening disclosure, and its pieces in reading order."""

    kind: Literal["title", "section", "opening"]
    id: str  # chapter.slug for a title, section.id for a section, OPENING for the opening
    chapter: int
    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class Plan:
    items: tuple[Item, ...]

    def pieces(self) -> dict[str, Piece]:
        """Every distinct piece, by key, in reading order."""
        return {piece.key: piece for item in self.items for piece in item.pieces}


@dataclass(frozen=True)
class Speech:
    """How text becomes engine input: the normalisation lexicon and the engine's limits."""

    identity_digest: str
    max_chars: int
    lexicon: Mapping[str, str]
    takes: Mapping[str, int] = field(default_factory=dict)  # take-1 key -> chosen take (only re-takes)
    _memo_key: str = field(init=False, repr=False, compare=False, default="")

    def __post_init__(self) -> None:
        entries = sorted(self.lexicon.items())
        takes = sorted(f"{k}={v}" for k, v in self.takes.items())
        key = fsutil.digest(self.identity_digest, str(self.max_chars), *(f"{k}\0{v}" for k, v in entries), *takes)
        object.__setattr__(self, "_memo_key", key)

    @property
    def memo_key(self) -> str:
        """A digest of everything here (the memos of planned texts key on it)."""
        return self._memo_key

    def __hash__(self) -> int:  # the memo of make_pieces keys on it (the lexicon is a dict)
        return hash(self._memo_key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Speech) and other._memo_key == self._memo_key


def parse_ranges(text: str) -> list[int]:
    """``"1-3,5"`` -> ``[1, 2, 3, 5]``; :class:`ConfigError` for anything else."""
    numbers: list[int] = []
    for part in text.split(","):
        match = _RANGE.match(part)
        if not match:
            raise ConfigError(f"chapters: {text!r} is not a list of numbers and ranges like 1-3,5")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if first < 1 or last < first:
            raise ConfigError(f"chapters: {part.strip()!r} is not a valid range (chapters count from 1)")
        numbers.extend(n for n in range(first, last + 1) if n not in numbers)
    return numbers


def select_chapters(book: Book, numbers: Sequence[int] | None) -> tuple[Chapter, ...]:
    """:meth:`Book.select` (kept for callers of the synth stage's API)."""
    return book.select(numbers)


def speakable(sentence: str, lexicon: Mapping[str, str]) -> tuple[str, str]:
    """The engine's text for a written sentence ("" if nothing is left to say), and the
    characters the voice cannot say that were dropped from it."""
    from narration.text.spoken import to_spoken, unspeakable  # imported only when something is planned

    text = to_spoken(sentence, lexicon)
    return (text if _SAYABLE.search(text) else ""), unspeakable(sentence)


Cut = Callable[[str, "Speech", str], tuple[Piece, ...]]


def make_pieces(text: str, speech: Speech, where: str) -> tuple[Piece, ...]:
    """Cut a title or section into pieces; warn once about characters the voice cannot say."""
    return warn_pieces(text, *cut_pieces(text, speech), where)


def cut_pieces(text: str, speech: Speech) -> tuple[tuple[Piece, ...], frozenset[str]]:
    """The pieces of ``text`` and the characters dropped from it (memoised in this process)."""
    from narration.text.spoken import to_spoken

    return _pieces(text, speech, to_spoken)


def warn_pieces(text: str, pieces: tuple[Piece, ...], dropped: frozenset[str], where: str) -> tuple[Piece, ...]:
    """``pieces``, after the warnings planning ``text`` gives: characters dropped, nothing to say."""
    if dropped:
        log.warning("%s: dropped characters the voice cannot say: %s", where, " ".join(sorted(dropped)))
    if not pieces:
        log.warning("%s: nothing to say in %r; skipped", where, text[:60])
    return pieces


@functools.lru_cache(maxsize=16384)
def _pieces(text: str, speech: Speech, spoken_form: Callable[..., str]) -> tuple[tuple[Piece, ...], frozenset[str]]:
    """The pieces of a text and the characters dropped from it: a pure function of its arguments
    (``spoken_form``, the :func:`to_spoken` in use, is part of the key: a replaced one is not served
    stale results), memoised, so a long-running caller (the studio) re-plans only the sections an
    edit changed (and :mod:`narration.synth.memo` keeps it across processes)."""
    pieces = []
    dropped: set[str] = set()
    for group in chunk_sentences(split_sentences(text), speech.max_chars):
        pairs = []
        for sentence in group:
            said, lost = speakable(sentence, speech.lexicon)
            dropped.update(lost)
            if said:
                pairs.append((sentence, said))
        if pairs:
            written, spoken = (tuple(x) for x in zip(*pairs, strict=True))
            pieces.append(keyed_piece(clip_key(speech.identity_digest, spoken), written, spoken, speech.takes))
    return tuple(pieces), frozenset(dropped)


def keyed_piece(first: str, written: tuple[str, ...], spoken: tuple[str, ...], takes: Mapping[str, int]) -> Piece:
    """The piece with the take the book chose (take 1, keyed ``first``, unless recorded otherwise)."""
    take = takes.get(first, 1)
    if take == 1:
        return Piece(first, written, spoken)
    return Piece(take_key(first, take), written, spoken, take, first)


def chapter_items(chapter: Chapter, speech: Speech, opening: str | None = None, cut: Cut = make_pieces) -> list[Item]:
    """The chapter's title and sections; ``opening`` (the disclosure) is said before the title;
    ``cut`` plans each text (:func:`make_pieces`, or a memo of it)."""
    where = f"chapter {chapter.number} ({chapter.slug})"
    items = []
    if opening:
        items.append(Item("opening", OPENING, chapter.number, cut(opening, speech, f"{where}, disclosure")))
    items.append(Item("title", chapter.slug, chapter.number, cut(chapter.title, speech, f"{where}, title")))
    for index, section in enumerate(chapter.sections, 1):
        pieces = cut(section.text, speech, f"{where}, section {index}")
        items.append(Item("section", section.id, chapter.number, pieces))
    return items


def build_plan(book: Book, speech: Speech, chapters: Sequence[int] | None = None, cut: Cut = make_pieces) -> Plan:
    """Every title and section of the selected chapters, cut into keyed pieces (by ``cut``); the
    disclosure before the book's first chapter (when it is selected and ``[disclosure] speak`` is on)."""
    opening = spoken_disclosure(book.config)
    items = [
        item
        for chapter in select_chapters(book, chapters)
        for item in chapter_items(chapter, speech, opening if chapter.number == 1 else None, cut)
    ]
    return Plan(tuple(items))
