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

With ``--same-outputs`` the new code also builds a copy whose ``book.toml`` makes only what the
code before issue 14 made (``[publish] epub = false``, ``[disclosure] speak = false``), so the
progressive build's own cost is seen apart from the outputs it adds.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
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
    args = parser.parse_args()
    source = load_book(args.scripts)
    numbers = parse_ranges(args.chapters)
    words = [source.chapters[n - 1].word_count for n in numbers]
    with tempfile.TemporaryDirectory(prefix="bench-progressive-") as tmp_name:
        tmp = Path(tmp_name)
        scripts = tmp / "new" / "scripts"
        build_bench().copy_book(source, numbers, scripts)
        print(f"Book: chapters {args.chapters} of {args.scripts}: {sum(words)} words; jobs={args.jobs}")
        total, first = timed_build(scripts, args.jobs)
        share = f"{100 * first / total:.1f} %" if first is not None else "never"
        verdict = "meets" if first is not None and first <= 0.25 * total else "MISSES"
        print(
            f"first episode in the feed after {first or float('nan'):.1f} s of a {total:.1f} s build = {share} "
            f"-> {verdict} the <= 25 % target (the first chapter is {100 * words[0] / sum(words):.1f} % of the words)"
        )
        same = None
        if args.same_outputs:
            like = tmp / "same" / "scripts"
            build_bench().copy_book(source, numbers, like, old_outputs=True)
            same, same_first = timed_build(like, args.jobs)
            print(
                f"the same build making only the outputs of before (no EPUB, no spoken disclosure): {same:.1f} s, "
                f"first episode after {same_first or float('nan'):.1f} s"
            )
        if args.compare:
            env = build_bench().old_code(args.compare, tmp / "old-code")
            try:
                old_scripts = tmp / "old" / "scripts"
                build_bench().copy_book(source, numbers, old_scripts)
                before, _ = timed_build(old_scripts, args.jobs, env)
            finally:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tmp / "old-code")])
            ratio = total / before
            print(
                f"the same build with the code of {args.compare}: {before:.1f} s; progressive / before = {ratio:.3f} "
                f"-> {'meets' if ratio <= 1.02 else 'MISSES'} the <= 2 % target"
            )
            if same is not None:
                like_ratio = same / before
                print(
                    f"  like for like (the same outputs as before): {same:.1f} / {before:.1f} = {like_ratio:.3f} "
                    f"-> {'meets' if like_ratio <= 1.02 else 'MISSES'} the <= 2 % target"
                )


if __name__ == "__main__":
    main()
