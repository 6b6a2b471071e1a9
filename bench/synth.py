"""Benchmark of the synth stage (``synthesize_book``) against bare Piper, in one run.

Measures, on this machine and the same text:

(a) bare Piper: ``PiperVoice`` in N plain processes (N = 1 and ``--jobs``), each loading the model
    once (one ONNX thread, as the engine does) and speaking its share of the very sentence texts
    the pipeline speaks (shares balanced by characters), keeping the audio in memory: no cache, no
    files. Timed from starting the processes to joining them.
(b) ``synthesize_book`` with jobs=1 and jobs=N on a cold (new, empty) cache each time, timed
    around the call: planning, normalisation, scheduling, WAV and sidecar writes included.
(c) a no-op run: ``synthesize_book`` over the whole book in ``--noop-scripts`` (default: the
    pamphlet's ``scripts/``) with a warm cache, in-process and as the ``narration synth`` command
    (a new Python process, imports included). The warm cache is the project's own
    ``.narration/cache`` when it already holds every clip; otherwise a temporary one filled with
    short silent placeholder clips written through the real cache code (a no-op run reads only
    each clip's stat and sidecar, never its audio, so placeholders time it faithfully).

Ratios are taken within this run: pipeline / bare with the same number of processes (target
<= 1.10) and jobs=1 time / jobs=N time (target >= 1.6 for N=2 on 2 cores). All times are wall
times from ``time.perf_counter``; with ``--repeat R`` each figure is the best of R runs.

    python bench/synth.py                       # first ~3000 words of scripts/, jobs 1 and 2
    python bench/synth.py --words 150           # a quick check (seconds)
    python bench/synth.py --scripts scripts --words 6000 --jobs 2 --repeat 2
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from narration.config import save_config
from narration.model import Book, load_book, render_script
from narration.synth.cache import ClipCache
from narration.synth.engines import get_engine
from narration.synth.pipeline import plan_book, resolve_options, scan, synthesize_book

REPO = Path(__file__).resolve().parents[1]
PAMPHLET = REPO.parent / "shared" / "texts" / "russia-how-the-bureaucracy-seized-power.txt"
PLACEHOLDER_SECONDS = 0.05  # of silence per sentence in a placeholder clip


# --- the text ------------------------------------------------------------------------------------


def sample_from_scripts(scripts: Path, words: int, out: Path) -> str:
    """Copy the opening ``words`` of a book (whole sections, from chapter 1 on) into ``out``."""
    book = load_book(scripts)
    save_config(out, book.config)
    total = 0
    for chapter in book.chapters:
        sections = []
        for section in chapter.sections:
            if total >= words:
                break
            sections.append(section)
            total += len(section.text.split())
        if sections:
            (out / f"{chapter.slug}.md").write_text(render_script(chapter.title, sections), encoding="utf-8")
        if total >= words:
            break
    return f"the first {total} words of {scripts}"


def sample_from_pamphlet(words: int, out: Path) -> str:
    """The opening ``words`` of the bundled pamphlet as one chapter (when there is no scripts/)."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", PAMPHLET.read_text(encoding="utf-8"))]
    chosen, total = [], 0
    for paragraph in filter(None, paragraphs):
        if total >= words:
            break
        chosen.append(paragraph)
        total += len(paragraph.split())
    (out / "01-sample.md").write_text("# Sample\n\n" + "\n\n".join(chosen) + "\n", encoding="utf-8")
    return f"the first {total} words of {PAMPHLET.name}"


# --- (a) bare Piper ------------------------------------------------------------------------------


def bare_worker(model: str, config: dict, sentences: list[str], results: multiprocessing.Queue) -> None:
    import numpy as np
    import onnxruntime
    from piper import PiperConfig, PiperVoice, SynthesisConfig

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])
    voice = PiperVoice(config=PiperConfig.from_dict(config), session=session)
    samples = 0
    for sentence in sentences:
        audio = np.concatenate([c.audio_int16_array for c in voice.synthesize(sentence, SynthesisConfig())])
        samples += len(audio)
    results.put(samples / voice.config.sample_rate)


def shares(sentences: list[str], n: int) -> list[list[str]]:
    """``n`` shares of about equal characters (longest first to the lightest share)."""
    out: list[list[str]] = [[] for _ in range(n)]
    sizes = [0] * n
    for sentence in sorted(sentences, key=len, reverse=True):
        lightest = sizes.index(min(sizes))
        out[lightest].append(sentence)
        sizes[lightest] += len(sentence)
    return out


def run_bare(engine, sentences: list[str], processes: int) -> tuple[float, float]:
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start = time.perf_counter()
    workers = [
        context.Process(target=bare_worker, args=(str(engine.model), engine.voice_config, share, results))
        for share in shares(sentences, processes)
    ]
    for worker in workers:
        worker.start()
    audio = sum(results.get() for _ in workers)
    for worker in workers:
        worker.join()
    return time.perf_counter() - start, audio


# --- (b) the pipeline ----------------------------------------------------------------------------


