"""What a cover image must be, decided once: a square JPEG or PNG of 1400-3000 px in RGB, what podcast
directories and audiobook stores accept. A cover that breaks the rule is an error (:class:`CoverError`),
for the audio stage, which embeds the cover, and for publish, which points the feed at it.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, UnidentifiedImageError

from narration.errors import CoverError

MIN_PX, MAX_PX = 1400, 3000
MIME = {"JPEG": "image/jpeg", "PNG": "image/png"}


def check_image(path: Path, *, decode: bool = True) -> str:
    """The cover's MIME type; :class:`CoverError` saying what is wrong with it.

    ``decode``: read every pixel (a truncated file fails), not only the header.
    """
    try:
        with Image.open(path) as image:
            kind, mode, (width, height) = image.format, image.mode, image.size
            if decode:
                image.load()
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise CoverError(f"{path}: not a readable image ({exc})") from exc
    if kind not in MIME:
        raise CoverError(f"{path}: the cover must be a JPEG or PNG image, not {kind}")
    if width != height or not MIN_PX <= width <= MAX_PX:
        raise CoverError(f"{path}: the cover must be a square of {MIN_PX}-{MAX_PX} px; this one is {width}x{height} px")
    if mode != "RGB":
        raise CoverError(f"{path}: the cover must be RGB (no transparency, no CMYK or grey); this one is {mode}")
    return MIME[kind]
