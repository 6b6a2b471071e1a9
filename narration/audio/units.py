"""Units: one clip with its pauses, mastered, encoded (MP3 and AAC), verified and cached on its own.

A unit's key is a digest of everything it is made from (the clip, its pauses, the profile), so an
edit to one paragraph makes one new unit and every other unit of the book is reused as it is. Each
unit's MP3 is decoded and measured when it is made (peaks checked at once; the figures a chapter's
check needs are kept, see :mod:`narration.audio.levels`).

The build cache holds ``<key>.mp3`` (raw MP3 frames), ``<key>.aac`` (raw AAC access units) and
``<key>.json`` (frame counts and sizes, cues, levels), the sidecar written last: an entry whose
files are missing or truncated is made again.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from narration import fsutil
from narration.audio import codec
from narration.audio.layout import UnitLayout
from narration.audio.levels import UnitLevels
from narration.audio.profiles import Profile
from narration.audio.types import Cue
from narration.errors import AudioError, LevelsError

log = logging.getLogger(__name__)

UNIT_VERSION = "3"  # bump when mastering or encoding changes: every unit is made again
SIDECAR_VERSION = 1
HEADROOM_RETRIES = 2  # re-masterings of a unit whose encode overshot the peak limit
HEADROOM_MARGIN_DB = 0.5  # extra headroom given on each retry, beyond the overshoot measured
SILENCE = "silence"  # name of the cached silent AAC frames
SPEECH_MARGIN = 0.05  # seconds after the last word the AAC encode keeps at least


@dataclass(frozen=True)
class Unit:
    """A unit's cached encodes and what is known about them."""

    key: str
    mp3: Path  # raw MP3 frames
    aac: Path  # raw AAC access units
    timing: codec.Timing
    aac_sizes: tuple[int, ...]
    aac_config: bytes  # AudioSpecificConfig
    cues: tuple[Cue, ...]  # seconds from the start of the decoded unit
    levels: UnitLevels


def unit_key(layout: UnitLayout, profile: Profile) -> str:
    """Digest of everything a unit's encodes are made from."""
    clip = layout.clip
    made_of = {
        "clip": [clip.key, clip.sample_rate, [[s.start, s.text] for s in clip.sentences]],
        "layout": [layout.lead_ms, layout.gap_ms, layout.sentence_ms, layout.last],
        "profile": _profile_fields(profile),
    }
    return fsutil.digest("unit", UNIT_VERSION, json.dumps(made_of, sort_keys=True, ensure_ascii=False))[:32]


@functools.lru_cache(maxsize=16)
def _profile_fields(profile: Profile) -> dict:
    """``asdict(profile)``, once per profile (a book has hundreds of units; do not mutate it)."""
    return dataclasses.asdict(profile)


