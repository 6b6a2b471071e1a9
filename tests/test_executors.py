"""The executor seam: where a stage's tasks run, and what each worker keeps (in-process: with more
cores for a threaded state, built in the background in order)."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, replace

import pytest

from narration.errors import EngineError
from narration.executors import InProcess, Job, LocalProcesses, idle_cores


@dataclass(frozen=True)
class Setup:
    name: str = "counter"
    fail: bool = False

    @property
    def identity(self) -> str:
        return self.name

    def build(self) -> dict:
        if self.fail:
            raise EngineError("no voice here")
        return {"pid": os.getpid(), "built": 1}


def where(state: dict, task: int) -> tuple[int, int, int, int]:
    """(task, pid of the worker, pid whose state it used, this process's niceness)."""
    return task, os.getpid(), state["pid"], os.nice(0)


JOB = Job("where", Setup(), where)


def test_a_pool_runs_tasks_in_its_processes_each_with_its_own_state():
    with LocalProcesses(2).start(Setup(), 8) as workers:
        results = sorted(workers.map_unordered(JOB, list(range(8))))
        single = workers.submit(JOB, 99).result(timeout=30)
    assert [r[0] for r in results] == list(range(8))
    assert all(pid != os.getpid() and pid == state_pid for _, pid, state_pid, _ in [*results, single])


def test_pool_workers_run_at_the_niceness_asked_for():
    with LocalProcesses(2, nice=3).start(Setup(), 2) as workers:
        niceness = {r[3] for r in workers.map_unordered(JOB, [1, 2])}
    assert niceness == {os.nice(0) + 3}


def test_one_task_or_one_job_stays_in_this_process_and_in_process_states_are_kept():
    for executor, tasks in ((LocalProcesses(2), 1), (LocalProcesses(1), 5)):
        with executor.start(Setup(), tasks) as workers:
            assert {r[1] for r in workers.map_unordered(JOB, list(range(tasks)))} == {os.getpid()}
    here = InProcess()
    first = here.state(Setup())
    with here.start(Setup(), 1) as workers:
        workers.warm_up()
        assert workers.submit(JOB, 1).result() == (1, os.getpid(), os.getpid(), os.nice(0))
    assert here.state(Setup()) is first  # built once for the executor's life


def test_a_worker_that_cannot_start_fails_its_tasks_with_its_error():
    broken = Job("where", Setup("broken", fail=True), where)
    with LocalProcesses(2).start(broken.setup, 2) as workers, pytest.raises(EngineError, match="no voice here"):
        list(workers.map_unordered(broken, [1, 2]))
    with InProcess().start(broken.setup, 1) as workers, pytest.raises(EngineError, match="no voice here"):
        workers.submit(broken, 1).result()


def test_workers_refuse_a_job_of_another_setup():
    with LocalProcesses(2).start(Setup("other"), 2) as workers, pytest.raises(ValueError, match="another setup"):
        list(workers.map_unordered(JOB, [1]))


@pytest.fixture
def idle(monkeypatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.2, 0.2, 0.2))


@dataclass(frozen=True)
class CountingSetup:
    identity: str = "counting"
    threads: int = 1

    def build(self) -> int:
        return self.threads

    def with_threads(self, threads: int) -> CountingSetup:
        return replace(self, threads=threads)


@dataclass(frozen=True)
class PlainSetup:
    identity: str = "plain"

    def build(self) -> str:
        return "built"


def threads_of(state: int, task: None) -> int:
    return state


def test_in_process_gives_its_threads_to_a_threaded_setup(idle) -> None:
    job = Job("count", CountingSetup(), threads_of)
    assert list(InProcess().start(job.setup, 1).map_unordered(job, [None])) == [1]
    assert list(InProcess(threads=3).start(job.setup, 1).map_unordered(job, [None])) == [3]
    assert InProcess(threads=3).state(PlainSetup()) == "built"  # a setup without threads is built as it is


def test_one_local_job_stays_in_process_with_the_pool_s_cores(idle) -> None:
    job = Job("count", CountingSetup(), threads_of)
    with LocalProcesses(2).start(job.setup, 1) as workers:  # one task: no pool, in this process
        assert workers.submit(job, None).result() == 2


def test_threads_only_on_idle_cores(monkeypatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    for load, expected in ((0.1, 2), (0.7, 1), (1.2, 1), (6.0, 1)):
        monkeypatch.setattr(os, "getloadavg", lambda load=load: (load, 0.0, 0.0))
        assert idle_cores() == expected
    job = Job("count", CountingSetup(), threads_of)
    assert InProcess(threads=2).state(job.setup) == 1  # the machine is busy: one thread


@dataclass(frozen=True)
class GatedSetup:
    """Builds once its gate opens; notes the thread that built it, in order."""

    identity: str
    gate: threading.Event
    built: list

    def build(self) -> str:
        self.gate.wait(10)
        self.built.append((self.identity, threading.current_thread().name))
        return self.identity


def test_background_builds_run_one_after_another_and_a_task_takes_a_waiting_one() -> None:
    built: list = []
    open_gate, closed = threading.Event(), threading.Event()
    open_gate.set()
    voice, codecs, other = (
        GatedSetup("voice", closed, built),
        GatedSetup("codecs", open_gate, built),
        GatedSetup("other", open_gate, built),
    )
    executor = InProcess()
    for setup in (voice, codecs, other):
        executor.start(setup, 1).warm_up()
    assert executor.state(other) == "other"  # still queued behind the voice: built here, now
    assert built == [("other", threading.current_thread().name)]
    closed.set()
    deadline = time.monotonic() + 10
    while len(built) < 3 and time.monotonic() < deadline:  # the background builds the others
        time.sleep(0.01)
    assert [name for name, _ in built] == ["other", "voice", "codecs"]  # in the order asked
    assert {thread for name, thread in built[1:]} == {"in-process-setup"}
    assert executor.state(codecs) == "codecs" and executor.state(voice) == "voice"
