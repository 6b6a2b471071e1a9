"""Paths of the files in a folder (the output folder), as they are recorded and linked."""

from __future__ import annotations

from pathlib import Path


def relative_path(path: Path | str, folder: Path | str) -> str | None:
    """``path`` relative to ``folder`` as a POSIX path (both resolved), or ``None`` when it lies outside."""
    try:
        return Path(path).resolve().relative_to(Path(folder).resolve()).as_posix()
    except ValueError:
        return None


def recorded_path(path: Path | str, folder: Path | str) -> str:
    """How a file of ``folder`` is recorded: relative to it (so a moved folder still loads), or the
    absolute path of a file outside it."""
    relative = relative_path(path, folder)
    return str(Path(path).resolve()) if relative is None else relative
