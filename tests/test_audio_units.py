"""Units made from real Piper clips (mastered, encoded by LAME and libavcodec, measured, cached), read
back with ffmpeg and measured again with pyloudnorm."""

from __future__ import annotations

import dataclasses
import json
import pickle
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
from audio_support import decode, make_book
from scipy.signal import correlate, resample_poly

from narration.audio import codec, levels, units
from narration.audio.layout import Pauses, UnitLayout, chapter_layouts
from narration.audio.master import master_unit
from narration.audio.profiles import Profile, get_profile
from narration.audio.units import Unit, UnitCache, UnitTask, render_task, render_unit, unit_key
from narration.errors import LevelsError
from narration.model import Book, load_book
from narration.synth.pipeline import synthesize_book
from narration.synth.types import SynthResult

PODCAST = get_profile("podcast")


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    root = tmp_path_factory.mktemp("units")
    return load_book(make_book(root, root / "clips"))


@pytest.fixture(scope="module")
def synth(book: Book) -> SynthResult:
    return synthesize_book(book, jobs=1)


def layouts(book: Book, synth: SynthResult, number: int, profile: Profile = PODCAST) -> list[UnitLayout]:
    return chapter_layouts(book.chapters[number - 1], synth, Pauses.of(book.config.audio, profile))


def render(layout: UnitLayout, cache: UnitCache, profile: Profile = PODCAST) -> Unit:
    cache.prepare()
    return render_unit(layout, unit_key(layout, profile), profile, cache, "chapter 1 ('Test')")


@pytest.fixture(scope="module")
def letter(book: Book, synth: SynthResult, tmp_path_factory: pytest.TempPathFactory) -> list[Unit]:
    """Chapter 2's four units (title, paragraph, subheading, paragraph), podcast profile."""
    cache = UnitCache(tmp_path_factory.mktemp("letter-cache"))
    return [render(layout, cache) for layout in layouts(book, synth, 2)]


def lufs(samples: np.ndarray, rate: int) -> float:
    return pyloudnorm.Meter(rate).integrated_loudness(samples.astype(np.float64))


def test_a_unit_is_stored_and_found_again(book: Book, synth: SynthResult, tmp_path: Path) -> None:
    cache = UnitCache(tmp_path / "cache")
    layout = layouts(book, synth, 1)[1]
    unit = render(layout, cache)
    assert [p.name for p in cache.paths(unit.key)] == [f"{unit.key}.{x}" for x in ("mp3", "aac", "json")]
    assert all(p.is_file() for p in cache.paths(unit.key))
    mp3 = unit.mp3.read_bytes()
    assert codec.count_mp3_frames(mp3) == unit.timing.mp3_frames and unit.timing.rate == 22050
    assert len(decode(unit.mp3, 22050)) == unit.timing.mp3_samples == unit.levels.samples
    assert unit.aac.stat().st_size == sum(unit.aac_sizes) and len(unit.aac_sizes) == unit.timing.aac_frames
    sidecar = json.loads(cache.paths(unit.key)[2].read_text(encoding="utf-8"))
    assert sidecar["mp3_bytes"] == len(mp3) and [c[2] for c in sidecar["cues"]] == [c.text for c in unit.cues]
    assert cache.lookup(unit.key) == unit
    assert cache.lookup("0" * 32) is None


def test_a_task_crosses_to_a_worker_as_a_dataclass_and_makes_its_unit(
    book: Book, synth: SynthResult, tmp_path: Path
) -> None:
    layout = layouts(book, synth, 1)[1]
    task = UnitTask(layout, unit_key(layout, PODCAST), PODCAST, tmp_path / "cache", "chapter 1 ('Test')")
    UnitCache(task.cache_root).prepare()
    received = pickle.loads(pickle.dumps(task))
    assert received == task
    unit = render_task(None, received)
    assert unit.key == task.key and UnitCache(task.cache_root).lookup(task.key) == unit


