"""Chapter marks of the complete book, and the MP3 audiobook's ID3 chapter frames.

The M4B writer (:mod:`narration.audio.mp4`) turns the marks into both chapter forms of an MP4: the
QuickTime chapter track (Apple) and the Nero ``chpl`` list (AntennaPod, VLC). The MP3 gets ID3v2 ``CHAP`` frames and a
top-level, ordered ``CTOC``. Both ``chpl`` and a ``CTOC`` hold at most 255 entries: above that the
book is still written with every ``CHAP`` frame and the full chapter track, the ``CTOC`` becomes a
table of sub-tables of 255, and a warning says some players will list only the first 255.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mutagen.id3 import CHAP, CTOC, TIT2, CTOCFlags, Frame

log = logging.getLogger(__name__)

MAX_LISTED = 255


@dataclass(frozen=True)
class Mark:
    title: str
    start: float  # seconds
    end: float


def marks(titles: Sequence[str], durations: Sequence[float]) -> list[Mark]:
    """Back-to-back chapters: each starts where the durations before it end."""
    result, position = [], 0.0
    for title, duration in zip(titles, durations, strict=True):
        result.append(Mark(title, position, position + duration))
        position += duration
    return result


def warn_if_many(count: int) -> None:
    if count > MAX_LISTED:
        log.warning(
            "%d chapters: the M4B's Nero chapter list and the MP3's table of contents hold only %d "
            "entries, so some players will list only the first %d (Apple's chapter track and the "
            "MP3's CHAP frames hold them all)",
            count,
            MAX_LISTED,
            MAX_LISTED,
        )


def _groups(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(ids), MAX_LISTED):
        yield ids[start : start + MAX_LISTED]


def id3_frames(chapters: Sequence[Mark], book_title: str) -> list[Frame]:
    """``CHAP`` frames (times in ms) and a top-level ordered ``CTOC`` listing them in order."""
    ids = [f"chp{n}" for n in range(1, len(chapters) + 1)]
    frames: list[Frame] = [
        CHAP(
            element_id=element,
            start_time=round(mark.start * 1000),
            end_time=round(mark.end * 1000),
            start_offset=0xFFFFFFFF,
            end_offset=0xFFFFFFFF,
            sub_frames=[TIT2(encoding=3, text=mark.title)],
        )
        for element, mark in zip(ids, chapters, strict=True)
    ]
    ordered = CTOCFlags.ORDERED
    if len(ids) <= MAX_LISTED:
        children = ids
    else:
        groups = list(_groups(ids))
        children = [f"toc{n}" for n in range(1, len(groups) + 1)]
        frames += [
            CTOC(element_id=child, flags=ordered, child_element_ids=list(group), sub_frames=[])
            for child, group in zip(children, groups, strict=True)
        ]
    top = CTOC(
        element_id="toc",
        flags=CTOCFlags.TOP_LEVEL | ordered,
        child_element_ids=children,
        sub_frames=[TIT2(encoding=3, text=book_title)],
    )
    return [*frames, top]


def _split_frames(body: bytes) -> list[bytes]:
    """The frames of an ID3v2.3 tag body (no unsynchronisation; padding dropped)."""
    frames, position = [], 0
    while position + 10 <= len(body) and body[position] != 0:
        size = int.from_bytes(body[position + 4 : position + 8], "big")
        frames.append(body[position : position + 10 + size])
        position += 10 + size
    return frames


def _chapter_number(frame: bytes) -> int:
    element = frame[10 : frame.index(b"\0", 10)].decode("latin-1")
    return int(element[3:]) if element.startswith("chp") and element[3:].isdigit() else 0


def order_chapters(tag: bytes) -> bytes:
    """The ID3v2.3 ``tag`` with its ``CHAP`` frames in chapter order.

    mutagen writes frames sorted by size; readers that list ``CHAP`` frames as found (ffmpeg among
    them) would then show the chapters out of order.
    """
    if tag[:3] != b"ID3" or tag[3] != 3 or tag[5] & 0xC0:  # only plain ID3v2.3, as rendered here
        return tag
    frames = _split_frames(tag[10:])
    chaps = sorted((f for f in frames if f[:4] == b"CHAP"), key=_chapter_number)
    if not chaps:
        return tag
    first = next(i for i, f in enumerate(frames) if f[:4] == b"CHAP")
    others = [f for f in frames if f[:4] != b"CHAP"]
    body = b"".join(others[:first] + chaps + others[first:])
    return tag[:10] + body + bytes(len(tag) - 10 - len(body))
