"""Real build outputs for the publish tests: short sine-tone MP3/M4B files made by ffmpeg, a PNG cover."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from mutagen.mp3 import MP3
from PIL import Image

from narration.audio.manifest import from_json, to_json
from narration.audio.types import BuildResult, ChapterOutput, Cue
from narration.ffmpeg import run_ffmpeg
from narration.model import book_slug

LONG_SENTENCE = (
    "This sentence is deliberately much longer than a single readable caption, so the transcript "
    "writer has to split it into several short cues with proportional timing inside it."
)


@dataclass(frozen=True)
class Spec:
    title: str
    key: str
    seconds: float
    description: str = "The opening words of this chapter."
    cues: tuple[tuple[float, float, str], ...] = field(default=())


DEFAULT_SPECS = (
    Spec("The first chapter", "first-chapter", 2.0, cues=((0.2, 0.9, "The first chapter."), (1.0, 1.9, "Hello."))),
    Spec(
        "Tags <b> & \"quotes\" 'too'",
        "tags-and-quotes",
        2.5,
        'A <i>description</i> & "more".',
        cues=((0.1, 0.8, 'Tags <b> & "quotes".'), (0.9, 2.4, LONG_SENTENCE)),
    ),
    Spec("The last chapter", "last-chapter", 3.0, cues=((0.2, 1.0, "The last chapter."), (1.2, 2.8, "Goodbye."))),
)


def tone(path: Path, seconds: float, codec: list[str], freq: int = 440) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    source = f"sine=frequency={freq}:duration={seconds}:sample_rate=44100"
    run_ffmpeg(["-y", "-f", "lavfi", "-i", source, "-ac", "1", *codec, str(path)], what="test tone")
    return path


MP3_CODEC = ["-c:a", "libmp3lame", "-b:a", "64k"]
M4B_CODEC = ["-c:a", "aac", "-b:a", "64k", "-f", "ipod"]


def cover(path: Path, size: int = 1400) -> Path:
    Image.new("RGB", (size, size), (138, 59, 18)).save(path)
    return path


def build_result(
    out_dir: Path,
    specs: tuple[Spec, ...] = DEFAULT_SPECS,
    *,
    title: str = 'A Book & <Its> "Title"',
    author: str = "An Author",
    description: str = "A short book made for tests.\n\nIt has two paragraphs & a <tag>.",
) -> BuildResult:
    """Make real audio files for ``specs`` in ``out_dir`` and return the BuildResult describing them."""
    slug = book_slug(title)
    chapters, start = [], 0.0
    for number, spec in enumerate(specs, 1):
        path = out_dir / "episodes" / f"{number:02d}-{spec.key}.mp3"
        episode = tone(path, spec.seconds, MP3_CODEC, 300 + 100 * number)
        duration = MP3(episode).info.length
        cues = tuple(Cue(s, e, t) for s, e, t in spec.cues)
        chapters.append(
            ChapterOutput(
                number,
                spec.title,
                spec.key,
                f"{number:02d}-{spec.key}",
                episode,
                duration,
                start,
                cues,
                spec.description,
            )
        )
        start += duration
    mp3 = tone(out_dir / f"{slug}.mp3", start, MP3_CODEC)
    m4b = tone(out_dir / f"{slug}.m4b", start, M4B_CODEC)
    return BuildResult(
        title,
        author,
        "en",
        description,
        out_dir,
        m4b,
        mp3,
        cover(out_dir / "cover.png"),
        MP3(mp3).info.length,
        tuple(chapters),
    )


def relocate(result: BuildResult, out_dir: Path) -> BuildResult:
    """A copy of a built output folder at ``out_dir``, and its BuildResult."""
    shutil.copytree(result.out_dir, out_dir, symlinks=True)
    return from_json(to_json(result), out_dir)


@pytest.fixture(scope="session")
def template_build(tmp_path_factory) -> BuildResult:
    """The default book's audio, made once per test session (copy it with :func:`relocate`)."""
    return build_result(tmp_path_factory.mktemp("template") / "output")
