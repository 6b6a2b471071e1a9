"""The EPUB's ZIP writer: what zipfile reads back is what was given, the mimetype first and stored,
a stored file's CRC made again when the file is rewritten, and too large a book left to zipfile."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from narration.publish.epub import zipout
from narration.publish.epub.zipout import Member, write_zip


def read_back(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        return {info.filename: archive.read(info) for info in archive.infolist()}


def sample(tmp_path: Path) -> list[Member]:
    audio = tmp_path / "one.mp3"
    audio.write_bytes(os.urandom(200_000))
    text = ("<p>Hello, world. Ça va ?</p>" * 500).encode("utf-8")
    return [
        Member("mimetype", b"application/epub+zip"),
        Member("OEBPS/text/one.xhtml", text),
        Member("OEBPS/audio/one.mp3", source=audio),
        Member("OEBPS/empty.txt", b""),
    ]


def test_members_read_back_in_order_mimetype_first_and_stored(tmp_path: Path) -> None:
    members = sample(tmp_path)
    write_zip(tmp_path / "book.epub", members)
    found = read_back(tmp_path / "book.epub")
    expected = {m.name: m.data if m.data is not None else Path(m.source).read_bytes() for m in members}
    assert list(found) == [m.name for m in members] and found == expected
    with zipfile.ZipFile(tmp_path / "book.epub") as archive:
        first, text, audio, _ = archive.infolist()
        assert (first.compress_type, first.extra, first.header_offset) == (zipfile.ZIP_STORED, b"", 0)
        assert text.compress_type == zipfile.ZIP_DEFLATED and text.compress_size < text.file_size
        assert audio.compress_type == zipfile.ZIP_STORED and first.date_time == zipout.ZIP_TIME
    assert (tmp_path / "book.epub").read_bytes()[30:58] == b"mimetypeapplication/epub+zip"


def test_a_rewritten_source_gets_its_new_crc(tmp_path: Path) -> None:
    members = sample(tmp_path)
    write_zip(tmp_path / "book.epub", members)
    audio = Path(members[2].source)
    replacement = tmp_path / "new.mp3"
    replacement.write_bytes(os.urandom(200_000))  # same size, new content, written by rename
    os.replace(replacement, audio)
    write_zip(tmp_path / "book.epub", members)
    assert read_back(tmp_path / "book.epub")["OEBPS/audio/one.mp3"] == audio.read_bytes()


def test_equal_inputs_give_equal_bytes_and_a_large_book_goes_to_zipfile(tmp_path: Path, monkeypatch) -> None:
    members = sample(tmp_path)
    write_zip(tmp_path / "a.epub", members)
    write_zip(tmp_path / "b.epub", members)
    assert (tmp_path / "a.epub").read_bytes() == (tmp_path / "b.epub").read_bytes()
    monkeypatch.setattr(zipout, "_LIMIT", 1000)  # as if the members added up to 4 GiB
    write_zip(tmp_path / "c.epub", members)
    assert read_back(tmp_path / "c.epub") == read_back(tmp_path / "a.epub")


def test_a_missing_source_fails_and_keeps_the_old_archive(tmp_path: Path) -> None:
    members = sample(tmp_path)
    target = tmp_path / "book.epub"
    target.write_bytes(b"previous")
    Path(members[2].source).unlink()
    with pytest.raises(OSError):
        write_zip(target, members)
    assert target.read_bytes() == b"previous"
