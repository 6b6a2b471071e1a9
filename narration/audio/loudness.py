"""Level measurements and a look-ahead true-peak limiter, on mono float32 samples in [-1, 1].

Loudness (K-weighting, gating) is :mod:`narration.audio.bs1770`'s. True peak is the peak of the
signal oversampled 4x (BS.1770 annex 2), computed a chunk at a time so memory stays bounded.

The limiter works on frames of 16 samples: each frame's true peak sets the gain it needs, the gains
are smoothed into a look-ahead curve and interpolated back onto the samples. Because the effect of
a gain curve on the signal's energy is known per frame, the gain that reaches a target level
*after* limiting is found without processing the signal again and again.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.optimize import brentq
from scipy.signal import firwin

from narration.audio import bs1770
from narration.audio.db import from_db, to_db

log = logging.getLogger(__name__)

OVERSAMPLE = 4
CHUNK = 1 << 16  # samples oversampled at a time (bounds the memory, stays in cache)
CONTEXT = 16  # samples either side of a chunk for the oversampling filter
FRAME = 16  # samples per limiter frame
RAMP_SECONDS = 0.010  # the limiter's gain moves over 10 ms, starting before the peak
LEVEL_TOLERANCE = 0.02  # dB: a first guess this close to the target is kept
GAIN_TOLERANCE = 0.01  # dB
MAX_EXTRA_GAIN = 15.0  # dB the limiter may be driven beyond the plain gain (more would crush the voice)


def rms_db(samples: np.ndarray) -> float:
    """RMS level of the whole signal, dBFS (a full-scale square wave is 0 dB)."""
    if len(samples) == 0:
        return -math.inf
    return to_db(math.sqrt(float(np.dot(samples, samples)) / len(samples)))


def sample_peak(samples: np.ndarray) -> float:
    return float(np.max(np.abs(samples))) if len(samples) else 0.0


def noise_floor_db(samples: np.ndarray, rate: int, window: float = 0.5) -> float:
    """RMS of the quietest ``window`` (windows every ``window / 2``), dBFS: the ACX noise floor."""
    hop = max(1, int(window * rate) // 2)
    halves = len(samples) // hop
    if halves < 2:
        return rms_db(samples)
    rows = np.asarray(samples[: halves * hop], dtype=np.float32).reshape(halves, hop)
    energy = np.einsum("ij,ij->i", rows, rows, dtype=np.float64)
    quietest = float(np.min(energy[:-1] + energy[1:])) / (2 * hop)
    return to_db(math.sqrt(max(quietest, 0.0)))


def silent_edges(samples: np.ndarray, rate: int, threshold_db: float = -50.0) -> tuple[float, float]:
    """Seconds before the first and after the last sample louder than ``threshold_db``."""
    loud = np.flatnonzero(np.abs(samples) > from_db(threshold_db))
    if len(loud) == 0:
        return len(samples) / rate, len(samples) / rate
    return loud[0] / rate, (len(samples) - 1 - loud[-1]) / rate


def _interpolator() -> tuple[np.ndarray, ...]:
    """The three in-between phases of a 4x oversampling filter (33-tap Kaiser low-pass)."""
    taps = (firwin(33, 1 / OVERSAMPLE, window=("kaiser", 6.0)) * OVERSAMPLE).astype(np.float32)
    return tuple(taps[phase::OVERSAMPLE] for phase in range(1, OVERSAMPLE))


_PHASES = _interpolator()


def peak_envelope(samples: np.ndarray) -> np.ndarray:
    """For each sample, the largest magnitude of the 4x oversampled signal around it (true peak)."""
    samples = np.asarray(samples, dtype=np.float32)
    envelope = np.abs(samples)
    if len(samples) < 2 * CONTEXT:
        return envelope
    for start in range(0, len(samples), CHUNK):
        lo, hi = max(0, start - CONTEXT), min(len(samples), start + CHUNK + CONTEXT)
        piece, offset = samples[lo:hi], start - lo
        count = min(CHUNK, len(samples) - start)
        target = envelope[start : start + count]
        for taps in _PHASES:
            between = np.convolve(piece, taps, "same")[offset : offset + count]
            np.maximum(target, np.abs(between), out=target)
    return envelope


def true_peak(samples: np.ndarray) -> float:
    """The true peak (linear, 4x oversampled), a chunk at a time."""
    samples = np.asarray(samples, dtype=np.float32)
    if len(samples) < 2 * CONTEXT:
        return sample_peak(samples)
    peak = sample_peak(samples)
    for start in range(0, len(samples), CHUNK):
        lo, hi = max(0, start - CONTEXT), min(len(samples), start + CHUNK + CONTEXT)
        piece, offset, count = samples[lo:hi], start - lo, min(CHUNK, len(samples) - start)
        for taps in _PHASES:
            between = np.convolve(piece, taps, "same")[offset : offset + count]
            peak = max(peak, float(between.max()), -float(between.min()))
    return peak


def _frames(values: np.ndarray) -> np.ndarray:
    """``values`` as rows of ``FRAME`` (the last one padded with zeros)."""
    values = np.asarray(values, dtype=np.float32)
    if len(values) % FRAME:
        values = np.concatenate([values, np.zeros(FRAME - len(values) % FRAME, dtype=np.float32)])
    return values.reshape(-1, FRAME)


@dataclass(frozen=True)
class FrameStats:
    """Per-frame true peak and energy of a signal: enough to plan a limiter and predict its effect."""

    peaks: np.ndarray  # float32, linear
    energy: np.ndarray  # float64, sum of squares (K-weighted when planning for loudness)

    @classmethod
    def of(cls, samples: np.ndarray, weighting: np.ndarray | None = None) -> FrameStats:
        rows = _frames(samples if weighting is None else weighting)
        energy = np.einsum("ij,ij->i", rows, rows, dtype=np.float64)
        return cls(_frames(peak_envelope(samples)).max(axis=1), energy)


def limiter_gains(stats: FrameStats, gain: float, ceiling: float, rate: int) -> np.ndarray:
    """Per-frame gains (<= 1) that keep ``gain x signal`` under ``ceiling`` (linear).

    The gain each frame needs goes through a minimum filter (so the gain falls *before* a peak) and a
    moving average one frame narrower on each side, which never exceeds the need of any sample
    even after interpolating between frames.
    """
    needed = np.minimum(1.0, ceiling / np.maximum(stats.peaks * np.float32(gain), 1e-12)).astype(np.float32)
    half = max(1, int(RAMP_SECONDS * rate / FRAME))
    return uniform_filter1d(minimum_filter1d(needed, 2 * half + 3), 2 * half + 1)


def _weights() -> np.ndarray:
    """Where each sample of a frame sits between its frame's gain and the next one's (0..1)."""
    return (np.arange(FRAME, dtype=np.float32) + 0.5) / FRAME


def squared_gains(gains: np.ndarray) -> np.ndarray:
    """Each frame's mean squared gain once :func:`apply_gains` interpolates it across the frame."""
    a = gains.astype(np.float64)
    b = np.append(a[1:], a[-1])
    w = _weights().astype(np.float64)
    return a * a * np.mean((1 - w) ** 2) + 2 * a * b * np.mean(w * (1 - w)) + b * b * np.mean(w * w)