@pytest.mark.parametrize("suffix", [".mp3", ".aac"])
def test_a_truncated_encode_is_not_found(book: Book, synth: SynthResult, tmp_path: Path, suffix: str) -> None:
    cache = UnitCache(tmp_path)
    unit = render(layouts(book, synth, 3)[0], cache)
    path = unit.mp3 if suffix == ".mp3" else unit.aac
    path.write_bytes(path.read_bytes()[:-100])
    assert cache.lookup(unit.key) is None


def test_a_unit_without_its_sidecar_or_with_another_version_is_not_found(
    book: Book, synth: SynthResult, tmp_path: Path
) -> None:
    cache = UnitCache(tmp_path)
    unit = render(layouts(book, synth, 3)[0], cache)
    sidecar = cache.paths(unit.key)[2]
    data = json.loads(sidecar.read_text(encoding="utf-8"))
    sidecar.write_text(json.dumps({**data, "version": 0}), encoding="utf-8")
    assert cache.lookup(unit.key) is None
    sidecar.unlink()
    assert cache.lookup(unit.key) is None


def test_the_key_changes_with_what_the_unit_is_made_of(book: Book, synth: SynthResult, tmp_path: Path) -> None:
    layout = layouts(book, synth, 1)[0]
    key = unit_key(layout, PODCAST)
    same = UnitLayout(layout.clip, layout.lead_ms, layout.gap_ms, layout.sentence_ms, layout.last)
    moved = dataclasses.replace(layout, clip=dataclasses.replace(layout.clip, path=tmp_path / "elsewhere.wav"))
    assert unit_key(same, PODCAST) == unit_key(moved, PODCAST) == key  # the clip is known by its key
    changed = [
        unit_key(dataclasses.replace(layout, gap_ms=layout.gap_ms + 1), PODCAST),
        unit_key(dataclasses.replace(layout, lead_ms=layout.lead_ms + 1), PODCAST),
        unit_key(dataclasses.replace(layout, sentence_ms=layout.sentence_ms + 1), PODCAST),
        unit_key(dataclasses.replace(layout, last=True), PODCAST),
        unit_key(layout, get_profile("acx")),
        unit_key(layout, dataclasses.replace(PODCAST, mp3_kbps=96)),
    ]
    assert len({key, *changed}) == len(changed) + 1


def test_cues_are_shifted_by_the_codec_delay_and_are_where_the_speech_is(
    book: Book, synth: SynthResult, letter: list[Unit]
) -> None:
    for layout, unit in zip(layouts(book, synth, 2), letter):
        rate = unit.timing.rate
        master = master_unit(layout, PODCAST)
        audio = decode(unit.mp3, rate)
        lag = int(np.argmax(correlate(audio, master.samples, method="fft"))) - (len(master.samples) - 1)
        assert lag == codec.MP3_DELAY  # where the decoded MP3 lines up with its master
        shift = lag / rate
        assert [c.text for c in unit.cues] == [c.text for c in master.cues]
        expected = [t + shift for c in master.cues for t in (c.start, c.end)]
        assert [t for c in unit.cues for t in (c.start, c.end)] == pytest.approx(expected, abs=1e-6)
        for cue in unit.cues:
            assert np.max(np.abs(audio[round(cue.start * rate) : round(cue.end * rate)])) > 0.1
        first, last = unit.cues[0], unit.cues[-1]
        assert np.max(np.abs(audio[: round(first.start * rate) - 10])) < 0.01
        assert np.max(np.abs(audio[round((last.end + 0.05) * rate) :])) < 0.01
        assert unit.timing.aac_frames * codec.AAC_FRAME >= (last.end + units.SPEECH_MARGIN) * rate + codec.AAC_LEAD


def test_a_units_loudness_is_what_a_meter_reads_from_its_mp3(letter: list[Unit]) -> None:
    for unit in letter:
        rate = unit.timing.rate
        measured = levels.combine([unit.levels], rate)
        assert measured.loudness == pytest.approx(lufs(decode(unit.mp3, rate), rate), abs=0.2)
        assert measured.loudness == pytest.approx(PODCAST.loudness_target, abs=PODCAST.loudness_tolerance)


