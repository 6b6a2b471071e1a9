"""Two ffmpeg processes in a pipe: the first one's standard output is the second one's input.

Used to decode an encode while it is being written (see :func:`narration.audio.encode.encode_mp3_decoded`).
"""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from narration.errors import FFmpegError
from narration.ffmpeg import TAIL_LINES, ffmpeg_exe

log = logging.getLogger(__name__)


def _command(args: Sequence[str | os.PathLike]) -> list[str]:
    return [ffmpeg_exe(), "-hide_banner", "-nostdin", *map(str, args)]


def _check(proc: subprocess.Popen, messages: IO[bytes], what: str) -> None:
    if proc.returncode != 0:
        messages.seek(0)
        stderr = messages.read().decode("utf-8", "replace")
        tail = "\n".join(stderr.strip().splitlines()[-TAIL_LINES:])
        raise FFmpegError(f"{what} failed (ffmpeg exit {proc.returncode}):\n{tail}")


def ffmpeg_pipeline(
    first: Sequence[str | os.PathLike], second: Sequence[str | os.PathLike], input: bytes, work: Path, *, what: str
) -> None:
    """Run ``ffmpeg first | ffmpeg second`` with ``input`` on the first one's standard input.

    Their messages go to files in ``work`` (no pipe to drain); :class:`FFmpegError` with the tail of
    the first failing one's message (the first process's failure is reported before the second's).
    """
    log.debug("running %s | %s", " ".join(_command(first)), " ".join(_command(second)))
    with open(work / "first.log", "w+b") as first_log, open(work / "second.log", "w+b") as second_log:
        procs: list[subprocess.Popen] = []
        try:
            pipe, devnull = subprocess.PIPE, subprocess.DEVNULL
            procs.append(subprocess.Popen(_command(first), stdin=pipe, stdout=pipe, stderr=first_log))
            procs.append(subprocess.Popen(_command(second), stdin=procs[0].stdout, stdout=devnull, stderr=second_log))
            procs[0].stdout.close()  # the second process holds the read end now
            try:
                procs[0].stdin.write(input)
            except BrokenPipeError:
                pass  # the first process failed: its message says why
            finally:
                procs[0].stdin.close()
            for proc in procs:
                proc.wait()
        except OSError as exc:
            raise FFmpegError(f"{what}: cannot run ffmpeg ({exc})") from exc
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        _check(procs[0], first_log, what)
        _check(procs[1], second_log, f"{what} (decoding the encode)")
