"""Chapters from the table of contents laid over the reading order.

All spine documents (``linear="no"`` ones left out) are one stream of blocks; each contents entry
points at a position in it (a whole document, or a fragment). A chapter runs from its entry's
position to the next entry's position in reading order, so one file can hold many chapters and one
chapter can span several files. A top-level entry whose own span holds no paragraph (a part, a
half-title page) is a container: its children are the chapters; so are children in other
documents than their parent's (the parent's own text, a part's epigraph, is then a chapter of its
own). Entries below a chapter in its own document become spoken subheadings. Entries for front
and back matter (by landmarks, by the guide, by title, or because their target was dropped for
its ``epub:type``) are cuts that are not narrated; so is an entry whose fragment is not found.

Without a usable table of contents, chapters come from the headings of the documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from narration.config import TextConfig
from narration.model import SectionKind
from narration.text.epub import rules as R
from narration.text.epub.content import Block, DocText
from narration.text.epub.toc import Target, TocEntry
from narration.text.result import ChapterDraft

_NUMBERED = re.compile(r"^\W*(?:\d{1,3}|[IVXLC]{1,7}|[ivxlc]{1,7})\W*$")


@dataclass(frozen=True)
class Cut:
    pos: int
    kind: str  # chapter | skip | container
    title: str = ""
    subheads: tuple[tuple[int, str], ...] = ()


@dataclass
class Stream:
    """The reading order as one list of blocks, and where each document starts in it."""

    docs: dict[str, DocText]
    nonlinear: set[str]
    blocks: list[Block] = field(default_factory=list)
    starts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for path, doc in self.docs.items():
            self.starts[path] = len(self.blocks)
            self.blocks.extend(doc.blocks)

    def position(self, target: Target) -> tuple[int | None, str]:
        """The block index ``target`` points at, or None and why it is not narrated."""
        path, frag = target
        doc = self.docs.get(path)
        if doc is None:
            return (
                None,
                'not in the reading order (linear="no")' if path in self.nonlinear else "not in the reading order",
            )
        if frag and frag in doc.anchors:
            return self.starts[path] + doc.anchors[frag], ""
        if frag and frag in doc.dropped:
            return None, doc.dropped[frag]
        if frag:
            return None, f"its target #{frag} is not in {path} (a broken link: not a chapter)"
        if not doc.blocks:
            return None, doc.first_drop or "no text"
        return self.starts[path], ""


@dataclass
class Planner:
    stream: Stream
    config: TextConfig
    marks: dict[Target, str]  # landmarks and guide: target -> what it is
    cuts: list[Cut] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    skipped_paths: set[str] = field(default_factory=set)  # documents whose skipping is already reported
    warnings: list[str] = field(default_factory=list)

    def entry_reason(self, entry: TocEntry) -> str | None:
        name = R.title_rule(entry.title)
        allowed = {R.CONTENTS_NAME: self.config.contents, R.NOTES_NAME: self.config.footnotes}
        if name and allowed.get(name, self.config.front_matter):
            return f"{name} (by its title)"
        if entry.target and self.config.front_matter:
            mark = self.marks.get(entry.target) or (
                self.marks.get((entry.target[0], None)) if not entry.target[1] else None
            )
            if mark:
                return mark
        return None

    def first_position(self, entries: tuple[TocEntry, ...]) -> int | None:
        for entry in entries:
            pos = self.stream.position(entry.target)[0] if entry.target else None
            pos = pos if pos is not None else self.first_position(entry.children)
            if pos is not None:
                return pos
        return None

    def is_container(self, pos: int | None, entry: TocEntry) -> bool:
        """No text of its own before its first child (a part, a half-title page), or children in
        other documents (a part with an epigraph: its chapters are chapters too). A poem whose
        children are only numbered sections of its own document ("1", "2", "IV") is one chapter."""
        child = self.first_position(entry.children)
        if child is None:
            return False
        elsewhere = any(c.path != entry.path for c in entry.children)
        if not elsewhere and all(_NUMBERED.match(c.title) for c in entry.children):
            return False
        return pos is None or elsewhere or not self.has_own_text(pos, entry)

    def has_own_text(self, pos: int | None, entry: TocEntry) -> bool:
        child = self.first_position(entry.children)
        end = child if child is not None else pos
        return pos is not None and any(b.kind == "paragraph" for b in self.stream.blocks[pos:end])

    def subheads(self, entries: tuple[TocEntry, ...]) -> list[tuple[int, str]]:
        out = []
        for entry in entries:
            pos = self.stream.position(entry.target)[0] if entry.target else None
            if pos is not None and entry.title:
                out.append((pos, entry.title))
            out += self.subheads(entry.children)
        return out

    def plan(self, entries: tuple[TocEntry, ...]) -> None:
        for entry in entries:
            pos, why = self.stream.position(entry.target) if entry.target else (None, "no link")
            reason = why if pos is None and entry.target and not entry.children else self.entry_reason(entry)
            if reason and entry.path:
                self.skipped_paths.add(entry.path)
            if entry.children and (reason or self.is_container(pos, entry)):
                if pos is not None:  # its own text, if any, is a chapter of its own (a part's epigraph)
                    own = not reason and self.has_own_text(pos, entry)
                    self.cuts.append(Cut(pos, "chapter" if own else "container", entry.title))
                if reason:
                    self.skipped.append(f"{entry.title!r}: {reason}")
                self.plan(entry.children)
            elif reason or pos is None:
                self.skipped.append(f"{entry.title!r}: {reason or why}")
                if pos is not None:
                    self.cuts.append(Cut(pos, "skip", entry.title))
            else:
                self.cuts.append(Cut(pos, "chapter", entry.title or "Untitled", tuple(self.subheads(entry.children))))

    def unlisted_matter(self) -> None:
        """Documents no entry points at whose title names front or back matter (untyped EPUB 2 pages)."""
        cut_starts = {c.pos for c in self.cuts}
        for path, doc in self.stream.docs.items():
            start = self.stream.starts[path]
            if start in cut_starts or not doc.blocks or not self.config.front_matter:
                continue
            heading = next((b.text for b in doc.blocks[:3] if b.kind == "heading"), "")
            name = next((R.title_rule(t) for t in (doc.title, heading) if t and R.title_rule(t)), None)
            if name and name != R.NOTES_NAME:
                self.cuts.append(Cut(start, "skip", doc.title))
                self.skipped.append(f"{path}: {name} (by its title)")
                self.skipped_paths.add(path)


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def repeats_title(title: str, heading: str) -> bool:
    a, b = _words(title), _words(heading)
    return bool(a and b) and (a <= b or b <= a)


def chapter_sections(
    blocks: list[Block], start: int, title: str, subheads: dict[int, str], config: TextConfig
) -> list[tuple[SectionKind, str]]:
    """The sections of a chapter: headings that repeat its title at its start dropped, subheadings kept."""
    sections: list[tuple[SectionKind, str]] = []
    leading = True
    for i, block in enumerate(blocks, start):
        if block.kind == "paragraph":
            if i in subheads and not leading and config.subheadings:
                sections.append(("heading", subheads[i]))
            sections.append(("paragraph", block.text))
            leading = False
        elif leading and repeats_title(title, block.text):
            continue
        elif config.subheadings:
            sections.append(("heading", block.text))
    while sections and sections[-1][0] == "heading":
        sections.pop()
    return sections


def drafts_from_cuts(stream: Stream, cuts: list[Cut], config: TextConfig) -> tuple[list[ChapterDraft], list[str]]:
    ordered = sorted(enumerate(cuts), key=lambda pair: (pair[1].pos, pair[0]))
    drafts, warnings = [], []
    for n, (_, cut) in enumerate(ordered):
        end = ordered[n + 1][1].pos if n + 1 < len(ordered) else len(stream.blocks)
        if cut.kind != "chapter":
            continue
        sections = chapter_sections(stream.blocks[cut.pos : end], cut.pos, cut.title, dict(cut.subheads), config)
        if any(kind == "paragraph" for kind, _ in sections):
            drafts.append(ChapterDraft(cut.title, tuple(sections)))
        else:
            warnings.append(f"contents entry {cut.title!r} has no text of its own: not a chapter")
    return drafts, warnings


def opening_draft(stream: Stream, cuts: list[Cut], config: TextConfig) -> ChapterDraft | None:
    """Text before the first contents entry, when there is some (not silently dropped)."""
    first = min((c.pos for c in cuts), default=len(stream.blocks))
    blocks = stream.blocks[:first]
    if not any(b.kind == "paragraph" for b in blocks):
        return None
    title = next((b.text for b in blocks if b.kind == "heading"), config.opening_title)
    return ChapterDraft(title, tuple(chapter_sections(blocks, 0, title, {}, config)))


def heading_cuts(stream: Stream, config: TextConfig, max_level: int = 6) -> list[Cut]:
    """Chapters from headings: the most frequent top level (the smallest level used twice)."""
    levels = sorted(b.level for b in stream.blocks if b.kind == "heading" and b.level <= max_level)
    level = next((lv for lv in sorted(set(levels)) if levels.count(lv) >= 2), levels[0] if levels else 0)
    if not level:
        return [
            Cut(stream.starts[p], "chapter", d.title or p.rsplit("/", 1)[-1])
            for p, d in stream.docs.items()
            if d.has_text
        ]
    cuts = []
    for i, block in enumerate(stream.blocks):
        if block.kind == "heading" and block.level <= level:
            name = R.title_rule(block.text) if config.front_matter else None
            cuts.append(Cut(i, "skip" if name else "chapter", block.text))
    return cuts
