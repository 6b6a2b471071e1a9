"""Level measurements and a look-ahead true-peak limiter, on mono float32 samples in [-1, 1].

Loudness is BS.1770 integrated loudness measured with pyloudnorm. True peak is the peak of the
signal oversampled 4x (BS.1770 annex 2); only blocks whose sample peak comes near the level of
interest are oversampled (an inter-sample peak is never 6 dB above the samples around it in
speech), so measuring a long chapter stays cheap and its memory bounded by one block.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pyloudnorm
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import resample_poly

OVERSAMPLE = 4
BLOCK = 1 << 15  # samples per block examined for true peaks
CONTEXT = 64  # samples either side of a block for the oversampling filter
SEARCH_DB = 6.0  # blocks this far below the level of interest cannot reach it
RAMP_SECONDS = 0.010  # the limiter's gain moves over 10 ms, starting before the peak
GATE_BLOCK = 0.4  # pyloudnorm's gating block: shorter audio is padded with silence


def to_db(value: float) -> float:
    return 20.0 * math.log10(value) if value > 0 else -math.inf


def from_db(db: float) -> float:
    return 10.0 ** (db / 20.0)


def loudness(samples: np.ndarray, rate: int) -> float:
    """BS.1770 integrated loudness in LUFS (``-inf`` for silence)."""
    data = np.asarray(samples, dtype=np.float64)
    shortfall = int(math.ceil(GATE_BLOCK * rate)) + 1 - len(data)
    if shortfall > 0:
        data = np.concatenate([data, np.zeros(shortfall)])
    with np.errstate(divide="ignore", invalid="ignore"):
        value = pyloudnorm.Meter(rate).integrated_loudness(data)
    return float(value) if math.isfinite(value) else -math.inf


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


def _blocks_above(samples: np.ndarray, level: float) -> Iterator[tuple[int, int]]:
    """(start, end) of every block whose sample peak reaches ``level``."""
    for start in range(0, len(samples), BLOCK):
        end = min(start + BLOCK, len(samples))
        if np.max(np.abs(samples[start:end])) >= level:
            yield start, end


def peak_envelope(samples: np.ndarray, start: int, end: int) -> np.ndarray:
    """For each sample of ``samples[start:end]``, the largest oversampled value from it to the next."""
    lo, hi = max(0, start - CONTEXT), min(len(samples), end + CONTEXT)
    upsampled = resample_poly(samples[lo:hi].astype(np.float32), OVERSAMPLE, 1)
    offset = (start - lo) * OVERSAMPLE
    window = np.abs(upsampled[offset : offset + (end - start) * OVERSAMPLE])
    return window.reshape(end - start, OVERSAMPLE).max(axis=1)


def true_peak(samples: np.ndarray) -> float:
    """The true peak (linear, 4x oversampled)."""
    peak = sample_peak(samples)
    if peak == 0.0:
        return 0.0
    for start, end in _blocks_above(samples, peak * from_db(-SEARCH_DB)):
        peak = max(peak, float(np.max(peak_envelope(samples, start, end))))
    return peak


def limit(samples: np.ndarray, rate: int, ceiling_db: float) -> np.ndarray:
    """Keep the true peak at or below ``ceiling_db`` with a look-ahead limiter.

    The gain each sample needs is smoothed by a minimum filter (so the gain falls *before* the peak)
    followed by a moving average of the same half-width, which never exceeds the gain needed.
    """
    ceiling = from_db(ceiling_db)
    needed: np.ndarray | None = None
    for start, end in _blocks_above(samples, ceiling * from_db(-SEARCH_DB)):
        envelope = peak_envelope(samples, start, end)
        if np.max(envelope) <= ceiling:
            continue
        if needed is None:
            needed = np.ones(len(samples), dtype=np.float32)
        needed[start:end] = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-12))
    if needed is None:
        return samples
    half = max(1, int(RAMP_SECONDS * rate))
    gain = uniform_filter1d(minimum_filter1d(needed, 2 * half + 1), 2 * half + 1)
    return (samples * gain).astype(np.float32, copy=False)
