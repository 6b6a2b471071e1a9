"""ITU-R BS.1770 loudness of mono signals: K-weighting, gating and integrated loudness, with numpy.

**K-weighting** is BS.1770's two biquads: the pre-filter, a high shelf of +4 dB above about 1.5 kHz
(the acoustic effect of the head), and the RLB weighting, a high pass at 38 Hz. Their coefficients
are designed at any rate with the audio-EQ-cookbook formulas (shelf: gain 4 dB, Q 1/√2, 1500 Hz;
high pass: Q 0.5, 38 Hz), the design pyloudnorm uses, and multiplied into one fourth-order filter
run in float64 (exact enough in direct form there, and three times faster than two sections).
At 48 kHz its response is within 0.05 dB of the coefficients tabulated in BS.1770 (the cookbook
shelf is that much lower).

**Gating** (BS.1770-4 §2.8): the mean square of 400 ms blocks overlapping by 75 %, an absolute gate
at -70 LUFS, then a relative gate 10 LU below the loudness of the blocks the absolute gate kept.
Every measurement here gates the same way (:func:`gate`); the blocks come from one of two sums:

- 100 ms *sub-blocks* (:func:`sub_blocks`), four to a block: what a unit keeps of its decoded MP3,
  so a chapter's loudness is gated from its units' sub-blocks without decoding anything again
  (:func:`sub_block_loudness`). A signal's last sub-block may be partial; it ends the last block.
- per-frame energies of the limiter (:func:`frame_loudness`), blocks rounded to whole frames: only
  to *predict* how limiting changes a measured loudness.

:func:`integrated_loudness` of a signal equals pyloudnorm's ``Meter(rate).integrated_loudness``
(the tests hold it to 1e-6 LU) whenever the signal ends on a whole 100 ms or at least 50 ms past
one; otherwise pyloudnorm's rounded block count drops the last block, which this meter keeps.

Only numpy is imported here; the filter itself runs with scipy's ``lfilter``, imported when used
(a no-op build combines cached sub-blocks and never filters).
"""

from __future__ import annotations

import functools
import math

import numpy as np

ABSOLUTE_GATE = -70.0  # LUFS
RELATIVE_GATE = -10.0  # LU below the absolutely gated loudness
SUB_BLOCK = 0.1  # seconds: a quarter of a gating block
SUB_BLOCKS_PER_BLOCK = 4  # a 400 ms block, 75 % overlap
BLOCK = SUB_BLOCK * SUB_BLOCKS_PER_BLOCK
LOUDNESS_OFFSET = -0.691  # dB: puts a 997 Hz sine at 0 dBFS at -3.01 LUFS

SHELF_GAIN_DB, SHELF_Q, SHELF_HZ = 4.0, 1 / np.sqrt(2), 1500.0  # the pre-filter
HIGH_PASS_Q, HIGH_PASS_HZ = 0.5, 38.0  # the RLB weighting


def _biquad(b: list[float], a: list[float]) -> tuple[np.ndarray, np.ndarray]:
    return np.array(b) / a[0], np.array(a) / a[0]


def high_shelf(rate: int) -> tuple[np.ndarray, np.ndarray]:
    """The pre-filter's (b, a), normalised so a[0] = 1."""
    gain = 10 ** (SHELF_GAIN_DB / 40.0)
    w0 = 2.0 * np.pi * (SHELF_HZ / rate)
    alpha = np.sin(w0) / (2.0 * SHELF_Q)
    cos, root = np.cos(w0), 2 * np.sqrt(gain) * alpha
    b = [
        gain * ((gain + 1) + (gain - 1) * cos + root),
        -2 * gain * ((gain - 1) + (gain + 1) * cos),
        gain * ((gain + 1) + (gain - 1) * cos - root),
    ]
    a = [
        (gain + 1) - (gain - 1) * cos + root,
        2 * ((gain - 1) - (gain + 1) * cos),
        (gain + 1) - (gain - 1) * cos - root,
    ]
    return _biquad(b, a)


