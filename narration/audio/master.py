"""Lay out and master one *unit*: a clip with its sentence pauses and the pause that follows it.

A chapter is laid out as::

    room tone (head) | title | pause after the title | section | pause | section ... | room tone (tail)

and cut into units, one per clip (a paragraph, or a group of its sentences): the unit holds the
clip's sentences with ``sentence_pause_ms`` between them (cut at their exact boundaries, with pydub),
silence before it (``lead``: the head room tone, for a chapter's first unit) and the pause after it
(``gap``: ``sentence_pause_ms`` inside a section, ``paragraph_pause_ms`` between sections,
``before_title_ms`` before a spoken subheading, ``after_title_ms`` after a title or subheading,
``tail_room_tone_ms`` at the end). The codec's priming of the next unit (``codec.MP3_DELAY``) is part
of that pause, so the unit itself carries the rest. Head and tail are held inside the profile's range
(ACX: 0.5-1 s and 1-5 s).

Each unit is levelled on its own to the profile's target (BS.1770 loudness, see
:mod:`narration.audio.bs1770`, or RMS for ACX) through a true-peak limiter (see
:func:`loudness.level_to`): every unit at the target puts the chapter at the target, and an edit
to one paragraph leaves every other unit as it was. ACX room tone (a quiet fixed noise) is laid
under the whole unit after levelling.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass
from functools import cache

import numpy as np

with warnings.catch_warnings():  # pydub looks for ffmpeg on PATH when imported (it reads only WAV here)
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment

from narration.audio import bs1770, codec, loudness
from narration.audio.layout import UnitLayout
from narration.audio.profiles import Profile
from narration.audio.types import Cue
from narration.errors import AudioError
from narration.synth.types import Clip

ROOM_TONE_SEED = 1770  # room tone is the same noise on every run, so masters are reproducible


@dataclass(frozen=True)
class Master:
    """A mastered unit: mono float32 samples at ``rate`` and its sentences' times."""

    samples: np.ndarray
    rate: int
    cues: tuple[Cue, ...]  # seconds from the start of the unit
    measured: float  # level before mastering (LUFS, or dBFS RMS for ACX)
    gain_db: float


def master_rate(clip_rate: int, profile: Profile) -> int:
    """The rate a unit is mastered and encoded at: the profile's, else the voice's own when MP3
    can carry it (a 22.05 kHz voice holds nothing above 11 kHz: 44.1 kHz would double the work)."""
    if profile.sample_rate is not None:
        return profile.sample_rate
    return clip_rate if clip_rate in codec.MP3_RATES else 44100


def load_clip(clip: Clip) -> AudioSegment:
    """A clip as 16-bit mono (pydub), its checksum checked."""
    data = clip.read_verified()
    try:
        audio = AudioSegment.from_wav(io.BytesIO(data))
    except (OSError, ValueError) as exc:
        raise AudioError(f"cannot read clip {clip.path}: {exc}") from exc
    return audio.set_channels(1).set_sample_width(2)


def silence(ms: float, rate: int) -> np.ndarray:
    return np.zeros(max(0, round(ms * rate / 1000)), dtype=np.float32)


def lay_out(layout: UnitLayout, priming: float = 0.0) -> tuple[np.ndarray, int, list[Cue]]:
    """The unit's samples at the clip's rate, that rate and its sentences' cues (seconds in the unit).

    ``priming``: seconds of the pause after the unit that the next unit's codec priming supplies.
    """
    audio = load_clip(layout.clip)
    rate = audio.frame_rate
    pcm = np.frombuffer(audio.raw_data, dtype=np.int16).astype(np.float32) / np.float32(32768.0)
    spans = layout.clip.sentences or ()
    cuts = [0] + [min(len(pcm), round(s.start * rate)) for s in spans[1:]] + [len(pcm)]
    pieces, cues = [silence(layout.lead_ms, rate)], []
    position = len(pieces[0])
    for index in range(max(1, len(spans))):
        if index:
            pieces.append(silence(layout.sentence_ms, rate))
            position += len(pieces[-1])
        piece = pcm[cuts[index] : cuts[index + 1]] if spans else pcm
        pieces.append(piece)
        if spans:
            cues.append(Cue(position / rate, (position + len(piece)) / rate, spans[index].text))
        position += len(piece)
    after = layout.gap_ms if layout.last else max(0.0, layout.gap_ms - 1000 * priming)
    pieces.append(silence(after, rate))
    return np.concatenate(pieces), rate, cues


def resample(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    if rate == target:
        return samples
    from scipy.signal import resample_poly

    common = math.gcd(rate, target)
    return resample_poly(samples, target // common, rate // common).astype(np.float32)


@cache
def _room_tone(count: int, level_db: float) -> np.ndarray:
    rng = np.random.default_rng(ROOM_TONE_SEED)
    return (rng.standard_normal(count, dtype=np.float32) * loudness.from_db(level_db)).astype(np.float32)


def room_tone(count: int, level_db: float) -> np.ndarray:
    """``count`` samples of the fixed room-tone noise (a slice of one long, reproducible noise)."""
    block = 1 << 20
    tone = _room_tone(block, level_db)
    return np.resize(tone, count) if count > block else tone[:count].copy()


def normalise(samples: np.ndarray, rate: int, profile: Profile, ceiling: float) -> tuple[np.ndarray, float, float]:
    """Gain to the profile's target through the limiter; (result, level before, gain in dB)."""
    if profile.loudness_target is not None:
        weighting = bs1770.k_weighted(samples, rate)
        measured = bs1770.sub_block_loudness(bs1770.sub_blocks(weighting, rate), rate)
        target = profile.loudness_target
    elif profile.rms_target is not None:
        weighting, measured, target = None, loudness.rms_db(samples), float(profile.rms_target)
    else:
        raise AudioError(f"the {profile.name} profile sets neither a loudness nor an RMS target")
    if not math.isfinite(measured):
        raise AudioError("a clip is silent: nothing to master")
    result, gain = loudness.level_to(samples, rate, measured, target, ceiling, weighting=weighting)
    return result, measured, gain


def master_unit(layout: UnitLayout, profile: Profile, ceiling: float | None = None) -> Master:
    """Lay out and level one unit at :func:`master_rate` (``ceiling``: the limiter's, dBTP;
    ``None``: the profile's)."""
    target = master_rate(layout.clip.sample_rate, profile)
    samples, rate, cues = lay_out(layout, codec.MP3_DELAY / target)
    samples = resample(samples, rate, target)
    samples, measured, gain = normalise(samples, target, profile, profile.ceiling if ceiling is None else ceiling)
    if profile.room_tone_db is not None:
        samples += room_tone(len(samples), profile.room_tone_db)
    return Master(samples=samples, rate=target, cues=tuple(cues), measured=measured, gain_db=gain)
