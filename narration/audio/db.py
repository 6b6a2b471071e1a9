"""Decibel conversions (no heavy imports: the build's no-op path uses them)."""

from __future__ import annotations

import math


def to_db(value: float) -> float:
    return 20.0 * math.log10(value) if value > 0 else -math.inf


def from_db(db: float) -> float:
    return 10.0 ** (db / 20.0)
