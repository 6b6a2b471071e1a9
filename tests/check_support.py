"""Helpers for the check tests: a two-chapter book the recogniser hears well, and clip surgery."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from pathlib import Path

import numpy as np

from narration.check.asr import WhisperRecognizer

CHAPTERS = {
    "01-the-harbour.md": (
        "# The Harbour\n\nThe boats came back to the harbour before dark. The fishermen carried their nets"
        " up the hill.\n\nOld Tom counted the boxes twice and wrote the number in his book.\n"
    ),
    "02-the-storm.md": (
        "# The Storm\n\nThe wind was howling over the roofs all night. Nobody in the village could sleep.\n"
    ),
}
OLD_TOM = "Old Tom counted the boxes twice and wrote the number in his book."
WIND = "The wind was howling over the roofs all night."


def write_book(root: Path, cache: Path) -> Path:
    scripts = root / "scripts"
    scripts.mkdir(parents=True, exist_ok=True)
    for name, text in CHAPTERS.items():
        (scripts / name).write_text(text, encoding="utf-8")
    toml = (
        f'title = "Two Chapters"\nauthor = "Test Writer"\n\n[disclosure]\nspeak = false\n\n'
        f'[synth]\njobs = 1\ncache_dir = "{cache}"\n'
    )
    (scripts / "book.toml").write_text(toml, encoding="utf-8")
    return scripts


def swap_audio(cache: Path, key: str, donor: str) -> None:
    """Put clip ``donor``'s audio under ``key``, its sidecar made consistent (size, checksum, duration)."""
    data = (cache / f"{donor}.wav").read_bytes()
    wav = cache / f"{key}.wav"
    wav.write_bytes(data)
    meta_path = cache / f"{key}.json"
    meta = json.loads(meta_path.read_text())
    donor_meta = json.loads((cache / f"{donor}.json").read_text())
    count = len(meta["boundaries"])
    edges = np.linspace(0.0, donor_meta["duration"], count + 1)
    meta.update(
        duration=donor_meta["duration"],
        bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        mtime_ns=os.stat(wav).st_mtime_ns,
        boundaries=[[float(a), float(b)] for a, b in itertools.pairwise(edges)],
    )
    meta_path.write_text(json.dumps(meta))


class CountingRecognizer:
    """The real recogniser, counting the clips it hears."""

    def __init__(self) -> None:
        self.real = WhisperRecognizer()
        self.calls = 0

    @property
    def identity(self) -> str:
        return self.real.identity

    def transcribe(self, samples: np.ndarray, careful: bool = False) -> str:
        self.calls += 1
        return self.real.transcribe(samples, careful)
