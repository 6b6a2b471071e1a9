"""Benchmark of progressive publishing: when does the first episode reach the feed?

On a copy of some chapters of a book (default: chapters 2-6 of the pamphlet's ``scripts/``) in a
temporary folder with empty caches, ``narration build --jobs N`` runs as a new process while this
script polls ``output/feed.xml`` every 10 ms. Printed: the time from the start of the process to
the first feed that lists an episode, the total build time, and the first's share of the total
(target <= 25 %), beside the first chapter's share of the audio.

With ``--compare REV``, the same build (new empty caches) runs again with the code of git revision
REV (checked out in a temporary worktree, put first on PYTHONPATH, same interpreter), so the total
time of the progressive build is compared with the build before it in the same run (target: no
more than 2 % above).

    python bench/progressive.py                              # chapters 2-6
    python bench/progressive.py --compare 9a09a51            # and the build before progressive publishing
    python bench/progressive.py --compare 9a09a51 --same-outputs   # and like for like (no EPUB, no disclosure)
    python bench/progressive.py --compare 9a09a51 --rounds 3       # medians of 3 builds of each, in turn

With ``--same-outputs`` the new code also builds a copy whose ``book.toml`` makes only what the
code before issue 14 made (``[publish] epub = false``, ``[disclosure] speak = false``), so the
progressive build's own cost is seen apart from the outputs it adds.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from narration.model import load_book
from narration.synth.plan import parse_ranges

REPO = Path(__file__).resolve().parents[1]
POLL = 0.01
ITEM = re.compile(rb"<item>")


def build_bench():
    spec = importlib.util.spec_from_file_location("bench_build", REPO / "bench" / "build.py")
    module = sys.modules.setdefault(spec.name, importlib.util.module_from_spec(spec))
    spec.loader.exec_module(module)
    return module


def timed_build(scripts: Path, jobs: int, env: dict[str, str] | None = None) -> tuple[float, float | None]:
    """(total seconds, seconds until the feed first listed an episode) of one build process."""
    command = build_bench().build_command(scripts, jobs)
    feed = scripts.parent / "output" / "feed.xml"
    start = time.perf_counter()
    first = None
    with open(scripts.parent / "build.log", "w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=scripts.parent)
        while process.poll() is None:
            if first is None and feed.is_file() and ITEM.search(feed.read_bytes()):
                first = time.perf_counter() - start
            time.sleep(POLL)
    total = time.perf_counter() - start
    if process.returncode != 0:
        sys.exit(f"build failed:\n{(scripts.parent / 'build.log').read_text()[-2000:]}")
    return total, first


@dataclass(frozen=True)
class Arm:
    """One way of building the chapters: this code or REV's, with its outputs or only REV's."""

    name: str
    env: dict[str, str] | None  # None: this checkout
    old_outputs: bool = False


@dataclass
class Runs:
    totals: list[float] = field(default_factory=list)
    firsts: list[float] = field(default_factory=list)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scripts", type=Path, default=REPO / "scripts")
    parser.add_argument("--chapters", default="2-6")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--compare", metavar="REV", help="also build with the code of this git revision")
    parser.add_argument(
        "--same-outputs",
        action="store_true",
        help="also build with this code making only REV's outputs (no EPUB, no spoken disclosure)",
    )
    parser.add_argument("--rounds", type=int, default=1, help="builds of each kind, taken in turn (medians)")
    args = parser.parse_args()
    source = load_book(args.scripts)
    numbers = parse_ranges(args.chapters)
    words = [source.chapters[n - 1].word_count for n in numbers]
    print(
        f"Book: chapters {args.chapters} of {args.scripts}: {sum(words)} words; jobs={args.jobs}; "
        f"{args.rounds} round(s); load average {os.getloadavg()[0]:.2f}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-progressive-") as tmp_name:
        tmp = Path(tmp_name)
        arms = [Arm("new", None)]
        if args.same_outputs:
            arms.append(Arm("new, old outputs", None, old_outputs=True))
        try:
            if args.compare:
                arms.append(Arm(args.compare, build_bench().old_code(args.compare, tmp / "old-code")))
            runs = {arm.name: Runs() for arm in arms}
            for round_ in range(args.rounds):
                for arm in arms:  # in turn, so a slow spell of the machine falls on every kind alike
                    scripts = tmp / f"{round_}-{arms.index(arm)}" / "scripts"
                    build_bench().copy_book(source, numbers, scripts, old_outputs=arm.old_outputs)
                    total, first = timed_build(scripts, args.jobs, arm.env)
                    runs[arm.name].totals.append(total)
                    runs[arm.name].firsts.append(first if first is not None else float("nan"))
                    print(f"  round {round_ + 1} [{arm.name}]: {total:.1f} s, first episode after {first or 0:.1f} s")
        finally:
            if args.compare:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tmp / "old-code")])
    report(args, arms, runs, words)


def report(args: argparse.Namespace, arms: list[Arm], runs: dict[str, Runs], words: list[int]) -> None:
    new = runs["new"]
    total, first = statistics.median(new.totals), statistics.median(new.firsts)
    shares = [f / t for f, t in zip(new.firsts, new.totals, strict=True)]
    share = statistics.median(shares)
    verdict = "meets" if share <= 0.25 else "MISSES"
    print(
        f"first episode in the feed after {first:.1f} s of a {total:.1f} s build (medians) = {100 * share:.1f} % "
        f"-> {verdict} the <= 25 % target (the first chapter is {100 * words[0] / sum(words):.1f} % of the words)"
    )
    if not args.compare:
        return
    before = runs[args.compare].totals
    print(f"the same build with the code of {args.compare}: median {statistics.median(before):.1f} s")
    for arm in arms[:-1]:
        mine = runs[arm.name].totals
        pairs = [m / b for m, b in zip(mine, before, strict=True)]
        ratio = statistics.median(mine) / statistics.median(before)
        print(
            f"  [{arm.name}] / [{args.compare}]: medians {ratio:.3f}; round by round "
            f"{', '.join(f'{r:.3f}' for r in pairs)} -> {'meets' if ratio <= 1.02 else 'MISSES'} the <= 2 % target"
        )


if __name__ == "__main__":
    main()
