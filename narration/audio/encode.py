"""Encoders and the decoder, in-process: LAME (``lameenc``) for MP3, libavcodec (PyAV) for AAC.

A unit (one clip with its pauses, see :mod:`narration.audio.units`) is a few seconds of audio; a
book has hundreds. Encoding them in this process, with no ffmpeg process started per unit, is what
makes encoding a clip cost about what its audio takes to encode.

- :func:`encode_mp3`: constant bit rate Layer III at the master's own rate, no Xing/LAME tag.
  LAME lowers a mono input a little (about 0.45 dB at 22.05 kHz); :func:`lame_gain` measures that
  once per setting so the episode keeps the level the master was given.
- :func:`encode_aac`: AAC-LC raw access units (no ADTS headers, for the M4B writer), led by
  ``codec.AAC_LEAD`` samples of silence so its audio lines up with the MP3's, and cut or padded to a
  given number of frames.
- :func:`decode_mp3`: the MP3 decoded (what listeners hear), for verification.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

import av
import lameenc
import numpy as np

from narration.audio import codec
from narration.errors import AudioError, FFmpegError

MP3_QUALITY = 7  # LAME's algorithm quality: 7 is fast and transparent for speech at these rates
AAC_OPTIONS = {"aac_coder": "fast"}
INT16 = 32767.0


@dataclass(frozen=True)
class AacEncode:
    data: bytes  # raw AAC-LC access units back to back
    sizes: tuple[int, ...]  # byte size of each frame
    config: bytes  # AudioSpecificConfig


def _lame(samples: np.ndarray, rate: int, kbps: int) -> bytes:
    pcm = np.clip(np.rint(samples * INT16), -32768, 32767).astype("<i2").tobytes()
    try:
        encoder = lameenc.Encoder()
        encoder.set_bit_rate(kbps)
        encoder.set_in_sample_rate(rate)
        encoder.set_out_sample_rate(rate)
        encoder.set_channels(1)
        encoder.set_quality(MP3_QUALITY)
        return bytes(encoder.encode(pcm)) + bytes(encoder.flush())
    except Exception as exc:  # lameenc reports bad settings as RuntimeError
        raise AudioError(f"LAME cannot encode {rate} Hz at {kbps} kbps: {exc}") from exc


@functools.cache
def lame_gain(rate: int, kbps: int) -> float:
    """The factor that undoes LAME's level change at this setting, measured on a 1 kHz tone."""
    tone = (0.25 * np.sin(2 * np.pi * 1000 * np.arange(rate) / rate)).astype(np.float32)
    decoded = decode_mp3(_lame(tone, rate, kbps), rate)[codec.MP3_DELAY :][rate // 4 : 3 * rate // 4]
    source = tone[rate // 4 : 3 * rate // 4]
    return math.sqrt(float(np.dot(source, source)) / max(float(np.dot(decoded, decoded)), 1e-12))


def encode_mp3(samples: np.ndarray, rate: int, kbps: int) -> bytes:
    """Mono float32 samples as raw MP3 frames (CBR, no tags), level kept."""
    return _lame(samples * np.float32(lame_gain(rate, kbps)), rate, kbps)


def _frames(samples: np.ndarray, rate: int, size: int) -> Iterator[av.AudioFrame]:
    for start in range(0, len(samples), size):
        chunk = samples[start : start + size]
        if len(chunk) < size:
            chunk = np.concatenate([chunk, np.zeros(size - len(chunk), dtype=np.float32)])
        frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="fltp", layout="mono")
        frame.sample_rate, frame.pts = rate, start
        yield frame


def encode_aac(samples: np.ndarray, rate: int, kbps: int, frames: int) -> AacEncode:
    """Mono float32 samples as ``frames`` AAC frames, the audio starting at ``codec.MP3_DELAY``.

    The encoder makes ``ceil(n / 1024) + 1`` frames from ``n`` samples, so it is given exactly
    ``(frames - 1) x 1024``: the lead-in, the samples, then silence (or the samples cut short).
    """
    length = (frames - 1) * codec.AAC_FRAME
    fed = np.zeros(length, dtype=np.float32)
    body = samples[: max(0, length - codec.AAC_LEAD)]
    fed[codec.AAC_LEAD : codec.AAC_LEAD + len(body)] = body
    try:
        context = av.CodecContext.create("aac", "w")
        context.sample_rate, context.layout, context.format = rate, "mono", "fltp"
        context.bit_rate, context.options = kbps * 1000, dict(AAC_OPTIONS)
        context.open()
        packets = [p for frame in _frames(fed, rate, context.frame_size) for p in context.encode(frame)]
        packets += context.encode(None)
        config = bytes(context.extradata or b"")
    except av.error.FFmpegError as exc:
        raise FFmpegError(f"libavcodec cannot encode AAC at {rate} Hz, {kbps} kbps: {exc}") from exc
    chunks = [bytes(p) for p in packets]
    return AacEncode(b"".join(chunks), tuple(len(c) for c in chunks), config)


def decode_mp3(data: bytes, rate: int) -> np.ndarray:
    """Every sample of a raw MP3 stream, decoded (mono float32)."""
    try:
        decoder = cast(av.AudioCodecContext, av.CodecContext.create("mp3float", "r"))
        frames = [f for packet in [*decoder.parse(data), None] for f in decoder.decode(packet)]
    except av.error.FFmpegError as exc:
        raise FFmpegError(f"libavcodec cannot decode the MP3 encode: {exc}") from exc
    pcm = b"".join(bytes(f.planes[0])[: f.samples * 4] for f in frames)  # mono float planes
    decoded = np.frombuffer(pcm, dtype=np.float32)
    expected = codec.count_mp3_frames(data) * codec.mp3_frame_samples(rate)
    if len(decoded) != expected:
        raise AudioError(f"the MP3 encode decodes to {len(decoded)} samples, expected {expected}")
    return decoded
