"""The audio stage's library API: from a book's scripts to its audiobook files and episodes.

    result = build_book(load_book("scripts"), out_dir=Path("output"))

``build_book`` synthesises what is missing (the synth stage), then masters and encodes each chapter
whose inputs changed (one *unit* per clip: see :mod:`narration.audio.units`), writes the episodes
whose audio or tags changed, and re-assembles the M4B and MP3 audiobooks from the units' encodes by
stream copy when any chapter changed. Everything is keyed by digests of its inputs, so an unchanged
book rebuilds nothing and an edited paragraph re-makes one unit and re-joins the files it is in.
Units are made one at a time per worker process: memory does not grow with the book.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from narration import fsutil
from narration.audio import codec
from narration.audio.cover import Cover, check_cover, find_cover, generate_cover, generated_key
from narration.audio.layout import Pauses, UnitLayout, chapter_blocks, chapter_layouts
from narration.audio.levels import Levels, check, combine
from narration.audio.manifest import save_manifest
from narration.audio.package import book_chapters, write_book
from narration.audio.profiles import Profile, get_profile, with_rate
from narration.audio.state import OutputState
from narration.audio.tags import Tags, id3_language, id3_tags, render_id3, write_mp3
from narration.audio.types import BuildResult, ChapterOutput, Cue
from narration.audio.units import Unit, UnitCache, unit_key
from narration.config import AudioConfig
from narration.disclosure import disclosure_text
from narration.errors import AudioError
from narration.model import Book, Chapter
from narration.synth.pipeline import synthesize_book
from narration.synth.plan import select_chapters
from narration.synth.types import SynthResult

log = logging.getLogger(__name__)

PACKAGE_VERSION = "3"  # bump when the book files are assembled differently: only they are made again
BUILD_CACHE = ".narration/build"
EPISODES = "episodes"
DESCRIPTION_CHARS = 400


@dataclass(frozen=True)
class BuildReport:
    """A build's result and what it did."""

    result: BuildResult
    synth: SynthResult
    encoded: tuple[int, ...]  # chapters with a unit mastered and encoded in this run
    reused: tuple[int, ...]  # chapters wholly taken from the build cache
    units_made: int
    episodes_written: tuple[int, ...]
    book_written: bool
    elapsed: float


@dataclass(frozen=True)
class _Context:
    profile: Profile
    config: AudioConfig
    synth: SynthResult
    cache: UnitCache


def build_book(
    book: Book,
    *,
    out_dir: Path | None = None,
    jobs: int | None = None,
    profile: str | None = None,
    chapters: Sequence[int] | None = None,
    progress: bool = False,
    cache_dir: Path | None = None,
) -> BuildResult:
    """Build ``book``'s audiobook (M4B, MP3) and episodes in ``out_dir`` (default ``<root>/output``).

    ``profile``: ``podcast`` or ``acx`` (default: ``book.toml``'s ``[audio] profile``); ``chapters``:
    1-based numbers of a subset to build (a preview); ``jobs``: processes for synthesis and chapters
    mastered at once (default: ``[synth] jobs``, else the number of cores); ``cache_dir``: the
    per-unit build cache (default ``<root>/.narration/build``).
    """
    report = build(
        book, out_dir=out_dir, jobs=jobs, profile=profile, chapters=chapters, progress=progress, cache_dir=cache_dir
    )
    return report.result


def build(
    book: Book,
    *,
    out_dir: Path | None = None,
    jobs: int | None = None,
    profile: str | None = None,
    chapters: Sequence[int] | None = None,
    progress: bool = False,
    cache_dir: Path | None = None,
) -> BuildReport:
    """:func:`build_book`, reporting what was made and what was reused."""
    started = time.monotonic()
    chosen = get_profile(profile if profile is not None else book.config.audio.profile)
    chosen = with_rate(chosen, book.config.audio.sample_rate)
    selected = select_chapters(book, chapters)
    out = prepare_out_dir(Path(out_dir) if out_dir is not None else book.root / "output")
    state = OutputState.load(out)
    cover = resolve_cover(book, out, state)
    numbers = None if chapters is None else [c.number for c in selected]
    warm_up = _WarmUp()
    synth = synthesize_book(book, jobs=jobs, progress=progress, chapters=numbers, before_making=warm_up.start)
    warm_up.join()  # before units are made by forked processes
    cache = UnitCache(Path(cache_dir) if cache_dir is not None else book.root / BUILD_CACHE)
    context = _Context(chosen, book.config.audio, synth, cache)
    rendered, encoded, units_made = render_chapters(context, selected, _jobs(book, jobs), progress)
    outputs = chapter_outputs(out, selected, rendered, synth)
    written = write_episodes(book, outputs, rendered, cover, state)
    result = BuildResult(
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
    )
    book_written = write_book_files(result, rendered, cover, state, context, disclosure_text(book.config))
    if chapters is None:
        _tidy(cache, rendered, state)
    state.forget_missing()
    state.save()
    save_manifest(result)
    reused = tuple(c.number for c in selected if c.number not in encoded)
    elapsed = time.monotonic() - started
    return BuildReport(result, synth, tuple(encoded), reused, units_made, written, book_written, elapsed)


