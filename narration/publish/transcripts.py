"""Transcripts (WebVTT and SRT) and the JSON chapters file, from the exact cues of the audio stage.

Each cue of the audio stage is a sentence (or a spoken title) with its exact times. A sentence too
long to read as one caption is split into captions of at most two lines of 42 characters; only
inside such a sentence are times interpolated, in proportion to the characters.

A chapter's files are rendered only when its cues changed: once per process for the same cues (a
progressive build publishes after every chapter: only the new chapter is rendered), and across runs
by a record in ``out_dir`` of the cues each file was rendered from (``.publish-transcripts.json``:
file -> digest of the cues, size and modification time), so a rebuild that changed nothing renders
nothing. The complete book's transcript is written once the book is complete.
"""

from __future__ import annotations

import functools
import html
import itertools
import json
import logging
import math
import textwrap
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path

from narration import fsutil
from narration.audio.types import BuildResult, Cue
from narration.errors import PublishError
from narration.publish import layout
from narration.publish.rules import (
    CHAPTERS_FILE,
    CHAPTERS_JSON_VERSION,
    CUE_LINE_CHARS,
    CUE_MAX_LINES,
    TRANSCRIPTS_STATE_FILE,
)
from narration.publish.text import one_line, timestamp
from narration.publish.writing import write_if_changed

log = logging.getLogger(__name__)

MIN_CUE = 0.001  # seconds: a cue must end after it starts
RENDER_VERSION = "1"  # bump when transcripts are rendered differently: every one is written again


def wrap_lines(text: str) -> list[str]:
    """A caption's lines: one if it fits, else two of about equal length when possible."""
    if len(text) <= CUE_LINE_CHARS:
        return [text]
    at = middle_space(text) if CUE_MAX_LINES >= 2 else None
    if at is None:
        return textwrap.wrap(text, CUE_LINE_CHARS, break_on_hyphens=False)
    return [text[:at], text[at + 1 :]]


def middle_space(text: str) -> int | None:
    """The space that breaks ``text`` into two lines of at most ``CUE_LINE_CHARS``, the longer line
    as short as can be (the first such space on a tie); None if there is none.

    A break at ``i`` leaves lines of ``i`` and ``n - 1 - i`` characters: the longer shrinks towards
    the middle, so the best break is the nearest space on either side of it (two searches, not a
    look at every character: captions are split for every long sentence of a book)."""
    n = len(text)
    middle = (n - 1) // 2
    left = text.rfind(" ", max(0, n - 1 - CUE_LINE_CHARS), middle + 1)  # lines: n-1-i >= i
    right = text.find(" ", middle + 1, CUE_LINE_CHARS + 1)  # lines: i > n-1-i
    found = [i for i in (left, right) if i != -1]
    return min(found, key=lambda i: (max(i, n - 1 - i), i)) if found else None


def _fits(text: str) -> bool:
    return len(wrap_lines(text)) <= CUE_MAX_LINES


def _balanced(words: Sequence[str], parts: int) -> list[str]:
    """Split ``words`` into ``parts`` runs of about equal length (each word goes by its middle)."""
    total = sum(len(w) + 1 for w in words)
    chunks: list[list[str]] = [[] for _ in range(parts)]
    offset = 0
    for word in words:
        middle = offset + (len(word) + 1) / 2
        chunks[min(parts - 1, int(middle * parts / total))].append(word)
        offset += len(word) + 1
    return [" ".join(chunk) for chunk in chunks if chunk]


def split_text(text: str) -> list[str]:
    """Split a sentence into the fewest balanced captions that each fit two lines."""
    text = one_line(text)
    words = text.split(" ")
    parts = max(1, math.ceil(len(text) / (CUE_LINE_CHARS * CUE_MAX_LINES)))
    chunks = _balanced(words, parts)
    while not all(map(_fits, chunks)) and parts < len(words):
        parts += 1
        chunks = _balanced(words, parts)
    return chunks


@functools.lru_cache(maxsize=8192)
def _chunks(text: str) -> tuple[str, ...]:
    return tuple(split_text(text))


def split_cue(cue: Cue) -> list[Cue]:
    """One cue per caption; times in proportion to the characters, within the sentence only."""
    chunks = _chunks(cue.text)
    end = max(cue.end, cue.start + MIN_CUE)
    weights = [len(c) + 1 for c in chunks]
    total, done, cues = sum(weights), 0, []
    for chunk, weight in zip(chunks, weights, strict=True):
        start = cue.start + (end - cue.start) * done / total
        done += weight
        cues.append(Cue(start, cue.start + (end - cue.start) * done / total, chunk))
    return cues


