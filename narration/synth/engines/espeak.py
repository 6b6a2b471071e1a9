"""eSpeak NG through the system ``espeak-ng`` binary: robotic but very fast, a fallback engine."""

from __future__ import annotations

import functools
import io
import logging
import shutil
import subprocess
import wave
from collections.abc import Iterator
from typing import Any

import numpy as np

from narration.errors import ConfigError, EngineError, VoiceError
from narration.synth.engines.base import AudioChunk, EngineSpec

log = logging.getLogger(__name__)

BINARY = "espeak-ng"
SAMPLE_RATE = 22050
MAX_CHARS = 1000
WORDS_PER_MINUTE = 175  # espeak-ng's default speed, scaled by length_scale


def espeak_binary() -> str:
    """Path of ``espeak-ng``; :class:`EngineError` with a way out when it is not installed."""
    path = shutil.which(BINARY)
    if not path:
        raise EngineError(
            "espeak-ng is not installed on this machine (Debian/Ubuntu: apt install espeak-ng); or use --engine piper"
        )
    return path


def _run(args: list[str], text: str | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            [espeak_binary(), *args],
            input=None if text is None else text.encode("utf-8"),
            capture_output=True,
            check=False,
        )
    except OSError as exc:
        raise EngineError(f"cannot run espeak-ng: {exc}") from exc


@functools.cache
def espeak_version() -> str:
    return _run(["--version"]).stdout.decode("utf-8", "replace").strip()


def list_voices() -> list[tuple[str, str]]:
    """(language code, voice name) of every installed espeak-ng voice."""
    lines = _run(["--voices"]).stdout.decode("utf-8", "replace").splitlines()[1:]
    voices = []
    for line in lines:
        fields = line.split()
        if len(fields) >= 4:
            voices.append((fields[1], fields[3].replace("_", " ")))
    return voices


def default_voice(language: str) -> str:
    return "en-us" if language.lower() in ("en", "en-us") else language


class EspeakEngine:
    name = "espeak"
    sample_rate = SAMPLE_RATE
    max_chars = MAX_CHARS

    def __init__(self, spec: EngineSpec) -> None:
        espeak_binary()
        self.voice = spec.voice or default_voice(spec.setting("language", "en"))
        length_scale = spec.setting("length_scale", 1.0)
        if not isinstance(length_scale, (int, float)) or length_scale <= 0:
            raise ConfigError(f"espeak: length_scale must be a positive number, not {length_scale!r}")
        self.speed = round(WORDS_PER_MINUTE / length_scale)

    @functools.cached_property
    def identity(self) -> dict[str, Any]:
        return {"engine": self.name, "version": espeak_version(), "voice": self.voice, "speed": self.speed}

    def load(self, take: int = 1, threads: int = 1) -> None:
        """Nothing to load."""

    def synthesize(self, text: str) -> Iterator[AudioChunk]:
        # The text goes through stdin, so a sentence starting with "-" is not read as an option.
        proc = _run(["--stdout", "-v", self.voice, "-s", str(self.speed)], text)
        stderr = proc.stderr.decode("utf-8", "replace").strip()
        if proc.returncode != 0 or not proc.stdout:
            if "voice" in stderr.lower():
                raise VoiceError(f"espeak-ng has no voice {self.voice!r} (see 'narration voices'): {stderr}")
            raise EngineError(f"espeak-ng failed (exit {proc.returncode}): {stderr}")
        yield _read_wav(proc.stdout)


def _read_wav(data: bytes) -> AudioChunk:
    """espeak-ng streams its WAV with a placeholder length: read the header, take the rest as PCM."""
    with wave.open(io.BytesIO(data)) as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise EngineError("espeak-ng produced audio that is not mono 16-bit")
        rate = wav.getframerate()
        frames = wav.readframes(wav.getnframes())
    samples = np.frombuffer(frames[: len(frames) // 2 * 2], dtype="<i2").astype(np.int16)
    return AudioChunk(samples=samples, sample_rate=rate)
