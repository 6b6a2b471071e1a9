"""Spoken-form normalisation. (Stub: to be replaced by the spoken-form work.)"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def to_spoken(text: str, lexicon: Mapping[str, str] | None = None) -> str:
    """What the engine receives for ``text`` (the script keeps the written form)."""
    return text


def load_lexicon(scripts_dir: Path) -> dict[str, str]:
    return {}
