"""Chapter marks: FFMETADATA and ID3 frames, and books assembled from units by stream copy (with more
than 255 chapters too, and chapters of minutes), read back with ffmpeg, mutagen and atom readers."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import numpy as np
import pytest
from audio_support import decode, ffmetadata_chapters, nero_chapters, quicktime_chapter_starts, quicktime_chapter_track
from mutagen.id3 import ID3, CTOCFlags

from narration.audio import chapters, codec
from narration.audio.cover import generate_cover
from narration.audio.encode import decode_mp3, encode_aac, encode_mp3
from narration.audio.levels import measure_unit
from narration.audio.package import BookChapter, write_book
from narration.audio.profiles import get_profile
from narration.audio.types import Cue
from narration.audio.units import Unit, UnitCache, silent_frame

RATE = 22050
LCM_FRAMES = 16  # 16 MP3 frames of 576 samples = 9 AAC frames of 1024


def test_marks_follow_each_other() -> None:
    marks = chapters.marks(["a", "b", "c"], [1.5, 2.0, 0.25])
    assert [(m.start, m.end) for m in marks] == [(0.0, 1.5), (1.5, 3.5), (3.5, 3.75)]


def test_id3_frames_list_every_chapter_in_order() -> None:
    marks = chapters.marks(["One", "Two"], [1.0, 2.0])
    frames = {f.HashKey: f for f in chapters.id3_frames(marks, "Book")}
    toc = frames["CTOC:toc"]
    assert toc.flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED and toc.child_element_ids == ["chp1", "chp2"]
    assert (frames["CHAP:chp2"].start_time, frames["CHAP:chp2"].end_time) == (1000, 3000)


def tone_unit(cache: UnitCache, seconds: float) -> Unit:
    """A unit of a 440 Hz tone encoded and stored as units.py does, its MP3 and AAC exactly as long:
    the tone is lengthened until LAME makes a multiple of 16 frames, and the AAC gets as many samples."""
    profile = get_profile()
    length = round(seconds * RATE)
    while True:
        samples = (0.3 * np.sin(2 * np.pi * 440 * np.arange(length) / RATE)).astype(np.float32)
        mp3 = encode_mp3(samples, RATE, profile.mp3_kbps)
        frames = codec.count_mp3_frames(mp3)
        if frames % LCM_FRAMES == 0:
            break
        length += 576
    aac = encode_aac(samples, RATE, profile.aac_kbps, frames * 576 // codec.AAC_FRAME)
    key = f"tone-{seconds:g}"
    mp3_path, aac_path, _ = cache.paths(key)
    start = round(codec.MP3_DELAY / RATE, 6)
    unit = Unit(
        key, mp3_path, aac_path, codec.Timing(RATE, frames, len(aac.sizes)), aac.sizes, aac.config,
        (Cue(start, round(start + length / RATE, 6), "tone"),), measure_unit(decode_mp3(mp3, RATE), RATE),
    )  # fmt: skip
    cache.prepare()
    cache.store(key, mp3, aac.data, unit)
    assert cache.lookup(key) == unit
    return unit


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> UnitCache:
    return UnitCache(tmp_path_factory.mktemp("units"))


@pytest.fixture(scope="module")
def unit(cache: UnitCache) -> Unit:
    """One short real unit, used for every chapter of a book."""
    return tone_unit(cache, 0.1)


def book(tmp_path: Path, parts: list[BookChapter], silence: Path | None = None) -> tuple[Path, Path]:
    cover = generate_cover("Many", "Someone", tmp_path / "cover.jpg")
    m4b, mp3 = tmp_path / "book.m4b", tmp_path / "book.mp3"
    write_book(m4b, mp3, parts, "Many", "Someone", cover, silence)
    return m4b, mp3


def starts(path: Path) -> list[float]:
    return [c.start for c in ffmetadata_chapters(path)]


def test_the_tone_unit_is_as_long_in_both_codecs(unit: Unit) -> None:
    assert unit.timing.mp3_duration == unit.timing.aac_duration > 0.1
    assert len(decode(unit.mp3, RATE)) == unit.timing.mp3_samples


def test_titles_with_special_characters_survive(tmp_path: Path, unit: Unit) -> None:
    titles = ["Café = “quoted” ; #1", "Back\\slash", "Ünïcödé — dash"]
    m4b, mp3 = book(tmp_path, [BookChapter(t, [unit], unit.timing) for t in titles])
    expected = [n * unit.timing.mp3_duration for n in range(3)]
    for path in (m4b, mp3):
        assert [c.title for c in ffmetadata_chapters(path)] == titles
        assert np.allclose(starts(path), expected, atol=0.002, rtol=0)
    assert len(decode(mp3, RATE)) == len(decode(m4b, RATE)) == 3 * unit.timing.mp3_samples


def test_more_than_255_chapters_still_make_valid_files(tmp_path: Path, unit: Unit, caplog) -> None:
    titles = [f"Chapter {n}" for n in range(1, 301)]
    with caplog.at_level(logging.WARNING, logger="narration.audio.chapters"):
        m4b, mp3 = book(tmp_path, [BookChapter(t, [unit], unit.timing) for t in titles])
    assert "300 chapters" in caplog.text and "only the first 255" in caplog.text
    assert [c.title for c in ffmetadata_chapters(m4b)] == titles  # Apple's chapter track holds them all
    assert quicktime_chapter_track(m4b) == ("text", 300)
    assert [t for _, t in nero_chapters(m4b)] == titles[:255]
    assert [c.title for c in ffmetadata_chapters(mp3)] == titles
    tags = ID3(mp3)
    tables = {f.element_id: f for f in tags.getall("CTOC")}
    top = [t for t in tables.values() if t.flags & CTOCFlags.TOP_LEVEL]
    assert len(top) == 1 and top[0].child_element_ids == ["toc1", "toc2"]
    listed = tables["toc1"].child_element_ids + tables["toc2"].child_element_ids
    assert listed == [f"chp{n}" for n in range(1, 301)] and len(tables["toc1"].child_element_ids) == 255
    assert len(tags.getall("CHAP")) == 300
    assert len(decode(mp3, RATE)) == len(decode(m4b, RATE)) == 300 * unit.timing.mp3_samples


def test_long_chapters_keep_exact_times_in_the_quicktime_chapter_track(tmp_path: Path, cache: UnitCache) -> None:
    """Chapters of minutes (the chapter track's times must not overflow or drift)."""
    long = tone_unit(cache, 10.0)
    copies = 10  # a chapter of about 100 s, of ten units
    timing = codec.Timing(RATE, copies * long.timing.mp3_frames, copies * long.timing.aac_frames)
    assert timing.aac_duration > 76
    m4b, mp3 = book(tmp_path, [BookChapter(t, [long] * copies, timing) for t in ("One", "Two", "Three")])
    expected = [n * timing.aac_duration for n in range(3)]
    assert np.allclose(quicktime_chapter_starts(m4b), expected, atol=0.002, rtol=0)
    assert np.allclose([s for s, _ in nero_chapters(m4b)], expected, atol=0.002, rtol=0)
    for path in (m4b, mp3):
        assert [c.title for c in ffmetadata_chapters(path)] == ["One", "Two", "Three"]
        assert np.allclose(starts(path), expected, atol=0.002, rtol=0)


def test_silent_padding_frames_end_each_chapter_in_the_m4b(tmp_path: Path, unit: Unit, cache: UnitCache) -> None:
    padding = 3
    padded = dataclasses.replace(unit.timing, aac_frames=unit.timing.aac_frames + padding)
    silence = silent_frame(cache, RATE, get_profile().aac_kbps)
    m4b, mp3 = book(tmp_path, [BookChapter(t, [unit], padded, padding) for t in ("A", "B")], silence)
    chapter = padded.aac_frames * codec.AAC_FRAME
    audio = decode(m4b, RATE)
    assert len(audio) == 2 * chapter
    assert np.allclose(starts(m4b), [0, padded.aac_duration], atol=0.002, rtol=0)
    assert np.allclose(starts(mp3), [0, unit.timing.mp3_duration], atol=0.002, rtol=0)
    for start in (0, chapter):
        speech = audio[start : start + unit.timing.aac_frames * codec.AAC_FRAME]
        assert np.max(np.abs(speech)) > 0.2
        tail = audio[start + (unit.timing.aac_frames + 1) * codec.AAC_FRAME : start + chapter]
        assert len(tail) == (padding - 1) * codec.AAC_FRAME and np.max(np.abs(tail)) < 1e-3
    assert np.max(np.abs(audio[:chapter] - audio[chapter:])) < 3e-3  # the padding leaves nothing behind (-50 dB)


def test_m4b_chapters_start_within_half_an_aac_frame_of_the_mp3s_however_many() -> None:
    from narration.audio.package import book_chapters

    # Each chapter's units end 700 samples short of an MP3 frame boundary in AAC: padded one chapter
    # at a time, the M4B would drift a little further from the MP3 with every chapter.
    timings = [codec.Timing(22050, 1000 + n, (1000 + n) * 576 // 1024) for n in range(40)]
    chapters = book_chapters([f"c{n}" for n in range(40)], [[] for _ in timings], timings)
    mp3_start = aac_start = 0
    for chapter, timing in zip(chapters, timings):
        assert abs(mp3_start - aac_start) <= 512
        assert chapter.timing.aac_frames == timing.aac_frames + chapter.aac_padding
        mp3_start += timing.mp3_samples
        aac_start += chapter.timing.aac_frames * codec.AAC_FRAME
