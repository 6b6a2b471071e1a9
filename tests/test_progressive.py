"""A feed that grows while the book renders: episodes appear in reading order before the build ends."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import feedparser
from audio_support import make_book

from narration.build import build
from narration.model import load_book

CHAPTERS = {
    f"{n:02d}-part-{n}.md": f"# Part {n}\n\n" + " ".join(f"Sentence {word} of part {n} is here." for word in words)
    for n, words in enumerate(
        [["one", "two"], ["three", "four", "five"], ["six", "seven"], ["eight", "nine", "ten"]], start=1
    )
}


def episode_titles(feed: Path) -> list[str]:
    parsed = feedparser.parse(feed.read_bytes())
    return [entry.title for entry in parsed.entries]


def test_the_feed_gains_episodes_in_order_while_the_build_runs(tmp_path: Path) -> None:
    scripts = make_book(tmp_path, tmp_path / "clips", chapters=CHAPTERS)
    out = tmp_path / "output"
    feed = out / "feed.xml"
    command = [sys.executable, "-m", "narration.cli", "build", "--scripts", str(scripts), "--out", str(out)]
    process = subprocess.Popen([*command, "--jobs", "2", "--no-progress"], stderr=subprocess.PIPE, text=True)
    seen: list[list[str]] = []
    while process.poll() is None:
        if feed.is_file():
            titles = episode_titles(feed)
            if not seen or titles != seen[-1]:
                seen.append(titles)
        time.sleep(0.02)
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    final = episode_titles(feed)
    assert final[:4] == ["Part 1", "Part 2", "Part 3", "Part 4"] and len(final) == 5  # and the whole book
    partial = [titles for titles in seen if titles != final]
    assert partial, "no feed was published before the build ended"
    for titles in partial:
        assert titles == final[: len(titles)] and len(titles) < 4  # a prefix, in reading order, no book yet
    assert len(partial[0]) < 3  # the first episode was out well before the last chapter


def test_a_rebuild_with_nothing_new_publishes_once(tmp_path: Path) -> None:
    scripts = make_book(tmp_path, tmp_path / "clips", chapters=CHAPTERS)
    build(load_book(scripts), jobs=1)
    feed = tmp_path / "output" / "feed.xml"
    before = feed.stat().st_mtime_ns
    again = build(load_book(scripts), jobs=1)
    assert again.synth.made == 0 and again.units_made == 0
    assert feed.stat().st_mtime_ns == before  # nothing changed, nothing rewritten
