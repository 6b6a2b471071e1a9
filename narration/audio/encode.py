"""Encode a mastered chapter (MP3 for its episode, AAC for the M4B) and verify it.

Two ffmpeg runs, side by side, resample the master to 44.1 kHz (soxr) and write the encodes raw: the
MP3 with no ID3 or Xing tag, the AAC as ADTS, so the book files can be assembled from them by stream
copy and their durations are exact (see :mod:`narration.audio.codec`). The MP3 is then decoded and
measured against the profile (the encode is what listeners hear, so it is what gets checked) while
the AAC is still being encoded.
"""

from __future__ import annotations

import logging
import math
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from narration import fsutil
from narration.audio import codec, loudness
from narration.audio.profiles import Profile
from narration.errors import AudioError, LevelsError
from narration.audio.ffpipe import ffmpeg_pipeline
from narration.ffmpeg import run_ffmpeg

log = logging.getLogger(__name__)

T = TypeVar("T")
DECODE_BLOCKS = "asetnsamples=n=65536:p=0"  # large blocks to the writer: fewer hand-offs between ffmpeg's threads
TEE_SPECIAL = "|[]:;\\'\"="  # characters the tee muxer would read as syntax in a file name
MP3_QUALITY = "7"  # LAME's algorithm quality: 7 is fast and transparent for speech at these rates


@dataclass(frozen=True)
class Encoded(codec.FrameDurations):
    """Frame counts of a chapter's two encodes."""

    mp3_frames: int
    aac_frames: int


@dataclass(frozen=True)
class Levels:
    """Measurements of an encoded chapter."""

    loudness: float  # LUFS integrated
    true_peak: float  # dBTP
    sample_peak: float  # dBFS
    rms: float  # dBFS
    noise_floor: float  # dBFS, quietest half second
    head: float  # seconds of near-silence before the first word
    tail: float  # seconds after the last

    def as_dict(self) -> dict[str, float]:
        return {k: (round(v, 3) if math.isfinite(v) else -999.0) for k, v in asdict(self).items()}


def _resample(length: int) -> str:
    """Resample to 44.1 kHz (soxr) and cut or pad to exactly ``length`` samples."""
    return f"aresample={codec.RATE}:resampler=soxr,apad=whole_len={length},atrim=end_sample={length}"


def _encode(pcm: bytes, rate: int, filters: str, codec_args: list[str], target: Path, what: str) -> None:
    with fsutil.atomic_path(target) as tmp:
        args = ["-y", "-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0", "-af", filters, *codec_args, tmp]
        run_ffmpeg(args, what=what, input=pcm)


def _mp3_filters(length: int) -> str:
    return f"{_resample(length)},volume={1 / codec.LAME_SCALE!r}:precision=float"


def _mp3_codec(profile: Profile) -> list[str]:
    return ["-c:a", "libmp3lame", "-b:a", f"{profile.mp3_kbps}k", "-compression_level", MP3_QUALITY]


def _decode_args(rate: int) -> list[str]:
    return ["-ac", "1", "-ar", str(rate), "-af", DECODE_BLOCKS, "-f", "f32le"]


def encode_mp3(pcm: bytes, rate: int, length: int, profile: Profile, target: Path) -> int:
    """The MP3 encode (raised by what LAME takes away; no ID3 or Xing tag); its frame count."""
    args = [*_mp3_codec(profile), "-write_xing", "0", "-id3v2_version", "0", "-f", "mp3"]
    _encode(pcm, rate, _mp3_filters(length), args, target, "encoding a chapter to MP3")
    return codec.count_mp3_frames(target)


