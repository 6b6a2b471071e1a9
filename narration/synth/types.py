"""What the synth stage hands to the audio stage (the contract between the two)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class SentenceSpan:
    """One sentence inside a clip: its time span and its text as written in the script."""

    start: float  # seconds from the start of the clip
    end: float
    text: str


@dataclass(frozen=True)
class Clip:
    """A cached piece of speech (a group of sentences that fits the engine's limit).

    The audio is a mono 16-bit PCM WAV at ``sample_rate`` with the sentences back to back (no
    pauses added: pauses are a mastering setting, inserted at the sentence boundaries).
    """

    key: str  # cache key: digest of the engine identity and the normalised text
    path: Path
    sample_rate: int
    duration: float  # seconds
    sentences: tuple[SentenceSpan, ...]
    sha256: str | None = None  # of the WAV file, checked by whoever reads it (None: not known)


# The key in ``SynthResult.sections`` of the AI disclosure spoken at the start of the book (never a
# section id: those are hex digests).
OPENING = "opening"


@dataclass
class SynthResult:
    """The clips of a whole book, in reading order per item."""

    titles: dict[str, tuple[Clip, ...]] = field(default_factory=dict)  # chapter.slug -> clips of the spoken title
    sections: dict[str, tuple[Clip, ...]] = field(default_factory=dict)  # section.id (or OPENING) -> clips
    made: int = 0  # clips synthesised in this run
    reused: int = 0  # clips found in the cache
    audio_seconds_made: float = 0.0
    elapsed: float = 0.0
