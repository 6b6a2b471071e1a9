"""Codec facts the exact chapter times rest on, and frame counting of encoded files.

A chapter is encoded twice at 44.1 kHz: MP3 (LAME) for the episodes and the MP3 audiobook, AAC for
the M4B. Neither file carries gapless information (no Xing/LAME tag, no edit list), so every
decoder plays every frame and a file's duration is exactly ``frames x frame size``; the book files
are the chapters' frames back to back, so chapter ``k`` starts at the sum of the durations before it.

Through ffmpeg, LAME turns ``n`` input samples into ``ceil(n / 1152) + 1`` frames and the audio
starts 1105 samples in (576 encoder + 529 decoder delay); the AAC encoder makes
``ceil(n / 1024) + 1`` frames with the audio 1024 samples in. Feeding the AAC encoder 81 samples of
silence first and giving both ``1152 x (8k - 1)`` samples makes both decode to ``9216 x k`` samples
with the audio starting at sample 1105: the MP3 and the M4B then have identical chapter times.
The counts are still measured on the encoded files, never assumed.
"""

from __future__ import annotations

import math
from pathlib import Path

from narration.errors import AudioError

RATE = 44100
MP3_FRAME = 1152
AAC_FRAME = 1024
MP3_DELAY = 576 + 529  # samples before the audio in a decoded MP3
AAC_DELAY = 1024
AAC_LEAD = MP3_DELAY - AAC_DELAY  # silence fed to the AAC encoder first, to line both up
SUPERFRAME = 8 * MP3_FRAME  # = 9 AAC frames: both decode to a whole number of these
LAME_SCALE = 0.95  # LAME scales a mono input by 0.95 (-0.45 dB); the MP3 branch is raised to match

_MP3_KBPS = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_MP3_RATES = (44100, 48000, 32000)


def aligned_length(samples: int) -> int:
    """The input length (>= ``samples``, at 44.1 kHz) for which both encodes end on the same sample."""
    groups = math.ceil((samples / MP3_FRAME + 1) / 8)
    return MP3_FRAME * (8 * max(groups, 1) - 1)


def _mp3_frame_size(header: int) -> int:
    """Bytes of the MPEG-1 Layer III frame starting with ``header`` (0 if it is not one)."""
    if header >> 21 != 0x7FF or (header >> 19) & 3 != 3 or (header >> 17) & 3 != 1:
        return 0
    kbps_index, rate_index = (header >> 12) & 15, (header >> 10) & 3
    if not 0 < kbps_index < 15 or rate_index == 3:
        return 0
    return 144000 * _MP3_KBPS[kbps_index] // _MP3_RATES[rate_index] + ((header >> 9) & 1)


def count_mp3_frames(path: Path) -> int:
    """Frames of a raw MP3 stream (no tags): every one must be a valid MPEG-1 Layer III frame."""
    data = Path(path).read_bytes()
    position = frames = 0
    while position < len(data):
        size = _mp3_frame_size(int.from_bytes(data[position : position + 4], "big"))
        if size == 0 or position + size > len(data):
            raise AudioError(f"{path}: not a clean MP3 stream at byte {position}")
        position += size
        frames += 1
    return frames


def count_adts_frames(path: Path) -> int:
    """AAC frames of an ADTS stream."""
    data = Path(path).read_bytes()
    position = frames = 0
    while position < len(data):
        head = data[position : position + 7]
        if len(head) < 7 or head[0] != 0xFF or head[1] & 0xF6 != 0xF0:
            raise AudioError(f"{path}: not a clean ADTS stream at byte {position}")
        size = ((head[3] & 3) << 11) | (head[4] << 3) | (head[5] >> 5)
        if size < 7:
            raise AudioError(f"{path}: bad ADTS frame length at byte {position}")
        position += size
        frames += (head[6] & 3) + 1
    return frames


class FrameDurations:
    """Playing times of a chapter's two encodes, from its ``mp3_frames`` and ``aac_frames``.

    Every frame plays (no gapless trimming, no edit list), so frame counts give exact times.
    """

    mp3_frames: int
    aac_frames: int

    @property
    def mp3_duration(self) -> float:
        return self.mp3_frames * MP3_FRAME / RATE

    @property
    def aac_duration(self) -> float:
        return self.aac_frames * AAC_FRAME / RATE
