"""Takes: other renditions of a piece, and the book's record of which one it uses.

A piece is first spoken as take 1, whose key is the piece's content key (:func:`clip_key`), as it
always was. ``narration check --fix`` may speak a piece again (the voice is not deterministic):
take ``n > 1`` has its own key, derived from the take-1 key and ``n``, so it sits in the clip cache
beside the first take and its encodes are cached apart. The take the book uses is written down
in ``.narration/takes.json`` beside ``scripts/`` (take-1 key -> take number, only for pieces that
use a re-take); the plan consults it, so synthesis, ``status``, the build and ``check`` all use
the chosen take. An entry whose take-1 key the book no longer has is simply never looked up.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path

from narration import fsutil
from narration.errors import CacheError
from narration.synth.cache import KEY_CHARS

log = logging.getLogger(__name__)

TAKES_FILE = Path(".narration") / "takes.json"
VERSION = 1


def take_key(first_key: str, take: int) -> str:
    """The clip key of take ``take`` of the piece whose first take has key ``first_key``."""
    if take < 1:
        raise ValueError(f"takes count from 1, not {take}")
    if take == 1:
        return first_key
    return fsutil.digest("take", first_key, str(take))[:KEY_CHARS]


def takes_path(root: Path) -> Path:
    """Where the book whose project folder is ``root`` records its chosen takes."""
    return Path(root) / TAKES_FILE


def load_takes(root: Path) -> dict[str, int]:
    """The chosen takes (take-1 key -> take number > 1) of the book at ``root``; {} when none.

    A damaged record is ignored with a warning (every piece then uses its first take).
    """
    path = takes_path(root)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("%s cannot be read (%s); every clip uses its first take", path, exc)
        return {}
    takes = data.get("takes") if isinstance(data, dict) else None
    if not isinstance(takes, dict):
        log.warning("%s is not a takes record; every clip uses its first take", path)
        return {}
    return {str(k): int(v) for k, v in takes.items() if isinstance(v, int) and v > 1}


def save_takes(root: Path, takes: Mapping[str, int]) -> None:
    """Write the record (atomically); take-1 entries are left out."""
    path = takes_path(root)
    chosen = {key: take for key, take in sorted(takes.items()) if take > 1}
    try:
        fsutil.write_text(path, json.dumps({"version": VERSION, "takes": chosen}, indent=1) + "\n")
    except OSError as exc:
        raise CacheError(f"cannot write the takes record {path}: {exc.strerror or exc}") from exc