def test_a_chapters_levels_are_what_meters_read_from_its_units_joined(letter: list[Unit]) -> None:
    rate = letter[0].timing.rate
    joined = np.concatenate([decode(unit.mp3, rate) for unit in letter])
    measured = levels.combine([unit.levels for unit in letter], rate)
    assert measured.loudness == pytest.approx(lufs(joined, rate), abs=0.2)
    assert measured.sample_peak == pytest.approx(20 * np.log10(np.max(np.abs(joined))), abs=0.01)
    rms = 10 * np.log10(np.mean(joined.astype(np.float64) ** 2))
    assert measured.rms == pytest.approx(rms, abs=0.01)
    first = np.flatnonzero(np.abs(joined) > 10 ** (-50 / 20))[0]
    assert measured.head == pytest.approx(first / rate, abs=1e-3)
    assert measured.head > letter[0].cues[0].start - 0.1  # the head room tone and the codec's delay
    assert levels.problems(measured, PODCAST) == []


def test_a_unit_whose_encode_overshoots_the_peak_limit_is_mastered_again(
    book: Book, synth: SynthResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A limiter at 0 dBTP leaves the codec no headroom: the first encode breaks the -1 dBTP limit.
    loose = dataclasses.replace(PODCAST, ceiling=0.0)
    layout = layouts(book, synth, 1)[1]
    cache = UnitCache(tmp_path)
    with monkeypatch.context() as patch:
        patch.setattr(units, "HEADROOM_RETRIES", 0)
        failing = r"chapter 1 \('Test'\) does not meet the podcast profile: true peak"
        with pytest.raises(LevelsError, match=failing) as caught:
            render(layout, cache, loose)
    assert caught.value.peak_overshoot > 0
    assert cache.lookup(unit_key(layout, loose)) is None  # nothing stored
    with caplog.at_level("INFO", logger="narration.audio.units"):
        unit = render(layout, cache, loose)
    assert "overshot the peak limit" in caplog.text
    audio = decode(unit.mp3, unit.timing.rate).astype(np.float64)
    assert 20 * np.log10(np.max(np.abs(resample_poly(audio, 4, 1)))) <= -1.0
    assert cache.lookup(unit.key) == unit


def test_prune_keeps_the_units_asked_for_and_the_silent_frame(book: Book, synth: SynthResult, tmp_path: Path) -> None:
    cache = UnitCache(tmp_path)
    kept, dropped = (render(layout, cache) for layout in layouts(book, synth, 3))
    silence = units.silent_frame(cache, 22050, PODCAST.aac_kbps)
    assert cache.prune({kept.key}) == 1
    assert cache.lookup(kept.key) == kept and cache.lookup(dropped.key) is None
    assert not any(p.exists() for p in cache.paths(dropped.key)) and silence.is_file()


def test_acx_units_are_made_at_44100_hz_and_a_chapter_of_them_meets_the_acx_rules(
    book: Book, synth: SynthResult, tmp_path: Path
) -> None:
    acx = get_profile("acx")
    made = [render(layout, UnitCache(tmp_path), acx) for layout in layouts(book, synth, 3, acx)]
    assert {unit.timing.rate for unit in made} == {44100}
    joined = np.concatenate([decode(unit.mp3, 44100) for unit in made])
    assert len(joined) == sum(unit.timing.mp3_frames for unit in made) * 1152
    measured = levels.combine([unit.levels for unit in made], 44100)
    assert levels.problems(measured, acx) == []
    assert measured.rms == pytest.approx(10 * np.log10(np.mean(joined.astype(np.float64) ** 2)), abs=0.01)
    assert -75 < measured.noise_floor < -65  # the room tone, not digital silence
    assert 0.5 <= measured.head <= 1.0 and 1.0 <= measured.tail <= 5.0
