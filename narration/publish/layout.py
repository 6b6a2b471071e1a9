"""Where the publish stage's files live inside ``out_dir``, and their URLs."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from urllib.parse import quote

from narration.audio.types import BuildResult, ChapterOutput
from narration.errors import PublishError
from narration.paths import relative_path
from narration.publish.rules import TRANSCRIPTS_DIR


def rel_path(result: BuildResult, path: Path) -> str:
    """``path`` relative to the output folder, as a POSIX path (for URLs)."""
    relative = relative_path(path, result.out_dir)
    if relative is None:
        raise PublishError(f"{path} is not inside the output folder {result.out_dir}")
    return relative


def episode_transcript(chapter: ChapterOutput, ext: str) -> str:
    return f"{TRANSCRIPTS_DIR}/{chapter.episode.stem}.{ext}"


def book_transcript(result: BuildResult, ext: str) -> str:
    return f"{TRANSCRIPTS_DIR}/{result.mp3.stem}.{ext}"


def url(base_url: str, rel: str) -> str:
    """Absolute URL of the file ``rel`` (relative to the output folder) under ``base_url``."""
    return base_url + quote(rel)


def published_cover(result: BuildResult) -> Path:
    """Where the cover is served from: itself when inside the output folder, else ``cover.<ext>`` there."""
    if relative_path(result.cover, result.out_dir) is not None:
        return Path(result.cover)
    return Path(result.out_dir) / f"cover{Path(result.cover).suffix.lower()}"


def localize(result: BuildResult) -> BuildResult:
    """``result`` with its cover at :func:`published_cover`."""
    return dataclasses.replace(result, cover=published_cover(result))
