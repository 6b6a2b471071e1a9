"""Audition: speak a word, a sentence or a part of the book in the book's voice, to one WAV file.

    result = say_text(load_book("scripts"), "Zinoviev and Kamenev", Path("say.wav"))
    print(result.spoken)     # what the voice was given, after the spoken form and the lexicon

The text is planned exactly as the build plans a section (sentences, engine-sized pieces, spoken
form, lexicon, cache keys), so a part of the book said here is cached under the keys the build
uses: a ``narration build`` after ``narration say --chapter 3 --section 2`` re-uses those clips.
The engine (and so the model) is loaded once per call. The clips are joined with the book's
sentence and paragraph pauses (``[audio]``), with a short silence at each end.
"""

from __future__ import annotations

import io
import logging
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from narration import fsutil
from narration.errors import InputError
from narration.model import Book
from narration.synth.cache import ClipCache, wav_bytes
from narration.synth.engines import get_engine, identity_digest
from narration.synth.pipeline import resolve_options
from narration.synth.plan import Piece, Speech, make_pieces, select_chapters
from narration.synth.types import Clip
from narration.synth.workers import ClipTask, Speaker, store
from narration.text.lexicon import load_lexicon

log = logging.getLogger(__name__)

EDGE_SILENCE_MS = 250


@dataclass(frozen=True)
class SayResult:
    """What was said and where it was written."""

    path: Path
    written: tuple[str, ...]  # the sentences as written
    spoken: tuple[str, ...]  # what the engine was given for each
    duration: float  # seconds
    sample_rate: int
    clips_made: int
    clips_cached: int


def part_texts(book: Book, chapter: int, section: int | None = None) -> list[str]:
    """The texts of a chapter (its title, then its sections) or of one of its sections (counted
    from 1; 0 is the title); :class:`InputError` for one the book does not have."""
    (picked,) = select_chapters(book, [chapter])
    texts = [picked.title, *(s.text for s in picked.sections)]
    if section is None:
        return texts
    if not 0 <= section < len(texts):
        raise InputError(
            f"chapter {chapter} ({picked.slug}) has {len(texts) - 1} sections: give --section 1 to {len(texts) - 1}"
            " (0 is the title)"
        )
    return [texts[section]]


def say_text(
    book: Book,
    text: str | Sequence[str],
    out: Path,
    *,
    engine: str | None = None,
    voice: str | None = None,
    cache_dir: Path | None = None,
) -> SayResult:
    """Speak ``text`` (one text, or several read as paragraphs) with the book's voice, settings and
    lexicon to the WAV file ``out``; :class:`InputError` when there is nothing to say."""
    texts = [text] if isinstance(text, str) else list(text)
    options = resolve_options(book, engine=engine, voice=voice, cache_dir=cache_dir, jobs=1)
    speaker = Speaker(get_engine(options.spec))  # the model loads on the first clip to make
    cache = ClipCache(options.cache_dir)
    lexicon = load_lexicon(book.scripts_dir) if book.scripts_dir is not None else {}
    speech = Speech(identity_digest(speaker.engine.identity), speaker.engine.max_chars, lexicon)
    paragraphs = [make_pieces(t, speech, "say") for t in texts]
    pieces = [piece for paragraph in paragraphs for piece in paragraph]
    if not pieces:
        raise InputError(f"nothing to say in {' '.join(texts)[:60]!r}")
    cache.prepare()
    made = 0
    for piece in pieces:
        if cache.lookup(piece.key, len(piece.spoken)) is None:
            store(cache, speaker.speak(ClipTask(piece.key, piece.spoken)))
            made += 1
    audio, rate = _join(cache, paragraphs, book)
    fsutil.write_bytes(out, wav_bytes(audio, rate))
    return SayResult(
        path=out,
        written=tuple(s for p in pieces for s in p.written),
        spoken=tuple(s for p in pieces for s in p.spoken),
        duration=len(audio) / rate,
        sample_rate=rate,
        clips_made=made,
        clips_cached=len(pieces) - made,
    )


def _join(cache: ClipCache, paragraphs: list[tuple[Piece, ...]], book: Book) -> tuple[np.ndarray, int]:
    """The clips back to back, sentences and paragraphs apart by the book's pauses."""
    parts: list[np.ndarray] = []
    rate = 0
    for number, paragraph in enumerate(p for p in paragraphs if p):
        for index, piece in enumerate(paragraph):
            meta = cache.lookup(piece.key, len(piece.spoken))
            if meta is None:
                raise InputError(f"the clip of {piece.written[0][:40]!r} vanished from the cache; run again")
            clip = Clip(piece.key, cache.wav_path(piece.key), meta.sample_rate, meta.duration, (), meta.sha256)
            samples, rate = _read_wav(clip.read_verified())
            if number or index:
                pause = book.config.audio.paragraph_pause_ms if not index else book.config.audio.sentence_pause_ms
                parts.append(_silence(pause, rate))
            for i, (start, end) in enumerate(meta.boundaries):
                if i:
                    parts.append(_silence(book.config.audio.sentence_pause_ms, rate))
                parts.append(samples[round(start * rate) : round(end * rate)])
    edge = _silence(EDGE_SILENCE_MS, rate)
    return np.concatenate([edge, *parts, edge]), rate


def _silence(ms: int, rate: int) -> np.ndarray:
    return np.zeros(round(ms * rate / 1000), dtype=np.int16)


def _read_wav(data: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(data)) as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2"), wav.getframerate()
