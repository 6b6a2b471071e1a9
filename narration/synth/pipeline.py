"""The synth stage: fill every missing clip of a book, in parallel, and hand back all its clips.

    result = synthesize_book(load_book("scripts"))   # options default from book.toml's [synth]

A run plans the book (pieces and their cache keys), looks each piece up in the cache (a stat and a
sidecar read, no model loaded), makes the missing ones with ``jobs`` processes, and returns every
clip with its sentence times. A second run over unchanged scripts makes nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from narration.cluster import ClusterSpec, executor_for, resolve_cluster
from narration.errors import ConfigError, EngineError
from narration.executors import Executor, Job, LocalProcesses, Workers, cores
from narration.model import Book
from narration.synth.cache import ClipCache, ClipMeta
from narration.synth.engines import Engine, EngineSpec, engine_info, get_engine, identity_digest
from narration.synth.memo import PlanMemo
from narration.synth.plan import Piece, Plan, Speech, build_plan
from narration.synth.progress import Tracker
from narration.synth.sentences import Reuse, SentenceIndex, assemble_clip
from narration.synth.takes import load_takes
from narration.synth.types import Clip, SentenceSpan, SynthResult
from narration.synth.workers import ClipAudio, ClipTask, clip_job, make_clips, store
from narration.text.lexicon import load_lexicon

log = logging.getLogger(__name__)

_SETTINGS = ("length_scale", "noise_scale", "noise_w_scale", "lang", "tld")


@dataclass(frozen=True)
class SynthOptions:
    """A run's settings, resolved from the call's arguments and ``book.toml``."""

    spec: EngineSpec
    jobs: int
    cache_dir: Path
    chapters: tuple[int, ...] | None = None
    progress: bool = False
    cluster: ClusterSpec | None = None  # None: ``jobs`` processes on this machine


@dataclass(frozen=True)
class SynthStatus:
    """What a run would make, found without making anything."""

    engine: str
    cache_dir: Path
    sections: int  # titles and sections with something to say
    sections_missing: int
    clips: int  # distinct clips the book needs
    clips_missing: int
    chars_missing: int
    chapters_missing: dict[int, int]  # chapter number -> sections to make (only chapters with some)


def resolve_options(
    book: Book,
    *,
    engine: str | None = None,
    voice: str | None = None,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    progress: bool = False,
    chapters: Sequence[int] | None = None,
    cluster: str | None = None,
    cluster_timeout: float | None = None,
) -> SynthOptions:
    """Arguments first, then ``book.toml``'s ``[synth]``, then defaults. ``voice`` from ``book.toml``
    applies only to the engine ``book.toml`` names. ``cluster``: a Dask scheduler's address or
    ``local:N`` (``off``: this machine, whatever ``book.toml`` says)."""
    config = book.config.synth
    name = engine_info(engine or config.engine).name
    if voice is None and _names(config.engine, name):
        voice = config.voice
    settings = {key: getattr(config, key) for key in _SETTINGS}
    spec = EngineSpec(name, voice, {**settings, "language": book.language})
    jobs = jobs if jobs is not None else config.jobs if config.jobs is not None else cores()
    if jobs < 1:
        raise ConfigError(f"jobs must be at least 1, not {jobs}")
    folder = Path(cache_dir) if cache_dir is not None else book.root / config.cache_dir
    picked = tuple(chapters) if chapters is not None else None
    on = resolve_cluster(cluster, cluster_timeout, config.cluster, config.cluster_timeout)
    return SynthOptions(spec, jobs, folder, picked, progress, on)


def _names(configured: str, name: str) -> bool:
    """Whether ``book.toml``'s engine is the engine ``name``."""
    try:
        return engine_info(configured).name == name
    except EngineError:
        return False


def plan_book(book: Book, engine: Engine, chapters: Sequence[int] | None) -> Plan:
    lexicon = load_lexicon(book.scripts_dir) if book.scripts_dir is not None else {}
    speech = Speech(identity_digest(engine.identity), engine.max_chars, lexicon, load_takes(book.root))
    memo = PlanMemo(book.root)
    plan = build_plan(book, speech, chapters, memo.pieces)
    memo.save()
    return plan


def scan(cache: ClipCache, plan: Plan) -> tuple[dict[str, ClipMeta], dict[str, Piece]]:
    """Split the plan's pieces into clips found intact in the cache and pieces to make."""
    found: dict[str, ClipMeta] = {}
    missing: dict[str, Piece] = {}
    for key, piece in plan.pieces().items():
        meta = cache.lookup(key, len(piece.spoken))
        if meta is None:
            missing[key] = piece
        else:
            found[key] = meta
    return found, missing


