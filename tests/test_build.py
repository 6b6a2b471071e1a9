"""`build` end to end on a tiny book narrated by real Piper; outputs read back with ffmpeg and mutagen."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
from audio_support import (
    LETTER,
    TITLES,
    decode,
    ffmetadata_chapters,
    make_book,
    mp4_atoms,
    nero_chapters,
    quicktime_chapter_track,
)
from mutagen.id3 import ID3, CTOCFlags
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from scipy.signal import resample_poly

from narration.audio.manifest import load_manifest
from narration.build import BuildReport, build
from narration.errors import CacheError
from narration.model import load_book

TOLERANCE = 0.050  # seconds


@pytest.fixture(scope="session")
def clip_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, clip_cache: Path) -> BuildReport:
    scripts = make_book(tmp_path_factory.mktemp("book"), clip_cache)
    return build(load_book(scripts), jobs=1)


@pytest.fixture
def book_copy(tmp_path: Path, clip_cache: Path) -> Path:
    return make_book(tmp_path, clip_cache)


def true_starts(report: BuildReport) -> list[float]:
    """Where each chapter really starts: the sum of the decoded lengths of the episodes before it."""
    lengths = [len(decode(c.episode)) / 44100 for c in report.result.chapters]
    return [sum(lengths[:i]) for i in range(len(lengths))]


def test_every_chapter_is_in_both_books_with_its_real_title(built: BuildReport) -> None:
    for path in (built.result.m4b, built.result.mp3):
        assert [c.title for c in ffmetadata_chapters(path)] == TITLES
    assert [title for _, title in nero_chapters(built.result.m4b)] == TITLES
    assert [c.title for c in built.result.chapters] == TITLES


def test_chapter_starts_are_the_encoded_boundaries(built: BuildReport) -> None:
    starts = true_starts(built)
    assert starts[1] > 5  # a real chapter, not a zero-length one
    readers = {
        "m4b ffmpeg": [c.start for c in ffmetadata_chapters(built.result.m4b)],
        "m4b nero": [start for start, _ in nero_chapters(built.result.m4b)],
        "mp3 ffmpeg": [c.start for c in ffmetadata_chapters(built.result.mp3)],
        "mp3 CHAP": sorted(f.start_time / 1000 for f in ID3(built.result.mp3).getall("CHAP")),
        "result": [c.start for c in built.result.chapters],
    }
    for name, found in readers.items():
        assert np.allclose(found, starts, atol=TOLERANCE, rtol=0), (name, found, starts)


def test_book_files_are_the_episodes_back_to_back(built: BuildReport) -> None:
    episodes = sum(len(decode(c.episode, 22050)) for c in built.result.chapters)
    assert len(decode(built.result.mp3, 22050)) == episodes
    # AAC frames (1024 samples) cannot end exactly where MP3 frames (576) do: the M4B ends, and each
    # of its chapters starts, within half an AAC frame of the MP3 book's.
    assert abs(len(decode(built.result.m4b, 22050)) - episodes) <= 512
    m4b, mp3 = ffmetadata_chapters(built.result.m4b), ffmetadata_chapters(built.result.mp3)
    assert max(abs(a.start - b.start) for a, b in zip(m4b, mp3)) <= 512 / 22050 + 0.001
    assert abs(built.result.duration - episodes / 22050) < 1e-6


def test_chapter_audio_begins_after_its_boundary(built: BuildReport) -> None:
    """The book is quiet from each boundary until the chapter's first cue, then speech starts."""
    audio = decode(built.result.mp3)
    for chapter in built.result.chapters:
        start = round((chapter.start + 0.05) * 44100)
        speech = round((chapter.start + chapter.cues[0].start) * 44100)
        assert np.max(np.abs(audio[start : speech - 2205])) < 0.01  # room tone up to 50 ms before
        assert np.max(np.abs(audio[speech : speech + 22050])) > 0.1


