"""The content-addressed clip cache.

A clip's key is a digest of the engine identity and the normalised sentences it speaks, so a clip
is made once per distinct input. Each clip is ``<key>.wav`` (mono 16-bit PCM) with a sidecar
``<key>.json`` written after it (both atomically): the sidecar's presence marks the clip complete,
and its byte length, mtime and sha256 let a truncated or damaged clip be detected and made again.
Checking a clip costs a stat and a small JSON read; the WAV is hashed only when its mtime moved.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import io
import json
import logging
import os
import tempfile
import time
import wave
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from narration import fsutil
from narration.errors import CacheError

log = logging.getLogger(__name__)

KEY_CHARS = 32
STALE_TMP_SECONDS = 60  # a temp file is written in milliseconds; older ones are leftovers of a killed run


@dataclass(frozen=True)
class ClipMeta:
    """What the sidecar records about a clip."""

    key: str
    sample_rate: int
    duration: float  # seconds
    boundaries: tuple[tuple[float, float], ...]  # (start, end) of each sentence, seconds
    bytes: int  # length of the WAV file
    sha256: str  # of the WAV file
    mtime_ns: int  # of the WAV file when it was written


def clip_key(identity_digest: str, sentences: Sequence[str]) -> str:
    """The cache key of a piece: engine identity plus its normalised sentences."""
    return fsutil.digest(identity_digest, *sentences)[:KEY_CHARS]


def wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(np.asarray(samples, dtype="<i2").tobytes())
    return buffer.getvalue()


def _reason(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied"
    if exc.errno in (errno.EEXIST, errno.ENOTDIR):
        return "a file is in the way of the folder"
    return exc.strerror or str(exc)


def cache_error(root: Path, doing: str, exc: OSError) -> CacheError:
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    advice = "Free some space, or choose another folder" if full else "Choose another folder"
    return CacheError(f"clip cache {root}: cannot {doing} ({_reason(exc)}). {advice} with --cache-dir.")


class ClipCache:
    """Clips under one folder, by key."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def wav_path(self, key: str) -> Path:
        return self.root / f"{key}.wav"

    def meta_path(self, key: str) -> Path:
        return self.root / f"{key}.json"

    def prepare(self) -> None:
        """Make sure clips can be written here (before any synthesis starts); drop stale temp files."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=".probe.", suffix=".tmp", dir=self.root)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise cache_error(self.root, "write", exc) from exc
        self._sweep()

    def _sweep(self) -> None:
        cutoff = time.time() - STALE_TMP_SECONDS
        for path in self.root.glob(".*.tmp*"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                continue

    def lookup(self, key: str, sentences: int) -> ClipMeta | None:
        """The clip's metadata if it is complete and intact (with ``sentences`` boundaries), else None."""
        wav = self.wav_path(key)
        try:
            stat = wav.stat()
            sidecar = self.meta_path(key).stat()
            raw, meta = _read_meta(str(self.meta_path(key)), sidecar.st_mtime_ns, sidecar.st_size)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise cache_error(self.root, "read", exc) from exc
        if meta is None or meta.key != key or len(meta.boundaries) != sentences:
            log.warning("clip %s: its metadata is damaged; it will be made again", wav)
            return None
        if stat.st_size != meta.bytes:
            log.warning("clip %s is truncated (%d of %d bytes); it will be made again", wav, stat.st_size, meta.bytes)
            return None
        if stat.st_mtime_ns != meta.mtime_ns and not self._intact(wav, meta, raw):
            log.warning("clip %s is damaged (checksum differs); it will be made again", wav)
            return None
        return meta

    def _intact(self, wav: Path, meta: ClipMeta, raw: str) -> bool:
        """Hash a clip whose mtime moved (copied or touched); note the new mtime if it is intact."""
        if fsutil.sha256_file(wav) != meta.sha256:
            return False
        try:
            refreshed = {**json.loads(raw), "mtime_ns": wav.stat().st_mtime_ns}
            fsutil.write_text(self.meta_path(meta.key), json.dumps(refreshed, ensure_ascii=False))
        except OSError:
            log.debug("cannot refresh the sidecar of %s", wav)
        return True

    def store(
        self,
        key: str,
        samples: np.ndarray,
        sample_rate: int,
        boundaries: Sequence[tuple[float, float]],
        extra: dict[str, Any] | None = None,
    ) -> ClipMeta:
        """Write a clip and its sidecar, atomically; :class:`CacheError` if the folder refuses.

        Not flushed to disk before the rename (that stalled synthesis by 2-3 %): a killed run
        leaves whole clips or none, and a clip a power cut damaged is caught by its size here or
        by its checksum when the audio stage reads it (:meth:`Clip.read_verified`).
        """
        data = wav_bytes(samples, sample_rate)
        wav = self.wav_path(key)
        try:
            fsutil.write_bytes(wav, data, durable=False)
            meta = ClipMeta(
                key=key,
                sample_rate=sample_rate,
                duration=len(samples) / sample_rate,
                boundaries=tuple((round(a, 6), round(b, 6)) for a, b in boundaries),
                bytes=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                mtime_ns=wav.stat().st_mtime_ns,
            )
            meta_text = json.dumps({**asdict(meta), **(extra or {})}, ensure_ascii=False)
            fsutil.write_text(self.meta_path(key), meta_text, durable=False)
        except OSError as exc:
            raise cache_error(self.root, "write", exc) from exc
        return meta


@functools.lru_cache(maxsize=16384)
def _read_meta(path: str, mtime_ns: int, size: int) -> tuple[str, ClipMeta | None]:
    """A sidecar's text and metadata, memoised by its mtime and size: a long-running caller (the
    studio) reads each sidecar once, and a rewritten one again."""
    with open(path, encoding="utf-8") as handle:
        raw = handle.read()
    return raw, _parse_meta(raw)


def _parse_meta(text: str) -> ClipMeta | None:
    try:
        data = json.loads(text)
        return ClipMeta(
            key=str(data["key"]),
            sample_rate=int(data["sample_rate"]),
            duration=float(data["duration"]),
            boundaries=tuple((float(a), float(b)) for a, b in data["boundaries"]),
            bytes=int(data["bytes"]),
            sha256=str(data["sha256"]),
            mtime_ns=int(data["mtime_ns"]),
        )
    except (ValueError, KeyError, TypeError):
        return None
