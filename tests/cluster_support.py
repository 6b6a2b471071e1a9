"""Helpers of the cluster tests: a real ``dask scheduler`` and ``dask worker`` processes on 127.0.0.1,
started and stopped by the test, and an observer client to see what the scheduler does."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cloudpickle
from distributed import Client

from narration.model import load_book

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # functions run on the scheduler go by value

DASK = Path(sys.executable).with_name("dask")
NARRATION = Path(sys.executable).with_name("narration")
OTHER_NARRATION = Path(__file__).resolve().parent / "fixtures" / "other_narration_version.py"
STARTUP = 120.0  # seconds a process may take to start on a busy machine


def wait_until(what: str, ready: Callable[[], Any], timeout: float = STARTUP, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = ready()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class Cluster:
    """A scheduler process and the worker processes started on it, by name."""

    folder: Path
    scheduler: subprocess.Popen
    address: str
    workers: dict[str, subprocess.Popen] = field(default_factory=dict)
    _observer: Client | None = None

    def worker(self, name: str, *extra: str, wait: bool = True, env: dict[str, str] | None = None) -> subprocess.Popen:
        """Start ``dask worker ADDRESS --nthreads 1 --no-nanny --name NAME`` (so killing it kills the
        worker), with ``env`` added to its environment."""
        log = (self.folder / f"{name}.log").open("wb")
        command = [str(DASK), "worker", self.address, "--nthreads", "1", "--no-nanny", "--no-dashboard"]
        environment = {**os.environ, **(env or {})}
        proc = subprocess.Popen(
            [*command, "--name", name, *extra], stdout=log, stderr=subprocess.STDOUT, env=environment
        )
        self.workers[name] = proc
        if wait:
            wait_until(f"worker {name}", lambda: name in self.names())
        return proc

    def names(self) -> set[str]:
        return {str(w["name"]) for w in self.observer.scheduler_info(n_workers=-1)["workers"].values()}

    def address_of(self, name: str) -> str:
        workers = self.observer.scheduler_info(n_workers=-1)["workers"]
        return next(addr for addr, w in workers.items() if str(w["name"]) == name)

    def kill(self, name: str) -> None:
        self.workers[name].send_signal(signal.SIGKILL)
        self.workers[name].wait(30)

    @property
    def observer(self) -> Client:
        """A client of the test's own, to look at the scheduler (it submits nothing)."""
        if self._observer is None:
            self._observer = Client(self.address, timeout=30, set_as_default=False)
        return self._observer

    def computed(self) -> dict[str, int]:
        """How many times each narration task went from processing to memory on the scheduler."""
        return self.observer.run_on_scheduler(_computed)

    def clients(self) -> set[str]:
        """The clients connected to the scheduler, but the observer."""
        return self.observer.run_on_scheduler(_clients) - {self.observer.id}

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.close()
        for proc in [*self.workers.values(), self.scheduler]:
            if proc.poll() is None:
                proc.terminate()
        for proc in [*self.workers.values(), self.scheduler]:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def dask_machinery(dask_worker: Any) -> dict[str, Any]:
    """What a worker runs besides its tasks (run on the worker by ``client.run``): its profiler, and
    how often its event loop, its memory and the system's load are looked at."""
    import dask

    return {
        "profiler": "profile" in dask_worker.periodic_callbacks,
        "tick": dask.config.get("distributed.admin.tick.interval"),
        "memory": dask.config.get("distributed.worker.memory.monitor-interval"),
        "system": dask.config.get("distributed.admin.system-monitor.interval"),
    }


def _computed(dask_scheduler: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in dask_scheduler.transition_log:
        key, start, finish = entry[0], entry[1], entry[2]
        if str(key).startswith("narration-") and (start, finish) == ("processing", "memory"):
            counts[str(key)] = counts.get(str(key), 0) + 1
    return counts


def _clients(dask_scheduler: Any) -> set[str]:
    return {c for c in dask_scheduler.clients if c != "fire-and-forget"}


@contextlib.contextmanager
def scheduler(folder: Path) -> Iterator[Cluster]:
    """``dask scheduler`` on 127.0.0.1, a free port, no dashboard; stopped (with its workers) on leaving."""
    folder.mkdir(parents=True, exist_ok=True)
    info = folder / "scheduler.json"
    log = (folder / "scheduler.log").open("wb")
    command = [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
    proc = subprocess.Popen([*command, "--scheduler-file", str(info)], stdout=log, stderr=subprocess.STDOUT)
    try:
        address = wait_until(
            "the scheduler", lambda: info.exists() and json.loads(info.read_text() or "{}").get("address")
        )
        cluster = Cluster(folder, proc, address)
        try:
            yield cluster
        finally:
            cluster.stop()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def narration(*args: str | Path, cwd: Path, wait: bool = True) -> Any:
    """The ``narration`` command in a new process group (a terminal of its own, so Ctrl-C can be sent
    to it and its children with :func:`os.killpg`); run to the end unless ``wait`` is False."""
    command = [str(NARRATION), *map(str, args)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if wait:
        return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600, env=env, check=False)
    return subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    )


def chapters_of(scripts: Path) -> list[tuple[str, float, list[str]]]:
    """(title, duration, cue texts) of each chapter of the book's last build, from its manifest."""
    from narration.audio.manifest import load_manifest

    result = load_manifest(load_book(scripts).root / "output")
    return [(c.title, c.duration, [cue.text for cue in c.cues]) for c in result.chapters]
