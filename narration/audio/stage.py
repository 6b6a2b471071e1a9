"""The audio stage: from a book's clips (the synth stage's :class:`SynthResult`) to its audiobook
files and episodes.

The driver (:mod:`narration.build`) calls it in three steps: :func:`plan_units` finds each chapter's
units (one per clip, see :mod:`narration.audio.units`) in the build cache and lists the ones to
make; :func:`make_units` masters and encodes those on the workers the driver started for
:func:`unit_job`; :func:`write_outputs` writes the episodes whose audio or tags changed and
re-assembles the M4B and MP3 audiobooks from the units' encodes when any chapter changed.
Everything is keyed by digests of its inputs, so an unchanged book rebuilds nothing and an edited
paragraph re-makes one unit and re-joins the files it is in. Units are made one at a time per
worker: memory does not grow with the book.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from narration import fsutil
from narration.audio import codec, package
from narration.audio.cover import Cover, check_cover, find_cover, generate_cover, generated_key
from narration.audio.layout import Pauses, chapter_blocks, chapter_layouts
from narration.audio.levels import Levels, check, combine
from narration.audio.profiles import Profile
from narration.audio.state import OutputState
from narration.audio.tags import Tags, id3_language, id3_tags, render_id3, write_mp3
from narration.audio.types import BuildResult, ChapterOutput, Cue
from narration.audio.units import Unit, UnitCache, UnitSetup, UnitTask, render_task, unit_key
from narration.config import AudioConfig
from narration.disclosure import disclosure_text
from narration.errors import AudioError
from narration.executors import Job
from narration.model import Book, Chapter
from narration.synth.types import SynthResult

if TYPE_CHECKING:
    from rich.progress import Progress

log = logging.getLogger(__name__)

PACKAGE_VERSION = "3"  # bump when the book files are assembled differently: only they are made again
BUILD_CACHE = ".narration/build"
EPISODES = "episodes"
DESCRIPTION_CHARS = 400


@dataclass(frozen=True)
class ChapterAudio:
    """A chapter's units in order, where they put its sentences, and its verified levels."""

    key: str  # digest of its units' keys
    units: tuple[Unit, ...]
    timing: codec.Timing  # the units' MP3 and AAC frames
    cues: tuple[Cue, ...]  # seconds from the start of the episode
    levels: Levels


@dataclass
class UnitPlan:
    """Every unit of the chosen chapters: found in the build cache, or still to make."""

    profile: Profile
    cache: UnitCache
    chapters: tuple[Chapter, ...]
    keys: list[list[str]]  # per chapter, its units' keys in order
    found: dict[str, Unit | None]  # key -> cached unit (None: to make)
    todo: dict[str, UnitTask]  # key -> what to make, longest first

    def made_in(self) -> list[int]:
        """Numbers of the chapters with a unit to make."""
        return [c.number for c, ks in zip(self.chapters, self.keys, strict=True) if any(k in self.todo for k in ks)]


def plan_units(
    chapters: Sequence[Chapter], synth: SynthResult, profile: Profile, config: AudioConfig, cache: UnitCache
) -> UnitPlan:
    """Cut each chapter into units and look each up in ``cache``; nothing is written."""
    pauses = Pauses.of(config, profile)
    layouts = [chapter_layouts(chapter, synth, pauses) for chapter in chapters]
    keys = [[unit_key(layout, profile) for layout in chapter] for chapter in layouts]
    found: dict[str, Unit | None] = {key: cache.lookup(key) for chapter in keys for key in chapter}
    todo: dict[str, UnitTask] = {}
    for chapter, chapter_layout, chapter_keys in zip(chapters, layouts, keys, strict=True):
        what = f"chapter {chapter.number} ({chapter.title!r})"
        for layout, key in zip(chapter_layout, chapter_keys, strict=True):
            if found[key] is None and key not in todo:
                todo[key] = UnitTask(layout, key, profile, cache.root, what)
    ordered = dict(sorted(todo.items(), key=lambda kv: -kv[1].layout.clip.duration))
    return UnitPlan(profile, cache, tuple(chapters), keys, found, ordered)


def unit_job() -> Job[UnitTask, Unit]:
    return Job("mastering", UnitSetup(), render_task)


def book_result(
    book: Book, out: Path, cover: Cover, outputs: Sequence[ChapterOutput], in_progress: bool
) -> BuildResult:
    """The book's :class:`BuildResult` with these chapters (all of them, or those done so far)."""
    return BuildResult(
        title=book.title,
        author=book.author,
        language=book.language,
        description=book.config.description,
        out_dir=out,
        m4b=out / f"{book.slug}.m4b",
        mp3=out / f"{book.slug}.mp3",
        cover=cover.path,
        duration=sum(c.duration for c in outputs),
        chapters=tuple(outputs),
        in_progress=in_progress,
    )


def write_book(
    result: BuildResult,
    audio: Sequence[ChapterAudio],
    cover: Cover,
    state: OutputState,
    plan: UnitPlan,
    whole_book: bool,
    comment: str = "",
) -> bool:
    """Assemble the book files if they are not current; after a whole-book build, drop the cache
    entries and outputs the book no longer uses. The state is saved, then the manifest. Whether
    the book files were written."""
    from narration.audio.manifest import save_manifest

    written = write_book_files(result, audio, cover, state, plan, comment)
    if whole_book:
        _tidy(plan.cache, audio, state)
    state.forget_missing()
    state.save()
    save_manifest(result)
    return written


def prepare_out_dir(out: Path) -> Path:
    """Create the output folder and check it can be written; :class:`AudioError` if not."""
    try:
        (out / EPISODES).mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise AudioError(f"cannot write to the output folder {out}: {exc.strerror or exc}") from exc
    return out


