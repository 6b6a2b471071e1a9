"""Measuring encodes against a profile: each unit as it is made, each chapter from its units.

A unit's decoded MP3 is measured once, when it is made, and the figures a chapter needs are kept
with it (:class:`UnitLevels`): the K-weighted energy of every 100 ms, the true and sample peaks, the
plain energy, the quietest half second and the silence at both ends. A chapter's figures
(:class:`Levels`) then come from its units' without decoding anything again: BS.1770 integrated
loudness (:mod:`narration.audio.bs1770`) gates 400 ms blocks (four 100 ms sub-blocks, 75 % overlap)
exactly as a meter run over the whole episode does, up to where a unit boundary cuts a sub-block
short.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from narration.audio import bs1770
from narration.audio.db import from_db, to_db
from narration.audio.profiles import Profile
from narration.errors import LevelsError

QUIET_WINDOW = 0.5  # seconds: the ACX noise floor is the RMS of the quietest half second


@dataclass(frozen=True)
class UnitLevels:
    """What a chapter's measurements need from one decoded unit."""

    samples: int
    blocks: tuple[float, ...]  # K-weighted sum of squares of each 100 ms (the last one partial)
    energy: float  # plain sum of squares
    true_peak: float  # linear
    sample_peak: float  # linear
    quiet: float  # mean square of the quietest half second
    lead: float  # seconds before the first sample above -50 dBFS
    trail: float  # seconds after the last

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> UnitLevels:
        return cls(**{**data, "blocks": tuple(data["blocks"])})


def measure_unit(samples: np.ndarray, rate: int) -> UnitLevels:
    """Measure a decoded unit (mono float32)."""
    from narration.audio import loudness  # scipy: only when units are made

    blocks = bs1770.sub_blocks(bs1770.k_weighted(samples, rate, np.float64), rate)
    lead, trail = loudness.silent_edges(samples, rate)
    return UnitLevels(
        samples=len(samples),
        blocks=tuple(round(float(b), 9) for b in blocks),
        energy=float(np.einsum("i,i->", samples, samples, dtype=np.float64)),
        true_peak=loudness.true_peak(samples),
        sample_peak=loudness.sample_peak(samples),
        quiet=from_db(loudness.noise_floor_db(samples, rate, QUIET_WINDOW)) ** 2,
        lead=lead,
        trail=trail,
    )


@dataclass(frozen=True)
class Levels:
    """Measurements of an encoded chapter."""

    loudness: float  # LUFS integrated
    true_peak: float  # dBTP
    sample_peak: float  # dBFS
    rms: float  # dBFS
    noise_floor: float  # dBFS, quietest half second
    head: float  # seconds of near-silence before the first word
    tail: float  # seconds after the last

    def as_dict(self) -> dict[str, float]:
        return {k: (round(v, 3) if math.isfinite(v) else -999.0) for k, v in asdict(self).items()}


def combine(units: Sequence[UnitLevels], rate: int) -> Levels:
    """A chapter's levels from those of its units, in order."""
    blocks = np.fromiter((b for unit in units for b in unit.blocks), dtype=np.float64)
    samples = sum(unit.samples for unit in units)
    energy = sum(unit.energy for unit in units)
    return Levels(
        loudness=bs1770.sub_block_loudness(blocks, rate),
        true_peak=to_db(max(unit.true_peak for unit in units)),
        sample_peak=to_db(max(unit.sample_peak for unit in units)),
        rms=to_db(math.sqrt(energy / samples)) if samples else -math.inf,
        noise_floor=to_db(math.sqrt(min(unit.quiet for unit in units))),
        head=units[0].lead,
        tail=units[-1].trail,
    )


def problems(levels: Levels, profile: Profile) -> list[str]:
    """What in ``levels`` breaks the profile's rules (empty when it complies)."""
    found = []
    target, tolerance = profile.loudness_target, profile.loudness_tolerance
    if target is not None and abs(levels.loudness - target) > tolerance:
        found.append(f"loudness {levels.loudness:.1f} LUFS, target {target:g} ± {tolerance:g}")
    found += peak_problems(levels.true_peak, levels.sample_peak, profile)
    if profile.rms_range and not profile.rms_range[0] <= levels.rms <= profile.rms_range[1]:
        found.append(f"RMS {levels.rms:.1f} dB outside {profile.rms_range[0]:g}..{profile.rms_range[1]:g}")
    if profile.noise_floor_max is not None and levels.noise_floor > profile.noise_floor_max:
        found.append(f"noise floor {levels.noise_floor:.1f} dB above {profile.noise_floor_max:g}")
    for name, value, allowed in (("head", levels.head, profile.head_range), ("tail", levels.tail, profile.tail_range)):
        if allowed and not allowed[0] <= value <= allowed[1]:
            found.append(f"{name} room tone {value:.2f} s outside {allowed[0]:g}-{allowed[1]:g} s")
    return found


def peak_problems(true_peak: float, sample_peak: float, profile: Profile) -> list[str]:
    found = []
    if true_peak > profile.true_peak_max:
        found.append(f"true peak {true_peak:.1f} dBTP above {profile.true_peak_max:g}")
    if profile.sample_peak_max is not None and sample_peak > profile.sample_peak_max:
        found.append(f"peak {sample_peak:.1f} dB above {profile.sample_peak_max:g}")
    return found


def peak_overshoot(true_peak: float, sample_peak: float, profile: Profile) -> float:
    """dB by which the peaks of an encode exceed the profile's limits (0 when within them)."""
    over = true_peak - profile.true_peak_max
    if profile.sample_peak_max is not None:
        over = max(over, sample_peak - profile.sample_peak_max)
    return max(over, 0.0)


def check(levels: Levels, profile: Profile, what: str) -> None:
    """:class:`LevelsError` naming ``what`` if ``levels`` break the profile."""
    found = problems(levels, profile)
    if found:
        raise LevelsError(f"{what} does not meet the {profile.name} profile: " + "; ".join(found))
