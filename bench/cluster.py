"""Benchmark of synthesis on a Dask cluster against the local process pool, in one run.

On chapters of the pamphlet (``scripts/``, optionally cut to ``--words``), each run on a new, empty
clip cache, timed around ``synthesize_book`` (planning, scheduling, result transfer and the client's
WAV and sidecar writes included):

(a) the local pool: ``jobs=2`` forked processes (the default executor);
(b) ``--cluster`` with 2 workers on this machine: a ``LocalCluster`` of 2 single-threaded worker
    processes, reached by its tcp address as ``narration build --cluster tcp://...`` reaches a
    scheduler, with Dask's profiler off and its event-loop check every second
    (:data:`narration.cluster.QUIET_DASK`: what ``--cluster local:N`` starts and the README gives
    for ``dask scheduler`` and ``dask worker``);
(b0) the same with Dask's default settings (a worker profiler every 10 ms, loop checks every 20 ms);
(c) as (b) with 1 worker.

What is timed is the same in each: a cluster's workers are long-running, so (b) and (c) start
theirs, and import narration, Piper and onnxruntime in them, before the clock; (a) forks its pool
inside the clock (a fork costs milliseconds), from this process, which imported the same modules
first. In both the voice is loaded inside the clock, by each worker process, once; (b) and (c)
also connect to the scheduler, check the workers' identity and disconnect inside it. The client,
the scheduler and the nannies of (b) run in this process, as ``narration build`` and a scheduler
on this machine would, and compete with the workers for the same 2 cores as the pool's parent.
The configurations are run in turn, ``--repeat`` rounds of (a), (b), (b0), (c), so a change in the
machine's load falls on all of them; each figure is the best of its rounds.

Ratios within this run: (b)/(a) is the cluster's overhead (target <= 1.05) and (c)/(b) the speed-up
from a second worker (target >= 1.85). For each run it also shows where the CPU went (the workers;
this process: client, scheduler, nannies or the pool's parent) and, on the cluster, each worker's
busy time from Dask's task stream. Then, on the 2-worker cluster:

(d) Dask's own CPU (its profiler, event-loop checks, heartbeats, monitors) while 2 workers run
    tasks that sleep, as a share of one core, with Dask's defaults and with ``QUIET_DASK``;
    per-task overhead: the scheduler round trip of an empty task, one at a time; the scheduler's
    rate for many empty tasks at once; the transfer of a result carrying N seconds of clip audio
    (int16 at the voice's rate), per second of audio; the client's store of a clip (WAV + sidecar),
    per second of audio;
(e) the local audio stage (mastering, encoding, packaging) of the same chapters with ``jobs=2``,
    its clips cached: what stays on this machine when synthesis moves to a cluster;

and from those figures an estimate of the throughput at 10 and 100 workers and what bounds it.
Wall times are ``time.perf_counter``; note the machine's load (``uptime``) with the figures.

    python bench/cluster.py                        # chapters 2-4 of scripts/ (about 15 min on 2 quiet cores)
    python bench/cluster.py --words 300            # a quick check that it works (about 3 min)
    python bench/cluster.py --chapters 2-6 --repeat 2
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dask
import numpy as np
import psutil
from distributed import Client, LocalCluster, get_task_stream

from narration.build import build
from narration.cluster import QUIET_DASK
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
ENGINE_MODULES = ("narration.synth.engines.piper", "piper", "onnxruntime")  # imported before any clock


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


def local_cluster(workers: int, config: Mapping[str, object]) -> LocalCluster:
    """``workers`` single-threaded worker processes with ``config`` (read by the scheduler and the
    nannies as they start, passed to the workers) and narration, Piper and onnxruntime imported."""
    with dask.config.set(config):
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        )
    with Client(cluster, set_as_default=False) as client:
        client.wait_for_workers(workers, timeout=120)
        for module in ENGINE_MODULES:
            client.run(importlib.import_module, module)
    return cluster


@dataclass(frozen=True)
class Run:
    """One timed synthesis on a new cache, and where its CPU went."""

    seconds: float
    audio: float  # seconds of audio made
    clips: int
    worker_cpu: float  # CPU seconds of the worker processes in the timed run
    own_cpu: float  # CPU seconds of this process: the pool's parent, or client, scheduler and nannies
    busy: tuple[float, ...] = ()  # each cluster worker's seconds running tasks (Dask's task stream)
    connecting: float = 0.0  # of ``seconds``: connecting to the scheduler and disconnecting

    def cpu(self) -> str:
        busy = "" if not self.busy else "; workers busy " + ", ".join(f"{b:.1f}" for b in self.busy) + " s"
        connecting = f"; connect + close {self.connecting:.2f} s" if self.busy else ""
        return f"cpu: workers {self.worker_cpu:.1f} s, this process {self.own_cpu:.1f} s{busy}{connecting}"


def timed_synthesis(book: Book, **options: Any) -> tuple[float, float, int]:
    """(seconds, seconds of audio made, clips) of one synthesis on a new cache."""
    with tempfile.TemporaryDirectory(prefix="bench-cluster-cache-") as cache:
        start = time.perf_counter()
        result = synthesize_book(book, cache_dir=Path(cache), **options)
        return time.perf_counter() - start, result.audio_seconds_made, result.made


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def on_pool(book: Book) -> Run:
    """(a): the pool's processes are forked, and reaped, inside the run: their CPU is this
    process's children's."""
    own, children = _cpu(resource.getrusage(resource.RUSAGE_SELF)), _cpu(resource.getrusage(resource.RUSAGE_CHILDREN))
    seconds, audio, clips = timed_synthesis(book, jobs=2)
    own = _cpu(resource.getrusage(resource.RUSAGE_SELF)) - own
    return Run(seconds, audio, clips, _cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - children, own)


def _workers_cpu() -> float:
    total = 0.0
    for process in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def on_cluster(book: Book, workers: int, config: Mapping[str, object]) -> Run:
    """(b), (b0), (c): a new cluster, started outside the timed run as a cluster's workers are; the
    client connects and disconnects inside it, as ``narration build --cluster`` does."""
    cluster = local_cluster(workers, config)
    try:
        with Client(cluster.scheduler_address, set_as_default=False) as observer, get_task_stream(observer) as stream:
            own, children = _cpu(resource.getrusage(resource.RUSAGE_SELF)), _workers_cpu()
            start = time.perf_counter()
            with DaskExecutor(cluster.scheduler_address) as executor:
                synthesis, audio, clips = timed_synthesis(book, executor=executor)
            seconds = time.perf_counter() - start
            own, children = _cpu(resource.getrusage(resource.RUSAGE_SELF)) - own, _workers_cpu() - children
        busy: dict[str, float] = {}
        for task in stream.data:
            for step in task["startstops"]:
                if step["action"] == "compute":
                    busy[task["worker"]] = busy.get(task["worker"], 0.0) + step["stop"] - step["start"]
        workers_busy = tuple(sorted(busy.values(), reverse=True))
        return Run(seconds, audio, clips, children, own, workers_busy, seconds - synthesis)
    finally:
        cluster.close()


@dataclass(frozen=True)
class Setup:
    """One configuration of the comparison."""

    label: str
    measure: Callable[[Book], Run]


SETUPS = (
    Setup("(a) local pool, 2 processes", on_pool),
    Setup("(b) cluster, 2 workers", lambda book: on_cluster(book, 2, QUIET_DASK)),
    Setup("(b0) cluster, 2 workers, Dask's defaults", lambda book: on_cluster(book, 2, {})),
    Setup("(c) cluster, 1 worker", lambda book: on_cluster(book, 1, QUIET_DASK)),
)


def compare(book: Book, repeat: int) -> dict[str, Run]:
    """Every setup in turn, ``repeat`` rounds; the best run of each (printed as they come)."""
    runs: dict[str, list[Run]] = {setup.label: [] for setup in SETUPS}
    for round_ in range(1, repeat + 1):
        for setup in SETUPS:
            run = setup.measure(book)
            runs[setup.label].append(run)
            print(f"    round {round_}: {setup.label:<42} {run.seconds:6.1f} s  {run.cpu()}  [{load()}]", flush=True)
    return {label: min(found, key=lambda r: r.seconds) for label, found in runs.items()}


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


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


def hold(seconds: float) -> float:
    time.sleep(seconds)  # a task that takes no CPU: what is left is Dask's own
    return seconds


def machinery(config: Mapping[str, object], seconds: float = 10.0) -> float:
    """Share of one core that 2 workers, their nannies and scheduler use while each worker runs a
    task that sleeps ``seconds``: Dask's own CPU, which synthesis on those cores goes without."""
    cluster = local_cluster(2, config)
    try:
        with Client(cluster.scheduler_address, set_as_default=False) as client:
            client.gather(client.map(hold, [0.5, 0.5], pure=False))
            own, children, start = _cpu(resource.getrusage(resource.RUSAGE_SELF)), _workers_cpu(), time.perf_counter()
            client.gather(client.map(hold, [seconds, seconds], pure=False))
            wall = time.perf_counter() - start
            used = _cpu(resource.getrusage(resource.RUSAGE_SELF)) - own + _workers_cpu() - children
        return used / wall
    finally:
        cluster.close()


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


