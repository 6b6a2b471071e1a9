"""What the synth stage hands to the audio stage (the contract between the two)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from narration.errors import CacheError


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
    sidecar: Path | None = None  # the cache's record of the clip (its checksum as now stored)

    def read_verified(self) -> bytes:
        """The clip's WAV bytes, checked against :attr:`sha256`.

        A clip damaged in place is removed (the next run makes it again) and reported as a
        :class:`CacheError`. A clip that another writer replaced, whole, since this run looked it
        up (its sidecar now matches it) is left alone: the error asks for a new run.
        """
        try:
            data = Path(self.path).read_bytes()
        except OSError as exc:
            raise CacheError(f"cannot read clip {self.path}: {exc.strerror or exc}") from exc
        if self.sha256 is None:
            return data
        actual = hashlib.sha256(data).hexdigest()
        if actual == self.sha256:
            return data
        if actual == _recorded_sha256(self.sidecar):
            raise CacheError(f"clip {self.path} was made again by another run meanwhile: run again to use it")
        Path(self.path).unlink(missing_ok=True)
        raise CacheError(f"clip {self.path} is damaged (checksum differs); it was removed: run again to make it anew")


def _recorded_sha256(sidecar: Path | None) -> str | None:
    if sidecar is None:
        return None
    try:
        value = json.loads(Path(sidecar).read_text(encoding="utf-8")).get("sha256")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


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
    elapsed: float = 0.0  # from the first clip asked for to the last stored
    waited: float = 0.0  # of elapsed, the time spent getting clips (in-process: speaking them), not using them
