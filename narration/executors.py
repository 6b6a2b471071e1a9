"""Where a stage's work runs: the seam between the stages and the machines that do their work.

A stage describes its work as a :class:`Job`: a picklable *setup* (what each worker builds once and
keeps, e.g. a loaded voice) and a module-level function run on each task with that state. The
driver chooses the :class:`Executor` (:class:`InProcess` for one job or a warm studio,
:class:`LocalProcesses` for a process pool; a cluster client plugs in the same way) and hands it to
the stage, which neither knows nor cares where its tasks run.

Two rules make this safe with ``fork``:

- :meth:`Executor.start` starts the workers (forking a pool) and returns them, starting no thread.
  Threads (a progress bar, :meth:`Workers.warm_up` of in-process workers) come only once every
  executor of a build has started: the driver starts them all first, then warms them up.
- A worker's state is built by ``setup.build()`` once per worker process (once per executor for
  :class:`InProcess`) and kept for every task with the same ``setup.identity``.
"""

from __future__ import annotations

import collections
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from narration.errors import EngineError, NarrationError

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


class WorkerSetup(Protocol):
    """What a worker builds once and reuses for every task (picklable: it is sent to workers)."""

    @property
    def identity(self) -> str:
        """Equal identities build interchangeable states (the key of a worker's kept state)."""
        ...

    def build(self) -> Any:
        """Build the state (e.g. load a voice). Raise :class:`NarrationError` for a clean failure."""
        ...


@runtime_checkable
class Threaded(Protocol):
    """A setup whose state can use more than one core for one task (a voice's intra-op threads)."""

    def with_threads(self, threads: int) -> WorkerSetup:
        """The same setup (same identity) for a worker that may use ``threads`` cores."""
        ...


@dataclass(frozen=True)
class Job(Generic[T, R]):
    """A stage's work: ``run(state, task)`` for each task, ``state`` built from ``setup``.

    ``run`` must be a module-level function (it is pickled by name); ``key`` names a task by its
    content (a cluster uses it so equal work is done once).
    """

    name: str
    setup: WorkerSetup
    run: Callable[[Any, T], R]
    key: Callable[[T], str] | None = None


class Workers(Protocol):
    """Running workers of one :meth:`Executor.start`; a context manager that stops them."""

    size: int

    def map_unordered(self, job: Job[T, R], tasks: Sequence[T]) -> Iterator[R]:
        """Run every task, yielding results as they complete; the first failure is raised."""
        ...

    def submit(self, job: Job[T, R], task: T) -> Future[R]:
        """Queue one task; its result (or failure) arrives in the future."""
        ...

    def warm_up(self) -> None:
        """Begin building the workers' state now, in the background if it is built in this process
        (a thread: call it only once every executor of the build has started)."""
        ...

    def __enter__(self) -> Workers: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class Executor(Protocol):
    """Starts workers for a job's setup."""

    def start(self, setup: WorkerSetup, tasks: int) -> Workers:
        """Workers ready to run tasks of ``setup`` (at most as many as ``tasks``)."""
        ...


def cores() -> int:
    """Cores this process may use: the default number of jobs, for every stage."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def idle_cores() -> int:
    """Cores nothing else is using now (at least 1), from the load average: a task given more
    threads than that waits for the busiest one (measured with Piper on 2 shared cores: one
    sentence 15-25 % slower on 2 threads than on 1 with the other core busy)."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # not on this system: assume every core is taken
        return 1
    return max(1, min(cores(), int(cores() - load + 0.5)))


# --- in this process -------------------------------------------------------------------------------


class InProcess:
    """Runs tasks in the calling process. States are kept for the executor's life, so a
    long-running caller (the studio) loads a voice once and reuses it for every build.

    The state is built by the first task, or in the background from :meth:`_Serial.warm_up` (a
    voice loads, or the codecs import, while the caller does other work); the first task waits for
    it, or builds it at once if the background has not begun it. Background builds run one after
    another, in the order asked: the voice a build needs first is not slowed down by importing the
    codecs (both hold the interpreter), which import while it speaks (it lets go of it then).
    ``threads``: the cores one task may use, for a :class:`Threaded` setup (this process's tasks
    run one at a time, so a voice here may take the cores a pool would have shared out), if
    they are idle when its state is built (:func:`idle_cores`).
    """

    def __init__(self, threads: int = 1) -> None:
        self.threads = max(1, threads)
        self._states: dict[str, Future[Any]] = {}
        self._queued: collections.deque[tuple[WorkerSetup, Future[Any]]] = collections.deque()
        self._builder: threading.Thread | None = None
        self._lock = threading.Lock()

    def state(self, setup: WorkerSetup) -> Any:
        future = self._building(setup, background=False)
        with self._lock:  # still waiting in the background's queue: build it now, here
            waiting = next((item for item in self._queued if item[1] is future), None)
            if waiting is not None:
                self._queued.remove(waiting)
        if waiting is not None:
            _build_into(*waiting)
        return future.result()

    def _building(self, setup: WorkerSetup, background: bool) -> Future[Any]:
        with self._lock:
            future = self._states.get(setup.identity)
            if future is not None:
                return future
            future = self._states[setup.identity] = Future()
            threads = min(self.threads, idle_cores()) if self.threads > 1 else 1
            if threads > 1 and isinstance(setup, Threaded):
                setup = setup.with_threads(threads)
                log.debug("%s: %d threads", setup.identity, threads)
            if background:
                self._queued.append((setup, future))
                if self._builder is None:
                    self._builder = threading.Thread(target=self._build_queued, name="in-process-setup", daemon=True)
                    self._builder.start()
                return future
        _build_into(setup, future)
        return future

    def _build_queued(self) -> None:
        while True:
            with self._lock:
                if not self._queued:
                    self._builder = None
                    return
                setup, future = self._queued.popleft()
            _build_into(setup, future)

    def start(self, setup: WorkerSetup, tasks: int) -> _Serial:
        return _Serial(self, setup)


