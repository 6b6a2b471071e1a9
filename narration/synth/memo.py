"""How each text of a book was cut into pieces, kept on disk so a new process re-plans only what changed.

Planning a text (:func:`~narration.synth.plan.make_pieces`: sentences, spoken form, clip keys) is a
pure function of the text, the :class:`~narration.synth.plan.Speech` and the code that does it. The
memo keys each text's pieces by a digest of all three (the code by the source of the modules that
plan and of the spoken form, and the version of num2words), in ``<book>/.narration/plan.json``; a
rebuild of an unchanged book plans nothing and does not even import the spoken-form steps. The file
is a cache: written atomically, rewritten only when something new was planned, and a damaged or
missing one is planned again.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
from collections.abc import Iterable
from pathlib import Path

from narration import fsutil
from narration.synth.plan import Piece, Speech, cut_pieces, warn_pieces

log = logging.getLogger(__name__)

MEMO_FILE = ".narration/plan.json"
MEMO_VERSION = "1"
MAX_ENTRIES = 2000  # texts kept beyond those of the last plan (other chapters of a preview, old edits)
_PACKAGE = Path(__file__).resolve().parents[1]
_CODE = ("text/*.py", "synth/plan.py", "synth/cache.py", "synth/takes.py")


@functools.cache
def code_digest() -> str:
    """A digest of the code that plans a text: its modules' source and num2words' version."""
    sources = sorted(path for pattern in _CODE for path in _PACKAGE.glob(pattern))
    return fsutil.digest(MEMO_VERSION, *_installed("num2words"), *(p.read_bytes() for p in sources))


def _installed(name: str) -> list[str]:
    """The names of ``name``'s distribution folders beside it (they carry its version), found
    without importing it or reading package metadata (both cost more than the planning saved)."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return []
    return sorted(p.name for p in Path(spec.origin).parents[1].glob(f"{name}-*.*-info"))


def _encode(pieces: Iterable[Piece], dropped: Iterable[str]) -> dict:
    return {
        "pieces": [[p.key, list(p.written), list(p.spoken), p.take, p.first_key] for p in pieces],
        "dropped": sorted(dropped),
    }


def _decode(entry: dict) -> tuple[tuple[Piece, ...], frozenset[str]]:
    pieces = tuple(Piece(k, tuple(w), tuple(s), t, f) for k, w, s, t, f in entry["pieces"])
    return pieces, frozenset(entry["dropped"])


class PlanMemo:
    """The memo of one book (``root``); :meth:`pieces` is :func:`~narration.synth.plan.make_pieces`
    through it, :meth:`save` writes what was planned anew."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / MEMO_FILE
        self.entries: dict[str, dict] = {}
        self.used: set[str] = set()
        self.added = 0
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("code") == code_digest():
                self.entries = data["entries"]
        except (OSError, ValueError, KeyError, TypeError):
            log.debug("no usable plan memo at %s", self.path)

    def pieces(self, text: str, speech: Speech, where: str) -> tuple[Piece, ...]:
        key = fsutil.digest(speech.memo_key, text)
        entry = self.entries.get(key)
        try:
            found = _decode(entry) if entry is not None else None
        except (KeyError, TypeError, ValueError):
            found = None
        if found is None:
            found = cut_pieces(text, speech)
            self.entries[key] = _encode(*found)
            self.added += 1
        self.used.add(key)
        return warn_pieces(text, *found, where)

    def save(self) -> None:
        """Write the memo if something was planned anew (the texts of this plan first); a folder
        that cannot be written keeps no memo (the next run plans again)."""
        if not self.added:
            return
        kept = {k: v for k, v in self.entries.items() if k in self.used}
        for key, entry in self.entries.items():
            if len(kept) >= len(self.used) + MAX_ENTRIES:
                break
            kept.setdefault(key, entry)
        data = json.dumps({"code": code_digest(), "entries": kept}, ensure_ascii=False, separators=(",", ":"))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fsutil.write_text(self.path, data, durable=False)
        except OSError as exc:
            log.debug("cannot keep the plan memo %s: %s", self.path, exc)
        self.added = 0
