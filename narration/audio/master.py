"""Assemble and master one chapter: clips and pauses joined with pydub, levelled to the profile.

A chapter is laid out as::

    room tone (head) | title | pause after the title | section | pause | section ... | room tone (tail)

Pauses come from ``[audio]`` in ``book.toml``: ``sentence_pause_ms`` goes between the sentences of
a clip (cut at its exact sentence boundaries), ``paragraph_pause_ms`` between sections,
``before_title_ms`` before a spoken subheading and ``after_title_ms`` after the chapter title and
after a subheading. The head and tail room tone are ``head_room_tone_ms`` and ``tail_room_tone_ms``,
held inside the profile's range (ACX: 0.5-1 s and 1-5 s). The tail is lengthened by up to 0.2 s so
the encodes end on a whole frame of both codecs (see :mod:`narration.audio.codec`).

Mastering measures the chapter (BS.1770 loudness with pyloudnorm, or RMS for ACX) and applies the
gain that reaches the target through a true-peak limiter (see :func:`loudness.level_to`). Every
sentence's start and end in the chapter are recorded as :class:`Cue` s. Room tone (ACX) is a quiet
fixed noise laid under the whole chapter after levelling.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

with warnings.catch_warnings():  # pydub looks for ffmpeg on PATH when imported; ours is set below
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment

from narration.audio import codec, loudness
from narration.audio.layout import Part, chapter_parts
from narration.audio.profiles import Profile
from narration.audio.types import Cue
from narration.config import AudioConfig
from narration.errors import AudioError
from narration.ffmpeg import configure_pydub
from narration.model import Chapter
from narration.synth.types import Clip, SynthResult

ROOM_TONE_SEED = 1770  # room tone is the same noise on every run, so masters are reproducible


@dataclass(frozen=True)
class Pauses:
    """Every pause of the layout, in milliseconds."""

    sentence: int
    paragraph: int
    before_heading: int
    after_title: int
    head: int
    tail: int

    @classmethod
    def of(cls, config: AudioConfig, profile: Profile) -> Pauses:
        head, tail = config.head_room_tone_ms, config.tail_room_tone_ms
        if profile.head_range:  # leave room for the codec delay and the voice's own lead-in
            head = _clamp(head, profile.head_range[0] * 1000, profile.head_range[1] * 1000 - 100)
        if profile.tail_range:  # leave room for the frame alignment (< 0.21 s)
            tail = _clamp(tail, profile.tail_range[0] * 1000, profile.tail_range[1] * 1000 - 500)
        values = (config.sentence_pause_ms, config.paragraph_pause_ms, config.before_title_ms, config.after_title_ms)
        if min(values + (head, tail)) < 0:
            raise AudioError(f"[audio] pauses cannot be negative: {config}")
        return cls(*values, head=int(head), tail=int(tail))


@dataclass(frozen=True)
class Master:
    """A mastered chapter: mono float32 samples at ``rate`` and its sentences' times."""

    samples: np.ndarray
    rate: int
    cues: tuple[Cue, ...]  # seconds from the start of the master
    measured: float  # level before mastering (LUFS, or dBFS RMS for ACX)
    gain_db: float


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def _gap(previous: Part, following: Part, pauses: Pauses) -> int:
    if previous.kind in ("title", "heading"):
        return pauses.after_title
    if following.kind == "heading":
        return pauses.before_heading
    return pauses.paragraph