def test_m4b_has_both_chapter_forms_the_cover_and_the_audiobook_kind(built: BuildReport) -> None:
    handler, samples = quicktime_chapter_track(built.result.m4b)
    assert (handler, samples) == ("text", 3)
    tags = MP4(built.result.m4b).tags
    assert tags["stik"] == [2]
    assert tags["©nam"] == ["A Tiny Book"] and tags["©ART"] == ["Test Writer"]
    assert len(tags["covr"][0]) > 10_000
    atoms, data = mp4_atoms(built.result.m4b)
    names = [atom.name for atom in atoms.atoms]
    assert names.index(b"moov") < names.index(b"mdat")  # +faststart
    assert data[8:12] == b"M4B "  # the audiobook brand


def test_mp3_has_chap_frames_an_ordered_top_level_ctoc_and_the_cover(built: BuildReport) -> None:
    tags = ID3(built.result.mp3)
    assert tags.version == (2, 3, 0)
    (toc,) = tags.getall("CTOC")
    assert toc.flags & CTOCFlags.TOP_LEVEL and toc.flags & CTOCFlags.ORDERED
    chaps = {f.element_id: f for f in tags.getall("CHAP")}
    assert [chaps[e].sub_frames["TIT2"].text[0] for e in toc.child_element_ids] == TITLES
    assert tags.getall("APIC")[0].mime == "image/jpeg"


def test_episodes_are_tagged_and_at_the_podcast_loudness(built: BuildReport) -> None:
    meter = pyloudnorm.Meter(44100)
    for chapter in built.result.chapters:
        tags = ID3(chapter.episode)
        assert str(tags["TIT2"]) == chapter.title and str(tags["TALB"]) == "A Tiny Book"
        assert str(tags["TPE1"]) == "Test Writer" and str(tags["TRCK"]) == f"{chapter.number}/3"
        assert tags.getall("APIC")
        info = MP3(chapter.episode).info
        assert (info.sample_rate, info.bitrate) == (22050, 64000)  # the voice's own rate
        audio = decode(chapter.episode).astype(np.float64)
        assert abs(meter.integrated_loudness(audio) - (-16.0)) <= 1.0
        true_peak = 20 * np.log10(np.max(np.abs(resample_poly(audio, 4, 1))))
        assert true_peak <= -1.0


def test_cues_are_the_sentences_in_order(built: BuildReport) -> None:
    second = built.result.chapters[1]
    assert [c.text for c in second.cues] == LETTER
    for chapter in built.result.chapters:
        times = [t for c in chapter.cues for t in (c.start, c.end)]
        assert times == sorted(times) and times[-1] < chapter.duration


def test_manifest_reloads_the_result(built: BuildReport) -> None:
    assert load_manifest(built.result.out_dir) == built.result


def mtimes(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in sorted(out.rglob("*")) if p.is_file()}


def test_a_rebuild_with_nothing_changed_makes_nothing(book_copy: Path) -> None:
    first = build(load_book(book_copy), jobs=1)
    before = mtimes(first.result.out_dir)
    again = build(load_book(book_copy), jobs=1)
    assert (again.encoded, again.episodes_written, again.book_written, again.synth.made) == ((), (), False, 0)
    assert again.reused == (1, 2, 3)
    assert mtimes(again.result.out_dir) == before
    assert again.result == first.result


def test_editing_one_paragraph_re_encodes_exactly_one_chapter(book_copy: Path) -> None:
    build(load_book(book_copy), jobs=1)
    script = book_copy / "02-a-letter.md"
    script.write_text(script.read_text().replace("slowly", "twice over"))
    report = build(load_book(book_copy), jobs=1)
    assert report.encoded == (2,) and report.reused == (1, 3)
    assert report.synth.made == 1 and report.units_made == 1  # one clip, one unit: the rest is reused
    assert report.episodes_written == (2,) and report.book_written
    assert "She read the letter twice over." in [c.text for c in report.result.chapters[1].cues]
    starts = true_starts(report)
    assert np.allclose([c.start for c in ffmetadata_chapters(report.result.m4b)], starts, atol=TOLERANCE, rtol=0)
    assert np.allclose([c.start for c in ffmetadata_chapters(report.result.mp3)], starts, atol=TOLERANCE, rtol=0)