def encode_mp3_decoded(
    pcm: bytes, rate: int, length: int, profile: Profile, target: Path, decode_rate: int
) -> tuple[int, np.ndarray]:
    """:func:`encode_mp3`, and the encode decoded at ``decode_rate`` as :func:`decode` would.

    ffmpeg's tee muxer writes the MP3 to the file and to a pipe that a second ffmpeg decodes as
    the frames come. A path the tee cannot name falls back to decoding the written file.
    """
    if any(char in str(target) for char in TEE_SPECIAL):
        return encode_mp3(pcm, rate, length, profile, target), decode(target, decode_rate)
    with tempfile.TemporaryDirectory(prefix="narration-mp3-") as work, fsutil.atomic_path(target) as tmp:
        raw = Path(work) / "decoded.f32"
        mp3 = "[f=mp3:write_xing=0:id3v2_version=0]"
        encoder = ["-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0", "-af", _mp3_filters(length),
                   *_mp3_codec(profile), "-map", "0:a", "-f", "tee", f"{mp3}{tmp}|{mp3}pipe:1"]  # fmt: skip
        decoder = ["-y", "-f", "mp3", "-i", "pipe:0", *_decode_args(decode_rate), raw]
        ffmpeg_pipeline(encoder, decoder, pcm, Path(work), what="encoding a chapter to MP3")
        frames = codec.count_mp3_frames(tmp)
        samples = np.fromfile(raw, dtype="<f4")
    return frames, samples


def encode_aac(pcm: bytes, rate: int, length: int, profile: Profile, target: Path) -> int:
    """The AAC encode as ADTS, with its lead-in so it lines up with the MP3; its frame count."""
    filters = f"{_resample(length)},adelay=delays={codec.AAC_LEAD}S:all=1"
    args = ["-c:a", "aac", "-aac_coder", "fast", "-b:a", f"{profile.aac_kbps}k", "-f", "adts"]
    _encode(pcm, rate, filters, args, target, "encoding a chapter to AAC")
    return codec.count_adts_frames(target)


def pcm_bytes(samples: np.ndarray) -> bytes:
    """Mono float32 samples as the raw little-endian PCM the encoders read."""
    return np.ascontiguousarray(samples, dtype="<f4").tobytes()


def encode_chapter(
    pcm: bytes,
    rate: int,
    profile: Profile,
    mp3_path: Path,
    aac_path: Path,
    after_mp3: Callable[[], T] | None = None,
) -> tuple[Encoded, T | None]:
    """Encode a master (:func:`pcm_bytes`, mono at ``rate``) to a raw MP3 and an ADTS AAC, atomically.

    The two encodes run at once (two ffmpeg processes); ``after_mp3`` (the verification) runs as
    soon as the MP3 is written, while the AAC is still being encoded. Returns the frame counts and
    what ``after_mp3`` returned.
    """

    def mp3_step(length: int) -> tuple[int, T | None]:
        frames = encode_mp3(pcm, rate, length, profile, mp3_path)
        return frames, after_mp3() if after_mp3 is not None else None

    return _encode_pair(pcm, rate, profile, aac_path, mp3_step)


def encode_and_verify(
    pcm: bytes, rate: int, profile: Profile, mp3_path: Path, aac_path: Path, what: str, measure_rate: int
) -> tuple[Encoded, Levels]:
    """:func:`encode_chapter` with :func:`verify`, the MP3 being decoded (at ``measure_rate``) by a
    second ffmpeg while it is encoded, instead of read back once written: the same samples, sooner."""

    def mp3_step(length: int) -> tuple[int, Levels]:
        frames, decoded = encode_mp3_decoded(pcm, rate, length, profile, mp3_path, measure_rate)
        return frames, check_levels(decoded, measure_rate, profile, what)

    return _encode_pair(pcm, rate, profile, aac_path, mp3_step)