class _Timeline:
    """Raw 16-bit mono PCM pieces and the position (in samples) they reach, plus the cues."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.chunks: list[bytes] = []
        self.position = 0
        self.cues: list[Cue] = []

    def add(self, segment: AudioSegment) -> None:
        self.chunks.append(segment.raw_data)
        self.position += int(segment.frame_count())

    def pause(self, ms: int) -> None:
        if ms > 0:
            self.add(AudioSegment.silent(duration=ms, frame_rate=self.rate))

    def clip(self, clip: Clip, sentence_pause: int) -> None:
        """Add a clip cut at its sentence boundaries, with a pause at each cut."""
        audio = load_clip(clip, self.rate)
        length = int(audio.frame_count())
        cuts = [0] + [min(length, round(s.start * self.rate)) for s in clip.sentences[1:]] + [length]
        for index, span in enumerate(clip.sentences):
            if index:
                self.pause(sentence_pause)
            start = self.position
            self.add(audio.get_sample_slice(cuts[index], cuts[index + 1]))
            self.cues.append(Cue(start / self.rate, self.position / self.rate, span.text))
        if not clip.sentences:
            self.add(audio)

    def segment(self) -> AudioSegment:
        return AudioSegment(data=b"".join(self.chunks), sample_width=2, frame_rate=self.rate, channels=1)


def load_clip(clip: Clip, rate: int) -> AudioSegment:
    """A clip as 16-bit mono at ``rate``."""
    try:
        audio = AudioSegment.from_wav(clip.path)
    except (OSError, ValueError) as exc:
        raise AudioError(f"cannot read clip {clip.path}: {exc}") from exc
    return audio.set_channels(1).set_sample_width(2).set_frame_rate(rate)


def assemble(parts: list[Part], pauses: Pauses, rate: int) -> tuple[AudioSegment, list[Cue]]:
    """Join the parts with their pauses (pydub); the cues of every sentence."""
    timeline = _Timeline(rate)
    timeline.pause(pauses.head)
    for index, part in enumerate(parts):
        if index:
            timeline.pause(_gap(parts[index - 1], part, pauses))
        for clip_index, clip in enumerate(part.clips):
            if clip_index:
                timeline.pause(pauses.sentence)
            timeline.clip(clip, pauses.sentence)
    timeline.pause(pauses.tail)
    return timeline.segment(), timeline.cues


def aligned_samples(samples: int, rate: int) -> int:
    """Master length that resamples to at least the aligned encode length (see :mod:`codec`)."""
    target = codec.aligned_length(math.ceil(samples * codec.RATE / rate))
    return math.ceil(target * rate / codec.RATE)


def room_tone(count: int, level_db: float) -> np.ndarray:
    rng = np.random.default_rng(ROOM_TONE_SEED)
    return (rng.standard_normal(count, dtype=np.float32) * loudness.from_db(level_db)).astype(np.float32)


def normalise(samples: np.ndarray, rate: int, profile: Profile) -> tuple[np.ndarray, float, float]:
    """Gain to the profile's target through the limiter; (result, level before, gain in dB)."""
    if profile.loudness_target is not None:
        weighting = loudness.k_weighted(samples, rate)
        measured, target = loudness.gated_loudness_of(weighting, rate), profile.loudness_target
    else:
        weighting, measured, target = None, loudness.rms_db(samples), float(profile.rms_target)
    if not math.isfinite(measured):
        raise AudioError("the chapter is silent: nothing to master")
    result, gain = loudness.level_to(samples, rate, measured, target, profile.ceiling, weighting=weighting)
    return result, measured, gain


def master_chapter(chapter: Chapter, synth: SynthResult, config: AudioConfig, profile: Profile) -> Master:
    """Assemble, pad to the aligned length and level one chapter."""
    configure_pydub()
    parts = chapter_parts(chapter, synth)
    rate = parts[0].clips[0].sample_rate
    segment, cues = assemble(parts, Pauses.of(config, profile), rate)
    pcm = np.frombuffer(segment.raw_data, dtype=np.int16)
    samples = np.zeros(aligned_samples(len(pcm), rate), dtype=np.float32)
    samples[: len(pcm)] = pcm / np.float32(32768.0)
    del segment, pcm
    samples, measured, gain = normalise(samples, rate, profile)
    if profile.room_tone_db is not None:
        samples += room_tone(len(samples), profile.room_tone_db)
    return Master(samples=samples, rate=rate, cues=tuple(cues), measured=measured, gain_db=gain)
