"""Benchmark of ``narration check`` on the pamphlet: listening speed and the share of false flags.

Measures, on this machine:

(a) seconds of checking per minute of audio: ``check_book`` over the whole book (or
    ``--chapters``) with a cold transcript cache (a new temporary folder), timed around the call
    (model load, WAV reads, resampling, transcription, second listens of flagged clips, scoring);
    divided by the minutes of audio it heard;
(b) the share of clips flagged: the clips are Piper's own renditions of the text, so a flag is a
    false flag unless the listed clip really says something else (the flagged clips are printed
    with what was heard, for a human to judge);
(c) a warm run (everything heard already): the cost of re-checking an unchanged book.

Clips missing from the cache are synthesised first (timed apart, not counted in (a)); pass
``--cache-dir`` to reuse a cache that already holds the book's clips. The machine's load average
(1 minute) and cores are printed before and after, since other work on the machine slows (a).

    python bench/check.py                                   # the pamphlet, its own clip cache
    python bench/check.py --cache-dir /tmp/pamphlet-clips   # reuse (or fill) another cache
    python bench/check.py --chapters 1-3                    # a quick run on a subset
    python bench/check.py --heard-dir /tmp/heard            # keep the transcripts; a rerun re-judges them
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from narration.check.api import check_book
from narration.model import load_book
from narration.synth.pipeline import cores, synthesize_book
from narration.synth.plan import parse_ranges

REPO = Path(__file__).resolve().parents[1]


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {cores()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scripts", type=Path, default=REPO / "scripts")
    parser.add_argument("--cache-dir", type=Path, default=None, help="clip cache (default: the book's)")
    parser.add_argument("--chapters", default=None, help="only these chapters, e.g. 1-3")
    parser.add_argument("--jobs", type=int, default=None, help="synthesis processes and recogniser threads")
    parser.add_argument(
        "--heard-dir",
        type=Path,
        default=None,
        help="keep what was heard here (default: a new temporary folder, so the run is cold); "
        "given a folder a run left, only new clips are heard and (b) is re-judged in seconds",
    )
    args = parser.parse_args()
    chapters = parse_ranges(args.chapters) if args.chapters else None
    book = load_book(args.scripts)
    print(f"book: {book.title} ({args.scripts}), chapters: {args.chapters or 'all'}; {load()}")

    started = time.perf_counter()
    made = synthesize_book(book, cache_dir=args.cache_dir, chapters=chapters, jobs=args.jobs)
    print(f"synthesis first: made {made.made} clip(s), reused {made.reused}, {time.perf_counter() - started:.0f} s")

    with tempfile.TemporaryDirectory(prefix="check-bench-") as temporary:
        heard = args.heard_dir or Path(temporary)
        print(f"before checking: {load()}")
        report = check_book(book, cache_dir=args.cache_dir, chapters=chapters, jobs=args.jobs, heard_dir=heard)
        print(f"after checking: {load()}")
        warm = check_book(book, cache_dir=args.cache_dir, chapters=chapters, jobs=args.jobs, heard_dir=heard)

    minutes = report.heard_seconds / 60
    flagged = report.flagged
    print("\nflagged clips (judge by ear whether each is a real fault):")
    for clip in flagged:
        print(f"- chapter {clip.chapter} {clip.key[:8]} WER {clip.verdict.wer:.2f}: {'; '.join(clip.verdict.problems)}")
        print(f"    text:  {clip.written}")
        print(f"    heard: {clip.verdict.heard}")
    print(
        f"\n(a) checking: {report.elapsed:.0f} s for {report.heard} clips, {minutes:.1f} min of audio: "
        f"{report.elapsed / minutes:.1f} s per minute of audio"
        if minutes
        else "\n(a) nothing was heard"
    )
    share = len(flagged) / len(report.clips) if report.clips else 0.0
    print(f"(b) flagged: {len(flagged)} of {len(report.clips)} clips ({100 * share:.1f} %)")
    print(f"(c) warm re-check: {warm.elapsed:.2f} s, heard {warm.heard} clip(s)")


if __name__ == "__main__":
    main()