def resolve_cover(book: Book, out: Path, state: OutputState) -> Cover:
    """``scripts/cover.jpg|png`` (checked), else a generated ``out/cover.jpg`` (made when needed)."""
    given = find_cover(book.scripts_dir) if book.scripts_dir is not None else None
    if given is not None:
        return check_cover(given)
    target, key = out / "cover.jpg", generated_key(book.title, book.author)
    if state.current(target, key):
        state.keep(target)
        return Cover(target, "image/jpeg", key)
    cover = generate_cover(book.title, book.author, target)
    state.record(target, key)
    return cover


def chapter_audio(chapter: Chapter, units: list[Unit], profile: Profile) -> ChapterAudio:
    """Join a chapter's units: its timing and cues, and its levels checked against the profile."""
    timing, cues = codec.Timing(units[0].timing.rate, 0, 0), []
    for unit in units:
        offset = timing.mp3_duration
        cues += [Cue(round(c.start + offset, 6), round(c.end + offset, 6), c.text) for c in unit.cues]
        timing += unit.timing
    levels = combine([unit.levels for unit in units], timing.rate)
    check(levels, profile, f"chapter {chapter.number} ({chapter.title!r})")
    key = fsutil.digest("chapter", *(unit.key for unit in units))
    return ChapterAudio(key, tuple(units), timing, tuple(cues), levels)


class UnitProgress:
    """A rich progress bar of units made (only when asked for); entering it gives ``advance``."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled = total, enabled
        self.bar: Progress | None = None

    def __enter__(self) -> Callable[[], None]:
        if not self.enabled:
            return lambda: None
        from rich.progress import Progress

        bar = self.bar = Progress(transient=True)
        bar.start()
        task = bar.add_task("Mastering and encoding", total=self.total)
        return lambda: bar.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def opening(chapter: Chapter, limit: int = DESCRIPTION_CHARS) -> str:
    """The chapter's first paragraph as plain text, cut at a word near ``limit`` characters."""
    text = next((" ".join(s.text.split()) for s in chapter.sections if s.kind == "paragraph"), "")
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def chapter_outputs(
    out: Path,
    chapters: Sequence[Chapter],
    audio: Sequence[ChapterAudio],
    position: float = 0.0,
    synth: SynthResult | None = None,
) -> list[ChapterOutput]:
    """Each chapter's episode, duration and start in the book (``position`` plus the episodes
    before it); with ``synth``, its cues grouped in the blocks of its text."""
    outputs = []
    for chapter, item in zip(chapters, audio, strict=True):
        outputs.append(
            ChapterOutput(
                number=chapter.number,
                title=chapter.title,
                key=chapter.key,
                slug=chapter.slug,
                episode=out / EPISODES / f"{chapter.slug}.mp3",
                duration=item.timing.mp3_duration,
                start=position,
                cues=item.cues,
                description=opening(chapter),
                blocks=chapter_blocks(chapter, synth) if synth is not None else (),
            )
        )
        position += item.timing.mp3_duration
    return outputs


def write_episode(book: Book, output: ChapterOutput, item: ChapterAudio, cover: Cover, state: OutputState) -> bool:
    """Write the episode (tag + its units' MP3 frames) if its audio or tags changed; whether it did."""
    track = f"{output.number}/{len(book.chapters)}"
    comment, language = disclosure_text(book.config), id3_language(book.language)
    tags = Tags(
        title=output.title, album=book.title, artist=book.author, track=track, comment=comment, language=language
    )
    key = fsutil.digest("episode", item.key, json.dumps(dataclasses.asdict(tags)), cover.digest)
    if state.current(output.episode, key):
        state.keep(output.episode)
        return False
    write_mp3(output.episode, render_id3(id3_tags(tags, cover)), [unit.mp3 for unit in item.units])
    state.record(output.episode, key)
    return True


def write_book_files(
    result: BuildResult,
    audio: Sequence[ChapterAudio],
    cover: Cover,
    state: OutputState,
    plan: UnitPlan,
    comment: str = "",
) -> bool:
    """Re-assemble the M4B and MP3 audiobooks if any of their inputs changed; whether it did."""
    chapters = package.book_chapters(
        [c.title for c in result.chapters], [a.units for a in audio], [a.timing for a in audio]
    )
    parts = json.dumps([[c.title, a.key] for c, a in zip(chapters, audio, strict=True)])
    key = fsutil.digest("book", PACKAGE_VERSION, result.title, result.author, cover.digest, comment, parts)
    if state.current(result.m4b, key) and state.current(result.mp3, key):
        state.keep(result.m4b)
        state.keep(result.mp3)
        return False
    log.info("assembling %s and %s", result.m4b.name, result.mp3.name)
    silence = None
    if any(c.aac_padding for c in chapters):
        from narration.audio.units import silent_frame

        silence = silent_frame(plan.cache, audio[0].timing.rate, plan.profile.aac_kbps)
    package.write_book(result.m4b, result.mp3, chapters, result.title, result.author, cover, silence, comment)
    state.record(result.m4b, key)
    state.record(result.mp3, key)
    return True


def _tidy(cache: UnitCache, audio: Sequence[ChapterAudio], state: OutputState) -> None:
    """After a whole-book build: drop the cache entries and the outputs the book no longer uses."""
    removed = cache.prune({unit.key for item in audio for unit in item.units})
    stale = state.remove_untouched()
    if removed or stale:
        log.info("removed %d stale cache entries and these old outputs: %s", removed, ", ".join(stale) or "none")
