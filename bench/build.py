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
taken within this run.

    python bench/build.py                      # the whole pamphlet (minutes)
    python bench/build.py --chapters 1-5       # a stated subset of scripts/
    python bench/build.py --chapters 1 --jobs 1 --words 60   # a quick check of the script itself
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from narration.config import save_config
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
    source: Book, numbers: list[int], scripts: Path, *, twice: bool = False, words: int | None = None
) -> None:
    """Write the chosen chapters (each twice when ``twice``; only the first ``words`` of each
    when given) as a new ``scripts`` folder, with the book's ``book.toml``."""
    scripts.mkdir(parents=True)
    save_config(scripts, source.config)
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


def run(command: list[str], log: Path) -> tuple[float, int, int]:
    """Run ``command``; (wall seconds, exit code, peak RSS in KiB of the process)."""
    with open(log, "w") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
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
    args = parser.parse_args()

    source = load_book(args.scripts)
    numbers = parse_ranges(args.chapters) if args.chapters else list(range(1, len(source.chapters) + 1))
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp_name:
        tmp = Path(tmp_name)
        scripts = tmp / "book" / "scripts"
        copy_book(source, numbers, scripts, words=args.words)
        book = load_book(scripts)
        what = f"chapters {args.chapters or 'all'} of {args.scripts}"
        what += f", first {args.words} words each" if args.words else ""
        print(
            f"Book: {what}: {len(book.chapters)} chapters, {book.word_count} words; jobs={args.jobs}; "
            f"{os.cpu_count()} cores"
        )
        report_times(args, book, scripts, tmp)
        if not args.skip_memory:
            report_memory(args, source, numbers, scripts, tmp)


def report_times(args: argparse.Namespace, book: Book, scripts: Path, tmp: Path) -> None:
    sentences = spoken_sentences(book)
    engine = get_engine(resolve_options(book).spec)
    bare, audio = synth_bench().run_bare(engine, sentences, args.jobs)
    print(
        f"(a) bare Piper, {len(sentences)} sentences in {args.jobs} processes: {bare:.1f} s "
        f"({audio / 60:.1f} min of audio)"
    )
    full, _, _ = run(build_command(scripts, args.jobs), tmp / "full.log")
    print(
        f"(b) full build (new process, empty caches): {full:.1f} s = {full / bare:.2f} x bare Piper "
        f"-> {'meets' if full <= 1.10 * bare else 'MISSES'} the <= 1.10 x target"
    )
    print("    " + (tmp / "full.log").read_text().strip().splitlines()[-4])
    where = edit_one_paragraph(scripts)
    edit, _, _ = run(build_command(scripts, args.jobs), tmp / "edit.log")
    summary = (tmp / "edit.log").read_text().strip().splitlines()[-4]
    print(
        f"(c) rebuild after editing {where}: {edit:.2f} s = {100 * edit / full:.2f} % of the full build "
        f"-> {'meets' if edit <= 0.01 * full else 'MISSES'} the <= 1 % target\n    {summary}"
    )
    noop, _, _ = run(build_command(scripts, args.jobs), tmp / "noop.log")
    summary = (tmp / "noop.log").read_text().strip().splitlines()[-4]
    print(f"(d) no-op build: {noop:.2f} s -> {'meets' if noop < 2 else 'MISSES'} the < 2 s target\n    {summary}")


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
