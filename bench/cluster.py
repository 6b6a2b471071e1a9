"""Benchmark of synthesis on a Dask cluster against the local process pool, in one run.

On chapters of the pamphlet (``scripts/``, optionally cut to ``--words``), each run on a new, empty
clip cache, timed around ``synthesize_book`` (planning, scheduling, result transfer and the client's
WAV and sidecar writes included):

(a) the local pool: ``jobs=2`` forked processes (the default executor);
(b) ``--cluster`` with 2 workers on this machine: a ``LocalCluster`` of 2 single-threaded worker
    processes started beforehand, with narration and Piper imported (a cluster's workers are
    long-running; the forked pool of (a) inherits its parent's imports), reached by its tcp address
    as ``narration build --cluster tcp://...`` reaches a scheduler. Each run gets new workers, so
    the voice is loaded inside the timed run as in (a);
(c) the same with 1 worker.

Ratios within this run: (b)/(a) is the cluster's overhead (target <= 1.05) and (c)/(b) the speed-up
from a second worker (target >= 1.85). Then, on the 2-worker cluster:

(d) per-task overhead: the scheduler round trip of an empty task, one at a time; the scheduler's
    rate for many empty tasks at once; the transfer of a result carrying N seconds of clip audio
    (int16 at the voice's rate), per second of audio; the client's store of a clip (WAV + sidecar),
    per second of audio;
(e) the local audio stage (mastering, encoding, packaging) of the same chapters with ``jobs=2``,
    its clips cached: what stays on this machine when synthesis moves to a cluster;

and from those figures an estimate of the throughput at 10 and 100 workers and what bounds it.
Each figure is the best of ``--repeat`` runs (wall time, ``time.perf_counter``).

    python bench/cluster.py                        # chapters 2-4 of scripts/ (about 15 min on 2 quiet cores)
    python bench/cluster.py --words 300            # a quick check that it works (about 3 min)
    python bench/cluster.py --chapters 2-6 --repeat 2
"""

from __future__ import annotations

import argparse
import importlib
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from distributed import Client, LocalCluster

from narration.build import build
from narration.cluster.executor import DaskExecutor
from narration.config import save_config
from narration.model import Book, load_book, render_script
from narration.synth.cache import ClipCache
from narration.synth.pipeline import synthesize_book
from narration.synth.plan import parse_ranges
from narration.synth.workers import ClipAudio, store

REPO = Path(__file__).resolve().parents[1]
RATE = 22050  # the bundled voice's rate (Piper medium voices)
NETWORK = 1e9 / 8  # bytes per second of a 1 Gb/s link, for the estimate


def sample(scripts: Path, chapters: list[int], words: int | None, out: Path) -> str:
    """Copy the ``chapters`` of a book (cut to ``words`` in all, whole sections) into ``out``."""
    book = load_book(scripts)
    save_config(out, book.config)
    total = 0
    for chapter in book.select(chapters):
        sections = []
        for section in chapter.sections:
            if words is not None and total >= words:
                break
            sections.append(section)
            total += len(section.text.split())
        if sections:
            (out / f"{chapter.slug}.md").write_text(render_script(chapter.title, sections), encoding="utf-8")
    return f"{total} words of chapters {','.join(map(str, chapters))} of {scripts}"


def local_cluster(workers: int) -> LocalCluster:
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    with Client(cluster, set_as_default=False) as client:
        client.wait_for_workers(workers, timeout=120)
        client.run(importlib.import_module, "narration.synth.engines.piper")
        client.run(importlib.import_module, "piper")
        client.run(importlib.import_module, "onnxruntime")
    return cluster


def timed_synthesis(book: Book, **options: Any) -> tuple[float, float, int]:
    """(seconds, seconds of audio made, clips) of one synthesis on a new cache."""
    with tempfile.TemporaryDirectory(prefix="bench-cluster-cache-") as cache:
        start = time.perf_counter()
        result = synthesize_book(book, cache_dir=Path(cache), **options)
        return time.perf_counter() - start, result.audio_seconds_made, result.made


