"""What a chapter says, in order: its title and sections with the clips that speak them.

Kept apart from mastering (and its heavy imports) because a build computes every chapter's key
from it, even when nothing has to be mastered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from narration.errors import AudioError, InputError
from narration.model import Chapter
from narration.synth.types import Clip, SynthResult

PartKind = Literal["title", "heading", "paragraph"]


@dataclass(frozen=True)
class Part:
    """The chapter title or a section, with the clips that speak it."""

    kind: PartKind
    clips: tuple[Clip, ...]


def chapter_parts(chapter: Chapter, synth: SynthResult) -> list[Part]:
    """The chapter's title and sections, with their clips, leaving out what has nothing to say."""
    parts = [Part("title", synth.titles.get(chapter.slug, ()))]
    for section in chapter.sections:
        clips = synth.sections.get(section.id)
        if clips is None:
            raise AudioError(f"chapter {chapter.number}: section {section.id} was not synthesised")
        parts.append(Part("heading" if section.kind == "heading" else "paragraph", clips))
    parts = [p for p in parts if p.clips]
    if not any(p.kind == "paragraph" for p in parts):
        raise InputError(f"chapter {chapter.number} ({chapter.title!r}) has no text to narrate")
    return parts
