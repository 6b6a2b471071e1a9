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

import contextlib
import itertools
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from narration.audio.manifest import save_manifest
from narration.audio.profiles import Profile, get_profile, with_rate
from narration.audio.stage import (
    BUILD_CACHE,
    EPISODES,
    ChapterAudio,
    UnitProgress,
    book_result,
    prepare_out_dir,
    resolve_cover,
    unit_job,
    write_book,
    write_episode,
)
from narration.audio.state import OutputState
from narration.audio.types import BuildResult, ChapterOutput
from narration.audio.units import UnitCache
from narration.cluster import executor_for
from narration.disclosure import disclosure_text
from narration.executors import Executor, LocalProcesses, Workers
from narration.lock import BookLock
from narration.model import Book, Chapter
from narration.progressive import ChapterByChapter, Finished, Units, merged
from narration.publish.api import publish_with
from narration.publish.settings import PublishSettings, from_config
from narration.synth import pipeline
from narration.synth.cache import ClipMeta
from narration.synth.pipeline import Pending, SynthOptions
from narration.synth.types import SynthResult

log = logging.getLogger(__name__)

SYNTH_NICE = 5  # synthesis workers' niceness beside mastering workers (about a third of their CPU share)


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
        """``jobs`` processes for each stage, synthesis yielding the cores to mastering (which the
        next episode waits for) whenever both have work."""
        return cls(LocalProcesses(jobs, nice=SYNTH_NICE), LocalProcesses(jobs))


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
    cluster: str | None = None,
    cluster_timeout: float | None = None,
) -> BuildOptions:
    """Arguments first, then ``book.toml``, then defaults; a bad option raises here, before any work.

    ``profile``: ``podcast`` or ``acx``; ``chapters``: 1-based numbers of a subset (a preview);
    ``jobs``: worker processes of every stage; ``cache_dir``: the per-unit build cache (default
    ``<root>/.narration/build``); ``base_url``: where the output is served (for the feed);
    ``cluster``: synthesis on a Dask scheduler (``tcp://host:8786``) or ``local:N`` (see
    :mod:`narration.cluster`), ``cluster_timeout`` seconds to wait while it has no worker.
    """
    chosen = get_profile(profile if profile is not None else book.config.audio.profile)
    synth = pipeline.resolve_options(
        book, jobs=jobs, progress=progress, chapters=chapters, cluster=cluster, cluster_timeout=cluster_timeout
    )
    return BuildOptions(
        book=book,
        out_dir=Path(out_dir) if out_dir is not None else book.root / "output",
        profile=with_rate(chosen, book.config.audio.sample_rate),
        chapters=book.select(chapters),
        whole_book=chapters is None,
        synth=synth,
        unit_cache=Path(cache_dir) if cache_dir is not None else book.root / BUILD_CACHE,
        progress=progress,
        publish=from_config(book.config, base_url) if publish else None,
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
    cluster: str | None = None,
    cluster_timeout: float | None = None,
) -> BuildReport:
    """Build ``book`` holding its lock: the audiobook, the episodes and (with ``publish``) the feed,
    transcripts and page. Options as in :func:`resolve`; ``executors`` default to ``jobs`` local
    processes (synthesis on the cluster when there is one, connected before the lock is taken or
    anything is made). Another run holding the lock: with ``wait``, say so through ``notify`` and
    wait for it; without, raise :class:`~narration.errors.LockError` at once.
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
        cluster=cluster,
        cluster_timeout=cluster_timeout,
    )
    with default_executors(resolved, executors) as chosen, BookLock(book.root, command).hold(wait=wait, notify=notify):
        return run(resolved, chosen)


@contextlib.contextmanager
def default_executors(options: BuildOptions, given: Executors | None = None) -> Iterator[Executors]:
    """``given``, else ``jobs`` local processes for every stage, synthesis on ``options.synth.cluster``
    when there is one (connected now: :class:`~narration.errors.ClusterError` if it cannot be)."""
    if given is not None:
        yield given
        return
    local = Executors.local(options.synth.jobs)
    with executor_for(options.synth.cluster, local.synth) as synth:
        yield Executors(synth, local.units)


def build_book(book: Book, **options: Any) -> BuildResult:
    """:func:`build`'s result alone (same options)."""
    return build(book, **options).result