@dataclass(frozen=True)
class Pending:
    """A synthesis planned but not run: the book's clips found in the cache and the ones to make.

    ``reuse``: for a missing piece, the audio of its sentences found in other clips (see
    :mod:`narration.synth.sentences`); only its other sentences are spoken.
    """

    options: SynthOptions
    engine_name: str
    plan: Plan
    cache: ClipCache
    found: dict[str, ClipMeta]
    missing: dict[str, Piece]
    started: float
    index: SentenceIndex
    reuse: dict[str, Reuse]
    identity: dict[str, object]

    @property
    def job(self) -> Job[ClipTask, ClipAudio]:
        return clip_job(self.options.spec)

    def tasks(self) -> list[ClipTask]:
        """The sentences to speak, per clip, in reading order, chapter by chapter (so chapters
        finish one after another), longest first within a chapter (so a chapter's last clips to
        finish are short); a clip whose sentences are all found in other clips needs no task."""
        first_chapter: dict[str, int] = {}
        for item in self.plan.items:
            for piece in item.pieces:
                first_chapter.setdefault(piece.key, item.chapter)
        ordered = sorted(self.missing.items(), key=lambda kv: (first_chapter[kv[0]], -kv[1].chars))
        tasks = []
        for key, piece in ordered:
            reuse = self.reuse.get(key)
            if reuse is None:
                tasks.append(ClipTask(key, piece.spoken))
            elif reuse.to_speak:
                tasks.append(ClipTask(key, tuple(piece.spoken[i] for i in reuse.to_speak)))
        return tasks

    @property
    def needs_workers(self) -> bool:
        """Whether anything is left for the engine to speak."""
        return any(key not in self.reuse or self.reuse[key].to_speak for key in self.missing)

    def tracker(self, on_clip: Callable[[ClipMeta], None] | None = None) -> Tracker:
        """Counts (and shows, when asked) the clips made as they are stored."""
        return Tracker(self.plan, self.missing, self.options.progress, on_clip)

    def workers_wanted(self) -> int:
        """Never more workers than clips, nor than the engine allows (gTTS: requests in flight)."""
        cap = engine_info(self.options.spec.engine).max_jobs or self.options.jobs
        return max(1, min(self.options.jobs, len(self.tasks()), cap))

    def keep(self, audio: ClipAudio) -> ClipMeta:
        """Store a clip that came back from a worker, with its reused sentences put back in."""
        reuse = self.reuse.get(audio.key)
        if reuse is not None:
            samples, bounds = assemble_clip(reuse, audio.samples, audio.boundaries, audio.sample_rate)
            audio = ClipAudio(
                audio.key, samples, audio.sample_rate, bounds, self.missing[audio.key].spoken, audio.engine
            )
        meta = store(self.cache, audio)
        self.index.record(meta, audio.spoken)
        return meta

    def keep_reused(self) -> list[ClipMeta]:
        """Store the clips made wholly of sentences found in other clips (no engine needed)."""
        rate = get_engine(self.options.spec).sample_rate
        metas = []
        for key, reuse in self.reuse.items():
            if not reuse.to_speak:
                empty = np.zeros(0, dtype=np.int16)
                audio = ClipAudio(key, empty, rate, (), self.missing[key].spoken, dict(self.identity))
                metas.append(self.keep(audio))
        return metas


def synthesize_book(
    book: Book,
    *,
    engine: str | None = None,
    voice: str | None = None,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    progress: bool = False,
    chapters: Sequence[int] | None = None,
    executor: Executor | None = None,
    cluster: str | None = None,
    cluster_timeout: float | None = None,
) -> SynthResult:
    """Make every missing clip of ``book`` (or of the ``chapters`` given, 1-based) and return all clips.

    ``titles`` is keyed by ``chapter.slug``, ``sections`` by ``section.id`` (an empty tuple for a
    section with nothing to say). ``None`` options default from ``book.config.synth``; the clips
    are made by ``executor`` (default: the ``cluster``'s workers, else ``jobs`` local processes).
    """
    options = resolve_options(
        book,
        engine=engine,
        voice=voice,
        jobs=jobs,
        cache_dir=cache_dir,
        progress=progress,
        chapters=chapters,
        cluster=cluster,
        cluster_timeout=cluster_timeout,
    )
    return run_synthesis(book, options, executor=executor)


def run_synthesis(
    book: Book,
    options: SynthOptions,
    on_clip: Callable[[ClipMeta], None] | None = None,
    executor: Executor | None = None,
) -> SynthResult:
    """:func:`synthesize_book` with resolved options; ``on_clip`` is called as each clip is stored.
    A cluster is connected to before anything is planned (an unreachable one fails first)."""
    if executor is None:
        with executor_for(options.cluster, LocalProcesses(options.jobs)) as chosen:
            return run_synthesis(book, options, on_clip, chosen)
    pending = plan_synthesis(book, options)
    if not pending.needs_workers:
        return finish(pending, None, on_clip)
    with executor.start(pending.job.setup, pending.workers_wanted()) as workers:
        return finish(pending, workers, on_clip)