def summary(report: BuildReport) -> str:
    """A few lines saying what a build made and where."""
    result = report.result
    minutes = result.duration / 60
    lines = [
        f"Built {result.title!r}: {len(result.chapters)} chapters, {minutes:.1f} min of audio, "
        f"in {report.elapsed:.1f} s "
        f"({len(report.encoded)} mastered, {len(report.reused)} unchanged; "
        f"{report.synth.made} clips synthesised in {report.synth.elapsed:.1f} s, {report.units_made} encoded)",
        f"  {result.m4b}" + ("" if report.book_written else "  (unchanged)"),
        f"  {result.mp3}" + ("" if report.book_written else "  (unchanged)"),
        f"  {result.out_dir / EPISODES}/  ({len(result.chapters)} episodes, {len(report.episodes_written)} written)",
    ]
    return "\n".join(lines)


class _WarmUp:
    """While clips are made, import the mastering and codec modules (scipy's alone take a second)
    in a thread: units will be made next. Started only once synthesis has its processes (a fork
    must not catch a thread importing) and joined before the units' processes are forked."""

    def __init__(self) -> None:
        self.thread: threading.Thread | None = None

    def start(self, clips: int, jobs: int) -> None:
        self.thread = threading.Thread(target=self._load, name="warm-up", daemon=True)
        self.thread.start()

    @staticmethod
    def _load() -> None:
        from narration.audio.units import load_codecs

        try:
            load_codecs()
        except Exception:  # made again where it counts, and reported there as a clean error
            log.debug("warming up the codec imports failed", exc_info=True)

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()


def _jobs(book: Book, jobs: int | None) -> int:
    value = jobs if jobs is not None else book.config.synth.jobs or os.cpu_count() or 1
    return max(1, value)


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
        return Cover(target, "image/jpeg", key)
    cover = generate_cover(book.title, book.author, target)
    state.record(target, key)
    return cover


@dataclass(frozen=True)
class ChapterAudio:
    """A chapter's units in order, where they put its sentences, and its verified levels."""

    key: str  # digest of its units' keys
    units: tuple[Unit, ...]
    timing: codec.Timing  # the units' MP3 and AAC frames
    cues: tuple[Cue, ...]  # seconds from the start of the episode
    levels: Levels


def _unit_seconds(layout: UnitLayout) -> float:
    return layout.clip.duration


def render_chapters(
    context: _Context, chapters: Sequence[Chapter], workers: int, progress: bool
) -> tuple[list[ChapterAudio], list[int], int]:
    """Every chapter's units, from the cache or made (``workers`` processes); the chapters' audio,
    the numbers of the chapters with a unit made and the count of units made."""
    pauses = Pauses.of(context.config, context.profile)
    layouts = [chapter_layouts(chapter, context.synth, pauses) for chapter in chapters]
    keys = [[unit_key(layout, context.profile) for layout in chapter] for chapter in layouts]
    found = {key: context.cache.lookup(key) for chapter in keys for key in chapter}
    todo: dict[str, tuple[UnitLayout, str]] = {}
    for chapter, chapter_layout, chapter_keys in zip(chapters, layouts, keys, strict=True):
        what = f"chapter {chapter.number} ({chapter.title!r})"
        for layout, key in zip(chapter_layout, chapter_keys, strict=True):
            if found[key] is None:
                todo.setdefault(key, (layout, what))
    if todo:
        context.cache.prepare()
        found.update(render_units(todo, context, workers, progress))
    made = [c.number for c, ks in zip(chapters, keys, strict=True) if any(k in todo for k in ks)]
    audio = [chapter_audio(c, [found[k] for k in ks], context.profile) for c, ks in zip(chapters, keys, strict=True)]
    return audio, made, len(todo)


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


