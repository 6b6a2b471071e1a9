"""The engine interface every TTS engine implements, and the small types it speaks in.

An engine is built cheaply (paths checked, identity computed, nothing heavy loaded); the model or
service is touched only on the first :meth:`Engine.synthesize` call, so a run with nothing to make
never loads a model.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from narration import fsutil


@dataclass(frozen=True)
class AudioChunk:
    """A piece of mono 16-bit audio as an engine produces it."""

    samples: np.ndarray  # int16, mono
    sample_rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


@dataclass(frozen=True)
class EngineSpec:
    """Which engine, which voice, which settings. ``None`` always means "the engine's default".

    ``settings`` holds the engine options of ``book.toml``'s ``[synth]`` table (``length_scale``,
    ``lang``, ...) and the book's ``language``; each engine reads the keys it knows.
    """

    engine: str = "piper"
    voice: str | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)

    def setting(self, name: str, default: Any = None) -> Any:
        value = self.settings.get(name)
        return default if value is None else value


@runtime_checkable
class Engine(Protocol):
    """A text-to-speech engine."""

    name: str

    @property
    def identity(self) -> dict[str, Any]:
        """Engine, voice, effective settings and engine version: everything that changes the audio."""

    @property
    def sample_rate(self) -> int:
        """Sample rate of the chunks :meth:`synthesize` yields."""

    @property
    def max_chars(self) -> int:
        """The longest text (in characters) one piece should hold."""

    def load(self, take: int = 1, threads: int = 1) -> None:
        """Get ready to speak (load a model, ...). Called once per worker process; may do nothing.

        ``take``: the rendition to make; an engine whose voice draws random noise seeds it for the
        take (so a take sounds the same each time it is made, and another take differs).
        ``threads``: the cores one synthesis may use (more than one only for a worker alone on the
        machine, e.g. the studio's voice; the audio must not depend on it)."""

    def synthesize(self, text: str) -> Iterator[AudioChunk]:
        """Speak ``text``; yields one or more chunks, back to back."""


def identity_digest(identity: Mapping[str, Any]) -> str:
    """A stable digest of an engine identity (used in cache keys)."""
    return fsutil.digest(json.dumps(identity, sort_keys=True, separators=(",", ":")))
