"""Benchmark of ``narration split`` (the library call, no file writes).

Measures, on this machine:

1. the split of a ~500 KB text built from the bundled pamphlet (repeated until the size is
   reached), once as written (one line per paragraph) and once hard-wrapped at 72 columns (so
   re-wrapping and de-hyphenation do real work);
2. linearity on a single line without punctuation: the time for 1 MB and for 2 MB, and their
   ratio (about 2 for linear time; catastrophic regex backtracking would give 4 or far more).

Each figure is the best of ``--repeat`` runs of ``split_text`` timed with ``time.perf_counter``,
after one warm-up run; ratios are measured within the same run.

    python bench/split.py                 # 500 KB text, 2 MB line
    python bench/split.py --size-kb 50 --line-mb 0.2 --repeat 1   # a quick check
"""

from __future__ import annotations

import argparse
import textwrap
import time
from pathlib import Path

from narration.config import TextConfig
from narration.text.split import split_text

PAMPHLET = Path(__file__).resolve().parents[2] / "shared" / "texts" / "russia-how-the-bureaucracy-seized-power.txt"


def build_text(size: int) -> str:
    """The pamphlet repeated until ``size`` characters (whole paragraphs)."""
    source = PAMPHLET.read_text(encoding="utf-8")
    paragraphs = source.split("\n\n")
    out: list[str] = []
    total, copy = 0, 0
    while total < size:
        copy += 1
        for paragraph in paragraphs[1:] if copy > 1 else paragraphs:  # one title line only
            out.append(paragraph)
            total += len(paragraph) + 2
            if total >= size:
                break
    return "\n\n".join(out)


def hard_wrap(text: str, width: int = 72) -> str:
    return "\n\n".join(textwrap.fill(p, width) if "\n" not in p else p for p in text.split("\n\n"))


def best_time(text: str, repeat: int) -> tuple[float, int]:
    result = split_text(text, TextConfig())  # warm-up (regex compilation, caches)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = split_text(text, TextConfig())
        times.append(time.perf_counter() - start)
    return min(times), len(result.chapters)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-kb", type=float, default=500)
    parser.add_argument("--line-mb", type=float, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    text = build_text(int(args.size_kb * 1000))
    wrapped = hard_wrap(text)
    print(f"split_text, best of {args.repeat} runs after a warm-up (time.perf_counter):")
    for label, sample in (("as written", text), ("hard-wrapped at 72", wrapped)):
        seconds, chapters = best_time(sample, args.repeat)
        size_kb = len(sample.encode("utf-8")) / 1000
        print(
            f"  {size_kb:7.0f} KB {label:<20} {seconds * 1000:8.1f} ms  ({chapters} chapters, "
            f"{size_kb / 1000 / seconds:5.1f} MB/s)"
        )

    print("single line, no punctuation (linearity):")
    line_chars = int(args.line_mb * 1_000_000)
    for name, unit in (("words", "word "), ("no spaces", "abcde")):
        half = best_time(unit * (line_chars // 2 // len(unit)), args.repeat)[0]
        full = best_time(unit * (line_chars // len(unit)), args.repeat)[0]
        print(
            f"  {name:<10} {args.line_mb / 2:4.1f} MB {half * 1000:8.1f} ms   {args.line_mb:4.1f} MB "
            f"{full * 1000:8.1f} ms   ratio {full / half:4.2f} (2.0 = linear)"
        )


if __name__ == "__main__":
    main()
