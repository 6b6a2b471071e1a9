"""Making clips: one :class:`Worker` per process, each with its own engine loaded once.

With one job the worker runs in the calling process. With more, a process pool runs one worker per
process (built by the pool's initializer, so the model loads once per process, not per piece).
Workers write their clips to the cache themselves, so a killed run loses only the clips in flight.
Ctrl-C stops the pool: workers ignore SIGINT (the parent decides) and turn the SIGTERM of
``Pool.terminate`` into a clean exit, so no half-written file is left behind. If the parent is
killed outright, each worker finishes (and stores) the clip in hand, reads end-of-file on the
task pipe and exits.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from narration.errors import EngineError, NarrationError
from narration.synth.cache import ClipCache, ClipMeta
from narration.synth.engines import EngineSpec, get_engine

log = logging.getLogger(__name__)

Task = tuple[str, tuple[str, ...]]  # (cache key, normalised sentences)


class Worker:
    """An engine and the cache it fills."""

    def __init__(self, spec: EngineSpec, cache_root: Path) -> None:
        self.engine = get_engine(spec)
        self.cache = ClipCache(cache_root)

    def load(self) -> None:
        self.engine.load()

    def make(self, task: Task) -> ClipMeta:
        """Speak each sentence separately, join them, store the clip with exact sentence times."""
        key, sentences = task
        rate = self.engine.sample_rate
        parts: list[np.ndarray] = []
        boundaries: list[tuple[float, float]] = []
        position = 0
        for sentence in sentences:
            samples = self._speak(sentence, rate)
            parts.append(samples)
            boundaries.append((position / rate, (position + len(samples)) / rate))
            position += len(samples)
        audio = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
        extra = {"engine": self.engine.identity, "spoken": list(sentences)}
        return self.cache.store(key, audio, rate, boundaries, extra)

    def _speak(self, sentence: str, rate: int) -> np.ndarray:
        try:
            chunks = list(self.engine.synthesize(sentence))
        except NarrationError:
            raise
        except Exception as exc:  # an engine's own failure: report it, with the sentence
            raise EngineError(f"{self.engine.name} failed on {sentence[:80]!r}: {type(exc).__name__}: {exc}") from exc
        for chunk in chunks:
            if chunk.sample_rate != rate:
                raise EngineError(f"{self.engine.name} produced {chunk.sample_rate} Hz audio, expected {rate} Hz")
        return np.concatenate([c.samples for c in chunks]) if chunks else np.zeros(0, dtype=np.int16)


# This process's worker when it is a pool process (set once by the pool's initializer): the
# per-process engine the pool pattern needs. A failure to build it is kept and raised by each task.
_POOL_WORKER: Worker | NarrationError | None = None


def _init_pool_worker(spec: EngineSpec, cache_root: str) -> None:
    global _POOL_WORKER  # noqa: PLW0603  (the pool pattern: one engine per worker process)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_terminate)
    try:
        worker = Worker(spec, Path(cache_root))
        worker.load()
        _POOL_WORKER = worker
    except NarrationError as exc:
        _POOL_WORKER = exc
    except Exception as exc:  # anything else would make the pool restart this process forever
        _POOL_WORKER = EngineError(f"cannot start the {spec.engine} engine: {type(exc).__name__}: {exc}")


def _exit_on_terminate(signum: int, frame: object) -> None:
    raise SystemExit(1)  # unwinds, so atomic writes remove their temp files


def _make_in_pool(task: Task) -> ClipMeta:
    if isinstance(_POOL_WORKER, NarrationError):
        raise _POOL_WORKER
    if _POOL_WORKER is None:
        raise EngineError("worker process was not initialised")
    return _POOL_WORKER.make(task)


def _context() -> multiprocessing.context.BaseContext:
    """fork where there is one: workers start at once, without re-running the caller's ``__main__``.

    The pool is created before any thread (the progress bar's) starts, as fork requires.
    """
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class Sink(Protocol):
    """Where finished clips go; entered once the workers are running."""

    def __enter__(self) -> object: ...

    def __exit__(self, *exc: object) -> None: ...

    def done(self, meta: ClipMeta) -> None: ...


def make_clips(
    spec: EngineSpec,
    cache_root: Path,
    tasks: list[Task],
    jobs: int,
    sink: Sink,
    started: Callable[[], None] | None = None,
) -> None:
    """Make every clip in ``tasks`` with ``jobs`` processes, handing each to ``sink`` once stored.

    ``started`` is called once the worker processes exist (at once with one job). On any exception
    (Ctrl-C included) the pool is terminated; clips already stored stay.
    """
    started = started or (lambda: None)
    if jobs <= 1:
        worker = Worker(spec, cache_root)
        worker.load()
        started()
        with sink:
            for task in tasks:
                sink.done(worker.make(task))
        return
    pool = _context().Pool(jobs, initializer=_init_pool_worker, initargs=(spec, str(cache_root)))
    try:
        started()
        with sink:
            for meta in pool.imap_unordered(_make_in_pool, tasks):
                sink.done(meta)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
