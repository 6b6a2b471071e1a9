"""The complete book files, assembled from the chapters' encodes by stream copy (nothing re-encoded).

- ``<book>.m4b``: the chapters' AAC frames joined by ffmpeg's ``concat:`` protocol (``-c copy``) into an MP4
  with the chapters (QuickTime chapter track and Nero ``chpl``, from an FFMETADATA file), the cover
  as attached picture, the audiobook brand (``M4B ``) and media type (``stik`` = 2), ``+faststart``.
- ``<book>.mp3``: an ID3v2.3 tag (``CHAP``/``CTOC`` chapters, ``APIC`` cover) followed by the
  chapters' MP3 frames byte for byte.

Both are written to a temporary file and renamed into place.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from mutagen.mp4 import MP4, MP4Cover

from narration import fsutil
from narration.audio import chapters as chapter_marks
from narration.audio.cover import Cover
from narration.audio.tags import GENRE, Tags, id3_tags, render_id3, write_mp3
from narration.ffmpeg import run_ffmpeg

log = logging.getLogger(__name__)

AUDIOBOOK = 2  # iTunes media kind (stik) of an audiobook
# The movie (and so the QuickTime chapter track) timescale. Left to itself this ffmpeg picks 28224000,
# at which a chapter longer than 76 s overflows the 32-bit sample duration and the chapter track breaks.
MOVIE_TIMESCALE = "1000"
MAX_ARGUMENT = 100_000  # bytes of one command-line argument (Linux allows 128 KiB)


@dataclass(frozen=True)
class Segment:
    """One chapter's encodes and their exact durations."""

    title: str
    mp3: Path
    aac: Path
    mp3_duration: float
    aac_duration: float


def _quote(path: Path) -> str:
    return "'" + str(Path(path).resolve()).replace("'", "'\\''") + "'"


def concat_list(segments: Sequence[Segment]) -> str:
    """A concat-demuxer script with each file's exact duration (ADTS has no duration of its own)."""
    return "".join(f"file {_quote(s.aac)}\nduration {s.aac_duration:.6f}\n" for s in segments)


def aac_input(segments: Sequence[Segment], listing: Path) -> list[str | Path]:
    """ffmpeg input arguments reading the ADTS encodes back to back.

    The ``concat:`` protocol reads them as one ADTS stream (every frame 1024 samples, so the
    timestamps are exact): much faster than the concat demuxer, and the same bytes in the M4B. Paths
    it cannot carry (a ``|``, or a command line too long) go through a demuxer script at ``listing``.
    """
    paths = [str(Path(s.aac).resolve()) for s in segments]
    joined = "concat:" + "|".join(paths)
    if not any("|" in p for p in paths) and len(joined.encode()) < MAX_ARGUMENT:
        return ["-f", "aac", "-i", joined]
    listing.write_text(concat_list(segments), encoding="utf-8")
    return ["-f", "concat", "-safe", "0", "-i", listing]


def book_tags(title: str, author: str) -> dict[str, str]:
    return {
        "title": title,
        "album": title,
        "artist": author,
        "album_artist": author,
        "genre": GENRE,
        "media_type": str(AUDIOBOOK),
    }


def write_m4b(target: Path, segments: Sequence[Segment], title: str, author: str, cover: Cover) -> None:
    """Join the AAC encodes into a chaptered M4B (stream copy), atomically."""
    marks = chapter_marks.marks([s.title for s in segments], [s.aac_duration for s in segments])
    with tempfile.TemporaryDirectory(prefix="narration-m4b-") as work, fsutil.atomic_path(target) as tmp:
        listing, metadata = Path(work) / "segments.txt", Path(work) / "metadata.txt"
        metadata.write_text(chapter_marks.ffmetadata(marks, book_tags(title, author)), encoding="utf-8")
        args = [
            "-y", *aac_input(segments, listing),
            "-f", "ffmetadata", "-i", metadata,
            "-i", cover.path,
            "-map", "0:a", "-map", "2:v", "-map_metadata", "1", "-map_chapters", "1",
            "-c", "copy", "-disposition:v:0", "attached_pic",
            "-brand", "M4B ", "-movie_timescale", MOVIE_TIMESCALE, "-movflags", "+faststart", "-f", "mp4", tmp,
        ]  # fmt: skip
        run_ffmpeg(args, what=f"writing {target.name}")
        ensure_mp4_tags(tmp, title, author, cover)


def ensure_mp4_tags(path: Path, title: str, author: str, cover: Cover) -> None:
    """Check the iTunes tags ffmpeg wrote (media kind, names, cover) and add any it did not."""
    mp4 = MP4(path)
    if mp4.tags is None:
        mp4.add_tags()
    wanted = {
        "stik": [AUDIOBOOK], "©nam": [title], "©alb": [title], "©ART": [author], "aART": [author], "©gen": [GENRE]
    }
    missing = {k: v for k, v in wanted.items() if mp4.tags.get(k) != v}
    if not mp4.tags.get("covr"):
        kind = MP4Cover.FORMAT_PNG if cover.mime == "image/png" else MP4Cover.FORMAT_JPEG
        missing["covr"] = [MP4Cover(cover.path.read_bytes(), imageformat=kind)]
    if missing:
        log.debug("adding MP4 tags ffmpeg did not write: %s", sorted(missing))
        mp4.tags.update(missing)
        mp4.save()


def write_book_mp3(target: Path, segments: Sequence[Segment], title: str, author: str, cover: Cover) -> None:
    """The chapters' MP3 frames behind one ID3v2.3 tag with CHAP/CTOC chapters and the cover."""
    marks = chapter_marks.marks([s.title for s in segments], [s.mp3_duration for s in segments])
    frames = chapter_marks.id3_frames(marks, title)
    tags = id3_tags(Tags(title=title, album=title, artist=author), cover, frames)
    tag = chapter_marks.order_chapters(render_id3(tags))
    write_mp3(target, tag, [s.mp3 for s in segments])


def write_book(m4b: Path, mp3: Path, segments: Sequence[Segment], title: str, author: str, cover: Cover) -> None:
    """Both book files; the MP3 is written while ffmpeg makes the M4B."""
    chapter_marks.warn_if_many(len(segments))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="book-mp3") as pool:
        book_mp3 = pool.submit(write_book_mp3, mp3, segments, title, author, cover)
        write_m4b(m4b, segments, title, author, cover)
        book_mp3.result()