def run_pipeline(book: Book, jobs: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="bench-synth-cache-") as cache:
        start = time.perf_counter()
        result = synthesize_book(book, jobs=jobs, cache_dir=Path(cache))
        return time.perf_counter() - start, result.audio_seconds_made


def best(repeat: int, measure: Callable[[], tuple[float, float]]) -> tuple[float, float]:
    return min(measure() for _ in range(repeat))


# --- (c) the no-op run ---------------------------------------------------------------------------


def warm_cache(book: Book, tmp: Path) -> tuple[Path, str]:
    """The project's cache if it is warm for ``book``, else a placeholder cache in ``tmp``."""
    options = resolve_options(book)
    engine = get_engine(options.spec)
    plan = plan_book(book, engine, None)
    _, missing = scan(ClipCache(options.cache_dir), plan)
    if not missing:
        return options.cache_dir, f"the project's own warm cache {options.cache_dir}"
    cache = ClipCache(tmp / "warm")
    cache.prepare()
    rate = engine.sample_rate
    for key, piece in plan.pieces().items():
        count = len(piece.spoken)
        step = PLACEHOLDER_SECONDS
        silence = [0] * int(rate * step * count)
        cache.store(key, silence, rate, [(i * step, (i + 1) * step) for i in range(count)])
    how = f"a placeholder cache ({len(plan.pieces())} silent clips; the project's cache lacks {len(missing)})"
    return cache.root, how


def run_noop(scripts: Path, tmp: Path) -> None:
    book = load_book(scripts)
    cache, how = warm_cache(book, tmp)
    start = time.perf_counter()
    result = synthesize_book(book, cache_dir=cache)
    in_process = time.perf_counter() - start
    command = [
        sys.executable,
        "-m",
        "narration",
        "synth",
        "--scripts",
        str(scripts),
        "--cache-dir",
        str(cache),
        "--no-progress",
    ]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    whole = time.perf_counter() - start
    status = "ok" if done.returncode == 0 and "Made 0 clip(s)" in done.stdout else f"FAILED: {done.stdout}{done.stderr}"
    verdict = "meets" if whole < 2 and result.made == 0 and status == "ok" else "MISSES"
    print(f"(c) no-op run over {scripts} ({book.word_count} words, {result.reused} clips) with {how}:")
    print(
        f"    synthesize_book in-process {in_process:.2f} s (made {result.made}); "
        f"`narration synth` command {whole:.2f} s ({status}) -> {verdict} the < 2 s target"
    )


# --- main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scripts", type=Path, default=REPO / "scripts", help="book to take the sample from")
    parser.add_argument("--words", type=int, default=3000, help="words of the sample (whole sections)")
    parser.add_argument("--jobs", type=int, default=2, help="processes of the parallel case")
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs per figure")
    parser.add_argument("--noop-scripts", type=Path, default=REPO / "scripts", help="book of the no-op run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-synth-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "scripts").mkdir()
        if args.scripts.is_dir():
            what = sample_from_scripts(args.scripts, args.words, tmp / "scripts")
        else:
            what = sample_from_pamphlet(args.words, tmp / "scripts")
        book = load_book(tmp / "scripts")
        engine = get_engine(resolve_options(book).spec)
        sentences = [s for piece in plan_book(book, engine, None).pieces().values() for s in piece.spoken]
        print(f"Sample: {what}: {len(sentences)} sentences, {sum(map(len, sentences))} characters spoken;")
        print(
            f"voice {engine.identity['voice']}; {os.cpu_count()} cores, load average before "
            f"{os.getloadavg()[0]:.2f}; best of {args.repeat} run(s) per figure."
        )
        measure_speed(book, engine, sentences, args.jobs, args.repeat)
        if args.noop_scripts.is_dir():
            run_noop(args.noop_scripts, tmp)
        else:
            print(f"(c) skipped: no scripts folder {args.noop_scripts}")


def measure_speed(book: Book, engine, sentences: list[str], jobs: int, repeat: int) -> None:
    figures = {}
    for n in sorted({1, jobs}):
        figures[("bare", n)] = best(repeat, lambda n=n: run_bare(engine, sentences, n))
        figures[("pipe", n)] = best(repeat, lambda n=n: run_pipeline(book, n))
        bare, audio = figures[("bare", n)]
        pipe, _ = figures[("pipe", n)]
        ratio = pipe / bare
        print(f"(a) bare Piper, {n} process(es):        {bare:8.2f} s  ({audio / 60:.1f} min of audio)")
        print(
            f"(b) synthesize_book jobs={n}, cold cache: {pipe:8.2f} s  -> {ratio:.3f} x bare "
            f"({'meets' if ratio <= 1.10 else 'MISSES'} the <= 1.10 target)"
        )
    if jobs > 1:
        speedup = figures[("pipe", 1)][0] / figures[("pipe", jobs)][0]
        bare_speedup = figures[("bare", 1)][0] / figures[("bare", jobs)][0]
        print(
            f"    jobs=1 / jobs={jobs}: {speedup:.2f} x faster ({'meets' if speedup >= 1.6 else 'MISSES'} the "
            f">= 1.6 target; bare Piper scales {bare_speedup:.2f} x on this machine now)"
        )


if __name__ == "__main__":
    main()