def test_a_subset_builds_quickly_and_the_rest_follows(book_copy: Path) -> None:
    preview = build(load_book(book_copy), jobs=1, chapters=[1, 3])
    assert [c.title for c in preview.result.chapters] == ["The First Morning", "The End"]
    assert [c.title for c in ffmetadata_chapters(preview.result.m4b)] == ["The First Morning", "The End"]
    full = build(load_book(book_copy), jobs=1)
    assert full.encoded == (2,) and full.reused == (1, 3)
    assert [c.title for c in ffmetadata_chapters(full.result.mp3)] == TITLES


def test_outputs_the_book_no_longer_makes_are_removed(book_copy: Path) -> None:
    first = build(load_book(book_copy), jobs=1)
    (book_copy / "03-the-end.md").rename(book_copy / "03-finale.md")
    toml = book_copy / "book.toml"
    toml.write_text(toml.read_text().replace('"A Tiny Book"', '"A Renamed Book"'))
    second = build(load_book(book_copy), jobs=1)
    out = second.result.out_dir
    assert second.encoded == () and second.book_written  # same audio: only tags and names changed
    assert not first.result.m4b.exists() and not first.result.mp3.exists()
    assert not (out / "episodes" / "03-the-end.mp3").exists() and (out / "episodes" / "03-finale.mp3").is_file()
    assert sorted(p.name for p in out.glob("*.m4b")) == ["a-renamed-book.m4b"]


def test_an_interrupted_rebuild_keeps_the_previous_outputs(book_copy: Path, monkeypatch) -> None:
    first = build(load_book(book_copy), jobs=1)
    out = first.result.out_dir
    before = {name: (out / name).read_bytes() for name in mtimes(out)}
    script = book_copy / "03-the-end.md"
    script.write_text("# The End\n\nThat was really all.\n")
    from narration.audio import encode

    real_encode_aac = encode.encode_aac

    def interrupted(*args, **kwargs):  # Ctrl-C arrives while the new unit is being encoded
        raise KeyboardInterrupt

    monkeypatch.setattr(encode, "encode_aac", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(load_book(book_copy), jobs=1)
    assert {name: (out / name).read_bytes() for name in mtimes(out)} == before  # nothing lost, no temp files
    monkeypatch.setattr(encode, "encode_aac", real_encode_aac)
    resumed = build(load_book(book_copy), jobs=1)
    assert resumed.encoded == (3,) and resumed.synth.made == 0 and resumed.units_made == 1


def test_a_chapter_whose_encode_overshoots_the_peak_limit_is_mastered_again(
    book_copy: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import dataclasses

    from narration.audio import profiles

    # A limiter at 0 dBTP leaves the codec no headroom: the first encode breaks the -1 dBTP limit.
    loose = dataclasses.replace(profiles.PROFILES["podcast"], ceiling=0.0)
    monkeypatch.setitem(profiles.PROFILES, "podcast", loose)
    with caplog.at_level("INFO", logger="narration.audio.units"):
        report = build(load_book(book_copy), jobs=1, chapters=[1])
    assert "overshot the peak limit" in caplog.text
    audio = decode(report.result.chapters[0].episode).astype(np.float64)
    assert 20 * np.log10(np.max(np.abs(resample_poly(audio, 4, 1)))) <= -1.0


def test_a_clip_damaged_in_place_is_caught_when_read_and_made_again(tmp_path: Path) -> None:
    """Clips are not flushed to disk when written: one a power cut left with its size and time but
    not its content is caught by its checksum when a unit is made from it, then made again."""
    scripts = make_book(tmp_path, tmp_path / "clips")
    first = build(load_book(scripts), jobs=1, chapters=[3])
    wav = next(iter(first.synth.sections.values()))[0].path
    stat = wav.stat()
    data = bytearray(wav.read_bytes())
    data[2000:2100] = bytes(100)
    wav.write_bytes(bytes(data))
    os.utime(wav, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same time: looks intact
    for entry in (tmp_path / ".narration" / "build").glob("*"):
        entry.unlink()  # the units must be made again from the clips
    with pytest.raises(CacheError, match="is damaged .checksum differs.; it was removed"):
        build(load_book(scripts), jobs=1, chapters=[3])
    again = build(load_book(scripts), jobs=1, chapters=[3])
    assert again.synth.made == 1 and again.units_made >= 1