def readable_cues(cues: Iterable[Cue]) -> list[Cue]:
    return [part for cue in cues if one_line(cue.text) for part in split_cue(cue)]


def book_cues(result: BuildResult) -> list[Cue]:
    """Every chapter's cues, shifted to the chapter's start in the complete book."""
    return [Cue(c.start + ch.start, c.end + ch.start, c.text) for ch in result.chapters for c in ch.cues]


@functools.lru_cache(maxsize=8192)
def _caption_text(text: str) -> str:
    return "\n".join(wrap_lines(text))


def _caption(cue: Cue) -> str:
    return _caption_text(cue.text)


def to_vtt(cues: Sequence[Cue]) -> str:
    blocks = ["WEBVTT\n"]
    for n, cue in enumerate(cues, 1):
        text = html.escape(_caption(cue), quote=False)
        blocks.append(f"{n}\n{timestamp(cue.start)} --> {timestamp(cue.end)}\n{text}\n")
    return "\n".join(blocks)


def to_srt(cues: Sequence[Cue]) -> str:
    blocks = [
        f"{n}\n{timestamp(cue.start, ',')} --> {timestamp(cue.end, ',')}\n{_caption(cue)}\n"
        for n, cue in enumerate(cues, 1)
    ]
    return "\n".join(blocks)


def chapters_document(result: BuildResult) -> dict:
    """The complete book's chapters in the JSON chapters format, version 1.2."""
    starts = [c.start for c in result.chapters]
    if any(b < a for a, b in itertools.pairwise(starts)):
        raise PublishError(f"chapter start times are not in ascending order: {starts}")
    return {
        "version": CHAPTERS_JSON_VERSION,
        "title": result.title,
        "author": result.author,
        "podcastName": result.title,
        "fileName": result.mp3.name,
        "chapters": [{"startTime": round(c.start, 3), "title": c.title} for c in result.chapters],
    }


RENDERERS = {"vtt": to_vtt, "srt": to_srt}


class _Rendered:
    """What the transcript files in ``out_dir`` were rendered from: file -> [digest of its cues, size,
    modification time]. A file is current when its entry matches the cues and the file on disk."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.entries: dict[str, list] = {}
        self.changed = False
        try:
            data = json.loads((out_dir / TRANSCRIPTS_STATE_FILE).read_text(encoding="utf-8"))
            if isinstance(data, dict):
                self.entries = data
        except (OSError, ValueError):
            pass

    def _signature(self, name: str) -> list[int] | None:
        try:
            stat = (self.out_dir / name).stat()
        except OSError:
            return None
        return [stat.st_size, stat.st_mtime_ns]

    def write(self, names: dict[str, str], cues: Sequence[Cue], render: Callable[[], dict[str, str]]) -> None:
        """Write the files ``names`` (extension -> file) from ``render()`` unless they are current."""
        digest = fsutil.digest(RENDER_VERSION, repr(tuple(cues)))
        if all(self.entries.get(n) == [digest, *(self._signature(n) or [])] for n in names.values()):
            return
        for ext, text in render().items():
            write_if_changed(self.out_dir / names[ext], text)
            self.entries[names[ext]] = [digest, *(self._signature(names[ext]) or [])]
            self.changed = True

    def save(self) -> None:
        if self.changed:
            write_if_changed(self.out_dir / TRANSCRIPTS_STATE_FILE, json.dumps(self.entries, sort_keys=True))


def render_all(cues: Sequence[Cue]) -> dict[str, str]:
    """Every transcript format of ``cues``: extension -> text."""
    readable = readable_cues(cues)
    return {ext: render(readable) for ext, render in RENDERERS.items()}


@functools.lru_cache(maxsize=512)
def _episode_files(cues: tuple[Cue, ...]) -> dict[str, str]:
    return render_all(cues)


def write_transcripts(result: BuildResult) -> None:
    """Write the WebVTT and SRT files of every episode and, unless the book is in progress, of the
    complete book; and chapters.json. Files whose cues did not change are left alone unrendered."""
    out_dir = Path(result.out_dir)
    rendered = _Rendered(out_dir)
    for chapter in result.chapters:
        names = {ext: layout.episode_transcript(chapter, ext) for ext in RENDERERS}
        rendered.write(names, chapter.cues, partial(_episode_files, chapter.cues))
    if not result.in_progress:
        cues = book_cues(result)
        rendered.write({ext: layout.book_transcript(result, ext) for ext in RENDERERS}, cues, partial(render_all, cues))
    rendered.save()
    document = json.dumps(chapters_document(result), ensure_ascii=False, indent=2)
    write_if_changed(out_dir / CHAPTERS_FILE, document + "\n")
