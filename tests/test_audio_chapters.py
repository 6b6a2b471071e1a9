"""Chapter marks: FFMETADATA and ID3 frames, and books assembled by stream copy, with more than 255
chapters too, read back with ffmpeg and mutagen."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from audio_support import decode, ffmetadata_chapters, nero_chapters, quicktime_chapter_track
from mutagen.id3 import ID3, CTOCFlags

from narration.audio import chapters
from narration.audio.cover import generate_cover
from narration.audio.encode import encode_chapter, pcm_bytes
from narration.audio.package import Segment, write_book
from narration.audio.profiles import get_profile

RATE = 22050


def test_marks_follow_each_other() -> None:
    marks = chapters.marks(["a", "b", "c"], [1.5, 2.0, 0.25])
    assert [(m.start, m.end) for m in marks] == [(0.0, 1.5), (1.5, 3.5), (3.5, 3.75)]


def test_ffmetadata_escapes_special_characters() -> None:
    text = chapters.ffmetadata([chapters.Mark("a=b; #c \\ d\ne", 0.0, 1.2346)], {"title": "T=1"})
    assert text.startswith(";FFMETADATA1\ntitle=T\\=1\n")
    assert "START=0\nEND=1235\ntitle=a\\=b\\; \\#c \\\\ d\\\ne\n" in text


def test_id3_frames_list_every_chapter_in_order() -> None:
    marks = chapters.marks(["One", "Two"], [1.0, 2.0])
    frames = {f.HashKey: f for f in chapters.id3_frames(marks, "Book")}
    toc = frames["CTOC:toc"]
    assert toc.flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED and toc.child_element_ids == ["chp1", "chp2"]
    assert (frames["CHAP:chp2"].start_time, frames["CHAP:chp2"].end_time) == (1000, 3000)


@pytest.fixture(scope="module")
def segment(tmp_path_factory: pytest.TempPathFactory) -> Segment:
    """One short real encode (a tone), used for every chapter of a book."""
    folder = tmp_path_factory.mktemp("segment")
    tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(RATE // 10) / RATE)).astype(np.float32)
    encoded, _ = encode_chapter(pcm_bytes(tone), RATE, get_profile(), folder / "s.mp3", folder / "s.aac")
    return Segment("", folder / "s.mp3", folder / "s.aac", encoded.mp3_duration, encoded.aac_duration)


def book(tmp_path: Path, segment: Segment, titles: list[str]) -> tuple[Path, Path]:
    cover = generate_cover("Many", "Someone", tmp_path / "cover.jpg")
    segments = [Segment(t, segment.mp3, segment.aac, segment.mp3_duration, segment.aac_duration) for t in titles]
    m4b, mp3 = tmp_path / "book.m4b", tmp_path / "book.mp3"
    write_book(m4b, mp3, segments, "Many", "Someone", cover)
    return m4b, mp3


def test_titles_with_special_characters_survive(tmp_path: Path, segment: Segment) -> None:
    titles = ["Café = “quoted” ; #1", "Back\\slash", "Ünïcödé — dash"]
    m4b, mp3 = book(tmp_path, segment, titles)
    for path in (m4b, mp3):
        assert [c.title for c in ffmetadata_chapters(path)] == titles


def test_more_than_255_chapters_still_make_valid_files(tmp_path: Path, segment: Segment, caplog) -> None:
    titles = [f"Chapter {n}" for n in range(1, 301)]
    with caplog.at_level(logging.WARNING, logger="narration.audio.chapters"):
        m4b, mp3 = book(tmp_path, segment, titles)
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
    assert len(decode(mp3)) == len(decode(m4b)) == 300 * round(segment.mp3_duration * 44100)


def test_m4b_input_falls_back_to_the_concat_demuxer_for_paths_the_protocol_cannot_name(tmp_path: Path) -> None:
    from narration.audio.package import aac_input

    plain = [Segment("One", tmp_path / "a.mp3", tmp_path / "a.aac", 1.0, 1.0)]
    odd = [Segment("One", tmp_path / "a.mp3", tmp_path / "x|y.aac", 1.0, 1.0)]
    listing = tmp_path / "list.txt"
    assert aac_input(plain, listing) == ["-f", "aac", "-i", f"concat:{(tmp_path / 'a.aac').resolve()}"]
    assert not listing.exists()
    assert aac_input(odd, listing)[:2] == ["-f", "concat"] and "x|y.aac" in listing.read_text()


def test_long_chapters_keep_exact_times_in_the_quicktime_chapter_track(tmp_path: Path) -> None:
    """Chapters of minutes (the movie timescale must not overflow a 32-bit sample duration)."""
    from audio_support import quicktime_chapter_starts

    seconds = 100
    quiet = (0.05 * np.sin(2 * np.pi * 220 * np.arange(RATE * seconds) / RATE)).astype(np.float32)
    encoded, _ = encode_chapter(pcm_bytes(quiet), RATE, get_profile(), tmp_path / "l.mp3", tmp_path / "l.aac")
    long = Segment("", tmp_path / "l.mp3", tmp_path / "l.aac", encoded.mp3_duration, encoded.aac_duration)
    m4b, mp3 = book(tmp_path, long, ["One", "Two", "Three"])
    expected = [n * long.aac_duration for n in range(3)]
    assert np.allclose(quicktime_chapter_starts(m4b), expected, atol=0.05, rtol=0)
    assert np.allclose([s for s, _ in nero_chapters(m4b)], expected, atol=0.05, rtol=0)
    for path in (m4b, mp3):
        assert [c.title for c in ffmetadata_chapters(path)] == ["One", "Two", "Three"]
        assert np.allclose([c.start for c in ffmetadata_chapters(path)], expected, atol=0.05, rtol=0)
