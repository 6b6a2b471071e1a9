"""The cover: a given one is checked, otherwise one is generated with the title and the author."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from narration.audio.cover import check_cover, find_cover, generate_cover, render_cover
from narration.errors import CoverError


def image(path: Path, size: tuple[int, int], mode: str = "RGB", fmt: str | None = None) -> Path:
    Image.new(mode, size).save(path, fmt)
    return path


@pytest.mark.parametrize(("name", "size"), [("cover.jpg", 1400), ("cover.png", 3000)])
def test_a_good_cover_is_accepted(tmp_path: Path, name: str, size: int) -> None:
    cover = check_cover(image(tmp_path / name, (size, size)))
    assert cover.mime == ("image/png" if name.endswith("png") else "image/jpeg") and len(cover.digest) == 64
    assert find_cover(tmp_path) == tmp_path / name


@pytest.mark.parametrize(
    ("size", "mode", "fmt", "message"),
    [
        ((1000, 1000), "RGB", "JPEG", "square of 1400-3000 px; this one is 1000x1000"),
        ((3200, 3200), "RGB", "PNG", "this one is 3200x3200"),
        ((1400, 1500), "RGB", "JPEG", "this one is 1400x1500"),
        ((1400, 1400), "RGBA", "PNG", "must be RGB .* this one is RGBA"),
        ((1400, 1400), "CMYK", "JPEG", "this one is CMYK"),
        ((1400, 1400), "RGB", "GIF", "JPEG or PNG image, not GIF"),
    ],
)
def test_a_bad_cover_says_what_is_wrong(tmp_path: Path, size, mode, fmt, message) -> None:
    path = image(tmp_path / "cover.jpg", size, mode, fmt)
    with pytest.raises(CoverError, match=message):
        check_cover(path)


def test_a_file_that_is_not_an_image(tmp_path: Path) -> None:
    (tmp_path / "cover.png").write_bytes(b"\x89PNG but not really")
    with pytest.raises(CoverError, match="cover.png: not a readable image"):
        check_cover(tmp_path / "cover.png")


def test_a_truncated_image(tmp_path: Path) -> None:
    path = image(tmp_path / "cover.jpg", (1400, 1400))
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(CoverError, match="not a readable image"):
        check_cover(path)


def test_a_generated_cover_passes_the_checks_and_shows_text(tmp_path: Path) -> None:
    cover = generate_cover("A Rather Long Title That Has To Wrap Over Lines", "Some Author", tmp_path / "c.jpg")
    checked = check_cover(cover.path)
    assert checked.mime == "image/jpeg"
    with Image.open(cover.path) as picture:
        pixels = np.asarray(picture.convert("L"), dtype=np.int16)
    background = pixels[5, 5]
    title_band, author_band = pixels[350:800, 140:1260], pixels[1060:1160, 140:1260]
    assert np.mean(np.abs(title_band - background) > 80) > 0.05  # light text on a dark ground
    assert np.mean(np.abs(author_band - background) > 80) > 0.01


def test_generation_is_deterministic_and_depends_on_the_title() -> None:
    assert render_cover("One", "A") == render_cover("One", "A")
    assert render_cover("One", "A") != render_cover("Two", "A")
