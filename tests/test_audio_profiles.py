"""Mastering profiles, and an ACX build checked against ACX's rules on the decoded episodes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from audio_support import decode, make_book
from mutagen.mp3 import MP3

from narration.audio.profiles import get_profile
from narration.build import build
from narration.errors import ConfigError
from narration.model import load_book


def test_podcast_is_the_default() -> None:
    profile = get_profile(None)
    assert profile.name == "podcast" and profile.loudness_target == -16.0 and profile.true_peak_max == -1.0
    assert profile.ceiling < profile.true_peak_max  # headroom for the codec


def test_acx_rules() -> None:
    acx = get_profile("ACX")
    assert acx.rms_range == (-23.0, -18.0) and acx.sample_peak_max == -3.0 and acx.noise_floor_max == -60.0
    assert acx.head_range == (0.5, 1.0) and acx.tail_range == (1.0, 5.0) and acx.mp3_kbps == 192


def test_unknown_profile_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="unknown audio profile 'loud': choose one of podcast, acx"):
        get_profile("loud")


def db(value: float) -> float:
    return 20 * np.log10(value)


def quietest_half_second(audio: np.ndarray, rate: int = 44100) -> float:
    size = rate // 2
    windows = [audio[i : i + size] for i in range(0, len(audio) - size, size // 4)]
    return min(db(np.sqrt(np.mean(w.astype(np.float64) ** 2)) + 1e-12) for w in windows)


def mp3_bitrates(path: Path) -> set[int]:
    """The bit rate of every frame after the ID3 tag (kbps)."""
    data = path.read_bytes()
    position = 10 + sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(data[6:10]))  # syncsafe tag size
    table = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
    rates = set()
    while position + 4 <= len(data):
        header = int.from_bytes(data[position : position + 4], "big")
        assert header >> 21 == 0x7FF, f"lost frame sync at {position}"
        kbps = table[(header >> 12) & 15]
        rates.add(kbps)
        position += 144000 * kbps // 44100 + ((header >> 9) & 1)
    return rates


def test_an_acx_build_meets_acx_rules(tmp_path: Path) -> None:
    scripts = make_book(tmp_path, tmp_path / "clips", chapters={"01-one.md": "# One\n\nIt was a cold morning.\n"})
    report = build(load_book(scripts), jobs=1, profile="acx")
    episode = report.result.chapters[0].episode
    audio = decode(episode)
    rms = db(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))
    assert -23 <= rms <= -18
    assert db(np.max(np.abs(audio))) <= -3
    assert quietest_half_second(audio) <= -60
    loud = np.flatnonzero(np.abs(audio) > 10 ** (-50 / 20))
    head, tail = loud[0] / 44100, (len(audio) - loud[-1]) / 44100
    assert 0.5 <= head <= 1.0 and 1.0 <= tail <= 5.0
    assert np.max(np.abs(audio[: int(0.4 * 44100)])) > 0  # room tone, not digital silence
    info = MP3(episode).info
    assert (info.sample_rate, info.channels) == (44100, 1)
    assert mp3_bitrates(episode) == {192}  # constant bit rate
