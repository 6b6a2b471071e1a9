"""The book as the EPUB sees it: each chapter's documents, its text in blocks of sentences, and the
span of its audio each sentence is read in.

A chapter's cues are its sentences in reading order (the disclosure, the title, then headings and
paragraphs, as ``ChapterOutput.blocks`` groups them). Each sentence's clip starts where its cue
starts and runs to the next sentence's start (the pause after a sentence belongs to it, so a reading
system plays the chapter without skipping its pauses); the last one ends at its cue's end.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from narration.audio.types import Block, ChapterOutput, Cue

log = logging.getLogger(__name__)

TEXT_DIR, SMIL_DIR, AUDIO_DIR = "text", "smil", "audio"


@dataclass(frozen=True)
class Sentence:
    id: str  # the element id in the chapter's XHTML
    text: str
    begin: float  # seconds in the chapter's audio
    end: float


@dataclass(frozen=True)
class TextBlock:
    kind: str  # "disclosure" | "title" | "heading" | "paragraph"
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class EpubChapter:
    number: int
    title: str
    blocks: tuple[TextBlock, ...]
    audio_source: str  # the episode file, for the writer
    duration_ms: int  # the sum of its clips as written (the overlay's media:duration)

    @property
    def name(self) -> str:
        return f"chapter-{self.number:03d}"

    @property
    def xhtml(self) -> str:  # paths inside the package folder (OEBPS/)
        return f"{TEXT_DIR}/{self.name}.xhtml"

    @property
    def smil(self) -> str:
        return f"{SMIL_DIR}/{self.name}.smil"

    @property
    def audio(self) -> str:
        return f"{AUDIO_DIR}/{self.name}.mp3"

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        return tuple(s for b in self.blocks for s in b.sentences)


def clip_spans(cues: tuple[Cue, ...], duration: float) -> list[tuple[float, float]]:
    """Each cue's clip: from its start to the next cue's start (the last: to its end), in the audio."""
    starts = [min(max(0.0, c.start), duration) for c in cues]
    ends = [*starts[1:], min(max(cues[-1].end, starts[-1]), duration)] if cues else []
    return [(b, max(b, e)) for b, e in zip(starts, ends, strict=True)]


def _grouping(chapter: ChapterOutput) -> tuple[Block, ...]:
    """The chapter's blocks, or one paragraph per cue when it has none that fit its cues."""
    if chapter.blocks and sum(b.cues for b in chapter.blocks) == len(chapter.cues):
        return chapter.blocks
    if chapter.blocks:
        log.warning("chapter %d: its blocks do not match its cues; one paragraph per sentence", chapter.number)
    return tuple(Block("paragraph", 1) for _ in chapter.cues)


def epub_chapter(chapter: ChapterOutput) -> EpubChapter:
    spans = clip_spans(chapter.cues, chapter.duration)
    sentences = [
        Sentence(f"s{i}", " ".join(cue.text.split()), begin, end)
        for i, (cue, (begin, end)) in enumerate(zip(chapter.cues, spans, strict=True), 1)
    ]
    blocks, at = [], 0
    for block in _grouping(chapter):
        blocks.append(TextBlock(block.kind, tuple(sentences[at : at + block.cues])))
        at += block.cues
    duration_ms = sum(millis(s.end) - millis(s.begin) for s in sentences)
    return EpubChapter(chapter.number, chapter.title, tuple(b for b in blocks if b.sentences),
                       str(chapter.episode), duration_ms)  # fmt: skip


def millis(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def clock_value(seconds: float) -> str:
    """A SMIL full clock value, "H:MM:SS.mmm" (to the millisecond, as :func:`millis` rounds)."""
    return clock_ms(millis(seconds))


def clock_ms(total: int) -> str:
    hours, rest = divmod(total, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    return f"{hours}:{minutes:02d}:{secs:02d}.{ms:03d}"
