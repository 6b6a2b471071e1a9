"""`narration build`: success, and each kind of bad input gives a clear message and a non-zero exit."""

from __future__ import annotations

from pathlib import Path

import pytest
from audio_support import make_book
from click.testing import CliRunner, Result
from PIL import Image

from narration.cli import cli


@pytest.fixture(scope="module")
def clip_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clips")


@pytest.fixture
def scripts(tmp_path: Path, clip_cache: Path) -> Path:
    return make_book(tmp_path, clip_cache)


def run(scripts: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    out = scripts.parent / "output"
    command = ["build", "--scripts", str(scripts), "--out", str(out), "--jobs", "1", *args]
    return CliRunner().invoke(cli, command, env=env)


def assert_fails(result: Result, *phrases: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in result.output, result.output


def test_build_makes_the_audiobook_and_publishes_it(scripts: Path) -> None:
    result = run(scripts, "--chapters", "1-2", "--base-url", "https://example.org/book/")
    assert result.exit_code == 0, result.output
    out = scripts.parent / "output"
    assert "a-tiny-book.m4b" in result.output and "2 mastered" in result.output
    for name in ("a-tiny-book.m4b", "a-tiny-book.mp3", "episodes/01-the-first-morning.mp3", "feed.xml", ".build.json"):
        assert (out / name).is_file(), name
    assert "https://example.org/book/" in (out / "feed.xml").read_text()
    again = run(scripts, "--chapters", "1-2", "--base-url", "https://example.org/book/")
    assert again.exit_code == 0 and "0 mastered" in again.output and "(unchanged)" in again.output


def test_help_shows_an_example() -> None:
    result = CliRunner().invoke(cli, ["build", "--help"])
    assert result.exit_code == 0 and "narration build --chapters 1-3" in result.output


def test_building_with_piper_needs_no_ffmpeg_program(scripts: Path) -> None:
    """Encoding runs in-process (LAME, libavcodec): the ffmpeg program is only needed by gTTS."""
    result = run(scripts, "--chapters", "3", env={"NARRATION_FFMPEG": "/nonexistent"})
    assert result.exit_code == 0, result.output


def test_a_sample_rate_mp3_cannot_carry(scripts: Path) -> None:
    toml = scripts / "book.toml"
    toml.write_text(toml.read_text() + "\n[audio]\nsample_rate = 12345\n")
    assert_fails(run(scripts, "--chapters", "3"), "sample_rate 12345 Hz cannot be carried by MP3", "22050")


def test_a_chosen_sample_rate_is_used(scripts: Path) -> None:
    toml = scripts / "book.toml"
    toml.write_text(toml.read_text() + "\n[audio]\nsample_rate = 44100\n")
    assert run(scripts, "--chapters", "3").exit_code == 0
    from mutagen.mp3 import MP3

    assert MP3(scripts.parent / "output" / "episodes" / "03-the-end.mp3").info.sample_rate == 44100


def test_unwritable_output_folder(scripts: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(cli, ["build", "--scripts", str(scripts), "--out", str(blocker / "output")])
    assert_fails(result, "cannot write to the output folder", str(blocker / "output"))


def test_cover_of_the_wrong_size(scripts: Path) -> None:
    Image.new("RGB", (1000, 1000), (10, 20, 30)).save(scripts / "cover.jpg")
    assert_fails(run(scripts), "cover.jpg", "1400-3000 px", "1000x1000")


def test_cover_that_is_not_an_image(scripts: Path) -> None:
    (scripts / "cover.png").write_text("this is not a picture")
    assert_fails(run(scripts), "cover.png", "not a readable image")


def test_a_chapter_with_no_text(scripts: Path) -> None:
    (scripts / "04-empty.md").write_text("# Empty\n\n## Only a heading\n")
    assert_fails(run(scripts), "04-empty.md", "no text to narrate")


def test_unknown_profile(scripts: Path) -> None:
    assert_fails(run(scripts, "--profile", "loud"), "unknown audio profile 'loud'", "podcast, acx")


def test_unknown_profile_in_book_toml(scripts: Path) -> None:
    toml = scripts / "book.toml"
    toml.write_text(toml.read_text() + '\n[audio]\nprofile = "broadcast"\n')
    assert_fails(run(scripts), "unknown audio profile 'broadcast'")


def test_a_bad_base_url_is_refused_before_any_audio_is_made(tmp_path) -> None:
    from click.testing import CliRunner

    from narration.cli import cli

    out = tmp_path / "out"
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "01-one.md").write_text("# One\n\nHello.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "--scripts", str(scripts), "--out", str(out), "--base-url", "ftp://x"])
    assert result.exit_code == 1
    assert "not an http:// or https:// address" in result.output
    assert not out.exists()
