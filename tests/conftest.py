"""Shared fixtures. Tests use real Piper, real ffmpeg and real files, on short texts."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PAMPHLET = REPO.parent / "shared" / "texts" / "russia-how-the-bureaucracy-seized-power.txt"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def pamphlet() -> Path:
    if not PAMPHLET.exists():
        pytest.fail(f"the bundled book is missing: {PAMPHLET}")
    return PAMPHLET