def report(best: dict[str, Run]) -> Run:
    """The comparison's ratios; returns the 1-worker run (the per-worker rate of the estimate)."""
    pool, two, defaults, one = (best[setup.label] for setup in SETUPS)
    print(
        f"(a) local pool, 2 processes:  {pool.seconds:7.1f} s  ({pool.clips} clips, {pool.audio / 60:.1f} min of audio)"
    )
    print(
        f"(b) cluster, 2 workers:       {two.seconds:7.1f} s  "
        f"overhead (b)/(a) = {two.seconds / pool.seconds:.3f} (target <= 1.05)"
    )
    print(
        f"(b0) Dask's default settings: {defaults.seconds:7.1f} s  (b0)/(a) = {defaults.seconds / pool.seconds:.3f}; "
        f"CPU beyond (a)'s: {defaults.worker_cpu + defaults.own_cpu - pool.worker_cpu - pool.own_cpu:+.1f} s, "
        f"(b)'s: {two.worker_cpu + two.own_cpu - pool.worker_cpu - pool.own_cpu:+.1f} s"
    )
    print(
        f"(c) cluster, 1 worker:        {one.seconds:7.1f} s  "
        f"speed-up (c)/(b) = {one.seconds / two.seconds:.2f}x (target >= 1.85)"
    )
    return one


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scripts", type=Path, default=REPO / "scripts")
    parser.add_argument("--chapters", default="2-4", help="chapters of --scripts (default 2-4)")
    parser.add_argument("--words", type=int, help="cut the chapters to this many words in all")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of (a), (b), (b0), (c); the best of each")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    for module in ENGINE_MODULES:  # as the cluster's workers have: the pool of (a) is forked with them
        importlib.import_module(module)
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as folder:
        tmp = Path(folder)
        (tmp / "scripts").mkdir()
        what = sample(args.scripts, parse_ranges(args.chapters), args.words, tmp / "scripts")
        book = load_book(tmp / "scripts")
        print(f"text: {what}; {args.repeat} round(s), each run on a new clip cache [{load()}]")
        one = report(compare(book, args.repeat))
        cluster = local_cluster(2, QUIET_DASK)
        try:
            o = overheads(cluster.scheduler_address, tmp)
        finally:
            cluster.close()
        print(
            f"(d) Dask's own CPU, 2 workers running tasks that sleep: {machinery({}):.1%} of a core with its defaults, "
            f"{machinery(QUIET_DASK):.1%} without the profiler and with 1 s loop checks [{load()}]"
        )
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
        per_worker = one.audio / one.seconds
        clip_seconds = one.audio / max(one.clips, 1)
        print(f"    one worker makes {per_worker:.1f} audio-s/s; a clip averages {clip_seconds:.1f} s of audio")
        estimate(per_worker, clip_seconds, o, stage_rate)
        print(f"[{load()}]")


if __name__ == "__main__":
    main()