def limiter_loss_db(stats: FrameStats, gains: np.ndarray) -> float:
    """How much the gains lower the signal's energy, dB (<= 0)."""
    total = float(np.sum(stats.energy))
    if total <= 0:
        return 0.0
    return 10.0 * math.log10(max(float(np.dot(stats.energy, squared_gains(gains))) / total, 1e-12))


def apply_gains(samples: np.ndarray, gain: float, gains: np.ndarray) -> np.ndarray:
    """``gain x samples`` with the per-frame ``gains`` interpolated linearly across each frame."""
    weights = _weights()
    following = np.append(gains[1:], gains[-1])
    result = np.empty(len(samples), dtype=np.float32)
    rows = CHUNK // FRAME
    for row in range(0, len(gains), rows):
        ramp = gains[row : row + rows, None] * (1 - weights) + following[row : row + rows, None] * weights
        start = row * FRAME
        end = min(len(samples), start + ramp.size)
        np.multiply(samples[start:end], ramp.ravel()[: end - start], out=result[start:end])
    result *= np.float32(gain)
    return result


def level_to(
    samples: np.ndarray, rate: int, measured: float, target: float, ceiling_db: float, *, weighting: np.ndarray | None
) -> tuple[np.ndarray, float]:
    """Gain ``samples`` (whose level is ``measured`` dB) to ``target`` through the limiter.

    The level after limiting is predicted from what the limiter takes from each frame's energy:
    the energy of ``weighting`` (the K-weighted signal), gated as BS.1770 does, for loudness; the
    plain energy for RMS (``weighting`` None). The gain is solved on the prediction, so the signal
    itself is processed once. Returns (result, gain in dB).
    """
    weighted = weighting is not None
    stats, ceiling = FrameStats.of(samples, weighting), from_db(ceiling_db)
    offset = measured - bs1770.frame_loudness(stats.energy, FRAME, rate) if weighted else 0.0

    def predict(gain_db: float, gains: np.ndarray) -> float:
        if not weighted:
            return measured + gain_db + limiter_loss_db(stats, gains)
        energy = stats.energy * (from_db(gain_db) ** 2) * squared_gains(gains)
        return offset + bs1770.frame_loudness(energy, FRAME, rate)

    def error(gain_db: float) -> tuple[float, np.ndarray]:
        gains = limiter_gains(stats, from_db(gain_db), ceiling, rate)
        return predict(gain_db, gains) - target, gains

    return _solve(error, target - measured, samples)


def _solve(
    error: Callable[[float], tuple[float, np.ndarray]], start: float, samples: np.ndarray
) -> tuple[np.ndarray, float]:
    """The gain where the predicted level error crosses zero, and the limited signal at that gain.

    Limiting only lowers the level, so the root is at or above ``start``: step up until it is
    bracketed, then Brent's method. A target the limiter cannot reach gives the loudest attempt.
    """
    low, (f_low, gains) = start, error(start)
    if f_low >= -LEVEL_TOLERANCE:
        return apply_gains(samples, from_db(low), gains), low
    step = max(1.0, -2.0 * f_low)
    while True:
        high = min(low + step, start + MAX_EXTRA_GAIN)
        f_high, gains = error(high)
        if f_high >= 0:
            break
        if high >= start + MAX_EXTRA_GAIN:
            log.warning("the limiter cannot reach the target level; leaving a unit %.1f dB short", -f_high)
            return apply_gains(samples, from_db(high), gains), high
        low, step = high, step * 2
    gain = brentq(lambda g: error(g)[0], low, high, xtol=GAIN_TOLERANCE) if f_high > LEVEL_TOLERANCE else high
    return apply_gains(samples, from_db(gain), error(gain)[1]), gain
