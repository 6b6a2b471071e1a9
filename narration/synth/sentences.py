"""Sentences reused across clips: a changed clip re-speaks only its new sentences.

Clips stay keyed by their whole piece (engine identity + normalised sentences, see
:func:`~narration.synth.cache.clip_key`), so no key changes. Beside them the cache keeps a small
index, ``<cache>/sentences/<key>.json``, one entry per spoken sentence (keyed by the engine identity
and the normalised sentence) naming a clip that holds it and its position there. When a piece is
missing, each of its sentences is looked up: the ones found are cut out of the clip that holds them
(checked like any clip read), and only the others are sent to the engine. The clip is assembled from
both, sentence by sentence, which is how the engine speaks it anyway (:class:`~narration.synth.workers.Speaker`).

The loudness of a paragraph stays consistent: a clip is still one unit, levelled as a whole by the
audio stage, whichever run spoke each of its sentences.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from narration import fsutil
from narration.synth.cache import KEY_CHARS, ClipCache, ClipMeta

log = logging.getLogger(__name__)

INDEX_DIR = "sentences"


def sentence_key(identity_digest: str, spoken: str) -> str:
    """The index key of one normalised sentence spoken by one engine."""
    return fsutil.digest("sentence", identity_digest, spoken)[:KEY_CHARS]


@dataclass(frozen=True)
class Reuse:
    """A missing piece's sentences: the audio of those found in other clips (None: to speak)."""

    audio: tuple[np.ndarray | None, ...]  # mono int16, one per sentence

    @property
    def to_speak(self) -> tuple[int, ...]:
        return tuple(i for i, samples in enumerate(self.audio) if samples is None)

    @property
    def found(self) -> int:
        return len(self.audio) - len(self.to_speak)


class SentenceIndex:
    """The sentence index of one clip cache, for one engine."""

    def __init__(self, cache: ClipCache, identity_digest: str) -> None:
        self.cache = cache
        self.identity_digest = identity_digest
        self.root = cache.root / INDEX_DIR
        self._clips: dict[str, np.ndarray | None] = {}  # clip key -> samples, read once per lookup pass

    def path(self, spoken: str) -> Path:
        return self.root / f"{sentence_key(self.identity_digest, spoken)}.json"

    def record(self, meta: ClipMeta, spoken: Sequence[str], *, replace: bool = True) -> None:
        """Note where each sentence of a stored clip is (``replace=False``: only sentences not noted yet)."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            for index, sentence in enumerate(spoken):
                path = self.path(sentence)
                if not replace and os.path.exists(path):
                    continue
                entry = {"clip": meta.key, "index": index, "sentences": len(spoken)}
                fsutil.write_text(path, json.dumps(entry), durable=False)
        except OSError as exc:  # the index only saves time: never fail a run for it
            log.debug("cannot write the sentence index in %s: %s", self.root, exc)

    def find(self, spoken: Sequence[str], rate: int) -> Reuse:
        """The audio of each sentence found in an intact clip at ``rate`` (None for the others)."""
        return Reuse(tuple(self._sentence(sentence, rate) for sentence in spoken))

    def _sentence(self, sentence: str, rate: int) -> np.ndarray | None:
        try:
            with open(self.path(sentence), encoding="utf-8") as handle:
                entry = json.load(handle)
            key, index, count = str(entry["clip"]), int(entry["index"]), int(entry["sentences"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        meta = self.cache.lookup(key, count)
        if meta is None or meta.sample_rate != rate or not 0 <= index < count:
            return None
        samples = self._samples(meta)
        if samples is None:
            return None
        start, end = (round(t * rate) for t in meta.boundaries[index])
        return samples[start:end].copy()

    def _samples(self, meta: ClipMeta) -> np.ndarray | None:
        if meta.key not in self._clips:
            self._clips[meta.key] = _read_clip(self.cache, meta)
        return self._clips[meta.key]


def _read_clip(cache: ClipCache, meta: ClipMeta) -> np.ndarray | None:
    """A clip's samples if its checksum holds (else None: its sentences are spoken anew)."""
    try:
        data = cache.wav_path(meta.key).read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != meta.sha256:
        return None
    with wave.open(io.BytesIO(data), "rb") as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")


def assemble_clip(
    reuse: Reuse, spoken: np.ndarray, spoken_bounds: Sequence[tuple[float, float]], rate: int
) -> tuple[np.ndarray, tuple[tuple[float, float], ...]]:
    """A clip's samples and sentence times from its reused sentences and the ones just spoken
    (``spoken`` holds those, in order, with ``spoken_bounds`` their times in it)."""
    new = iter(spoken_bounds)
    parts: list[np.ndarray] = []
    bounds: list[tuple[float, float]] = []
    position = 0
    for samples in reuse.audio:
        if samples is None:
            start, end = (round(t * rate) for t in next(new))
            samples = spoken[start:end]
        parts.append(np.asarray(samples, dtype=np.int16))
        bounds.append((position / rate, (position + len(samples)) / rate))
        position += len(samples)
    audio = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
    return audio, tuple(bounds)
