"""Helpers of the synth tests: tiny script folders in tmp_path, and counting clips in a cache."""

from __future__ import annotations

import wave
from pathlib import Path

from narration.model import Book, load_book
from narration.synth.sentences import INDEX_DIR

CHAPTER_ONE = """# Hello

Good morning. The train is late.

## Notes

Bread costs two roubles.
"""

CHAPTER_TWO = """# Goodbye

The meeting ended at noon.
"""


def write_scripts(root: Path, chapters: dict[str, str] | None = None, book_toml: str = "") -> Path:
    """A ``scripts/`` folder under ``root`` with the given ``NN-slug.md`` files (two short ones by default).

    The AI disclosure is not spoken in these books, so the clips are the scripts' own (its tests
    switch it on)."""
    scripts = root / "scripts"
    scripts.mkdir(parents=True, exist_ok=True)
    for name, text in (chapters or {"01-hello.md": CHAPTER_ONE, "02-goodbye.md": CHAPTER_TWO}).items():
        (scripts / name).write_text(text, encoding="utf-8")
    head = 'title = "Test"\nauthor = "Tester"\ndisclosure = { speak = false }\n'
    (scripts / "book.toml").write_text(head + book_toml, encoding="utf-8")
    return scripts


def book_at(root: Path, **kwargs) -> Book:
    return load_book(write_scripts(root, **kwargs))


def clip_files(cache: Path) -> set[str]:
    """Names of the complete clips (WAV with sidecar) in a cache folder."""
    return {p.stem for p in cache.glob("*.wav") if p.with_suffix(".json").exists()}


def stray_files(cache: Path) -> list[Path]:
    """Temporary or half-made files left in a cache folder (its sentence index is not one)."""
    return [
        p
        for p in cache.iterdir()
        if p.name != INDEX_DIR and (p.name.startswith(".") or p.suffix not in (".wav", ".json"))
    ]


def wav_frames(path: Path) -> tuple[int, int]:
    """(sample rate, frame count) of a WAV file, read with the standard library."""
    with wave.open(str(path)) as wav:
        return wav.getframerate(), wav.getnframes()
