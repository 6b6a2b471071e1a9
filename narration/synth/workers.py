"""Making clips: the synth stage's :class:`~narration.executors.Job`.

Each worker builds one :class:`Speaker` (the engine, its model loaded once) and speaks
:class:`ClipTask` after :class:`ClipTask`, handing back the audio as :class:`ClipAudio`. The caller
stores each clip in its own cache as it comes back, so the workers need no shared folder (a cluster
works the same way) and a stopped run keeps every clip that came back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from narration.errors import EngineError, NarrationError
from narration.executors import Job, Workers
from narration.synth.cache import ClipCache, ClipMeta
from narration.synth.engines import Engine, EngineSpec, get_engine, identity_digest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClipTask:
    """One clip to speak: its cache key and its normalised sentences."""

    key: str
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class ClipAudio:
    """A spoken clip as it comes back from a worker."""

    key: str
    samples: np.ndarray  # mono int16
    sample_rate: int
    boundaries: tuple[tuple[float, float], ...]  # (start, end) of each sentence, seconds
    spoken: tuple[str, ...]
    engine: dict[str, Any] = field(default_factory=dict)  # the identity of the engine that spoke it


@dataclass(frozen=True)
class EngineSetup:
    """A worker's engine, built from its spec (its model loaded once per worker)."""

    spec: EngineSpec
    take: int = 1  # another take is another rendition: the voice's noise is seeded for it
    threads: int = 1  # cores one synthesis may use (not in the identity: the audio is the same)

    @property
    def identity(self) -> str:
        suffix = "" if self.take == 1 else f":take{self.take}"
        return "engine:" + identity_digest(get_engine(self.spec).identity) + suffix

    def describe(self) -> dict[str, Any]:
        """What the identity is made of (engine, version, voice, settings), for a cluster's messages."""
        return dict(get_engine(self.spec).identity)

    def build(self) -> Speaker:
        speaker = Speaker(get_engine(self.spec))
        speaker.engine.load(self.take, self.threads)
        return speaker

    def with_threads(self, threads: int) -> EngineSetup:
        """This setup for a worker that may use ``threads`` cores (see :class:`~narration.executors.InProcess`)."""
        return replace(self, threads=threads)


class Speaker:
    """An engine that speaks whole clips, sentence by sentence, with exact sentence times."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def speak(self, task: ClipTask) -> ClipAudio:
        rate = self.engine.sample_rate
        parts: list[np.ndarray] = []
        boundaries: list[tuple[float, float]] = []
        position = 0
        for sentence in task.sentences:
            samples = self._sentence(sentence, rate)
            parts.append(samples)
            boundaries.append((position / rate, (position + len(samples)) / rate))
            position += len(samples)
        audio = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
        return ClipAudio(task.key, audio, rate, tuple(boundaries), task.sentences, self.engine.identity)

    def _sentence(self, sentence: str, rate: int) -> np.ndarray:
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


def speak(speaker: Speaker, task: ClipTask) -> ClipAudio:
    """The job's function: one clip, on a worker."""
    return speaker.speak(task)


def task_key(task: ClipTask) -> str:
    return task.key


def clip_job(spec: EngineSpec) -> Job[ClipTask, ClipAudio]:
    return Job("synthesis", EngineSetup(spec), speak, key=task_key)


def store(cache: ClipCache, audio: ClipAudio) -> ClipMeta:
    """Write a clip that came back from a worker into ``cache``."""
    extra = {"engine": audio.engine, "spoken": list(audio.spoken)}
    return cache.store(audio.key, audio.samples, audio.sample_rate, audio.boundaries, extra)


def make_clips(
    workers: Workers,
    job: Job[ClipTask, ClipAudio],
    tasks: list[ClipTask],
    keep: Callable[[ClipAudio], ClipMeta],
    on_stored: Callable[[ClipMeta], None],
) -> None:
    """Speak every task on ``workers`` (started for ``job``), keeping each clip (``keep`` stores it)
    as it comes back. On any exception (Ctrl-C included) the caller stops the workers; stored clips stay."""
    for audio in workers.map_unordered(job, tasks):
        on_stored(keep(audio))