def _encode_pair(
    pcm: bytes, rate: int, profile: Profile, aac_path: Path, mp3_step: Callable[[int], tuple[int, T]]
) -> tuple[Encoded, T]:
    """The AAC encode in a thread while ``mp3_step`` (the MP3 encode and its check) runs."""
    length = codec.aligned_length(math.ceil(len(pcm) // 4 * codec.RATE / rate))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="aac") as pool:
        aac = pool.submit(encode_aac, pcm, rate, length, profile, aac_path)
        mp3_frames, extra = mp3_step(length)
        encoded = Encoded(mp3_frames, aac.result())
    if encoded.mp3_frames * codec.MP3_FRAME != encoded.aac_frames * codec.AAC_FRAME:
        log.warning("MP3 and AAC encodes differ in length (%d vs %d frames): the M4B's chapter times "
                    "are computed from its own frames", encoded.mp3_frames, encoded.aac_frames)
    return encoded, extra


def decode(path: Path, rate: int, fmt: str = "mp3") -> np.ndarray:
    """Decode an audio file to mono float32 samples at ``rate``."""
    with tempfile.TemporaryDirectory(prefix="narration-decode-") as tmp:
        raw = Path(tmp) / "decoded.f32"
        args = ["-y", "-f", fmt, "-i", path, *_decode_args(rate), raw]
        run_ffmpeg(args, what=f"decoding {path}")
        return np.fromfile(raw, dtype="<f4")


def measure(samples: np.ndarray, rate: int) -> Levels:
    head, tail = loudness.silent_edges(samples, rate)
    return Levels(
        loudness=loudness.loudness(samples, rate),
        true_peak=loudness.to_db(loudness.true_peak(samples)),
        sample_peak=loudness.to_db(loudness.sample_peak(samples)),
        rms=loudness.rms_db(samples),
        noise_floor=loudness.noise_floor_db(samples, rate),
        head=head,
        tail=tail,
    )


def problems(levels: Levels, profile: Profile) -> list[str]:
    """What in ``levels`` breaks the profile's rules (empty when it complies)."""
    found = []
    target, tolerance = profile.loudness_target, profile.loudness_tolerance
    if target is not None and abs(levels.loudness - target) > tolerance:
        found.append(f"loudness {levels.loudness:.1f} LUFS, target {target:g} ± {tolerance:g}")
    if levels.true_peak > profile.true_peak_max:
        found.append(f"true peak {levels.true_peak:.1f} dBTP above {profile.true_peak_max:g}")
    if profile.sample_peak_max is not None and levels.sample_peak > profile.sample_peak_max:
        found.append(f"peak {levels.sample_peak:.1f} dB above {profile.sample_peak_max:g}")
    if profile.rms_range and not profile.rms_range[0] <= levels.rms <= profile.rms_range[1]:
        found.append(f"RMS {levels.rms:.1f} dB outside {profile.rms_range[0]:g}..{profile.rms_range[1]:g}")
    if profile.noise_floor_max is not None and levels.noise_floor > profile.noise_floor_max:
        found.append(f"noise floor {levels.noise_floor:.1f} dB above {profile.noise_floor_max:g}")
    for name, value, allowed in (("head", levels.head, profile.head_range), ("tail", levels.tail, profile.tail_range)):
        if allowed and not allowed[0] <= value <= allowed[1]:
            found.append(f"{name} room tone {value:.2f} s outside {allowed[0]:g}-{allowed[1]:g} s")
    return found


def verify(mp3_path: Path, profile: Profile, what: str, rate: int = codec.RATE) -> Levels:
    """Decode and measure an encode; :class:`AudioError` if it breaks the profile.

    ``rate``: the rate to measure at; a master made at 22.05 kHz holds nothing above 11 kHz, so
    measuring its encode at 22.05 kHz gives the same figures for half the work.
    """
    return check_levels(decode(mp3_path, rate), rate, profile, what)


def check_levels(samples: np.ndarray, rate: int, profile: Profile, what: str) -> Levels:
    """Measure decoded samples; :class:`AudioError` naming ``what`` if they break the profile."""
    levels = measure(samples, rate)
    found = problems(levels, profile)
    if found:
        message = f"{what} does not meet the {profile.name} profile: " + "; ".join(found)
        raise LevelsError(message, peak_overshoot=peak_overshoot(levels, profile) if len(found) == 1 else 0.0)
    return levels


def peak_overshoot(levels: Levels, profile: Profile) -> float:
    """dB by which the peaks of an encode exceed the profile's limits (0 when within them)."""
    over = levels.true_peak - profile.true_peak_max
    if profile.sample_peak_max is not None:
        over = max(over, levels.sample_peak - profile.sample_peak_max)
    return max(over, 0.0)