def on_pool(book: Book) -> tuple[float, float, int]:
    return timed_synthesis(book, jobs=2)


def on_cluster(book: Book, workers: int) -> tuple[float, float, int]:
    cluster = local_cluster(workers)  # started outside the timed run, as a cluster's workers are
    try:
        with DaskExecutor(cluster.scheduler_address) as executor:
            return timed_synthesis(book, executor=executor)
    finally:
        cluster.close()


def best(repeat: int, measure: Callable[[], tuple[float, float, int]]) -> tuple[float, float, int]:
    return min(measure() for _ in range(repeat))


# --- per-task overhead ---------------------------------------------------------------------------


def nothing(i: int) -> int:
    return i


def clip_of(seconds: float) -> ClipAudio:
    samples = (np.sin(np.arange(int(seconds * RATE)) * 0.05) * 8000).astype(np.int16)
    return ClipAudio(f"bench{seconds}", samples, RATE, ((0.0, seconds),), ("a sentence",), {"engine": "bench"})


def overheads(address: str, tmp: Path) -> dict[str, float]:
    """Round trip, scheduler rate, transfer and store costs on the cluster at ``address``."""
    figures: dict[str, float] = {}
    with Client(address, set_as_default=False, direct_to_workers=True) as client:  # as DaskExecutor's
        client.submit(nothing, 0, pure=False).result()  # warm
        trips = []
        for i in range(50):
            start = time.perf_counter()
            client.submit(nothing, i, pure=False).result()
            trips.append(time.perf_counter() - start)
        figures["round_trip"] = statistics.median(trips)
        count = 2000
        start = time.perf_counter()
        client.gather(client.map(nothing, range(count), pure=False))
        figures["tasks_per_second"] = count / (time.perf_counter() - start)
        for seconds in (1.0, 600.0):
            future = client.submit(clip_of, seconds, pure=False)
            future.result()  # made and fetched once, then fetched again: transfer alone
            runs = []
            for _ in range(10):
                start = time.perf_counter()
                client.gather(future)
                runs.append(time.perf_counter() - start)
            figures[f"fetch_{seconds:.0f}s"] = min(runs)
    figures["transfer_per_audio_second"] = max((figures["fetch_600s"] - figures["fetch_1s"]) / 599, 1e-7)
    cache = ClipCache(tmp / "store")
    cache.prepare()
    clip = clip_of(20.0)
    start = time.perf_counter()
    for i in range(20):
        store(cache, ClipAudio(f"k{i}", clip.samples, RATE, clip.boundaries, clip.spoken, clip.engine))
    figures["store_per_audio_second"] = (time.perf_counter() - start) / (20 * 20.0)
    return figures


def audio_stage(book: Book, tmp: Path) -> tuple[float, float]:
    """(seconds, seconds of audio) of the local audio stage with every clip already cached."""
    cache = tmp / "stage-clips"
    synthesize_book(book, jobs=2, cache_dir=cache)
    scripts = book.scripts_dir or book.root
    config = book.config
    config.synth.cache_dir = str(cache)
    save_config(scripts, config)
    report = build(load_book(scripts), out_dir=tmp / "out", jobs=2, cache_dir=tmp / "units", publish=False)
    return report.elapsed, report.result.duration  # every clip cached, nothing published: the audio stage


# --- report --------------------------------------------------------------------------------------