def _build_into(setup: WorkerSetup, future: Future[Any]) -> None:
    try:
        future.set_result(setup.build())
    except BaseException as exc:  # handed to the first task, which raises it
        future.set_exception(exc)


class _Serial:
    size = 1

    def __init__(self, owner: InProcess, setup: WorkerSetup) -> None:
        self.owner = owner
        self.setup = setup

    def warm_up(self) -> None:
        self.owner._building(self.setup, background=True)

    def map_unordered(self, job: Job[T, R], tasks: Sequence[T]) -> Iterator[R]:
        state = self.owner.state(job.setup)
        for task in tasks:
            yield job.run(state, task)

    def submit(self, job: Job[T, R], task: T) -> Future[R]:
        """Runs the task now (this process has no one else to hand it to)."""
        future: Future[R] = Future()
        try:
            future.set_result(job.run(self.owner.state(job.setup), task))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def __enter__(self) -> _Serial:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None


# --- a local process pool ------------------------------------------------------------------------


class LocalProcesses:
    """A pool of ``jobs`` processes on this machine (fork where there is one: workers start at once
    and inherit what the parent imported). With one job, or one task, work stays in-process, where
    a task may use the ``jobs`` cores (a voice's threads: one sentence spoken sooner).

    ``nice``: how much lower the pool's processes run than this one (``os.nice``), so that when two
    stages share the cores the other one's work goes first (the driver lets mastering, which a
    waiting episode needs, go before synthesis of later chapters)."""

    def __init__(self, jobs: int, nice: int = 0) -> None:
        if jobs < 1:
            raise ValueError(f"jobs must be at least 1, not {jobs}")
        self.jobs = jobs
        self.nice = nice
        self._local = InProcess(threads=jobs)

    def start(self, setup: WorkerSetup, tasks: int) -> Workers:
        size = max(1, min(self.jobs, tasks))
        if size == 1:
            return self._local.start(setup, tasks)
        return _Pool(setup, size, self.nice)


class _Pool:
    """``multiprocessing.Pool`` whose processes build their state once (the pool's initializer).

    Workers ignore SIGINT (the parent decides) and turn the SIGTERM of ``terminate`` into a clean
    exit, so atomic writes in flight remove their temp files. On any exception (Ctrl-C included)
    the pool is terminated; results already handed back are kept by the caller.
    """

    def __init__(self, setup: WorkerSetup, size: int, nice: int = 0) -> None:
        self.size = size
        self.setup = setup
        self.pool = _context().Pool(size, initializer=_init_worker, initargs=(setup, nice))

    def map_unordered(self, job: Job[T, R], tasks: Sequence[T]) -> Iterator[R]:
        if job.setup.identity != self.setup.identity:
            raise ValueError(f"{job.name}: workers were started for another setup")
        run = _Call(job.run)
        yield from self.pool.imap_unordered(run, tasks)

    def warm_up(self) -> None:
        return None  # each process built its state when it started

    def submit(self, job: Job[T, R], task: T) -> Future[R]:
        if job.setup.identity != self.setup.identity:
            raise ValueError(f"{job.name}: workers were started for another setup")
        future: Future[R] = Future()
        self.pool.apply_async(_Call(job.run), (task,), callback=future.set_result, error_callback=future.set_exception)
        return future

    def __enter__(self) -> _Pool:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.pool.close()
        else:
            self.pool.terminate()
        self.pool.join()


def _context() -> multiprocessing.context.BaseContext:
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


@dataclass
class _WorkerState:
    """This process's state as a pool worker (set once by the pool's initializer)."""

    value: Any = None
    error: NarrationError | None = None


_WORKER = _WorkerState()  # per pool process; the parent never reads it


def _init_worker(setup: WorkerSetup, nice: int = 0) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_terminate)
    if nice:
        try:
            os.nice(nice)
        except OSError as exc:  # not allowed here: run at the parent's priority
            log.debug("cannot lower this worker's priority: %s", exc)
    try:
        _WORKER.value = setup.build()
    except NarrationError as exc:
        _WORKER.error = exc
    except Exception as exc:  # anything else would make the pool restart this process forever
        _WORKER.error = EngineError(f"cannot start a worker ({setup.identity}): {type(exc).__name__}: {exc}")


def _exit_on_terminate(signum: int, frame: object) -> None:
    raise SystemExit(1)  # unwinds, so atomic writes remove their temp files


@dataclass(frozen=True)
class _Call(Generic[T, R]):
    """A job's function bound to this worker's state (picklable: the function goes by name)."""

    run: Callable[[Any, T], R]

    def __call__(self, task: T) -> R:
        if _WORKER.error is not None:
            raise _WORKER.error
        return self.run(_WORKER.value, task)
