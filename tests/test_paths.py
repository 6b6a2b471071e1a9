"""Paths of the output folder's files, as they are recorded and linked."""

from __future__ import annotations

from pathlib import Path

from narration.paths import recorded_path, relative_path


def test_a_file_inside_is_relative_and_posix_even_through_a_link(tmp_path: Path) -> None:
    out = tmp_path / "output"
    (out / "episodes").mkdir(parents=True)
    (tmp_path / "link").symlink_to(out)
    assert relative_path(out / "episodes" / "01-a.mp3", out) == "episodes/01-a.mp3"
    assert relative_path(tmp_path / "link" / "book.m4b", out) == "book.m4b"
    assert recorded_path(out / "episodes" / ".." / "book.mp3", out) == "book.mp3"


def test_a_file_outside_has_no_relative_path_and_is_recorded_absolute(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.mkdir()
    cover = tmp_path / "scripts" / "cover.jpg"
    assert relative_path(cover, out) is None
    assert recorded_path(cover, out) == str(cover.resolve())
    assert relative_path(tmp_path / "output-old" / "x.mp3", out) is None  # a sibling sharing the prefix
