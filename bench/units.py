"""Benchmark and fingerprint of the audio stage's unit work: master, encode, decode and measure units.

Every unit of the chosen chapters (``--chapters``, default ``2-3`` of ``scripts/``) is made from
cached clips (``--clips``: synthesised there first when missing, untimed) into a new, empty unit
cache, one after the other in this process, with the ``narration`` that Python imports. It prints
the wall-clock and CPU seconds (``time.perf_counter``, ``time.process_time``) around making them,
and a SHA-256 over every unit's MP3 and AAC bytes and levels: run it with two versions of the code
(``PYTHONPATH=<other checkout>``) to see that a change leaves every output byte as it was, and what
it costs. CPU seconds are the figure to compare on a busy machine.

    python bench/units.py                               # podcast profile, chapters 2-3
    python bench/units.py --profile acx --chapters 1
    PYTHONPATH=/tmp/base python bench/units.py          # the same with another checkout's code
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
from pathlib import Path

import narration
from narration.audio.layout import Pauses, chapter_layouts
from narration.audio.profiles import get_profile
from narration.audio.units import UnitCache, load_codecs, render_unit, unit_key
from narration.model import load_book
from narration.synth.pipeline import synthesize_book
from narration.synth.plan import parse_ranges

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scripts", type=Path, default=REPO / "scripts", help="the book (default: scripts/)")
    parser.add_argument("--chapters", default="2-3", help="chapters to make, e.g. 1-5 (default: 2-3)")
    parser.add_argument("--profile", default="podcast", help="mastering profile (default: podcast)")
    parser.add_argument("--clips", type=Path, default=REPO / ".narration" / "bench-clips", help="clip cache")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the untimed synthesis (default: 2)")
    args = parser.parse_args()

    book = load_book(args.scripts)
    chapters = parse_ranges(args.chapters)
    synth = synthesize_book(book, jobs=args.jobs, cache_dir=args.clips, chapters=chapters)
    load_codecs()
    profile = get_profile(args.profile)
    pauses = Pauses.of(book.config.audio, profile)
    layouts = [layout for n in chapters for layout in chapter_layouts(book.chapters[n - 1], synth, pauses)]
    with tempfile.TemporaryDirectory(prefix="narration-bench-units-") as tmp:
        cache = UnitCache(Path(tmp))
        cache.prepare()
        wall, cpu = time.perf_counter(), time.process_time()
        units = [render_unit(layout, unit_key(layout, profile), profile, cache, "bench") for layout in layouts]
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        digest = hashlib.sha256()
        for unit in units:
            digest.update(unit.mp3.read_bytes())
            digest.update(unit.aac.read_bytes())
            digest.update(json.dumps(unit.levels.as_dict(), sort_keys=True).encode())
    audio = sum(unit.timing.mp3_duration for unit in units)
    print(f"code: {Path(narration.__file__).parent}")
    print(f"{len(units)} units ({audio / 60:.1f} min of audio, chapters {args.chapters}, {profile.name} profile)")
    print(f"made in {wall:.2f} s wall, {cpu:.2f} s CPU (one process); outputs sha256 {digest.hexdigest()[:16]}")


if __name__ == "__main__":
    main()
