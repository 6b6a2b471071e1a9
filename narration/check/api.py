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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from narration.check import DEFAULT_TAKES
from narration.check.asr import Recognizer, WhisperRecognizer
from narration.check.fix import fix_flagged
from narration.check.listen import (
    ChapterCheck,
    CheckReport,
    ClipCheck,
    FixResult,
    Listener,
    Progress,
    Target,
    targets,
)
from narration.check.verdicts import Rules
from narration.model import Book
from narration.synth.cache import ClipCache
from narration.synth.pipeline import resolve_options

__all__ = ["ChapterCheck", "CheckReport", "ClipCheck", "FixResult", "Target", "check_book"]

log = logging.getLogger(__name__)


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