class UnitCache:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def paths(self, key: str) -> tuple[Path, Path, Path]:
        return self.root / f"{key}.mp3", self.root / f"{key}.aac", self.root / f"{key}.json"

    def prepare(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AudioError(f"cannot create the build cache {self.root}: {exc.strerror or exc}") from exc

    def lookup(self, key: str) -> Unit | None:
        """The cached unit for ``key``, if complete and intact (three stats; the sidecar is read
        once per version of the entry, see :func:`_load_unit`)."""
        stem = os.path.join(self.root, key)  # strings: a build looks up every unit of the book
        try:
            meta = os.stat(stem + ".json")
            mp3_size, aac_size = os.stat(stem + ".mp3").st_size, os.stat(stem + ".aac").st_size
        except OSError:
            return None
        return _load_unit(str(self.root), key, meta.st_mtime_ns, meta.st_size, mp3_size, aac_size)

    def store(self, key: str, mp3: bytes, aac: bytes, unit: Unit) -> None:
        """Write a unit's encodes, then its sidecar (which commits the entry).

        Atomically but not flushed to disk: a killed build leaves whole entries or none, and an
        entry lost to a power cut is made again (its sizes no longer match its sidecar).
        """
        fsutil.write_bytes(unit.mp3, mp3, durable=False)
        fsutil.write_bytes(unit.aac, aac, durable=False)
        data = {
            "version": SIDECAR_VERSION,
            "rate": unit.timing.rate,
            "mp3_frames": unit.timing.mp3_frames,
            "mp3_bytes": len(mp3),
            "aac_sizes": list(unit.aac_sizes),
            "aac_config": unit.aac_config.hex(),
            "cues": [[round(c.start, 6), round(c.end, 6), c.text] for c in unit.cues],
            "levels": unit.levels.as_dict(),
        }
        fsutil.write_text(self.paths(key)[2], json.dumps(data, ensure_ascii=False), durable=False)

    def prune(self, keep: set[str]) -> int:
        """Remove the entries not in ``keep``; how many were removed."""
        try:
            with os.scandir(self.root) as entries:
                names = [entry.name for entry in entries]
        except FileNotFoundError:
            return 0
        stale = [
            name
            for name in names
            if name.endswith((".mp3", ".aac", ".json"))
            and not name.startswith((".", SILENCE))
            and name.rsplit(".", 1)[0] not in keep
        ]
        for name in stale:
            (self.root / name).unlink(missing_ok=True)
        return len({name.rsplit(".", 1)[0] for name in stale})


@functools.lru_cache(maxsize=16384)
def _load_unit(root: str, key: str, mtime_ns: int, size: int, mp3_size: int, aac_size: int) -> Unit | None:
    """A unit from its sidecar, memoised by the sizes and mtime of its files: a long-running caller
    (the studio) reads each entry once, and a changed entry is read again."""
    mp3, aac, sidecar = UnitCache(Path(root)).paths(key)
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
        if data.get("version") != SIDECAR_VERSION:
            return None
        if mp3_size != data["mp3_bytes"] or aac_size != sum(data["aac_sizes"]):
            log.info("cached unit %s is damaged; making it again", key[:12])
            return None
        timing = codec.Timing(int(data["rate"]), int(data["mp3_frames"]), len(data["aac_sizes"]))
        cues = tuple(Cue(float(s), float(e), str(t)) for s, e, t in data["cues"])
        config = bytes.fromhex(data["aac_config"])
        levels = UnitLevels.from_dict(data["levels"])
        return Unit(key, mp3, aac, timing, tuple(data["aac_sizes"]), config, cues, levels)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def render_unit(layout: UnitLayout, key: str, profile: Profile, cache: UnitCache, what: str) -> Unit:
    """Master, encode, verify and store one unit.

    Lossy coding can push peaks above the limiter's ceiling by more than the profile's headroom;
    such a unit is mastered again with the limiter lowered by the overshoot, so the build does
    not fail on an unlucky sentence.
    """
    ceiling = profile.ceiling
    for attempt in range(HEADROOM_RETRIES + 1):
        try:
            return _render_once(layout, key, profile, ceiling, cache, what)
        except LevelsError as exc:
            if not exc.peak_overshoot or attempt == HEADROOM_RETRIES:
                raise
            ceiling -= exc.peak_overshoot + HEADROOM_MARGIN_DB
            log.info(
                "%s: the encode overshot the peak limit by %.2f dB; limiter lowered to %.1f dBTP",
                what,
                exc.peak_overshoot,
                ceiling,
            )
    raise AssertionError("unreachable")


def _render_once(layout: UnitLayout, key: str, profile: Profile, ceiling: float, cache: UnitCache, what: str) -> Unit:
    from narration.audio.encode import decode_mp3, encode_aac, encode_mp3  # PyAV, LAME: only when needed
    from narration.audio.levels import measure_unit, peak_overshoot, peak_problems
    from narration.audio.loudness import to_db
    from narration.audio.master import master_unit

    master = master_unit(layout, profile, ceiling)
    rate = master.rate
    mp3 = encode_mp3(master.samples, rate, profile.mp3_kbps)
    decoded = decode_mp3(mp3, rate)
    levels = measure_unit(decoded, rate)
    peaks = to_db(levels.true_peak), to_db(levels.sample_peak)
    found = peak_problems(*peaks, profile)
    if found:
        message = f"{what} does not meet the {profile.name} profile: " + "; ".join(found)
        raise LevelsError(message, peak_overshoot=peak_overshoot(*peaks, profile))
    speech_end = math.ceil(
        ((master.cues[-1].end if master.cues else len(master.samples) / rate) + SPEECH_MARGIN) * rate
    )
    fewest = math.ceil((speech_end + codec.AAC_LEAD) / codec.AAC_FRAME) + 1
    aac = encode_aac(master.samples, rate, profile.aac_kbps, max(fewest, len(decoded) // codec.AAC_FRAME))
    offset = codec.MP3_DELAY / rate
    cues = tuple(Cue(round(c.start + offset, 6), round(c.end + offset, 6), c.text) for c in master.cues)
    mp3_path, aac_path, _ = cache.paths(key)
    timing = codec.Timing(rate, len(decoded) // codec.mp3_frame_samples(rate), len(aac.sizes))
    unit = Unit(key, mp3_path, aac_path, timing, aac.sizes, aac.config, cues, levels)
    cache.store(key, mp3, aac.data, unit)
    return unit


def silent_frame(cache: UnitCache, rate: int, kbps: int) -> Path:
    """A file holding one AAC frame of silence at this setting (made once, kept in the cache).

    AAC frames carry no state from one to the next but the overlap of their transforms, which
    is zero after silence: a chapter's AAC is padded with copies to end where its MP3 ends.
    """
    path = cache.root / f"{SILENCE}-{rate}-{kbps}.aac"
    if not path.is_file():
        from narration.audio.encode import encode_aac

        frames = encode_aac(np.zeros(4 * codec.AAC_FRAME, np.float32), rate, kbps, 4)
        start = sum(frames.sizes[:2])
        cache.prepare()
        fsutil.write_bytes(path, frames.data[start : start + frames.sizes[2]])
    return path


def load_codecs() -> None:
    """Import the codec and mastering modules now (worker processes forked after this share them)
    and keep numpy's BLAS to one thread: units are made in parallel by processes, and BLAS's
    spare threads would only spin, taking as much CPU again from the other workers."""
    from threadpoolctl import threadpool_limits

    from narration.audio import encode, levels, master  # noqa: F401

    threadpool_limits(limits=1, user_api="blas")


@dataclass(frozen=True)
class UnitTask:
    """One unit to make (sent to a worker process)."""

    layout: UnitLayout
    key: str
    profile: Profile
    cache_root: Path
    what: str  # the chapter it belongs to, for messages


@dataclass(frozen=True)
class UnitSetup:
    """A unit worker's state: the codecs imported and one BLAS thread (see :func:`load_codecs`)."""

    identity: str = "units"

    def build(self) -> None:
        load_codecs()


def render_task(state: None, task: UnitTask) -> Unit:
    """:func:`render_unit` of a :class:`UnitTask` (the mastering job's function)."""
    return render_unit(task.layout, task.key, task.profile, UnitCache(task.cache_root), task.what)
