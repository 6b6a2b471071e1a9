"""``check_book``: listen to every clip of a book and say which ones do not say their text.

    report = check_book(load_book("scripts"))            # after a build: clips are in the cache
    for clip in report.flagged: print(clip.written, "->", clip.verdict.heard)

Each clip the plan names (the take the book uses) is read from the clip cache, transcribed by
the recogniser (:mod:`narration.check.asr`), scored against its spoken sentences and judged
(:mod:`narration.check.verdicts`). Transcripts are cached by clip key, so a second run listens only
to new clips. Clips not synthesised yet are counted as missing, not made. ``fix=True`` re-speaks
the flagged clips as further takes and keeps the best (:mod:`narration.check.takes`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from narration.check import DEFAULT_TAKES
from narration.check.asr import ASR_RATE, Recognizer, WhisperRecognizer, wav_to_asr
from narration.check.verdicts import HeardStore, Rules, Verdict, judge
from narration.errors import CacheError, CheckError
from narration.model import Book
from narration.synth.cache import ClipCache, ClipMeta, verified_wav
from narration.synth.engines import get_engine
from narration.synth.pipeline import SynthOptions, plan_book, resolve_options
from narration.synth.plan import Piece

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
            data = verified_wav(self.cache.wav_path(meta.key), meta.sha256)
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


def check_book(
    book: Book,
    *,
    engine: str | None = None,
    voice: str | None = None,
    cache_dir: Path | None = None,
    chapters: Sequence[int] | None = None,
    rules: Rules | None = None,
    recognizer: Recognizer | None = None,
    fix: bool = False,
    max_takes: int = DEFAULT_TAKES,
    jobs: int | None = None,
    progress: Progress | None = None,
    heard_dir: Path | None = None,
) -> CheckReport:
    """Check every clip of ``book`` (or of ``chapters``); with ``fix``, re-speak the flagged ones.

    ``max_takes``: how many takes a flagged clip may have in all (the first included).
    ``heard_dir``: where what was heard is cached (default: ``check/`` in the clip cache).
    ``None`` options default as for synthesis (``book.toml``'s ``[synth]``).
    """
    started = time.monotonic()
    options = resolve_options(book, engine=engine, voice=voice, cache_dir=cache_dir, chapters=chapters, jobs=jobs)
    recognizer = recognizer or WhisperRecognizer(threads=jobs)
    listener = Listener(ClipCache(options.cache_dir), recognizer, rules or Rules(), heard_dir)
    report = CheckReport()
    try:
        found = listen_all(listener, targets(book, options), progress)
        if fix:
            from narration.check.fix import fix_flagged

            report.fixes = fix_flagged(book, options, listener, found.clips, max_takes)
            found = listen_all(listener, targets(book, options), None)
    finally:
        listener.store.save()
    report.clips, report.missing = found.clips, sum(found.missing.values())
    report.chapters = chapter_table(book, found)
    report.heard, report.heard_seconds = listener.heard, listener.heard_seconds
    report.elapsed = time.monotonic() - started
    return report


@dataclass(frozen=True)
class Heard:
    """The checks of the clips that have audio, and how many clips each chapter lacks."""

    clips: list[ClipCheck]
    missing: dict[int, int]  # chapter number -> clips not synthesised yet


def listen_all(listener: Listener, found: list[Target], progress: Progress | None) -> Heard:
    """Check each target that has audio."""
    checks: list[ClipCheck] = []
    missing: dict[int, int] = {}
    metas = [(t, listener.cache.lookup(t.piece.key, len(t.piece.spoken))) for t in found]
    todo = sum(1 for t, meta in metas if meta is not None and listener.store.get(t.piece.key, meta.sha256) is None)
    for target, meta in metas:
        if meta is None:
            missing[target.chapter] = missing.get(target.chapter, 0) + 1
            continue
        before = listener.heard
        checks.append(listener.check(target, meta))
        if progress is not None and listener.heard > before:
            progress(listener.heard, todo)
    return Heard(checks, missing)


def chapter_table(book: Book, heard: Heard) -> list[ChapterCheck]:
    rows = []
    missing = heard.missing
    for number in sorted({c.chapter for c in heard.clips} | set(missing)):
        mine = [c for c in heard.clips if c.chapter == number]
        rows.append(
            ChapterCheck(
                number=number,
                title=book.chapters[number - 1].title,
                clips=len(mine),
                flagged=sum(c.flagged for c in mine),
                worst_wer=max((c.verdict.wer for c in mine), default=0.0),
                missing=missing.get(number, 0),
            )
        )
    return rows
