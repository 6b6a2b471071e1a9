"""The build driver: one place that runs the stages, text -> synth -> audio -> publish.

    report = build(load_book("scripts"), out_dir=Path("output"))

:func:`resolve` turns the call's options and ``book.toml`` into one :class:`BuildOptions` (a bad
option fails here, before any work). :func:`build` takes the book's lock (one writer per book, see
:mod:`narration.lock`) and calls :func:`run`, which plans each stage before it writes: the clips
missing from the cache, then the units missing from the build cache, then the outputs that are not
current. The work of each stage runs on the :class:`~narration.executors.Executor` the caller
chooses (default: local processes). ``narration build``, the library and a long-running caller
that holds the lock itself (the studio) all go through :func:`run`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from narration.audio.cover import Cover
from narration.audio.profiles import Profile, get_profile, with_rate
from narration.audio.stage import (
    BUILD_CACHE,
    EPISODES,
    AudioWritten,
    UnitPlan,
    chapters_audio,
    make_units,
    plan_units,
    prepare_out_dir,
    resolve_cover,
    unit_job,
    write_outputs,
)
from narration.audio.state import OutputState
from narration.audio.types import BuildResult
from narration.audio.units import UnitCache
from narration.executors import Executor, LocalProcesses
from narration.lock import BookLock
from narration.model import Book, Chapter
from narration.publish.api import publish_with
from narration.publish.settings import PublishSettings, from_config
from narration.synth import pipeline
from narration.synth.pipeline import Pending, SynthOptions
from narration.synth.types import SynthResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildOptions:
    """A build's settings, resolved once from the call's arguments and ``book.toml``."""

    book: Book
    out_dir: Path
    profile: Profile
    chapters: tuple[Chapter, ...]  # those to build, in order
    whole_book: bool  # False for a preview of some chapters
    synth: SynthOptions
    unit_cache: Path
    progress: bool
    publish: PublishSettings | None  # None: write no feed, transcripts or page


@dataclass(frozen=True)
class Executors:
    """Where each stage's work runs."""

    synth: Executor
    units: Executor

    @classmethod
    def local(cls, jobs: int) -> Executors:
        pool = LocalProcesses(jobs)
        return cls(pool, pool)


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
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage


def resolve(
    book: Book,
    *,
    out_dir: Path | None = None,
    jobs: int | None = None,
    profile: str | None = None,
    chapters: Sequence[int] | None = None,
    progress: bool = False,
    cache_dir: Path | None = None,
    base_url: str | None = None,
    publish: bool = True,
) -> BuildOptions:
    """Arguments first, then ``book.toml``, then defaults; a bad option raises here, before any work.

    ``profile``: ``podcast`` or ``acx``; ``chapters``: 1-based numbers of a subset (a preview);
    ``jobs``: worker processes of every stage; ``cache_dir``: the per-unit build cache (default
    ``<root>/.narration/build``); ``base_url``: where the output is served (for the feed).
    """
    chosen = get_profile(profile if profile is not None else book.config.audio.profile)
    synth = pipeline.resolve_options(book, jobs=jobs, progress=progress, chapters=chapters)
    return BuildOptions(
        book=book,
        out_dir=Path(out_dir) if out_dir is not None else book.root / "output",
        profile=with_rate(chosen, book.config.audio.sample_rate),
        chapters=book.select(chapters),
        whole_book=chapters is None,
        synth=synth,
        unit_cache=Path(cache_dir) if cache_dir is not None else book.root / BUILD_CACHE,
        progress=progress,
        publish=from_config(book.config.publish, base_url) if publish else None,
    )


