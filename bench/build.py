"""Benchmark of ``narration build`` (synthesis, mastering, encoding, packaging, publishing), in one run.

On a copy of a book's scripts (``--scripts``, default the pamphlet's ``scripts/``; ``--chapters``
picks a subset, e.g. ``1-5``) in a temporary folder, with its own empty caches:

(a) bare Piper: the very sentences the pipeline speaks, in ``--jobs`` plain processes (one model
    load and one ONNX thread each, audio kept in memory; ``run_bare`` of ``bench/synth.py``).
(b) a full build: ``narration build --jobs N`` as a new process, from empty clip and build caches.
    Ratio (b)/(a): target <= 1.10.
(c) an edit: one word changed in one paragraph of the middle chapter, then ``narration build``
    again. Ratio (c)/(b): target <= 1 %.
(d) a no-op build: ``narration build`` once more, nothing changed. Target < 2 s.
(e) peak memory: ``build_book`` of the book and of the book doubled (every chapter twice, the
    twin titled "... (again)" so it is a chapter of its own), each in a new process with every
    clip already made (the twins' titles are synthesised first, untimed) and an empty build cache,
    so every chapter is mastered and encoded; ``ru_maxrss`` of that process from ``wait4``.
    Ratio: target <= 1.1.

Times are wall-clock (``time.perf_counter``) around each process, imports included; ratios are
taken within this run. (d) is the median of three runs.

With ``--compare REV``, (b), (c) and (d) also run with the code of git revision REV (a worktree of
it first on PYTHONPATH, same interpreter) on a copy of its own, each step right after the new
code's, so "no slower than before" is measured in one run against one (a). With ``--same-outputs``
the new code also runs on a copy whose ``book.toml`` makes only what the code before issue 14 made
(``[publish] epub = false``, ``[disclosure] speak = false``): like for like with an older REV.

    python bench/build.py                      # the whole pamphlet (minutes)
    python bench/build.py --chapters 1-5       # a stated subset of scripts/
    python bench/build.py --chapters 1 --jobs 1 --words 60   # a quick check of the script itself
    python bench/build.py --compare 9a09a51 --skip-memory    # the code before, in the same run
    python bench/build.py --compare 9a09a51 --same-outputs --skip-memory   # and like for like
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from narration.config import BookConfig, save_config
from narration.model import Book, load_book, render_script
from narration.synth.engines import get_engine
from narration.synth.pipeline import plan_book, resolve_options, synthesize_book
from narration.synth.plan import parse_ranges

REPO = Path(__file__).resolve().parents[1]


def synth_bench():
    """``bench/synth.py`` as a module (for its bare-Piper runner)."""
    spec = importlib.util.spec_from_file_location("bench_synth", REPO / "bench" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def copy_book(
    source: Book,
    numbers: list[int],
    scripts: Path,
    *,
    twice: bool = False,
    words: int | None = None,
    old_outputs: bool = False,
) -> None:
    """Write the chosen chapters (each twice when ``twice``; only the first ``words`` of each
    when given) as a new ``scripts`` folder, with the book's ``book.toml`` (with ``old_outputs``,
    switched to make only what the code before issue 14 made: no EPUB, no spoken disclosure)."""
    scripts.mkdir(parents=True)
    save_config(scripts, without_new_outputs(source.config) if old_outputs else source.config)
    number = 0
    for chapter in (source.chapters[n - 1] for n in numbers):
        sections, total = [], 0
        for section in chapter.sections:
            if words is not None and total >= words:
                break
            sections.append(section)
            total += len(section.text.split())
        for copy in range(2 if twice else 1):
            number += 1
            name = f"{number:02d}-{chapter.key}{'-again' if copy else ''}.md"
            title = f"{chapter.title} (again)" if copy else chapter.title  # a twin of its own
            (scripts / name).write_text(render_script(title, sections), encoding="utf-8")


def without_new_outputs(config: BookConfig) -> BookConfig:
    """``config`` making the outputs of the code before issue 14: no read-along EPUB, no spoken
    disclosure (the feed's and tags' disclosure lines cost nothing measurable)."""
    return dataclasses.replace(
        config,
        publish=dataclasses.replace(config.publish, epub=False),
        disclosure=dataclasses.replace(config.disclosure, speak=False),
    )


def run(command: list[str], log: Path, env: dict[str, str] | None = None) -> tuple[float, int, int]:
    """Run ``command``; (wall seconds, exit code, peak RSS in KiB of the process)."""
    with open(log, "w") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{log.read_text()[-2000:]}")
    return elapsed, proc.returncode, usage.ru_maxrss


def build_command(scripts: Path, jobs: int) -> list[str]:
    out = scripts.parent / "output"
    return [
        sys.executable,
        "-m",
        "narration",
        "build",
        "--scripts",
        str(scripts),
        "--out",
        str(out),
        "--jobs",
        str(jobs),
        "--no-progress",
    ]


def memory_command(scripts: Path, jobs: int, clips: Path) -> list[str]:
    code = (
        "import sys; from pathlib import Path; from narration.model import load_book; "
        "from narration.build import build_book; "
        "book = load_book(sys.argv[1]); "
        "build_book(book, out_dir=Path(sys.argv[2]), jobs=int(sys.argv[3]), publish=False)"
    )
    return [sys.executable, "-c", code, str(scripts), str(scripts.parent / "output"), str(jobs)]


def edit_one_paragraph(scripts: Path) -> str:
    """Change one word of the first long paragraph of the middle chapter; say where."""
    paths = sorted(scripts.glob("*.md"))
    path = paths[len(paths) // 2]
    text = path.read_text(encoding="utf-8")
    paragraph = next(p for p in text.split("\n\n") if not p.startswith("#") and len(p.split()) > 8)
    words = paragraph.split(" ")
    words[len(words) // 2] = "indeed " + words[len(words) // 2]
    path.write_text(text.replace(paragraph, " ".join(words), 1), encoding="utf-8")
    return f"{path.name}, a paragraph of {len(words)} words"


def spoken_sentences(book: Book) -> list[str]:
    engine = get_engine(resolve_options(book).spec)
    plan = plan_book(book, engine, None)
    return [sentence for piece in plan.pieces().values() for sentence in piece.spoken]


def share_clips(scripts: Path, clips: Path) -> None:
    """Point the copy's ``[synth] cache_dir`` at an existing clip cache."""
    book = load_book(scripts)
    book.config.synth.cache_dir = str(clips)
    save_config(scripts, book.config)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scripts", type=Path, default=REPO / "scripts", help="the book (default: scripts/)")
    parser.add_argument("--chapters", help="a subset of its chapters, e.g. 1-5 (default: all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes (default: cores)")
    parser.add_argument("--words", type=int, help="only the first WORDS of each chapter (to check the script)")
    parser.add_argument("--skip-memory", action="store_true", help="leave out (e)")
    parser.add_argument("--compare", metavar="REV", help="also time (b)-(d) with the code of this git revision")
    parser.add_argument(
        "--same-outputs",
        action="store_true",
        help="also time (b)-(d) with this code making only REV's outputs (no EPUB, no spoken disclosure)",
    )
    args = parser.parse_args()

    source = load_book(args.scripts)
    numbers = parse_ranges(args.chapters) if args.chapters else list(range(1, len(source.chapters) + 1))
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp_name:
        tmp = Path(tmp_name)
        codes = [Code("new", tmp / "book" / "scripts", None)]
        if args.same_outputs:
            codes.append(Code("new, old outputs", tmp / "same" / "scripts", None, old_outputs=True))
        if args.compare:
            codes.append(Code(args.compare, tmp / "old" / "scripts", old_code(args.compare, tmp / "old-code")))
        try:
            for code in codes:
                copy_book(source, numbers, code.scripts, words=args.words, old_outputs=code.old_outputs)
            book = load_book(codes[0].scripts)
            what = f"chapters {args.chapters or 'all'} of {args.scripts}"
            what += f", first {args.words} words each" if args.words else ""
            print(
                f"Book: {what}: {len(book.chapters)} chapters, {book.word_count} words; jobs={args.jobs}; "
                f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}"
            )
            report_times(args, book, codes, tmp)
            if not args.skip_memory:
                report_memory(args, source, numbers, codes[0].scripts, tmp)
        finally:
            if args.compare:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tmp / "old-code")])
        print(f"load average at the end {os.getloadavg()[0]:.2f}")