def run(options: BuildOptions, executors: Executors) -> BuildReport:
    """Run the stages for ``options`` (the caller holds the book's lock).

    Chapters are made in reading order (:mod:`narration.progressive`): each chapter's episode is
    written, and the feed so far published, while the next chapters are still being spoken; the
    book files are assembled last, then everything is published once more, complete.
    """
    started = time.monotonic()
    out = prepare_out_dir(options.out_dir)
    state = OutputState.load(out)
    cover = resolve_cover(options.book, out, state)
    pending = pipeline.plan_synthesis(options.book, options.synth)
    written: list[int] = []

    def ready(output: ChapterOutput, audio: ChapterAudio, so_far: list[ChapterOutput]) -> None:
        if write_episode(options.book, output, audio, cover, state):
            written.append(output.number)
            if options.publish is not None and stream.clips_missing():  # more to come: publish what is done
                partial = book_result(options.book, out, cover, so_far, in_progress=True)
                save_manifest(partial)  # a `narration serve` beside the build serves the grown feed
                publish_with(partial, options.publish)

    stream = _Stream(options, pending, out, ready)
    done = stream.run(executors)
    plan = merged(done.plans, options.chapters)
    result = book_result(options.book, out, cover, done.outputs, in_progress=False)
    comment = disclosure_text(options.book.config)
    book_written = write_book(result, done.audio, cover, state, plan, options.whole_book, comment)
    if options.publish is not None:
        publish_with(result, options.publish)
    synth = _synth_result(done, pending, stream.synthesis_seconds, stream.waited_seconds)
    encoded = tuple(sorted(set(plan.made_in())))
    reused = tuple(c.number for c in options.chapters if c.number not in encoded)
    elapsed = time.monotonic() - started
    return BuildReport(result, synth, encoded, reused, done.units_made, tuple(written), book_written, elapsed)


class _Stream:
    """The synth and audio stages of one run, overlapped chapter by chapter."""

    def __init__(
        self,
        options: BuildOptions,
        pending: Pending,
        out: Path,
        ready: Callable[[ChapterOutput, ChapterAudio, list[ChapterOutput]], None],
    ) -> None:
        self.options, self.pending, self.out, self.ready = options, pending, out, ready
        self.chapters: ChapterByChapter | None = None
        self.synthesis_seconds = 0.0
        self.waited_seconds = 0.0

    def clips_missing(self) -> bool:
        return self.chapters is not None and self.chapters.clips_missing()

    def run(self, executors: Executors) -> Finished:
        pending, options = self.pending, self.options
        units = Units(UnitCache(options.unit_cache), options.profile, options.book.config.audio)
        chapters = self.chapters = ChapterByChapter(pending, options.chapters, units, self.out, self.ready)
        expected = len(pending.missing) + chapters.units_to_make  # the units of complete chapters: planned
        with contextlib.ExitStack() as stack:
            speakers = None
            if pending.needs_workers:  # every executor starts (forks) before any thread does
                speakers = stack.enter_context(executors.synth.start(pending.job.setup, pending.workers_wanted()))
            masters = stack.enter_context(executors.units.start(unit_job().setup, max(1, expected)))
            for workers in (speakers, masters if expected else None):  # nothing to make: no codecs loaded
                if workers is not None:
                    workers.warm_up()
            tracker = stack.enter_context(pending.tracker())
            clips = self._clips(speakers, tracker.done) if pending.missing else ()
            bar = UnitProgress(expected, options.progress and speakers is None and expected > 1)
            advance = stack.enter_context(bar)  # synthesis has its own bar; units follow it closely
            return chapters.run(clips, masters, advance)

    def _clips(self, workers: Workers | None, stored: Callable[[ClipMeta], None]) -> Iterator[ClipMeta]:
        """The missing clips as they are stored: first those made wholly of sentences found in
        other clips, then those the workers speak (their reused sentences put back in)."""
        started = resumed = time.monotonic()
        pipeline.index_found(self.pending)
        for meta in itertools.chain(self.pending.keep_reused(), self._spoken(workers)):
            stored(meta)
            self.waited_seconds += time.monotonic() - resumed
            yield meta  # the caller plans, masters and writes what this clip completes meanwhile
            resumed = time.monotonic()
        self.waited_seconds += time.monotonic() - resumed
        self.synthesis_seconds = time.monotonic() - started

    def _spoken(self, workers: Workers | None) -> Iterator[ClipMeta]:
        if workers is not None:
            for audio in workers.map_unordered(self.pending.job, self.pending.tasks()):
                yield self.pending.keep(audio)


def _synth_result(done: Finished, pending: Pending, seconds: float, waited: float) -> SynthResult:
    synth = done.synth
    synth.made = len(pending.missing)
    synth.reused = len(pending.found)
    synth.audio_seconds_made = done.seconds_made
    synth.elapsed = seconds
    synth.waited = waited
    return synth


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