def build(
    book: Book,
    *,
    out_dir: Path | None = None,
    jobs: int | None = None,
    profile: str | None = None,
    chapters: Sequence[int] | None = None,
    progress: bool = False,
    cache_dir: Path | None = None,
    base_url: str | None = None,
    publish: bool = True,
    wait: bool = True,
    notify: Callable[[str], None] | None = None,
    command: str = "narration build",
    executors: Executors | None = None,
) -> BuildReport:
    """Build ``book`` holding its lock: the audiobook, the episodes and (with ``publish``) the feed,
    transcripts and page. Options as in :func:`resolve`; ``executors`` default to ``jobs`` local
    processes. Another run holding the lock: with ``wait``, say so through ``notify`` and wait
    for it; without, raise :class:`~narration.errors.LockError` at once.
    """
    resolved = resolve(
        book,
        out_dir=out_dir,
        jobs=jobs,
        profile=profile,
        chapters=chapters,
        progress=progress,
        cache_dir=cache_dir,
        base_url=base_url,
        publish=publish,
    )
    with BookLock(book.root, command).hold(wait=wait, notify=notify):
        return run(resolved, executors or Executors.local(resolved.synth.jobs))


def build_book(book: Book, **options: Any) -> BuildResult:
    """:func:`build`'s result alone (same options)."""
    return build(book, **options).result


def run(options: BuildOptions, executors: Executors) -> BuildReport:
    """Run the stages for ``options`` (the caller holds the book's lock)."""
    started = time.monotonic()
    stages: dict[str, float] = {}
    out = prepare_out_dir(options.out_dir)
    state = OutputState.load(out)
    cover = resolve_cover(options.book, out, state)
    synth = _synthesise(pipeline.plan_synthesis(options.book, options.synth), executors.synth)
    stages["synth"] = time.monotonic() - started
    written, plan = _audio(options, synth, cover, state, executors.units)
    stages["audio"] = time.monotonic() - started - stages["synth"]
    if options.publish is not None:
        publish_with(written.result, options.publish)
    stages["publish"] = time.monotonic() - started - stages["synth"] - stages["audio"]
    encoded = tuple(plan.made_in())
    reused = tuple(c.number for c in options.chapters if c.number not in encoded)
    return BuildReport(
        written.result,
        synth,
        encoded,
        reused,
        len(plan.todo),
        written.episodes_written,
        written.book_written,
        time.monotonic() - started,
        stages,
    )


def _synthesise(pending: Pending, executor: Executor) -> SynthResult:
    """The synth stage; while its workers speak, the audio stage's codecs are imported (below)."""
    if not pending.needs_workers:
        return pipeline.finish(pending, None)
    with executor.start(pending.job.setup, pending.workers_wanted()) as workers:
        warm_up = CodecWarmUp.begin()  # only now: no fork may see this thread
        try:
            return pipeline.finish(pending, workers)
        finally:
            warm_up.join()  # before any unit worker is forked


def _audio(
    options: BuildOptions, synth: SynthResult, cover: Cover, state: OutputState, executor: Executor
) -> tuple[AudioWritten, UnitPlan]:
    from narration.audio.units import load_codecs

    config = options.book.config.audio
    plan = plan_units(options.chapters, synth, options.profile, config, UnitCache(options.unit_cache))
    if plan.todo:
        load_codecs()  # in this process before the workers fork, so they inherit the imports
        with executor.start(unit_job().setup, len(plan.todo)) as workers:
            make_units(plan, workers, options.progress)
    audio = chapters_audio(plan)
    written = write_outputs(options.book, options.out_dir, audio, cover, state, plan, options.whole_book)
    return written, plan


class CodecWarmUp:
    """Imports the mastering and codec modules (scipy's alone take a second) in a thread while
    clips are made: units are made next. Begun only once the synth workers exist and joined before
    the unit workers are forked (a fork must not catch a thread importing)."""

    def __init__(self, thread: threading.Thread) -> None:
        self.thread = thread

    @classmethod
    def begin(cls) -> CodecWarmUp:
        thread = threading.Thread(target=cls._load, name="codec-warm-up", daemon=True)
        thread.start()
        return cls(thread)

    @staticmethod
    def _load() -> None:
        from narration.audio.units import load_codecs

        try:
            load_codecs()
        except Exception:  # made again where it counts, and reported there as a clean error
            log.debug("warming up the codec imports failed", exc_info=True)

    def join(self) -> None:
        self.thread.join()


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
