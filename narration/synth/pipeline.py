"""The synth stage: fill every missing clip of a book, in parallel, and hand back all its clips.

    result = synthesize_book(load_book("scripts"))   # options default from book.toml's [synth]

A run plans the book (pieces and their cache keys), looks each piece up in the cache (a stat and a
sidecar read, no model loaded), makes the missing ones with ``jobs`` processes, and returns every
clip with its sentence times. A second run over unchanged scripts makes nothing.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from narration.errors import ConfigError, EngineError
from narration.model import Book
from narration.synth.cache import ClipCache, ClipMeta
from narration.synth.engines import Engine, EngineSpec, engine_info, get_engine, identity_digest
from narration.synth.plan import Piece, Plan, Speech, build_plan
from narration.synth.progress import Tracker
from narration.synth.takes import load_takes
from narration.synth.types import Clip, SentenceSpan, SynthResult
from narration.synth.workers import make_clips
from narration.text.spoken import load_lexicon

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
) -> SynthOptions:
    """Arguments first, then ``book.toml``'s ``[synth]``, then defaults. ``voice`` from ``book.toml``
    applies only to the engine ``book.toml`` names."""
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
    return SynthOptions(spec, jobs, folder, picked, progress)


def cores() -> int:
    """Cores this process may use (the default number of jobs)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _names(configured: str, name: str) -> bool:
    """Whether ``book.toml``'s engine is the engine ``name``."""
    try:
        return engine_info(configured).name == name
    except EngineError:
        return False


def plan_book(book: Book, engine: Engine, chapters: Sequence[int] | None) -> Plan:
    lexicon = load_lexicon(book.scripts_dir) if book.scripts_dir is not None else {}
    speech = Speech(identity_digest(engine.identity), engine.max_chars, lexicon, load_takes(book.root))
    return build_plan(book, speech, chapters)


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


def synthesize_book(
    book: Book,
    *,
    engine: str | None = None,
    voice: str | None = None,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    progress: bool = False,
    chapters: Sequence[int] | None = None,
    before_making: Callable[[int, int], None] | None = None,
) -> SynthResult:
    """Make every missing clip of ``book`` (or of the ``chapters`` given, 1-based) and return all clips.

    ``titles`` is keyed by ``chapter.slug``, ``sections`` by ``section.id`` (an empty tuple for a
    section with nothing to say). ``None`` options default from ``book.config.synth``.
    ``before_making(clips, jobs)`` is called when there are clips to make, once the processes that
    make them are running (no process is forked after it).
    """
    options = resolve_options(
        book, engine=engine, voice=voice, jobs=jobs, cache_dir=cache_dir, progress=progress, chapters=chapters
    )
    return run_synthesis(book, options, before_making=before_making)


def run_synthesis(
    book: Book,
    options: SynthOptions,
    on_clip: Callable[[ClipMeta], None] | None = None,
    before_making: Callable[[int, int], None] | None = None,
) -> SynthResult:
    """:func:`synthesize_book` with resolved options; ``on_clip`` is called as each clip is stored."""
    started = time.monotonic()
    engine = get_engine(options.spec)
    plan = plan_book(book, engine, options.chapters)
    cache = ClipCache(options.cache_dir)
    found, missing = scan(cache, plan)
    tracker = Tracker(plan, missing, options.progress, on_clip)
    if missing:
        cache.prepare()
        jobs = _jobs(options, len(missing))
        log.info("making %d clips with %s, %d job(s)", len(missing), engine.name, jobs)
        tasks = [(key, piece.spoken) for key, piece in sorted(missing.items(), key=lambda kv: -kv[1].chars)]
        running = None if before_making is None else lambda: before_making(len(missing), jobs)
        make_clips(options.spec, cache.root, tasks, jobs, tracker, running)
    result = assemble(plan, cache, {**found, **tracker.made})
    result.made, result.reused = len(tracker.made), len(found)
    result.audio_seconds_made = tracker.seconds
    result.elapsed = time.monotonic() - started
    return result


def _jobs(options: SynthOptions, pieces: int) -> int:
    """Never more processes than pieces, nor than the engine allows (gTTS: requests in flight)."""
    cap = engine_info(options.spec.engine).max_jobs or options.jobs
    return max(1, min(options.jobs, pieces, cap))


def make_clip(cache: ClipCache, piece: Piece, meta: ClipMeta) -> Clip:
    spans = tuple(SentenceSpan(a, b, text) for (a, b), text in zip(meta.boundaries, piece.written, strict=True))
    return Clip(piece.key, cache.wav_path(piece.key), meta.sample_rate, meta.duration, spans, meta.sha256)


def assemble(plan: Plan, cache: ClipCache, metas: dict[str, ClipMeta]) -> SynthResult:
    result = SynthResult()
    for item in plan.items:
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
