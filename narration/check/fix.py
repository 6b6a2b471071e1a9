"""``check --fix``: speak flagged clips again as new takes and keep the best one.

A take is spoken with the voice's noise seeded for that take (:func:`speaker_for_take`), so it is
another rendition of the same text, and the same one every time it is made: take ``n`` has its own
clip key (:func:`narration.synth.takes.take_key`; take 1 keeps the content key it always had).
For each flagged clip, new takes are made and heard until one passes or the clip has
``max_takes`` takes; the take with the lowest WER is kept (the current one on a tie), written to
the book's takes record (``.narration/takes.json``, which the plan consults, so the build uses it)
and the other takes' clips and transcripts are removed.
"""

from __future__ import annotations

import logging

from narration.check.listen import ClipCheck, FixResult, Listener, Target, targets
from narration.model import Book
from narration.synth.pipeline import SynthOptions
from narration.synth.plan import Piece
from narration.synth.takes import load_takes, save_takes, take_key
from narration.synth.workers import ClipTask, EngineSetup, Speaker, store

log = logging.getLogger(__name__)


def fix_flagged(
    book: Book, options: SynthOptions, listener: Listener, clips: list[ClipCheck], max_takes: int
) -> list[FixResult]:
    """Re-speak each flagged clip (see the module's doc); what was tried and kept, per clip."""
    flagged = [clip for clip in clips if clip.flagged]
    if not flagged:
        return []
    by_key = {target.piece.key: target for target in targets(book, options)}
    listener.cache.prepare()
    takes = load_takes(book.root)
    if options.chapters is None:  # the whole book is planned: entries of pieces it no longer has go
        firsts = {target.piece.take1_key for target in by_key.values()}
        takes = {first: take for first, take in takes.items() if first in firsts}
    results = []
    for clip in flagged:
        target = by_key[clip.key]
        result = retake(options, listener, target, clip, max_takes)
        first = target.piece.take1_key
        if result.kept == 1:
            takes.pop(first, None)
        else:
            takes[first] = result.kept
        save_takes(book.root, takes)  # before the other takes are removed: the record names a clip that exists
        drop_takes(listener, first, [t for t in result.tried if t != result.kept])
        log.info("clip %s: takes %s tried, take %d kept", first, sorted(result.tried), result.kept)
        results.append(result)
    return results


def speaker_for_take(options: SynthOptions, take: int) -> Speaker:
    """The book's voice with its noise seeded for ``take`` (take 1: the seed every build uses)."""
    return EngineSetup(options.spec, take=take).build()


def retake(options: SynthOptions, listener: Listener, target: Target, clip: ClipCheck, max_takes: int) -> FixResult:
    """Make and hear new takes of a flagged clip until one passes or it has ``max_takes`` takes."""
    piece = target.piece
    first = piece.take1_key
    tried = {piece.take: clip.verdict.wer}
    flagged = {piece.take: True}
    take = piece.take
    while len(tried) < max(max_takes, 1) and all(flagged.values()):
        take += 1
        key = take_key(first, take)
        listener.store.drop([key])  # a transcript of an older clip under this key, if one was left
        meta = store(listener.cache, speaker_for_take(options, take).speak(ClipTask(key, piece.spoken)))
        new = Target(target.chapter, target.item, Piece(key, piece.written, piece.spoken, take, first))
        check = listener.check(new, meta)
        tried[take], flagged[take] = check.verdict.wer, check.flagged
    kept = min(tried, key=lambda t: (flagged[t], tried[t], t != piece.take, t))
    return FixResult(target.chapter, first, tried, kept, flagged[kept])


def drop_takes(listener: Listener, first: str, numbers: list[int]) -> None:
    """Remove these takes' clips and transcripts."""
    keys = [take_key(first, n) for n in numbers]
    for key in keys:
        listener.cache.wav_path(key).unlink(missing_ok=True)
        listener.cache.meta_path(key).unlink(missing_ok=True)
    listener.store.drop(keys)
