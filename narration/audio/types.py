"""What the audio stage hands to the publish stage (the contract between the two)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Cue:
    """A transcript cue: exact times from the synthesis timings plus the pauses inserted by mastering."""

    start: float  # seconds from the start of the episode
    end: float
    text: str


@dataclass(frozen=True)
class Block:
    """A run of a chapter's cues that form one block of its text (the EPUB's paragraphs)."""

    kind: str  # "disclosure" | "title" | "heading" | "paragraph"
    cues: int  # how many cues, following those of the blocks before it


@dataclass(frozen=True)
class ChapterOutput:
    number: int
    title: str
    key: str  # stable chapter identity (Chapter.key) used for GUIDs
    slug: str
    episode: Path  # output/episodes/NN-slug.mp3
    duration: float  # seconds, of the encoded episode
    start: float  # seconds, where the chapter starts in the complete book
    cues: tuple[Cue, ...]
    description: str  # the chapter's opening, plain text
    blocks: tuple[Block, ...] = ()  # its cues grouped in blocks; () means one paragraph per cue


@dataclass(frozen=True)
class BuildResult:
    title: str
    author: str
    language: str
    description: str
    out_dir: Path
    m4b: Path
    mp3: Path
    cover: Path
    duration: float  # seconds, of the complete book
    chapters: tuple[ChapterOutput, ...]
    # a progressive build: ``chapters`` are those finished so far, and the M4B and MP3 (and so the
    # EPUB) are still to be assembled; publishing lists them as "in progress"
    in_progress: bool = False
