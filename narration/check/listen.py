"""The clips of a book as the check hears them: what each one is (:class:`Target`), how it is heard
and judged (:class:`Listener`), and the records of a check (:class:`ClipCheck`, :class:`CheckReport`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from narration.check.asr import ASR_RATE, Recognizer, wav_to_asr
from narration.check.verdicts import HeardStore, Rules, Verdict, judge
from narration.errors import CacheError, CheckError
from narration.model import Book
from narration.synth.cache import ClipCache, ClipMeta
from narration.synth.engines import get_engine
from narration.synth.pipeline import SynthOptions, plan_book
from narration.synth.plan import Piece
from narration.synth.types import Clip

log = logging.getLogger(__name__)

SAVE_EVERY = 20  # clips heard between two writes of the transcript cache (Ctrl-C keeps them)

Progress = Callable[[int, int], None]  # (clips heard so far, clips to hear)


@dataclass(frozen=True)
class ClipCheck:
    """One clip of the book and its verdict."""

    chapter: int
    item: str  # "title" or the section's id
    key: str
    take: int
    written: str  # the sentences as the script has them
    duration: float  # seconds
    verdict: Verdict

    @property
    def flagged(self) -> bool:
        return self.verdict.flagged


@dataclass(frozen=True)
class ChapterCheck:
    number: int
    title: str
    clips: int  # clips of the chapter with audio
    flagged: int
    worst_wer: float
    missing: int  # clips not synthesised yet


@dataclass
class CheckReport:
    chapters: list[ChapterCheck] = field(default_factory=list)
    clips: list[ClipCheck] = field(default_factory=list)  # every clip with audio, in reading order
    missing: int = 0  # clips the plan names that are not in the cache
    heard: int = 0  # clips transcribed in this run (the others came from the cache)
    heard_seconds: float = 0.0  # audio transcribed in this run
    elapsed: float = 0.0
    fixes: list[FixResult] = field(default_factory=list)

    @property
    def flagged(self) -> list[ClipCheck]:
        return [clip for clip in self.clips if clip.flagged]


@dataclass(frozen=True)
class FixResult:
    """A flagged clip spoken again: the takes tried and their WERs, and the one kept."""

    chapter: int
    first_key: str
    tried: dict[int, float]  # take -> WER
    kept: int
    flagged: bool  # whether the kept take is still flagged


@dataclass(frozen=True)
class Target:
    """A distinct piece of the plan, where it first occurs."""

    chapter: int
    item: str
    piece: Piece


class Listener:
    """The recogniser, the clip cache and the transcript cache, for one run."""

    def __init__(self, cache: ClipCache, recognizer: Recognizer, rules: Rules, heard_dir: Path | None = None) -> None:
        self.cache = cache
        self.recognizer = recognizer
        self.rules = rules
        self.store = HeardStore(heard_dir or cache.root / "check", recognizer.identity)
        self.heard = 0
        self.heard_seconds = 0.0

    def check(self, target: Target, meta: ClipMeta) -> ClipCheck:
        piece = target.piece
        said = " ".join(piece.spoken)
        heard = self.store.get(piece.key, meta.sha256)
        if heard is None:
            heard = self.listen(said, meta)
            self.store.put(piece.key, meta.sha256, heard)
            self.heard += 1
            self.heard_seconds += meta.duration
            if self.heard % SAVE_EVERY == 0:
                self.store.save()
        verdict = judge(said, heard, self.rules)
        return ClipCheck(
            target.chapter, target.item, piece.key, piece.take, " ".join(piece.written), meta.duration, verdict
        )

    def listen(self, said: str, meta: ClipMeta) -> str:
        """What the clip says: one listen to the whole clip; if that is flagged, a second, careful one
        to each sentence on its own (the recogniser drops a short sentence after a long one, or
        mishears a short clip with no context); the clip stays flagged only if both listens flag it."""
        try:
            wav, sidecar = self.cache.wav_path(meta.key), self.cache.meta_path(meta.key)
            data = Clip(meta.key, wav, meta.sample_rate, meta.duration, (), meta.sha256, sidecar).read_verified()
        except CacheError as exc:
            raise CheckError(str(exc)) from exc
        samples = wav_to_asr(data)
        heard = self.recognizer.transcribe(samples)
        first = judge(said, heard, self.rules)
        if not first.flagged:
            return heard
        spans = [samples[round(a * ASR_RATE) : round(b * ASR_RATE)] for a, b in meta.boundaries] or [samples]
        again = " ".join(self.recognizer.transcribe(span, careful=True) for span in spans)
        second = judge(said, again, self.rules)
        log.debug("clip %s heard again: WER %.2f -> %.2f", meta.key, first.wer, second.wer)
        return again if (second.flagged, second.wer) < (first.flagged, first.wer) else heard


def targets(book: Book, options: SynthOptions) -> list[Target]:
    """Every distinct piece of the selected chapters (the take the book uses), in reading order."""
    plan = plan_book(book, get_engine(options.spec), options.chapters)
    seen: set[str] = set()
    found = []
    for item in plan.items:
        for piece in item.pieces:
            if piece.key not in seen:
                seen.add(piece.key)
                found.append(Target(item.chapter, "title" if item.kind == "title" else item.id, piece))
    return found