def high_pass(rate: int) -> tuple[np.ndarray, np.ndarray]:
    """The RLB weighting's (b, a), normalised so a[0] = 1."""
    w0 = 2.0 * np.pi * (HIGH_PASS_HZ / rate)
    alpha = np.sin(w0) / (2.0 * HIGH_PASS_Q)
    cos = np.cos(w0)
    return _biquad([(1 + cos) / 2, -(1 + cos), (1 + cos) / 2], [1 + alpha, -2 * cos, 1 - alpha])


@functools.cache
def k_filter(rate: int) -> tuple[np.ndarray, np.ndarray]:
    """K-weighting as one fourth-order filter (b, a): the pre-filter times the RLB high pass."""
    (b1, a1), (b2, a2) = high_shelf(rate), high_pass(rate)
    return np.polymul(b1, b2).astype(np.float64), np.polymul(a1, a2).astype(np.float64)


def k_weighted(samples: np.ndarray, rate: int, dtype: type = np.float32) -> np.ndarray:
    """The signal through the K-weighting filter (computed in float64), as ``dtype``."""
    from scipy.signal import lfilter

    b, a = k_filter(rate)
    return lfilter(b, a, np.asarray(samples, dtype=np.float64)).astype(dtype, copy=False)


def to_lufs(power: float) -> float:
    """The loudness of a K-weighted mean square."""
    return LOUDNESS_OFFSET + 10.0 * math.log10(power) if power > 0 else -math.inf


def gate(power: np.ndarray) -> float:
    """Integrated loudness (LUFS) of gating blocks' K-weighted mean squares: the absolute gate at
    -70 LUFS, then the relative gate 10 LU below the loudness of the blocks left."""
    with np.errstate(divide="ignore"):
        levels = LOUDNESS_OFFSET + 10.0 * np.log10(power)
    audible = power[levels >= ABSOLUTE_GATE]
    if len(audible) == 0:
        return -math.inf
    relative = to_lufs(float(np.mean(audible))) + RELATIVE_GATE
    kept = power[(levels > relative) & (levels > ABSOLUTE_GATE)]
    return to_lufs(float(np.mean(kept))) if len(kept) else -math.inf


def sub_block_size(rate: int) -> int:
    return max(1, round(SUB_BLOCK * rate))


def sub_blocks(weighted: np.ndarray, rate: int) -> np.ndarray:
    """Sum of squares of each 100 ms of a K-weighted signal (the last one partial)."""
    size = sub_block_size(rate)
    whole = len(weighted) // size * size
    rows = weighted[:whole].reshape(-1, size)
    blocks = np.einsum("ij,ij->i", rows, rows, dtype=np.float64)
    if whole < len(weighted):
        blocks = np.append(blocks, np.dot(weighted[whole:].astype(np.float64), weighted[whole:]))
    return blocks


def sub_block_loudness(blocks: np.ndarray, rate: int) -> float:
    """Integrated loudness (LUFS) from the K-weighted energies of consecutive 100 ms sub-blocks
    (fewer than a block's worth are gated as one block, the rest silent)."""
    count = SUB_BLOCKS_PER_BLOCK
    if len(blocks) < count:
        blocks = np.concatenate([blocks, np.zeros(count - len(blocks))])
    return gate(np.convolve(blocks, np.ones(count), "valid") / (count * sub_block_size(rate)))


def frame_loudness(energy: np.ndarray, frame: int, rate: int) -> float:
    """Gated loudness from the K-weighted energies of consecutive ``frame``-sample frames, blocks
    rounded to whole frames (a prediction of :func:`sub_block_loudness`, never reported)."""
    block = min(len(energy), max(1, round(BLOCK * rate / frame)))
    if block == 0:
        return -math.inf
    hop = max(1, block // SUB_BLOCKS_PER_BLOCK)
    total = np.concatenate([[0.0], np.cumsum(energy)])
    starts = np.arange(0, len(energy) - block + 1, hop)
    return gate((total[starts + block] - total[starts]) / (block * frame))


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """BS.1770 integrated loudness of a mono signal, LUFS (``-inf`` for silence)."""
    return sub_block_loudness(sub_blocks(k_weighted(samples, rate, np.float64), rate), rate)
