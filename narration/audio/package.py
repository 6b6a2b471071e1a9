"""The complete book files, assembled from the units' encodes by stream copy (nothing re-encoded).

- ``<book>.m4b``: every unit's AAC frames in one MP4 written by :mod:`narration.audio.mp4`, with
  the chapters (QuickTime chapter track and Nero ``chpl``), the cover, the audiobook brand
  (``M4B ``) and media type (``stik`` = 2), the index in front (fast start).
- ``<book>.mp3``: an ID3v2.3 tag (``CHAP``/``CTOC`` chapters, ``APIC`` cover) followed by the
  units' MP3 frames byte for byte.

Each chapter starts where the frames of the chapters before it end, counted in each file's own
frames. Both files are written to a temporary file and renamed into place.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from narration import fsutil
from narration.audio import chapters as chapter_marks
from narration.audio.codec import AAC_FRAME, Timing
from narration.audio.cover import Cover
from narration.audio.mp4 import AacPart, write_m4b
from narration.audio.tags import Tags, id3_tags, render_id3, write_mp3
from narration.audio.units import Unit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BookChapter:
    """One chapter of the book: its title, its units in order and their total timing."""

    title: str
    units: Sequence[Unit]
    timing: Timing  # AAC frames counting the padding
    aac_padding: int = 0  # silent AAC frames after the units


def book_chapters(
    titles: Sequence[str], units: Sequence[Sequence[Unit]], timings: Sequence[Timing]
) -> list[BookChapter]:
    """The book's chapters, each with the silent AAC frames that end it in the M4B as near as can
    be to where it ends in the MP3 (AAC frames hold 1024 samples, MP3 frames 576 or 1152).

    The padding follows the running totals, so the difference never builds up: every chapter of
    the M4B starts within half an AAC frame of where it starts in the MP3.
    """
    chapters, mp3_end, aac_end = [], 0, 0
    for title, chapter_units, timing in zip(titles, units, timings, strict=True):
        mp3_end += timing.mp3_samples
        aac_end += timing.aac_frames * AAC_FRAME
        padding = max(0, round((mp3_end - aac_end) / AAC_FRAME))
        aac_end += padding * AAC_FRAME
        padded = Timing(timing.rate, timing.mp3_frames, timing.aac_frames + padding)
        chapters.append(BookChapter(title, chapter_units, padded, padding))
    return chapters


def aac_parts(chapters: Sequence[BookChapter], silence: Path | None) -> list[AacPart]:
    """Every unit's AAC frames, each chapter followed by its silent padding frames."""
    parts = []
    for chapter in chapters:
        parts += [AacPart(unit.aac, unit.aac_sizes) for unit in chapter.units]
        if chapter.aac_padding:
            if silence is None:
                raise ValueError("AAC padding needs the silent frame")
            frame = AacPart(silence, (silence.stat().st_size,))
            parts += [frame] * chapter.aac_padding
    return parts


def write_book_m4b(
    target: Path,
    chapters: Sequence[BookChapter],
    title: str,
    author: str,
    cover: Cover,
    silence: Path | None,
    comment: str = "",
) -> None:
    """Join every unit's AAC frames into a chaptered M4B."""
    marks = chapter_marks.marks([c.title for c in chapters], [c.timing.aac_duration for c in chapters])
    first = chapters[0].units[0]
    parts = aac_parts(chapters, silence)
    bitrate = round(8 * sum(sum(p.sizes) for p in parts) / max(sum(c.timing.aac_duration for c in chapters), 1e-9))
    write_m4b(target, parts, sample_rate=first.timing.rate, audio_config=first.aac_config, bitrate=bitrate,
              marks=marks, title=title, author=author, cover=cover, comment=comment)  # fmt: skip


def write_book_mp3(
    target: Path, chapters: Sequence[BookChapter], title: str, author: str, cover: Cover, comment: str = ""
) -> None:
    """The units' MP3 frames behind one ID3v2.3 tag with CHAP/CTOC chapters, the cover and the comment."""
    marks = chapter_marks.marks([c.title for c in chapters], [c.timing.mp3_duration for c in chapters])
    frames = chapter_marks.id3_frames(marks, title)
    tags = id3_tags(Tags(title=title, album=title, artist=author, comment=comment), cover, frames)
    tag = chapter_marks.order_chapters(render_id3(tags))
    write_mp3(target, tag, [unit.mp3 for chapter in chapters for unit in chapter.units])


def write_book(
    m4b: Path,
    mp3: Path,
    chapters: Sequence[BookChapter],
    title: str,
    author: str,
    cover: Cover,
    silence: Path | None = None,
    comment: str = "",
) -> None:
    """Both book files; the MP3 is written while the M4B is. ``comment``: the AI disclosure."""
    chapter_marks.warn_if_many(len(chapters))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="book-mp3") as pool:
        book_mp3 = pool.submit(fsutil.carry(write_book_mp3), mp3, chapters, title, author, cover, comment)
        write_book_m4b(m4b, chapters, title, author, cover, silence, comment)
        book_mp3.result()