def render_units(
    todo: dict[str, tuple[UnitLayout, str]], context: _Context, workers: int, progress: bool
) -> dict[str, Unit]:
    """Make the units in ``todo`` (key -> layout, what it is part of), longest first."""
    from narration.audio import units as heavy  # numpy, PyAV, LAME: loaded before the workers fork

    heavy.load_codecs()
    order = sorted(todo, key=lambda k: -_unit_seconds(todo[k][0]))
    tasks = [(todo[k][0], k, context.profile, context.cache.root, todo[k][1]) for k in order]
    with _Progress(len(tasks), progress) as advance:
        if workers <= 1 or len(tasks) <= 1:
            return {task[1]: _advancing(heavy.render_task(task), advance) for task in tasks}
        return dict(zip(order, _run_parallel(tasks, workers, advance), strict=True))


def _advancing(unit: Unit, advance: Callable[[], None]) -> Unit:
    advance()
    return unit


def _run_parallel(tasks: list[tuple], workers: int, advance: Callable[[], None]) -> list[Unit]:
    from narration.audio.units import render_task, start_worker

    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    pool = ProcessPoolExecutor(min(workers, len(tasks)), mp_context=context, initializer=start_worker)
    try:
        futures: list[Future[Unit]] = [pool.submit(render_task, task) for task in tasks]
        for future in futures:
            future.add_done_callback(lambda _: advance())
        results = [future.result() for future in futures]
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    return results


class _Progress:
    """A rich progress bar of units made (only when asked for)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled, self.bar = total, enabled, None

    def __enter__(self) -> Callable[[], None]:
        if not self.enabled:
            return lambda: None
        from rich.progress import Progress

        self.bar = Progress(transient=True)
        self.bar.start()
        task = self.bar.add_task("Mastering and encoding", total=self.total)
        return lambda: self.bar.advance(task)

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
    out: Path, chapters: Sequence[Chapter], audio: Sequence[ChapterAudio], synth: SynthResult | None = None
) -> list[ChapterOutput]:
    """Each chapter's episode, duration and start in the book (the sum of the episodes before it);
    with ``synth``, its cues grouped in the blocks of its text."""
    outputs, position = [], 0.0
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


def write_episodes(
    book: Book, outputs: Sequence[ChapterOutput], audio: Sequence[ChapterAudio], cover: Cover, state: OutputState
) -> tuple[int, ...]:
    """Write each episode (tag + its units' MP3 frames) whose audio or tags changed."""
    written = []
    for output, item in zip(outputs, audio, strict=True):
        track = f"{output.number}/{len(book.chapters)}"
        tags = Tags(title=output.title, album=book.title, artist=book.author, track=track,
                    comment=disclosure_text(book.config), language=id3_language(book.language))  # fmt: skip
        key = fsutil.digest("episode", item.key, json.dumps(dataclasses.asdict(tags)), cover.digest)
        if state.current(output.episode, key):
            continue
        write_mp3(output.episode, render_id3(id3_tags(tags, cover)), [unit.mp3 for unit in item.units])
        state.record(output.episode, key)
        written.append(output.number)
    return tuple(written)


def write_book_files(
    result: BuildResult,
    audio: Sequence[ChapterAudio],
    cover: Cover,
    state: OutputState,
    context: _Context,
    comment: str = "",
) -> bool:
    """Re-assemble the M4B and MP3 audiobooks if any of their inputs changed; whether it did."""
    chapters = book_chapters([c.title for c in result.chapters], [a.units for a in audio], [a.timing for a in audio])
    parts = json.dumps([[c.title, a.key] for c, a in zip(chapters, audio, strict=True)])
    key = fsutil.digest("book", PACKAGE_VERSION, result.title, result.author, cover.digest, comment, parts)
    if state.current(result.m4b, key) and state.current(result.mp3, key):
        return False
    log.info("assembling %s and %s", result.m4b.name, result.mp3.name)
    silence = None
    if any(c.aac_padding for c in chapters):
        from narration.audio.units import silent_frame

        silence = silent_frame(context.cache, audio[0].timing.rate, context.profile.aac_kbps)
    write_book(result.m4b, result.mp3, chapters, result.title, result.author, cover, silence, comment)
    state.record(result.m4b, key)
    state.record(result.mp3, key)
    return True


def _tidy(cache: UnitCache, audio: Sequence[ChapterAudio], state: OutputState) -> None:
    """After a whole-book build: drop the cache entries and the outputs the book no longer uses."""
    removed = cache.prune({unit.key for item in audio for unit in item.units})
    stale = state.remove_untouched()
    if removed or stale:
        log.info("removed %d stale cache entries and these old outputs: %s", removed, ", ".join(stale) or "none")
