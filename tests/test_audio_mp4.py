"""The M4B writer (narration.audio.mp4) on real AAC frames from libavcodec's encoder, read back by
ffmpeg, mutagen and the independent atom readers of audio_support."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pytest
from audio_support import (
    atom_payload,
    decode,
    ffmetadata_chapters,
    ffmpeg,
    mp4_atoms,
    nero_chapters,
    quicktime_chapter_starts,
    quicktime_chapter_track,
)
from mutagen.mp4 import MP4, MP4Cover

from narration.audio import mp4
from narration.audio.chapters import Mark, marks
from narration.audio.cover import Cover, generate_cover
from narration.errors import AudioError

RATE = 22050
FRAME = 1024
TONES = [(440.0, 1.0), (660.0, 0.5), (880.0, 1.2), (1100.0, 0.7)]  # Hz, seconds: one part each
TITLES = ["Ünïcödé — 第一章", "a=b; c#d \\ e", "Plain", "The End"]
# ffmpeg's command line says this of the cover picture stream of any MP4 with a covr, its own too
COVER_NOTE = "timescale not set"


@dataclass(frozen=True)
class Book:
    path: Path
    parts: list[mp4.AacPart]
    marks: list[Mark]
    config: bytes
    cover: Cover

    @property
    def frames(self) -> int:
        return sum(len(p.sizes) for p in self.parts)


def encode_tone(path: Path, tone: float, seconds: float) -> tuple[mp4.AacPart, bytes]:
    """``seconds`` of a sine at ``tone`` Hz as raw AAC-LC frames (libavcodec's aac), and its config."""
    ctx = av.CodecContext.create("aac", "w")
    ctx.sample_rate, ctx.layout, ctx.format, ctx.bit_rate = RATE, "mono", "fltp", 64000
    ctx.open()
    signal = 0.3 * np.sin(2 * np.pi * tone * np.arange(round(seconds * RATE)) / RATE)
    signal = np.pad(signal, (0, -len(signal) % FRAME)).astype(np.float32)
    packets = []
    for start in range(0, len(signal), FRAME):
        frame = av.AudioFrame.from_ndarray(signal[start : start + FRAME].reshape(1, -1), format="fltp", layout="mono")
        frame.sample_rate, frame.pts = RATE, start
        packets += ctx.encode(frame)
    packets += ctx.encode(None)
    path.write_bytes(b"".join(bytes(p) for p in packets))
    return mp4.AacPart(path, [p.size for p in packets]), bytes(ctx.extradata)


def write(
    book_dir: Path, name: str, parts: list[mp4.AacPart], config: bytes, chapter_marks: list[Mark], cover: Cover
) -> Path:
    target = book_dir / name
    mp4.write_m4b(
        target, parts, sample_rate=RATE, audio_config=config, bitrate=64000, marks=chapter_marks,
        title="Книга: A Tiny Book", author="Test Writer", cover=cover,
    )  # fmt: skip
    return target


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Book:
    folder = tmp_path_factory.mktemp("m4b")
    encoded = [encode_tone(folder / f"part{n}.aac", tone, s) for n, (tone, s) in enumerate(TONES)]
    parts, config = [p for p, _ in encoded], encoded[0][1]
    chapter_marks = marks(TITLES, [len(p.sizes) * FRAME / RATE for p in parts])
    cover = generate_cover("A Tiny Book", "Test Writer", folder / "cover.jpg")
    return Book(write(folder, "book.m4b", parts, config, chapter_marks, cover), parts, chapter_marks, config, cover)


def test_faststart_layout_and_audiobook_brand(book: Book) -> None:
    atoms, data = mp4_atoms(book.path)
    assert [a.name for a in atoms.atoms] == [b"ftyp", b"moov", b"mdat"]
    ftyp = atom_payload(atoms[b"ftyp",], data)
    assert ftyp[:4] == b"M4B " and {ftyp[i : i + 4] for i in range(8, len(ftyp), 4)} == {
        b"M4B ",
        b"M4A ",
        b"mp42",
        b"isom",
    }
    assert atoms[b"mdat",].offset + atoms[b"mdat",].length == len(data)


def test_ffmpeg_reads_every_chapter_title_and_start(book: Book) -> None:
    chapters = ffmetadata_chapters(book.path)
    assert [c.title for c in chapters] == TITLES
    assert [c.start for c in chapters] == pytest.approx([m.start for m in book.marks], abs=0.001)
    assert chapters[-1].end == pytest.approx(book.frames * FRAME / RATE, abs=0.001)


def test_ffmpeg_reports_nothing_wrong(book: Book) -> None:
    proc = ffmpeg("-v", "warning", "-i", book.path, "-map", "0", "-f", "null", "-")
    problems = [line for line in proc.stderr.decode().splitlines() if COVER_NOTE not in line]
    assert proc.returncode == 0 and problems == []


def test_every_frame_decodes_with_each_part_in_place(book: Book) -> None:
    samples = decode(book.path, RATE)
    assert len(samples) == book.frames * FRAME
    start = 0
    for part, (tone, _) in zip(book.parts, TONES):
        end = start + len(part.sizes) * FRAME
        middle = samples[start + 2 * FRAME : end - 2 * FRAME]  # past the part's priming and its tail
        spectrum = np.abs(np.fft.rfft(middle * np.hanning(len(middle))))
        assert np.argmax(spectrum) * RATE / len(middle) == pytest.approx(tone, abs=RATE / len(middle))
        start = end


def test_itunes_tags_and_cover(book: Book) -> None:
    tags = MP4(book.path).tags
    assert tags["stik"] == [2]
    assert tags["©nam"] == tags["©alb"] == ["Книга: A Tiny Book"]
    assert tags["©ART"] == tags["aART"] == ["Test Writer"]
    assert tags["©gen"] == ["Audiobook"] and tags["©too"] == ["narration"]
    assert bytes(tags["covr"][0]) == book.cover.path.read_bytes()
    assert tags["covr"][0].imageformat == MP4Cover.FORMAT_JPEG


def test_nero_chapters_read_by_mutagen(book: Book) -> None:
    info = MP4(book.path)
    assert [c.title for c in info.chapters] == TITLES
    assert [c.start for c in info.chapters] == pytest.approx([m.start for m in book.marks], abs=1e-6)
    assert [t for _, t in nero_chapters(book.path)] == TITLES
    assert info.info.length == pytest.approx(book.frames * FRAME / RATE, abs=0.001)


def _text_track_flags(path: Path) -> int:
    atoms, data = mp4_atoms(path)
    for track in atoms[b"moov",].findall(b"trak"):
        if atom_payload(track[b"mdia", b"hdlr"], data)[8:12] == b"text":
            return int.from_bytes(atom_payload(track[b"tkhd",], data)[1:4], "big")
    raise AssertionError("no text track")


def test_quicktime_chapter_track(book: Book) -> None:
    assert quicktime_chapter_track(book.path) == ("text", len(TITLES))
    starts = quicktime_chapter_starts(book.path)
    assert starts == pytest.approx([m.start for m in book.marks], abs=0.001)
    assert _text_track_flags(book.path) == 0x2  # in the movie, not enabled: as ffmpeg writes it


def test_300_chapters_in_the_track_255_in_the_nero_list(book: Book, tmp_path: Path) -> None:
    titles = ["é" * 200] + [f"Chapter {n}" for n in range(2, 301)]  # the first is 400 bytes of UTF-8
    total = book.frames * FRAME / RATE
    many = marks(titles, [total / 300] * 300)
    path = write(tmp_path, "many.m4b", book.parts, book.config, many, book.cover)
    nero = nero_chapters(path)  # decodes every title as UTF-8: a title cut mid-character fails here
    assert len(nero) == 255 and [t for _, t in nero[1:]] == titles[1:255]
    assert titles[0].startswith(nero[0][1]) and len(nero[0][1].encode()) <= 255
    assert quicktime_chapter_track(path) == ("text", 300)
    assert quicktime_chapter_starts(path) == pytest.approx([m.start for m in many], abs=0.001)
    assert [c.title for c in ffmetadata_chapters(path)] == titles
    assert len(MP4(path).chapters) == 255
    assert len(decode(path, RATE)) == book.frames * FRAME


def test_a_book_without_chapters_has_no_chapter_track(book: Book, tmp_path: Path) -> None:
    path = write(tmp_path, "plain.m4b", book.parts, book.config, [], book.cover)
    atoms, _ = mp4_atoms(path)
    assert len(list(atoms[b"moov",].findall(b"trak"))) == 1
    assert ffmetadata_chapters(path) == [] and MP4(path).tags["stik"] == [2]
    assert len(decode(path, RATE)) == book.frames * FRAME


def test_a_part_whose_sizes_do_not_match_its_file_fails_and_keeps_the_book(book: Book, tmp_path: Path) -> None:
    target = tmp_path / "book.m4b"
    target.write_bytes(b"previous")
    broken = mp4.AacPart(book.parts[1].path, list(book.parts[1].sizes)[:-1])
    with pytest.raises(AudioError, match="part1.aac"):
        write(tmp_path, "book.m4b", [book.parts[0], broken], book.config, book.marks[:2], book.cover)
    assert target.read_bytes() == b"previous" and [p.name for p in tmp_path.iterdir()] == ["book.m4b"]


def test_offsets_past_4_gib_use_co64_and_a_64_bit_mdat() -> None:
    small, large = np.array([40, 2**32 - 1]), np.array([40, 2**32])
    assert mp4._chunk_offsets(small)[4:8] == b"stco"
    assert mp4._chunk_offsets(large)[4:8] == b"co64"
    assert mp4._chunk_offsets(large)[-8:] == struct.pack(">Q", 2**32)
    assert mp4._mdat_header(100) == struct.pack(">I4s", 108, b"mdat")
    assert mp4._mdat_header(2**32) == struct.pack(">I4sQ", 1, b"mdat", 2**32 + 16)
