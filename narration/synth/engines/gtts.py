"""Google's TTS through the gTTS library: online only.

Requests failing for lack of network raise :class:`NetworkError` naming the cause (and suggesting
``--engine piper``); 429 and 5xx answers are retried with exponential backoff, a bounded number of
times. Requests in flight are bounded by the pool: the registry caps gTTS runs at 4 worker
processes (``max_jobs``), each sending one request at a time. gTTS answers MP3, decoded here to PCM with ffmpeg.
"""

from __future__ import annotations

import functools
import io
import logging
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from narration.errors import EngineError, NetworkError, VoiceError
from narration.ffmpeg import ffmpeg_exe, run_ffmpeg
from narration.synth.engines.base import AudioChunk, EngineSpec

log = logging.getLogger(__name__)

SAMPLE_RATE = 24000  # gTTS answers 24 kHz mono MP3
MAX_CHARS = 500  # gTTS itself cuts a text into requests of at most 100 characters
TRIES = 5
BACKOFF = 1.0  # seconds before the first retry; doubled each time
TIMEOUT = 30.0
RETRY_STATUS = (429, 500, 502, 503, 504)


def languages() -> dict[str, str]:
    from gtts.lang import tts_langs

    return tts_langs()


def pick_language(wanted: str) -> str:
    """The gTTS language for ``wanted`` ("en-GB" falls back to "en"); :class:`VoiceError` if none."""
    known = languages()
    for candidate in (wanted, wanted.lower(), wanted.split("-")[0].lower()):
        if candidate in known:
            return candidate
    raise VoiceError(f"gtts: unknown language {wanted!r} (see 'narration voices --engine gtts')")


class GttsEngine:
    name = "gtts"
    sample_rate = SAMPLE_RATE
    max_chars = MAX_CHARS

    def __init__(self, spec: EngineSpec, *, tries: int | None = None, backoff: float | None = None) -> None:
        self.lang = pick_language(spec.voice or spec.setting("lang") or spec.setting("language", "en"))
        self.tld = spec.setting("tld", "com")
        self.tries = TRIES if tries is None else tries
        self.backoff = BACKOFF if backoff is None else backoff

    @functools.cached_property
    def identity(self) -> dict[str, Any]:
        from gtts.version import __version__

        return {"engine": self.name, "version": __version__, "lang": self.lang, "tld": self.tld}

    def load(self, take: int = 1, threads: int = 1) -> None:
        """Find the ffmpeg program that decodes Google's MP3 (:class:`FFmpegError` if it is missing),
        before any request is sent."""
        ffmpeg_exe()

    def synthesize(self, text: str) -> Iterator[AudioChunk]:
        yield AudioChunk(samples=decode_mp3(self.fetch(text), SAMPLE_RATE), sample_rate=SAMPLE_RATE)

    def fetch(self, text: str) -> bytes:
        """The MP3 for ``text``, retrying 429 and 5xx answers with exponential backoff."""
        from gtts import gTTS, gTTSError

        status: int | None = None
        for attempt in range(self.tries):
            if attempt:
                delay = self.backoff * 2 ** (attempt - 1)
                log.warning(
                    "gTTS answered %s; retrying in %.1f s (try %d of %d)", status, delay, attempt + 1, self.tries
                )
                time.sleep(delay)
            buffer = io.BytesIO()
            try:
                gTTS(text, lang=self.lang, tld=self.tld, lang_check=False, timeout=TIMEOUT).write_to_fp(buffer)
                return buffer.getvalue()
            except gTTSError as exc:
                status = exc.rsp.status_code if exc.rsp is not None else None
                if status is None:
                    raise NetworkError(_offline_message(self.tld, exc)) from exc
                if status not in RETRY_STATUS:
                    raise EngineError(f"gTTS failed: {exc}") from exc
        raise NetworkError(
            f"gTTS still answers {status} after {self.tries} tries (rate limit or outage). Clips already "
            "made are kept: run again later to carry on, or use --engine piper to narrate offline."
        )


def _offline_message(tld: str, exc: Exception) -> str:
    """Name the cause of a failed connection: requests' message, without urllib3's wrapping."""
    cause = exc.__context__ or exc
    text = str(cause)
    match = re.search(r"Caused by (\w+)\((.*)\)\)$", text)
    if match:
        detail = re.sub(r"^(<[^>]*>|\w+\([^)]*\)): ", "", match.group(2).strip("\"' "))
        reason = f"{match.group(1)}: {detail}"
    else:
        reason = f"{type(cause).__name__}: {text}"
    return (
        f"gTTS cannot reach translate.google.{tld} ({reason}). It needs an internet connection; "
        "use --engine piper to narrate offline."
    )


def decode_mp3(mp3: bytes, sample_rate: int) -> np.ndarray:
    """Decode MP3 bytes to mono int16 samples at ``sample_rate`` with ffmpeg."""
    if not mp3:
        raise EngineError("gTTS answered without audio")
    with tempfile.TemporaryDirectory(prefix="narration-gtts-") as tmp:
        out = Path(tmp) / "speech.pcm"
        args = ["-i", "pipe:0", "-f", "s16le", "-acodec", "pcm_s16le", "-ac", "1", "-ar", str(sample_rate), str(out)]
        run_ffmpeg(args, what="decoding gTTS audio", input=mp3)
        return np.frombuffer(out.read_bytes(), dtype="<i2").astype(np.int16)
