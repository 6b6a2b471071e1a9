"""Locate and run ffmpeg. The binary comes from the ``imageio-ffmpeg`` wheel, so no system install is needed.

``NARRATION_FFMPEG`` overrides the path (tests use it to simulate a missing ffmpeg).
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from narration.errors import FFmpegError

log = logging.getLogger(__name__)

TAIL_LINES = 12


@functools.cache
def _find(override: str | None) -> str:
    if override:
        path = shutil.which(override) or (override if Path(override).is_file() else None)
        if not path:
            raise FFmpegError(f"ffmpeg not found at NARRATION_FFMPEG={override!r}")
        return path
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except Exception as exc:  # imageio-ffmpeg raises RuntimeError when its binary is absent
        system = shutil.which("ffmpeg")
        if system:
            return system
        raise FFmpegError(f"ffmpeg not found: {exc}. Reinstall narration (pip install imageio-ffmpeg).") from exc


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary to use."""
    return _find(os.environ.get("NARRATION_FFMPEG") or None)


def run_ffmpeg(args: Sequence[str | os.PathLike], *, what: str = "ffmpeg", input: bytes | None = None) -> str:
    """Run ffmpeg with ``args`` (without the program name); return its stderr.

    On failure raise :class:`FFmpegError` naming ``what`` and showing the tail of ffmpeg's message.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", *map(str, args)]
    log.debug("running %s", " ".join(cmd))
    try:
        proc = subprocess.run(cmd, input=input, capture_output=True, check=False)
    except OSError as exc:
        raise FFmpegError(f"{what}: cannot run ffmpeg ({exc})") from exc
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        tail = "\n".join(stderr.strip().splitlines()[-TAIL_LINES:])
        raise FFmpegError(f"{what} failed (ffmpeg exit {proc.returncode}):\n{tail}")
    return stderr