@dataclass(frozen=True)
class Code:
    """A version of narration under test: its name, its copy of the book, its environment."""

    name: str
    scripts: Path
    env: dict[str, str] | None  # None: this checkout
    old_outputs: bool = False  # its book.toml makes no EPUB and speaks no disclosure

    def build(self, jobs: int, log: Path) -> float:
        return run(build_command(self.scripts, jobs), log, self.env)[0]

    def last_summary(self, log: Path) -> str:
        return log.read_text().strip().splitlines()[-4]


def old_code(rev: str, where: Path) -> dict[str, str]:
    """An environment that runs the code of ``rev`` (a worktree of it, first on PYTHONPATH)."""
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(where), rev], check=True)
    return {**os.environ, "PYTHONPATH": str(where)}


def report_times(args: argparse.Namespace, book: Book, codes: list[Code], tmp: Path) -> None:
    sentences = spoken_sentences(book)
    engine = get_engine(resolve_options(book).spec)
    bare, audio = synth_bench().run_bare(engine, sentences, args.jobs)
    print(
        f"(a) bare Piper, {len(sentences)} sentences in {args.jobs} processes: {bare:.1f} s "
        f"({audio / 60:.1f} min of audio)"
    )
    full = {}
    for code in codes:
        log = tmp / f"full-{code.name}.log"
        full[code.name] = seconds = code.build(args.jobs, log)
        print(
            f"(b) [{code.name}] full build (new process, empty caches): {seconds:.1f} s = {seconds / bare:.3f} x "
            f"bare Piper -> {'meets' if seconds <= 1.10 * bare else 'MISSES'} the <= 1.10 x target\n"
            f"    {code.last_summary(log)}"
        )
    for code in codes:
        where = edit_one_paragraph(code.scripts)
        log = tmp / f"edit-{code.name}.log"
        edit = code.build(args.jobs, log)
        share = edit / full[code.name]
        print(
            f"(c) [{code.name}] rebuild after editing {where}: {edit:.2f} s = {100 * share:.2f} % of its full "
            f"build -> {'meets' if share <= 0.01 else 'MISSES'} the <= 1 % target\n    {code.last_summary(log)}"
        )
    noops: dict[str, list[float]] = {code.name: [] for code in codes}
    for attempt in range(3):
        for code in codes:
            noops[code.name].append(code.build(args.jobs, tmp / f"noop-{code.name}-{attempt}.log"))
    for code in codes:
        noop = statistics.median(noops[code.name])
        runs = ", ".join(f"{t:.2f}" for t in noops[code.name])
        print(
            f"(d) [{code.name}] no-op build: median {noop:.2f} s of {runs} -> "
            f"{'meets' if noop < 2 else 'MISSES'} the < 2 s target\n"
            f"    {code.last_summary(tmp / f'noop-{code.name}-0.log')}"
        )


def report_memory(args: argparse.Namespace, source: Book, numbers: list[int], scripts: Path, tmp: Path) -> None:
    clips = scripts.parent / ".narration" / "cache"
    peaks = {}
    for name, twice in (("book", False), ("doubled", True)):
        copy = tmp / f"memory-{name}" / "scripts"
        copy_book(source, numbers, copy, twice=twice, words=args.words)
        share_clips(copy, clips)
        synthesize_book(load_book(copy), jobs=args.jobs)  # the twins' titles; the rest is made by (b)
        _, _, peaks[name] = run(memory_command(copy, args.jobs, clips), tmp / f"{name}.log")
    ratio = peaks["doubled"] / peaks["book"]
    print(
        "(e) peak memory of build_book with clips made, every chapter mastered: "
        f"book {peaks['book'] / 1024:.0f} MiB, "
        f"doubled {peaks['doubled'] / 1024:.0f} MiB = {ratio:.2f} x -> {'meets' if ratio <= 1.1 else 'MISSES'} "
        "the <= 1.1 x target"
    )


if __name__ == "__main__":
    main()
