"""The cover: ``scripts/cover.jpg`` (or ``.png``) when there is one, else a generated one.

A given cover must be what podcast directories and audiobook stores accept (:mod:`narration.coverart`:
a square JPEG or PNG of 1400-3000 px in RGB); one that is not is an error. A generated cover is a
1400 px square JPEG with the title and the author.
"""

from __future__ import annotations

import colorsys
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from narration import fsutil
from narration.coverart import check_image
from narration.errors import CoverError

log = logging.getLogger(__name__)

COVER_NAMES = ("cover.jpg", "cover.jpeg", "cover.png")
GENERATED_PX = 1400
GENERATOR_VERSION = "1"


@dataclass(frozen=True)
class Cover:
    path: Path
    mime: str  # image/jpeg or image/png
    digest: str  # of the file's bytes


def find_cover(scripts_dir: Path) -> Path | None:
    for name in COVER_NAMES:
        if (Path(scripts_dir) / name).is_file():
            return Path(scripts_dir) / name
    return None


def check_cover(path: Path) -> Cover:
    """A given cover, checked (every pixel read); :class:`CoverError` saying what is wrong."""
    return Cover(Path(path), check_image(path), fsutil.sha256_file(path))


def generated_key(title: str, author: str) -> str:
    return fsutil.digest("cover", GENERATOR_VERSION, title, author)


def _background(title: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """A muted colour picked from the title, and a light ink for the text."""
    hue = int(fsutil.digest(title)[:4], 16) / 0xFFFF
    r, g, b = colorsys.hls_to_rgb(hue, 0.22, 0.45)
    return (int(r * 255), int(g * 255), int(b * 255)), (245, 240, 228)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _fit(
    draw: ImageDraw.ImageDraw, text: str, width: int, height: int, largest: int
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest font (``largest`` px down) at which ``text`` wraps into the box."""
    for size in range(largest, 30, -4):
        font = _font(size)
        lines = _wrap(draw, text, font, width)
        if all(draw.textlength(line, font=font) <= width for line in lines) and len(lines) * size * 1.25 <= height:
            return font, lines
    font = _font(30)
    return font, _wrap(draw, text, font, width)


def _font(size: int) -> ImageFont.FreeTypeFont:
    """Pillow's own scalable font at ``size`` px (a Pillow built without FreeType has only a bitmap font)."""
    font = ImageFont.load_default(size=size)
    if not isinstance(font, ImageFont.FreeTypeFont):
        raise CoverError("cannot draw a cover: this Pillow has no FreeType; add scripts/cover.jpg")
    return font


def render_cover(title: str, author: str, size: int = GENERATED_PX) -> bytes:
    """A square JPEG with the title (large, wrapped) and the author."""
    background, ink = _background(title)
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    margin = size // 10
    y = size * 0.28
    font, lines = _fit(draw, title, size - 2 * margin, size * 2 // 5, size // 12)
    for line in lines:
        draw.text((margin, y), line, font=font, fill=ink)
        y += font.size * 1.25
    draw.line([(margin, size * 0.72), (size - margin, size * 0.72)], fill=ink, width=max(2, size // 350))
    font, lines = _fit(draw, author, size - 2 * margin, size // 6, size // 22)
    y = size * 0.76
    for line in lines:
        draw.text((margin, y), line, font=font, fill=ink)
        y += font.size * 1.25
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def generate_cover(title: str, author: str, target: Path) -> Cover:
    """Write a generated cover to ``target`` (atomically); its digest is its generator key."""
    data = render_cover(title, author)
    try:
        fsutil.write_bytes(target, data)
    except OSError as exc:
        raise CoverError(f"cannot write the cover {target}: {exc.strerror or exc}") from exc
    return Cover(Path(target), "image/jpeg", generated_key(title, author))
