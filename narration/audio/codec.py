"""Codec facts the exact chapter times rest on, and frame counting of MP3 streams.

Every clip of a chapter is encoded on its own (a *unit*, see :mod:`narration.audio.units`), twice: MP3
(LAME) for the episodes and the MP3 audiobook, AAC for the M4B. Neither carries gapless information
(no Xing/LAME tag, no edit list), so every decoder plays every frame and a unit's duration is exactly
``frames x frame size``; episodes and books are units back to back, so a sentence's time is the sum
of the unit durations before it plus its place in its unit.

Decoded, a LAME encode has its audio ``MP3_DELAY`` = 1105 samples in (576 encoder + 529 decoder
delay) at every rate; an AAC encode has it ``AAC_PRIMING`` = 1024 samples in. Feeding the AAC encoder
``AAC_LEAD`` = 81 samples of silence first puts the audio at sample 1105 in both. MPEG-1 Layer III
(32-48 kHz) frames hold 1152 samples, MPEG-2 (16-24 kHz) frames 576; AAC frames hold 1024.
The counts are measured on the encoded bytes, never assumed.
"""

from __future__ import annotations

from dataclasses import dataclass

from narration.errors import AudioError

MP3_DELAY = 576 + 529  # samples before the audio in a decoded MP3
AAC_FRAME = 1024
AAC_PRIMING = 1024
AAC_LEAD = MP3_DELAY - AAC_PRIMING  # silence fed to the AAC encoder first, to line both up
MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)

_MPEG1_KBPS = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_MPEG2_KBPS = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}  # by version bits


def mp3_frame_samples(rate: int) -> int:
    """Samples per MP3 frame at ``rate``: 1152 (MPEG-1, 32-48 kHz) or 576 (MPEG-2 and 2.5)."""
    return 1152 if rate >= 32000 else 576


def _mp3_frame_size(header: int) -> int:
    """Bytes of the Layer III frame starting with ``header`` (0 if it is not one)."""
    version, layer = (header >> 19) & 3, (header >> 17) & 3
    if header >> 21 != 0x7FF or version == 1 or layer != 1:
        return 0
    kbps_index, rate_index = (header >> 12) & 15, (header >> 10) & 3
    if not 0 < kbps_index < 15 or rate_index == 3:
        return 0
    rate = _RATES[version][rate_index]
    if version == 3:
        return 144000 * _MPEG1_KBPS[kbps_index] // rate + ((header >> 9) & 1)
    return 72000 * _MPEG2_KBPS[kbps_index] // rate + ((header >> 9) & 1)


def count_mp3_frames(data: bytes, what: str = "MP3 stream") -> int:
    """Frames of a raw MP3 stream (no tags): every one must be a valid Layer III frame."""
    position = frames = 0
    while position < len(data):
        size = _mp3_frame_size(int.from_bytes(data[position : position + 4], "big"))
        if size == 0 or position + size > len(data):
            raise AudioError(f"{what}: not a clean MP3 stream at byte {position}")
        position += size
        frames += 1
    return frames


@dataclass(frozen=True)
class Timing:
    """Where a stretch of encoded units sits: its frame counts and the rate they play at."""

    rate: int
    mp3_frames: int
    aac_frames: int

    @property
    def mp3_samples(self) -> int:
        return self.mp3_frames * mp3_frame_samples(self.rate)

    @property
    def mp3_duration(self) -> float:
        return self.mp3_samples / self.rate

    @property
    def aac_duration(self) -> float:
        return self.aac_frames * AAC_FRAME / self.rate

    def __add__(self, other: Timing) -> Timing:
        if self.rate != other.rate:
            raise AudioError(f"cannot join audio at {self.rate} Hz and {other.rate} Hz")
        return Timing(self.rate, self.mp3_frames + other.mp3_frames, self.aac_frames + other.aac_frames)