def estimate(per_worker: float, clip_seconds: float, o: dict[str, float], stage_rate: float) -> None:
    """Audio seconds per second at 10 and 100 workers, and the first limit each meets.

    Synthesis runs at the workers' rate until one of the client's or scheduler's limits; the local
    audio stage follows synthesis (the stages do not overlap), so a build takes the sum of both."""
    limits = {
        "scheduler (empty tasks/s x audio per task)": o["tasks_per_second"] * clip_seconds,
        "client writes (WAV + sidecar)": 1 / o["store_per_audio_second"],
        "result transfer to the client, loopback": 1 / o["transfer_per_audio_second"],
        "1 Gb/s network into the client": NETWORK / (2 * RATE),
    }
    print("(f) estimate, in audio seconds per wall second (x3600 = audio hours per hour):")
    for name, rate in limits.items():
        print(f"    synthesis limit: {name:<44} {rate:9.0f}  (= {rate / per_worker:5.0f} workers)")
    print(f"    local audio stage after it: {stage_rate:.0f} (= {stage_rate / per_worker:.0f} workers' synthesis)")
    for workers in (10, 100):
        bound = min(limits.items(), key=lambda kv: kv[1])
        synth = min(workers * per_worker, bound[1])
        by = "the workers" if workers * per_worker <= bound[1] else bound[0]
        whole = 1 / (1 / synth + 1 / stage_rate)
        share = (1 / stage_rate) / (1 / synth + 1 / stage_rate)
        print(
            f"    {workers:3d} workers: synthesis {synth:7.0f} (bound by {by}); whole build {whole:6.0f}, "
            f"of which the local audio stage takes {share:.0%} of the time"
        )
    print(
        "    knobs: longer clips (the engine's max_chars) or several clips per task divide the scheduler's load "
        "per audio second; the client's writes, the network into the client and the local audio stage do not "
        "shrink with either (only with more client machines, or units mastered on the workers)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scripts", type=Path, default=REPO / "scripts")
    parser.add_argument("--chapters", default="2-4", help="chapters of --scripts (default 2-4)")
    parser.add_argument("--words", type=int, help="cut the chapters to this many words in all")
    parser.add_argument("--repeat", type=int, default=1, help="best of R runs for each timing")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as folder:
        tmp = Path(folder)
        (tmp / "scripts").mkdir()
        what = sample(args.scripts, parse_ranges(args.chapters), args.words, tmp / "scripts")
        book = load_book(tmp / "scripts")
        print(f"text: {what}; timings are the best of {args.repeat}, each on a new clip cache")
        pool = best(args.repeat, lambda: on_pool(book))
        two = best(args.repeat, lambda: on_cluster(book, 2))
        one = best(args.repeat, lambda: on_cluster(book, 1))
        clips, audio = pool[2], pool[1]
        print(f"(a) local pool, 2 processes:  {pool[0]:7.1f} s  ({clips} clips, {audio / 60:.1f} min of audio)")
        print(
            f"(b) cluster, 2 workers:       {two[0]:7.1f} s  overhead (b)/(a) = {two[0] / pool[0]:.3f} (target <= 1.05)"
        )
        print(
            f"(c) cluster, 1 worker:        {one[0]:7.1f} s  speed-up (c)/(b) = {one[0] / two[0]:.2f}x (target >= 1.85)"
        )
        cluster = local_cluster(2)
        try:
            o = overheads(cluster.scheduler_address, tmp)
        finally:
            cluster.close()
        print(
            f"(d) per task: round trip {o['round_trip'] * 1000:.1f} ms; "
            f"scheduler {o['tasks_per_second']:.0f} empty tasks/s; "
            f"result transfer {o['transfer_per_audio_second'] * 1000:.3f} ms per audio second "
            f"(a 1 s clip's result {o['fetch_1s'] * 1000:.1f} ms, 600 s {o['fetch_600s'] * 1000:.1f} ms); "
            f"client store {o['store_per_audio_second'] * 1000:.3f} ms per audio second"
        )
        stage_seconds, stage_audio = audio_stage(book, tmp)
        stage_rate = stage_audio / stage_seconds
        print(
            f"(e) local audio stage, 2 processes: {stage_seconds:.1f} s "
            f"for {stage_audio / 60:.1f} min ({stage_rate:.0f} audio-s/s)"
        )
        per_worker = one[1] / one[0]
        print(
            f"    one worker makes {per_worker:.1f} audio-s/s; a clip averages {audio / max(clips, 1):.1f} s of audio"
        )
        estimate(per_worker, audio / max(clips, 1), o, stage_rate)


if __name__ == "__main__":
    main()
