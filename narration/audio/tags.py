"""ID3 tags of the episodes and of the MP3 audiobook, and writing a tagged MP3 from raw frames."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mutagen.id3 import APIC, COMM, ID3, TALB, TCON, TIT2, TPE1, TPE2, TRCK, Frame

from narration import fsutil
from narration.audio.cover import Cover
from narration.disclosure import base_language

ID3_VERSION = 3  # ID3v2.3: what podcast apps and car stereos read best
GENRE = "Audiobook"


@dataclass(frozen=True)
class Tags:
    """ID3 tags of an episode or of the MP3 audiobook."""

    title: str
    album: str
    artist: str
    track: str | None = None  # "n/N"
    genre: str = GENRE
    comment: str = ""  # COMM (the AI disclosure); "" for none
    language: str = "und"  # ISO 639-2 code of the comment


def id3_tags(tags: Tags, cover: Cover | None, extra: Sequence[Frame] = ()) -> ID3:
    frames = ID3()
    frames.add(TIT2(encoding=3, text=tags.title))
    frames.add(TALB(encoding=3, text=tags.album))
    frames.add(TPE1(encoding=3, text=tags.artist))
    frames.add(TPE2(encoding=3, text=tags.artist))
    frames.add(TCON(encoding=3, text=tags.genre))
    if tags.track:
        frames.add(TRCK(encoding=3, text=tags.track))
    if tags.comment:
        frames.add(COMM(encoding=3, lang=tags.language, desc="", text=tags.comment))
    if cover is not None:
        frames.add(APIC(encoding=3, mime=cover.mime, type=3, desc="Cover", data=cover.path.read_bytes()))
    for frame in extra:
        frames.add(frame)
    return frames


def render_id3(frames: ID3) -> bytes:
    """The ID3v2.3 tag as bytes, to put in front of MP3 frames."""
    buffer = io.BytesIO()
    frames.save(buffer, v2_version=ID3_VERSION, padding=lambda info: 0)
    return buffer.getvalue()


def write_mp3(target: Path, tag: bytes, sources: Sequence[Path]) -> None:
    """Write ``tag`` then the raw MP3 frames of ``sources`` (stream copy), atomically."""
    with fsutil.atomic_open(target, "wb") as out:
        out.write(tag)
        for source in sources:
            fsutil.append_file(out, source)


# ISO 639-1 -> ISO 639-2 (what ID3 comment frames name their language with); others are "und".
ISO639_2 = {"en": "eng", "fr": "fra", "de": "deu", "es": "spa", "it": "ita", "pt": "por", "nl": "nld",
            "pl": "pol", "ru": "rus", "sv": "swe", "da": "dan", "fi": "fin", "nb": "nob", "no": "nor"}  # fmt: skip


def id3_language(language: str) -> str:
    """``"en-GB"`` -> ``"eng"``; ``"und"`` (undetermined) when not known."""
    return ISO639_2.get(base_language(language), "und")
