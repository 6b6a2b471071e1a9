"""What the studio page shows of a chapter: its blocks, their sentences and each sentence's cue.

A view is made from the book *as it was built* and that build's cues (the exact times of the
synthesis plus the pauses mastering inserted), so the page always shows text that matches the audio
it plays; ``version`` is the script's content at that build (an edit must name it, see
:mod:`narration.studio.edits`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from narration.audio.types import BuildResult, ChapterOutput
from narration.model import Book, Chapter
from narration.synth.plan import Item, Plan


@dataclass(frozen=True)
class SentenceView:
    text: str
    start: float | None  # seconds in the episode (None: not matched to a cue)
    end: float | None


@dataclass(frozen=True)
class BlockView:
    id: str  # section id ("" for the title)
    kind: str  # title, heading or paragraph
    text: str
    sentences: tuple[SentenceView, ...]


@dataclass(frozen=True)
class ChapterView:
    number: int
    slug: str
    title: str
    file: str  # the script's file name
    version: str  # sha256 of the script as built
    episode: str  # URL of the episode, relative to the site root, with a version query
    duration: float
    blocks: tuple[BlockView, ...]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def chapter_views(book: Book, plan: Plan, result: BuildResult, versions: dict[str, str]) -> list[ChapterView]:
    """A view of every chapter built (``plan``: the synth plan of that build; ``versions``: script
    file name -> version)."""
    outputs = {c.slug: c for c in result.chapters}
    items_by_chapter: dict[int, list[Item]] = {}
    for item in plan.items:
        items_by_chapter.setdefault(item.chapter, []).append(item)
    views = []
    for chapter in book.chapters:
        output = outputs.get(chapter.slug)
        if output is None or chapter.path is None:
            continue
        written = {
            item.id: [s for piece in item.pieces for s in piece.written] for item in items_by_chapter[chapter.number]
        }
        views.append(_view(chapter, output, written, versions.get(chapter.path.name, ""), result.out_dir))
    return views


def _view(
    chapter: Chapter, output: ChapterOutput, written: dict[str, list[str]], version: str, out_dir: Path
) -> ChapterView:
    cues = iter(output.cues)
    total = sum(len(v) for v in written.values())
    matched = total == len(output.cues)

    def sentences(key: str) -> tuple[SentenceView, ...]:
        found = []
        for text in written.get(key, []):
            cue = next(cues) if matched else None
            found.append(SentenceView(text, cue.start, cue.end) if cue else SentenceView(text, None, None))
        return tuple(found)

    blocks = [BlockView("", "title", chapter.title, sentences(chapter.slug))]
    for section in chapter.sections:
        blocks.append(BlockView(section.id, section.kind, section.text, sentences(section.id)))
    episode = output.episode.relative_to(out_dir).as_posix() if output.episode.is_relative_to(out_dir) else ""
    try:
        stamp = output.episode.stat().st_mtime_ns
    except OSError:
        stamp = 0
    return ChapterView(
        chapter.number,
        chapter.slug,
        chapter.title,
        chapter.path.name if chapter.path is not None else "",
        version,
        f"{episode}?v={stamp}",
        output.duration,
        tuple(blocks),
    )
