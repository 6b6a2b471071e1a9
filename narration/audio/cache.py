"""The per-chapter build cache: ``<root>/.narration/build/<key>.{mp3,aac,json}``.

``key`` is a digest of everything a chapter's master and encodes are made from (see
:func:`narration.audio.build.chapter_key`). The JSON sidecar is written last and records the
encodes' sizes, so an entry whose files are missing or truncated is not used.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from narration import fsutil
from narration.audio import codec
from narration.audio.types import Cue
from narration.errors import AudioError

log = logging.getLogger(__name__)

SIDECAR_VERSION = 1


@dataclass(frozen=True)
class Rendered(codec.FrameDurations):
    """A chapter's cached encodes and what is known about them."""

    key: str
    mp3: Path  # raw MP3 frames
    aac: Path  # ADTS
    mp3_frames: int
    aac_frames: int
    cues: tuple[Cue, ...]  # seconds from the start of the episode
    levels: dict[str, float]  # measurements of the encoded episode


class ChapterCache:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def paths(self, key: str) -> tuple[Path, Path, Path]:
        return self.root / f"{key}.mp3", self.root / f"{key}.aac", self.root / f"{key}.json"

    def prepare(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AudioError(f"cannot create the build cache {self.root}: {exc.strerror or exc}") from exc

    def lookup(self, key: str) -> Rendered | None:
        """The cached chapter for ``key``, if complete and intact."""
        mp3, aac, sidecar = self.paths(key)
        try:
            data = json.loads(sidecar.read_text(encoding="utf-8"))
            if data.get("version") != SIDECAR_VERSION:
                return None
            if mp3.stat().st_size != data["mp3_bytes"] or aac.stat().st_size != data["aac_bytes"]:
                log.info("cached chapter %s is damaged; making it again", key[:12])
                return None
            cues = tuple(Cue(float(s), float(e), str(t)) for s, e, t in data["cues"])
            return Rendered(key, mp3, aac, int(data["mp3_frames"]), int(data["aac_frames"]), cues, data["levels"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def store(self, rendered: Rendered) -> None:
        """Record a chapter whose encodes are already in place (the sidecar commits the entry)."""
        data = {
            "version": SIDECAR_VERSION,
            "mp3_frames": rendered.mp3_frames,
            "aac_frames": rendered.aac_frames,
            "mp3_bytes": rendered.mp3.stat().st_size,
            "aac_bytes": rendered.aac.stat().st_size,
            "levels": rendered.levels,
            "cues": [[round(c.start, 6), round(c.end, 6), c.text] for c in rendered.cues],
        }
        fsutil.write_text(self.paths(rendered.key)[2], json.dumps(data, ensure_ascii=False))

    def prune(self, keep: set[str]) -> int:
        """Remove the entries not in ``keep``; how many were removed."""
        stale = {
            path
            for path in self.root.glob("*")
            if path.suffix in (".mp3", ".aac", ".json") and not path.name.startswith(".") and path.stem not in keep
        }
        for path in stale:
            path.unlink(missing_ok=True)
        return len({path.stem for path in stale})
