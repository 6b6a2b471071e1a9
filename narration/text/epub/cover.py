"""The EPUB's cover image, made to fit the audio stage's rule (:mod:`narration.audio.cover`).

The rule: a square JPEG or PNG of ``MIN_PX``-``MAX_PX`` pixels in RGB. A cover of another shape is
letterboxed (centred on a background of its own edge colour), never stretched; a small one is
scaled up, a huge one down; transparency is flattened. An SVG cover (or none, or an unreadable
one) gives no file: the audio stage then generates a cover from the title and the author.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from PIL import Image, ImageStat, UnidentifiedImageError

log = logging.getLogger(__name__)

MAX_SOURCE_PIXELS = 60_000_000  # refuse decoding bombs well before Pillow's own limit


@dataclass(frozen=True)
class FittedCover:
    name: str  # cover.jpg or cover.png
    data: bytes
    note: str  # what was done, for the report


def _edge_colour(image: Image.Image) -> tuple[int, int, int]:
    width, height = image.size
    strips = [(0, 0, width, 1), (0, height - 1, width, height), (0, 0, 1, height), (width - 1, 0, width, height)]
    means = [ImageStat.Stat(image.crop(box)).mean for box in strips]
    return tuple(int(sum(m[i] for m in means) / len(means)) for i in range(3))  # type: ignore[return-value]


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def fit_cover(data: bytes, media_type: str) -> FittedCover | str:
    """The cover fitted to the rule, or why there is none (a sentence for the report)."""
    from narration.coverart import MAX_PX, MIN_PX

    if "svg" in media_type:
        return "the cover is an SVG image: a cover is generated from the title instead"
    try:
        with Image.open(io.BytesIO(data)) as source:
            if source.size[0] * source.size[1] > MAX_SOURCE_PIXELS:
                return f"the cover is {source.size[0]}x{source.size[1]} px, too large to read: a cover is generated"
            kind = source.format
            image = _rgb(source)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError) as exc:
        return f"the cover image cannot be read ({exc}): a cover is generated"
    width, height = image.size
    side = min(max(width, height, MIN_PX), MAX_PX)
    scale = min(side / width, side / height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    canvas = Image.new("RGB", (side, side), _edge_colour(image))
    canvas.paste(
        image.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0), ((side - size[0]) // 2, (side - size[1]) // 2)
    )
    buffer = io.BytesIO()
    png = kind == "PNG"
    canvas.save(buffer, "PNG" if png else "JPEG", **({} if png else {"quality": 92}))
    note = f"cover {width}x{height} px -> {side}x{side} px" + (" (letterboxed)" if width != height else "")
    return FittedCover("cover.png" if png else "cover.jpg", buffer.getvalue(), note)
