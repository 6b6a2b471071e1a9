"""Helpers for the audio tests: a tiny book narrated by real Piper, and readers of the outputs
(ffmpeg's ffmetadata, mutagen, MP4 atoms, decoded samples) independent of narration's own code."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from mutagen.mp4 import Atoms

from narration.ffmpeg import ffmpeg_exe

CHAPTERS = {
    "01-the-first-morning.md": "# The First Morning\n\nIt was a cold morning. The bells rang twice.\n",
    "02-a-letter.md": "# A Letter\n\nShe read the letter slowly.\n\n## Postscript\n\nThen she smiled.\n",
    "03-the-end.md": "# The End\n\nThat was all.\n",
}
TITLES = ["The First Morning", "A Letter", "The End"]
LETTER = ["A Letter", "She read the letter slowly.", "Postscript", "Then she smiled."]  # chapter 2's cues
RATE = 44100


def make_book(root: Path, clip_cache: Path, *, extra: str = "", chapters: dict[str, str] | None = None) -> Path:
    """Write the tiny book's scripts under ``root/scripts``; clips go to the shared ``clip_cache``."""
    scripts = root / "scripts"
    scripts.mkdir(parents=True, exist_ok=True)
    for name, text in (chapters or CHAPTERS).items():
        (scripts / name).write_text(text, encoding="utf-8")
    toml = f'title = "A Tiny Book"\nauthor = "Test Writer"\n{extra}\n[synth]\njobs = 1\ncache_dir = "{clip_cache}"\n'
    (scripts / "book.toml").write_text(toml, encoding="utf-8")
    return scripts


def ffmpeg(*args: str | Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", *map(str, args)], input=stdin, capture_output=True, check=False
    )


def failing_ffmpeg(folder: Path) -> Path:
    """A wrapper running the real ffmpeg with an option it rejects, so ffmpeg itself fails."""
    path = folder / "ffmpeg-failing"
    path.write_text(f'#!/bin/sh\nexec "{ffmpeg_exe()}" -no_such_option "$@"\n')
    path.chmod(0o755)
    return path


def decode(path: Path, rate: int = RATE) -> np.ndarray:
    """Every decoded sample of ``path`` (mono float32)."""
    proc = ffmpeg("-i", path, "-map", "0:a", "-ac", "1", "-ar", str(rate), "-f", "f32le", "-")
    assert proc.returncode == 0, proc.stderr.decode()[-500:]
    return np.frombuffer(proc.stdout, dtype="<f4")


@dataclass(frozen=True)
class Chapter:
    title: str
    start: float
    end: float


def ffmetadata_chapters(path: Path) -> list[Chapter]:
    """The chapters ffmpeg reads from ``path`` (``ffmpeg -i FILE -f ffmetadata -``), in file order."""
    proc = ffmpeg("-i", path, "-f", "ffmetadata", "-")
    assert proc.returncode == 0, proc.stderr.decode()[-500:]
    chapters, current = [], None
    for line in proc.stdout.decode("utf-8").splitlines():
        if line == "[CHAPTER]":
            current = {}
            chapters.append(current)
        elif current is not None and "=" in line:
            key, value = line.split("=", 1)
            current[key] = value.replace("\\=", "=").replace("\\;", ";").replace("\\#", "#").replace("\\\\", "\\")
    result = []
    for c in chapters:
        num, den = (int(v) for v in c["TIMEBASE"].split("/"))
        result.append(Chapter(c.get("title", ""), int(c["START"]) * num / den, int(c["END"]) * num / den))
    return result


def mp4_atoms(path: Path) -> tuple[Atoms, bytes]:
    data = Path(path).read_bytes()
    with open(path, "rb") as handle:
        return Atoms(handle), data


def atom_payload(atom, data: bytes) -> bytes:
    return data[atom.offset + 8 : atom.offset + atom.length]


def nero_chapters(path: Path) -> list[tuple[float, str]]:
    """Parse ``moov/udta/chpl`` (Nero chapters): [(start seconds, title)]."""
    atoms, data = mp4_atoms(path)
    payload = atom_payload(atoms.path(b"moov", b"udta", b"chpl")[-1], data)
    count, position, result = payload[8], 9, []
    for _ in range(count):
        start = int.from_bytes(payload[position : position + 8], "big") / 1e7
        size = payload[position + 8]
        result.append((start, payload[position + 9 : position + 9 + size].decode("utf-8")))
        position += 9 + size
    return result


def _track_id(tkhd: bytes) -> int:
    start = 20 if tkhd[0] == 1 else 12  # version 1 has 64-bit times
    return int.from_bytes(tkhd[start : start + 4], "big")


def quicktime_chapter_track(path: Path) -> tuple[str, int]:
    """The QuickTime chapter track an audio track's ``tref/chap`` points to: (handler type, samples)."""
    atoms, data = mp4_atoms(path)
    tracks = list(atoms[b"moov",].findall(b"trak"))
    ids = {_track_id(atom_payload(t[b"tkhd",], data)): t for t in tracks}
    for track in tracks:
        try:
            tref = atom_payload(track[b"tref",], data)  # mutagen does not parse tref's children
        except KeyError:
            continue
        if tref[4:8] != b"chap":
            continue
        target = ids[int.from_bytes(tref[8:12], "big")]
        handler = atom_payload(target[b"mdia", b"hdlr"], data)[8:12].decode("latin-1")
        stsz = atom_payload(target[b"mdia", b"minf", b"stbl", b"stsz"], data)
        return handler, int.from_bytes(stsz[8:12], "big")
    raise AssertionError("no track references a QuickTime chapter track")


def quicktime_chapter_starts(path: Path) -> list[float]:
    """Start times (seconds) of the samples of the QuickTime chapter track (the 'text' track), from
    its own timescale (``mdhd``) and sample durations (``stts``), as Apple's players read them."""
    atoms, data = mp4_atoms(path)
    for track in atoms[b"moov",].findall(b"trak"):
        if atom_payload(track[b"mdia", b"hdlr"], data)[8:12] != b"text":
            continue
        mdhd = atom_payload(track[b"mdia", b"mdhd"], data)
        timescale = int.from_bytes(mdhd[20:24] if mdhd[0] == 1 else mdhd[12:16], "big")
        stts = atom_payload(track[b"mdia", b"minf", b"stbl", b"stts"], data)
        starts, now = [], 0
        for entry in range(int.from_bytes(stts[4:8], "big")):
            at = 8 + entry * 8
            count, duration = int.from_bytes(stts[at : at + 4], "big"), int.from_bytes(stts[at + 4 : at + 8], "big")
            for _ in range(count):
                starts.append(now / timescale)
                now += duration
        return starts
    raise AssertionError("no QuickTime chapter (text) track")
