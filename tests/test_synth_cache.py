"""The clip cache: keys, atomic clips with sidecars, damage detection, folder errors."""

from __future__ import annotations

import json
import os
import time

import numpy as np
import pytest
from synth_support import wav_frames

from narration.errors import CacheError
from narration.synth.cache import ClipCache, clip_key
from narration.synth.types import Clip

RATE = 22050


def tone(seconds: float = 0.5) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    return (np.sin(2 * np.pi * 220 * t) * 8000).astype(np.int16)


@pytest.fixture
def cache(tmp_path) -> ClipCache:
    cache = ClipCache(tmp_path / "cache")
    cache.prepare()
    return cache


def test_key_depends_on_identity_and_every_sentence():
    key = clip_key("voice-a", ["One.", "Two."])
    assert key == clip_key("voice-a", ["One.", "Two."])
    assert (
        len(
            {
                key,
                clip_key("voice-b", ["One.", "Two."]),
                clip_key("voice-a", ["One.", "Two!"]),
                clip_key("voice-a", ["One. Two."]),
            }
        )
        == 4
    )


def test_store_then_lookup(cache):
    meta = cache.store("k1", tone(0.5), RATE, [(0.0, 0.2), (0.2, 0.5)], {"spoken": ["A.", "B."]})
    assert meta.duration == pytest.approx(0.5) and meta.boundaries == ((0.0, 0.2), (0.2, 0.5))
    assert wav_frames(cache.wav_path("k1")) == (RATE, int(RATE * 0.5))
    sidecar = json.loads(cache.meta_path("k1").read_text())
    assert sidecar["bytes"] == cache.wav_path("k1").stat().st_size and sidecar["spoken"] == ["A.", "B."]
    assert cache.lookup("k1", 2) == meta
    assert [p.name for p in cache.root.iterdir() if p.name.startswith(".")] == []


def test_clip_without_sidecar_counts_as_missing(cache):
    cache.store("k1", tone(), RATE, [(0.0, 0.5)])
    cache.meta_path("k1").unlink()  # as if killed between the WAV and its sidecar
    assert cache.lookup("k1", 1) is None


def test_truncated_clip_is_detected(cache, caplog):
    cache.store("k1", tone(), RATE, [(0.0, 0.5)])
    wav = cache.wav_path("k1")
    wav.write_bytes(wav.read_bytes()[:1000])
    assert cache.lookup("k1", 1) is None and "truncated" in caplog.text


def test_damaged_clip_of_the_same_length_is_detected(cache, caplog):
    cache.store("k1", tone(), RATE, [(0.0, 0.5)])
    wav = cache.wav_path("k1")
    data = bytearray(wav.read_bytes())
    data[500:600] = bytes(100)
    wav.write_bytes(bytes(data))
    assert cache.lookup("k1", 1) is None and "damaged" in caplog.text


def test_touched_but_intact_clip_is_kept_and_not_hashed_again(cache):
    meta = cache.store("k1", tone(), RATE, [(0.0, 0.5)])
    wav = cache.wav_path("k1")
    later = time.time() + 5
    os.utime(wav, (later, later))
    assert cache.lookup("k1", 1) is not None
    assert json.loads(cache.meta_path("k1").read_text())["mtime_ns"] == wav.stat().st_mtime_ns != meta.mtime_ns


def test_damaged_sidecar_or_wrong_sentence_count(cache, caplog):
    cache.store("k1", tone(), RATE, [(0.0, 0.5)])
    assert cache.lookup("k1", 2) is None
    cache.meta_path("k1").write_text("{not json")
    assert cache.lookup("k1", 1) is None and "metadata is damaged" in caplog.text


def test_file_in_the_way_of_the_folder(tmp_path):
    (tmp_path / "cache").write_text("")
    cache = ClipCache(tmp_path / "cache")
    with pytest.raises(CacheError, match="a file is in the way.*--cache-dir"):
        cache.prepare()
    with pytest.raises(CacheError, match="cannot read"):
        cache.lookup("k1", 1)


def test_prepare_sweeps_only_stale_temp_files(cache):
    stale = cache.root / ".k1.abc.tmp.wav"
    fresh = cache.root / ".k2.def.tmp.wav"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    cache.prepare()
    assert not stale.exists() and fresh.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_read_only_folder(tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(CacheError, match="permission denied.*--cache-dir"):
            ClipCache(folder).prepare()
    finally:
        folder.chmod(0o700)


def _clip(cache: ClipCache, key: str, meta) -> Clip:
    return Clip(key, cache.wav_path(key), meta.sample_rate, meta.duration, (), meta.sha256, cache.meta_path(key))


def test_a_clip_read_back_is_checked_against_its_checksum(cache: ClipCache) -> None:
    meta = cache.store("k1", tone(), RATE, [(0.0, 0.5)])
    clip = _clip(cache, "k1", meta)
    assert clip.read_verified() == cache.wav_path("k1").read_bytes()
    data = bytearray(cache.wav_path("k1").read_bytes())
    data[1000:1100] = bytes(100)
    cache.wav_path("k1").write_bytes(bytes(data))
    with pytest.raises(CacheError, match="is damaged"):
        clip.read_verified()
    assert not cache.wav_path("k1").exists()  # removed: the next run makes it again


def test_a_clip_another_run_made_again_is_never_deleted(cache: ClipCache) -> None:
    """Two writers of one cache: the reader's clip was replaced, whole, by the other writer's take."""
    first = cache.store("k1", tone(0.5), RATE, [(0.0, 0.5)])
    clip = _clip(cache, "k1", first)
    cache.store("k1", tone(0.6), RATE, [(0.0, 0.6)])  # the other run's take, with its own sidecar
    with pytest.raises(CacheError, match="made again by another run"):
        clip.read_verified()
    assert cache.lookup("k1", 1) is not None  # the other run's clip is intact and kept
