"""What a chapter says, in order: its title and sections with the clips that speak them (the book's
first chapter opens with the AI disclosure when it was synthesised), and the units (one per clip,
with its pauses) it is made of.

Kept apart from mastering (and its heavy imports) because a build computes every chapter's key
from it, even when nothing has to be mastered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from narration.audio.profiles import Profile
from narration.audio.types import Block
from narration.config import AudioConfig
from narration.errors import AudioError, InputError
from narration.model import Chapter
from narration.synth.types import OPENING, Clip, SynthResult

PartKind = Literal["disclosure", "title", "heading", "paragraph"]


@dataclass(frozen=True)
class Part:
    """The chapter title or a section, with the clips that speak it."""

    kind: PartKind
    clips: tuple[Clip, ...]


def chapter_parts(chapter: Chapter, synth: SynthResult) -> list[Part]:
    """The chapter's title and sections, with their clips, leaving out what has nothing to say;
    the disclosure first in the book's first chapter."""
    opening = synth.sections.get(OPENING, ()) if chapter.number == 1 else ()
    parts = [Part("disclosure", opening), Part("title", synth.titles.get(chapter.slug, ()))]
    for section in chapter.sections:
        clips = synth.sections.get(section.id)
        if clips is None:
            raise AudioError(f"chapter {chapter.number}: section {section.id} was not synthesised")
        parts.append(Part("heading" if section.kind == "heading" else "paragraph", clips))
    parts = [p for p in parts if p.clips]
    if not any(p.kind == "paragraph" for p in parts):
        raise InputError(f"chapter {chapter.number} ({chapter.title!r}) has no text to narrate")
    return parts


@dataclass(frozen=True)
class Pauses:
    """Every pause of the layout, in milliseconds."""

    sentence: int
    paragraph: int
    before_heading: int
    after_title: int
    head: int
    tail: int

    @classmethod
    def of(cls, config: AudioConfig, profile: Profile) -> Pauses:
        head: float = config.head_room_tone_ms
        tail: float = config.tail_room_tone_ms
        if profile.head_range:  # leave room for the codec delay and the voice's own lead-in
            head = _clamp(head, profile.head_range[0] * 1000, profile.head_range[1] * 1000 - 100)
        if profile.tail_range:  # leave room for the last frame's padding
            tail = _clamp(tail, profile.tail_range[0] * 1000, profile.tail_range[1] * 1000 - 500)
        values = (config.sentence_pause_ms, config.paragraph_pause_ms, config.before_title_ms, config.after_title_ms)
        if min((*values, head, tail)) < 0:
            raise AudioError(f"[audio] pauses cannot be negative: {config}")
        return cls(*values, head=int(head), tail=int(tail))


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


@dataclass(frozen=True)
class UnitLayout:
    """One clip's place in its chapter: the silence before it and the pause after it."""

    clip: Clip
    lead_ms: int  # silence before the first word (the head room tone; 0 inside a chapter)
    gap_ms: int  # the pause after the last word, up to the next unit's first word (or the tail)
    sentence_ms: int  # the pause between the clip's sentences
    last: bool  # the chapter's last unit: its gap is the tail, with no unit after it


def _gap(previous: Part, following: Part, pauses: Pauses) -> int:
    if previous.kind in ("title", "heading"):
        return pauses.after_title
    if following.kind in ("title", "heading"):
        return pauses.before_heading
    return pauses.paragraph


def chapter_layouts(chapter: Chapter, synth: SynthResult, pauses: Pauses) -> list[UnitLayout]:
    """The chapter's units in order: each clip with the silence before it and the pause after it."""
    parts = chapter_parts(chapter, synth)
    layouts: list[UnitLayout] = []
    for index, part in enumerate(parts):
        for position, clip in enumerate(part.clips):
            if position + 1 < len(part.clips):
                gap = pauses.sentence
            elif index + 1 < len(parts):
                gap = _gap(part, parts[index + 1], pauses)
            else:
                gap = pauses.tail
            last = index + 1 == len(parts) and position + 1 == len(part.clips)
            layouts.append(UnitLayout(clip, 0 if layouts else pauses.head, gap, pauses.sentence, last))
    return layouts


def chapter_blocks(chapter: Chapter, synth: SynthResult) -> tuple[Block, ...]:
    """The chapter's parts as blocks of its cues (one cue per sentence of each clip), in order."""
    return tuple(Block(p.kind, sum(len(c.sentences) for c in p.clips)) for p in chapter_parts(chapter, synth))