def plan_synthesis(book: Book, options: SynthOptions) -> Pending:
    """Plan the book's clips and look each up in the cache (a stat and a sidecar read each, no model
    loaded); nothing is written. The cache folder is checked writable when clips are missing."""
    started = time.monotonic()
    engine = get_engine(options.spec)
    plan = plan_book(book, engine, options.chapters)
    cache = ClipCache(options.cache_dir)
    found, missing = scan(cache, plan)
    index = SentenceIndex(cache, identity_digest(engine.identity))
    reuse: dict[str, Reuse] = {}
    if missing:
        cache.prepare()
        for key, piece in missing.items():
            found_sentences = index.find(piece.spoken, engine.sample_rate)
            if found_sentences.found:
                reuse[key] = found_sentences
    return Pending(options, engine.name, plan, cache, found, missing, started, index, reuse, engine.identity)


def finish(pending: Pending, workers: Workers | None, on_clip: Callable[[ClipMeta], None] | None = None) -> SynthResult:
    """Make the pending clips on ``workers`` (started for ``pending.job``; None when none are
    missing), storing each as it comes back, and return all the book's clips."""
    tracker = pending.tracker(on_clip)
    if pending.missing:
        with tracker:
            for meta in pending.keep_reused():
                tracker.done(meta)
            if pending.needs_workers:
                if workers is None:
                    raise ValueError("clips are missing but no workers were started")
                _log_making(pending, workers.size)
                make_clips(workers, pending.job, pending.tasks(), pending.keep, tracker.done)
    index_found(pending)
    result = assemble(pending.plan, pending.cache, {**pending.found, **tracker.made})
    result.made, result.reused = len(tracker.made), len(pending.found)
    result.audio_seconds_made = tracker.seconds
    result.elapsed = time.monotonic() - pending.started
    return result


def _log_making(pending: Pending, size: int) -> None:
    reused = sum(r.found for r in pending.reuse.values())
    log.info(
        "making %d clips with %s, %d worker(s)%s",
        len(pending.missing),
        pending.engine_name,
        size,
        f"; {reused} of their sentences reused from other clips" if reused else "",
    )


def index_found(pending: Pending) -> None:
    """Note the sentences of the clips found (made before the index existed, or by another book)."""
    pieces = pending.plan.pieces()
    for key, meta in pending.found.items():
        pending.index.record(meta, pieces[key].spoken, replace=False)


def make_clip(cache: ClipCache, piece: Piece, meta: ClipMeta) -> Clip:
    spans = tuple(SentenceSpan(a, b, text) for (a, b), text in zip(meta.boundaries, piece.written, strict=True))
    return Clip(
        piece.key,
        cache.wav_path(piece.key),
        meta.sample_rate,
        meta.duration,
        spans,
        meta.sha256,
        cache.meta_path(piece.key),
    )


def assemble(
    plan: Plan,
    cache: ClipCache,
    metas: dict[str, ClipMeta],
    chapter: int | None = None,
    into: SynthResult | None = None,
) -> SynthResult:
    """The clips of every item of the plan (or of one ``chapter``), added to ``into`` if given."""
    result = into if into is not None else SynthResult()
    for item in plan.items:
        if chapter is not None and item.chapter != chapter:
            continue
        clips = tuple(make_clip(cache, piece, metas[piece.key]) for piece in item.pieces)
        target = result.titles if item.kind == "title" else result.sections
        target[item.id] = clips
    return result


def synth_status(
    book: Book,
    *,
    engine: str | None = None,
    voice: str | None = None,
    cache_dir: Path | None = None,
    chapters: Sequence[int] | None = None,
) -> SynthStatus:
    """How much synthesis ``book`` needs, found without making (or loading) anything."""
    options = resolve_options(book, engine=engine, voice=voice, cache_dir=cache_dir, chapters=chapters, jobs=1)
    plan = plan_book(book, get_engine(options.spec), options.chapters)
    _, missing = scan(ClipCache(options.cache_dir), plan)
    speaking = [item for item in plan.items if item.pieces]
    to_make = [item for item in speaking if any(p.key in missing for p in item.pieces)]
    per_chapter: dict[int, int] = {}
    for item in to_make:
        per_chapter[item.chapter] = per_chapter.get(item.chapter, 0) + 1
    return SynthStatus(
        engine=options.spec.engine,
        cache_dir=options.cache_dir,
        sections=len(speaking),
        sections_missing=len(to_make),
        clips=len(plan.pieces()),
        clips_missing=len(missing),
        chars_missing=sum(p.chars for p in missing.values()),
        chapters_missing=per_chapter,
    )
