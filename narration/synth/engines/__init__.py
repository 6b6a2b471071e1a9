"""The engine registry: engine name -> how to build it and how to list its voices.

Engine modules are imported only when an engine is built or listed, so a run that synthesises
nothing never imports Piper or onnxruntime.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from narration.errors import EngineError, NarrationError
from narration.synth.engines.base import AudioChunk, Engine, EngineSpec, identity_digest

__all__ = [
    "ENGINES",
    "AudioChunk",
    "Engine",
    "EngineInfo",
    "EngineListing",
    "EngineSpec",
    "VoiceInfo",
    "engine_info",
    "get_engine",
    "identity_digest",
    "list_engines",
]


@dataclass(frozen=True)
class VoiceInfo:
    name: str  # what --voice takes
    detail: str = ""


@dataclass(frozen=True)
class EngineInfo:
    name: str
    summary: str
    factory: Callable[[EngineSpec], Engine]
    voices: Callable[[], list[VoiceInfo]]
    max_jobs: int | None = None  # cap on worker processes (None: the number of cores)
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class EngineListing:
    """What ``narration voices`` shows for one engine."""

    info: EngineInfo
    voices: tuple[VoiceInfo, ...]
    problem: str | None = None  # why the engine cannot be used here, if it cannot


def _piper(spec: EngineSpec) -> Engine:
    from narration.synth.engines.piper import PiperEngine

    return PiperEngine(spec)


def _piper_voices() -> list[VoiceInfo]:
    from narration.synth.engines.piper import bundled_voice

    model = bundled_voice()
    return [VoiceInfo(model.stem, f"default, also 'joe'; {model}"), VoiceInfo("PATH.onnx", "any Piper voice file")]


def _gtts(spec: EngineSpec) -> Engine:
    from narration.synth.engines.gtts import GttsEngine

    return GttsEngine(spec)


def _gtts_voices() -> list[VoiceInfo]:
    from narration.synth.engines.gtts import languages

    return [VoiceInfo(code, name) for code, name in sorted(languages().items())]


def _espeak(spec: EngineSpec) -> Engine:
    from narration.synth.engines.espeak import EspeakEngine

    return EspeakEngine(spec)


def _espeak_voices() -> list[VoiceInfo]:
    from narration.synth.engines.espeak import list_voices

    return [VoiceInfo(code, name) for code, name in list_voices()]


ENGINES: Mapping[str, EngineInfo] = MappingProxyType(
    {
        "piper": EngineInfo("piper", "local neural voices (default)", _piper, _piper_voices),
        "gtts": EngineInfo(
            "gtts", "Google Translate's voices, online only; a voice is a language", _gtts, _gtts_voices, max_jobs=4
        ),
        "espeak": EngineInfo(
            "espeak", "eSpeak NG, robotic but very fast", _espeak, _espeak_voices, aliases=("espeak-ng",)
        ),
    }
)


def engine_info(name: str) -> EngineInfo:
    """The registry entry for ``name`` (or an alias); :class:`EngineError` naming the choices."""
    key = name.strip().lower()
    for info in ENGINES.values():
        if key == info.name or key in info.aliases:
            return info
    raise EngineError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)} (see 'narration voices')")


def get_engine(spec: EngineSpec) -> Engine:
    """Build the engine ``spec`` names (cheap: no model is loaded until the first synthesis)."""
    return engine_info(spec.engine).factory(spec)


def list_engines(names: list[str] | None = None) -> list[EngineListing]:
    """Engines and the voices each has on this machine; an engine that cannot run says why."""
    infos = [engine_info(n) for n in names] if names else list(ENGINES.values())
    listings = []
    for info in infos:
        try:
            listings.append(EngineListing(info, tuple(info.voices())))
        except NarrationError as exc:
            listings.append(EngineListing(info, (), problem=str(exc)))
    return listings
