"""Encode a mastered chapter (MP3 for its episode, AAC for the M4B), verify it, tag episodes.

One ffmpeg run resamples the master to 44.1 kHz (soxr) and writes both encodes, raw: the MP3 with no
ID3 or Xing tag, the AAC as ADTS, so the book files can be assembled from them by stream copy and
their durations are exact (see :mod:`narration.audio.codec`). The MP3 is then decoded and measured
against the profile: the encode is what listeners hear, so it is what gets checked.
"""

from __future__ import annotations

import io
import logging
import math
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from mutagen.id3 import APIC, ID3, TALB, TCON, TIT2, TPE1, TPE2, TRCK, Frame

from narration import fsutil
from narration.audio import codec, loudness
from narration.audio.cover import Cover
from narration.audio.profiles import Profile
from narration.errors import AudioError
from narration.ffmpeg import run_ffmpeg

log = logging.getLogger(__name__)

MP3_QUALITY = "7"  # LAME's algorithm quality: 7 is fast and transparent for speech at these rates
ID3_VERSION = 3  # ID3v2.3: what podcast apps and car stereos read best
GENRE = "Audiobook"


@dataclass(frozen=True)
class Encoded:
    """Frame counts of a chapter's two encodes."""

    mp3_frames: int
    aac_frames: int

    @property
    def mp3_duration(self) -> float:
        return self.mp3_frames * codec.MP3_FRAME / codec.RATE

    @property
    def aac_duration(self) -> float:
        return self.aac_frames * codec.AAC_FRAME / codec.RATE


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


def _filter_graph(length: int) -> str:
    """Resample to 44.1 kHz, cut/pad to ``length`` samples, split; the MP3 branch is raised by what
    LAME takes away, the AAC branch gets its lead-in (see :mod:`codec`)."""
    return (
        f"[0:a]aresample={codec.RATE}:resampler=soxr,apad=whole_len={length},atrim=end_sample={length},"
        f"asplit=2[mp3in][aacin];[mp3in]volume={1 / codec.LAME_SCALE!r}:precision=float[mp3];"
        f"[aacin]adelay=delays={codec.AAC_LEAD}S:all=1[aac]"
    )


def encode_chapter(samples: np.ndarray, rate: int, profile: Profile, mp3_path: Path, aac_path: Path) -> Encoded:
    """Encode a master (float32 mono at ``rate``) to a raw MP3 and an ADTS AAC file, atomically."""
    length = codec.aligned_length(math.ceil(len(samples) * codec.RATE / rate))
    with fsutil.atomic_path(mp3_path) as mp3_tmp, fsutil.atomic_path(aac_path) as aac_tmp:
        args = [
            "-y", "-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0",
            "-filter_complex", _filter_graph(length),
            "-map", "[mp3]", "-c:a", "libmp3lame", "-b:a", f"{profile.mp3_kbps}k",
            "-compression_level", MP3_QUALITY, "-write_xing", "0", "-id3v2_version", "0", "-f", "mp3", mp3_tmp,
            "-map", "[aac]", "-c:a", "aac", "-aac_coder", "fast", "-b:a", f"{profile.aac_kbps}k",
            "-f", "adts", aac_tmp,
        ]  # fmt: skip
        run_ffmpeg(args, what="encoding a chapter", input=np.ascontiguousarray(samples, dtype="<f4").tobytes())
        encoded = Encoded(codec.count_mp3_frames(mp3_tmp), codec.count_adts_frames(aac_tmp))
    if encoded.mp3_frames * codec.MP3_FRAME != encoded.aac_frames * codec.AAC_FRAME:
        log.warning("MP3 and AAC encodes differ in length (%d vs %d frames): the M4B's chapter times "
                    "are computed from its own frames", encoded.mp3_frames, encoded.aac_frames)
    return encoded


def decode(path: Path, rate: int, fmt: str = "mp3") -> np.ndarray:
    """Decode an audio file to mono float32 samples at ``rate``."""
    with tempfile.TemporaryDirectory(prefix="narration-decode-") as tmp:
        raw = Path(tmp) / "decoded.f32"
        run_ffmpeg(["-y", "-f", fmt, "-i", path, "-ac", "1", "-ar", str(rate), "-f", "f32le", raw], what=f"decoding {path}")
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
    if profile.loudness_target is not None and abs(levels.loudness - profile.loudness_target) > profile.loudness_tolerance:
        found.append(f"loudness {levels.loudness:.1f} LUFS, target {profile.loudness_target:g} ± {profile.loudness_tolerance:g}")
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
    levels = measure(decode(mp3_path, rate), rate)
    found = problems(levels, profile)
    if found:
        raise AudioError(f"{what} does not meet the {profile.name} profile: " + "; ".join(found))
    return levels


@dataclass(frozen=True)
class Tags:
    """ID3 tags of an episode or of the MP3 audiobook."""

    title: str
    album: str
    artist: str
    track: str | None = None  # "n/N"
    genre: str = GENRE


def id3_tags(tags: Tags, cover: Cover | None, extra: Sequence[Frame] = ()) -> ID3:
    frames = ID3()
    frames.add(TIT2(encoding=3, text=tags.title))
    frames.add(TALB(encoding=3, text=tags.album))
    frames.add(TPE1(encoding=3, text=tags.artist))
    frames.add(TPE2(encoding=3, text=tags.artist))
    frames.add(TCON(encoding=3, text=tags.genre))
    if tags.track:
        frames.add(TRCK(encoding=3, text=tags.track))
    if cover is not None:
        frames.add(APIC(encoding=3, mime=cover.mime, type=3, desc="Cover", data=cover.path.read_bytes()))
    for frame in extra:
        frames.add(frame)
    return frames


def render_id3(frames: ID3) -> bytes:
    """The ID3v2.3 tag as bytes, to put in front of MP3 frames."""
    buffer = io.BytesIO()
    frames.save(buffer, v2_version=ID3_VERSION, padding=lambda info: 0)
    return buffer.getvalue()


def write_mp3(target: Path, tag: bytes, sources: Sequence[Path]) -> None:
    """Write ``tag`` then the raw MP3 frames of ``sources`` (stream copy), atomically."""
    with fsutil.atomic_open(target, "wb") as out:
        out.write(tag)
        for source in sources:
            with open(source, "rb") as handle:
                shutil.copyfileobj(handle, out, 1 << 20)
