"""Helpers of the studio tests: a studio on a tiny book, running in this process."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

from synth_support import write_scripts

from narration.studio.server import Studio, StudioConfig

CHAPTER_ONE = """# Hello

Good morning. The train is late. We wait on the platform.

## Notes

Bread costs two roubles.
"""

CHAPTER_TWO = """# Goodbye

The meeting ended at noon.
"""

TIMEOUT = 300.0


def tiny_book(root: Path, cache: Path | None = None) -> Path:
    extra = f'[synth]\ncache_dir = "{cache}"\n' if cache is not None else ""
    return write_scripts(root, {"01-hello.md": CHAPTER_ONE, "02-goodbye.md": CHAPTER_TWO}, book_toml=extra)


def open_studio(scripts: Path, host: str = "127.0.0.1") -> Studio:
    studio = Studio.open(StudioConfig(scripts, scripts.parent / "output", host, 0))
    studio.serve_in_thread()
    status = studio.rebuilder.wait(1, TIMEOUT)
    assert status.good == 1, status
    return studio


def wait_for(predicate, timeout: float = TIMEOUT, what: str = "a condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.loads(response.read())


def post(url: str, body: dict, origin: str | None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if origin is not None:
        headers["Origin"] = origin
    request = urllib.request.Request(url, json.dumps(body).encode(), headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def origin_of(studio: Studio) -> str:
    return studio.url.split("/studio/")[0]


def manifest(out: Path) -> dict:
    return json.loads((out / ".build.json").read_text(encoding="utf-8"))


def cue_texts(out: Path, number: int) -> list[str]:
    return [cue[2] for cue in manifest(out)["chapters"][number - 1]["cues"]]
