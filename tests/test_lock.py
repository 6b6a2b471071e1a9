"""One build of a book at a time: the book lock, and two real `narration build` runs started together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from audio_support import make_book
from click.testing import CliRunner

from narration.cli import cli
from narration.errors import LockError
from narration.lock import LOCK_FILE, BookLock


def narration(*args: str) -> list[str]:
    return [sys.executable, "-m", "narration.cli", *args]


def holder_process(root: Path) -> subprocess.Popen[str]:
    """Another process that takes the book's lock and keeps it until killed."""
    code = (
        "import sys, time; from pathlib import Path; from narration.lock import BookLock\n"
        "with BookLock(Path(sys.argv[1]), 'narration build').hold():\n"
        "    print('held', flush=True); time.sleep(600)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code, str(root)], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_a_second_holder_is_refused_with_who_holds_it(tmp_path: Path) -> None:
    holder = holder_process(tmp_path)
    try:
        with pytest.raises(LockError) as caught, BookLock(tmp_path, "narration synth").hold(wait=False):
            pass
        message = str(caught.value)
        assert f"pid {holder.pid}" in message and "narration build" in message and "since" in message
        with pytest.raises(LockError, match="gave up after 0.3 s"), BookLock(tmp_path, "x").hold(timeout=0.3):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_left_by_a_killed_process_is_taken_over(tmp_path: Path) -> None:
    holder = holder_process(tmp_path)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert (tmp_path / LOCK_FILE).exists()  # the file stays; the kernel dropped the lock itself
    with BookLock(tmp_path, "narration build").hold(wait=False) as me:
        assert me.pid == os.getpid()
        assert BookLock(tmp_path, "?").holder() == me


def test_a_waiting_run_says_whom_it_waits_for(tmp_path: Path) -> None:
    holder = holder_process(tmp_path)
    told: list[str] = []
    try:
        start = time.monotonic()

        def release_soon(message: str) -> None:
            told.append(message)
            holder.kill()

        with BookLock(tmp_path, "narration build").hold(notify=release_soon):
            assert time.monotonic() - start < 30
    finally:
        holder.kill()
        holder.wait()
    assert len(told) == 1 and f"pid {holder.pid}" in told[0] and "waiting" in told[0]


def test_no_wait_makes_a_command_fail_at_once(tmp_path: Path) -> None:
    scripts = make_book(tmp_path, tmp_path / "clips")
    holder = holder_process(tmp_path)
    try:
        for command in (["build", "--no-wait"], ["synth", "--no-wait"]):
            result = CliRunner().invoke(cli, [*command, "--scripts", str(scripts)])
            assert result.exit_code == 1, result.output
            assert f"is being written by pid {holder.pid} (narration build" in result.output
            assert "Traceback" not in result.output
        source = tmp_path / "again.txt"
        source.write_text("Again\n\nChapter 1\n\nIt was a cold morning.\n", encoding="utf-8")
        split = CliRunner().invoke(cli, ["split", str(source), "--out", str(scripts), "--force", "--no-wait"])
        assert split.exit_code == 1 and f"pid {holder.pid}" in split.output, split.output
        assert (scripts / "01-the-first-morning.md").is_file()  # nothing was replaced
    finally:
        holder.kill()
        holder.wait()


def test_two_builds_started_together_both_finish_and_keep_every_clip(tmp_path: Path) -> None:
    """Measured before the lock: the second run deleted a clip the first had just used."""
    clips = tmp_path / "clips"
    scripts = make_book(tmp_path, clips)
    out = tmp_path / "output"
    command = narration("build", "--scripts", str(scripts), "--out", str(out), "--jobs", "1", "--no-progress")
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [run.communicate(timeout=600) for run in runs]
    for run, (_, stderr) in zip(runs, results, strict=True):
        assert run.returncode == 0, stderr
        assert "damaged" not in stderr and "removed" not in stderr, stderr
    waited = [stderr for _, stderr in results if "waiting for it to finish" in stderr]
    assert len(waited) == 1, results  # one ran, the other waited for it, then found everything made
    assert any("0 clips synthesised" in stdout for stdout, _ in results)
    wavs = sorted(clips.glob("*.wav"))
    assert wavs and all(wav.with_suffix(".json").is_file() for wav in wavs)
    again = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    assert again.returncode == 0 and "0 clips synthesised" in again.stdout, again.stderr
