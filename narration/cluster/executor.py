""":class:`DaskExecutor`: a stage's tasks on a dask.distributed cluster (``pip install narration[cluster]``).

- **Connecting** (``with DaskExecutor(address)``, or :meth:`DaskExecutor.connect`) fails within
  :data:`CONNECT_TIMEOUT` seconds with a :class:`ClusterError` when the scheduler does not answer.
  ``local:N`` starts a ``LocalCluster`` of N single-threaded worker processes when work starts.
- **Workers are checked** before any task is sent: each connected worker computes its identity
  for the job's setup (narration's version; for synthesis the engine, its version, the voice file
  and settings) and any that differs from the client's is refused by name, failing the run before
  anything is made. A worker that joins later checks itself on its first task and fails that task
  with the same message. None is ever used silently.
- **Tasks** are keyed by their content key (``narration-<version>-<job>-<key>``), so two clients
  asking for the same clip share one task; results come back as they complete and are yielded
  to the caller, which stores them. A worker that dies mid-task has its tasks run elsewhere
  (Dask reschedules them). With no worker left, the run waits with a message and fails after the
  spec's timeout; a lost connection to the scheduler fails at once. Either way every result
  already yielded stays with the caller.
- The client (and a local cluster) is closed when the workers are: a local process pool started
  afterwards is forked with no Dask thread running.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from types import TracebackType
from typing import Any, TypeVar

from narration.cluster.spec import QUIET_DASK, ClusterSpec, parse_cluster
from narration.cluster.worker import Identity, identity_of, refusal, run_task
from narration.errors import ClusterError, NarrationError
from narration.executors import Job, WorkerSetup

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

CONNECT_TIMEOUT = 4.0  # seconds: with the imports, an unreachable scheduler is reported within 10 s
WAKE = 0.1  # seconds at most between looks at the workers while no result comes back (as Dask's own)
HEALTH_EVERY = 1.0  # seconds between asking the scheduler which workers are connected


def _require_dask() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        raise ClusterError(
            "synthesis on a cluster needs Dask: pip install 'narration[cluster]' (on this machine and the workers)"
        ) from exc


class DaskExecutor:
    """An :class:`~narration.executors.Executor` on the Dask scheduler at ``address`` (or ``local:N``).

    ``timeout``: seconds to wait, with a message, while no worker is connected (default 300).
    A context manager: entering connects (a scheduler's address) and leaving disconnects.
    """

    def __init__(self, address: str, timeout: float | None = None) -> None:
        self.spec = parse_cluster(address, timeout)
        self._client: Any = None
        self._cluster: Any = None

    @classmethod
    def from_spec(cls, spec: ClusterSpec) -> DaskExecutor:
        return cls(spec.address, spec.timeout)

    def __enter__(self) -> DaskExecutor:
        if self.spec.local_workers is None:
            self.connect()  # now, so an unreachable scheduler fails before any work
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def address(self) -> str:
        return self._cluster.scheduler_address if self._cluster is not None else self.spec.address

    def connect(self) -> Any:
        """The connected ``distributed.Client`` (connecting, or starting ``local:N``, the first time)."""
        if self._client is not None:
            return self._client
        _require_dask()
        from distributed import Client

        _quiet_dask_logs()
        target: Any = self.spec.address
        if self.spec.local_workers is not None:
            try:
                self._cluster = target = _local_cluster(self.spec.local_workers)
            except Exception as exc:  # Dask's own errors (ports, processes that do not start)
                raise ClusterError(f"cannot start a local Dask cluster ({self.spec.address}): {exc}") from exc
        try:
            # results (a clip's audio) come straight from the workers, not relayed by the scheduler
            self._client = Client(target, timeout=CONNECT_TIMEOUT, set_as_default=False, direct_to_workers=True)
        except (OSError, TimeoutError) as exc:
            self.close()
            raise ClusterError(
                f"cannot reach the Dask scheduler at {self.spec.address} ({exc}); "
                "is 'dask scheduler' running there? Nothing was made."
            ) from exc
        log.info("connected to the Dask scheduler at %s", self.address)
        return self._client

    def close(self) -> None:
        client, cluster, self._client, self._cluster = self._client, self._cluster, None, None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()

    def start(self, setup: WorkerSetup, tasks: int) -> DaskWorkers:
        """Workers of the cluster, waited for (up to the timeout) and checked against ``setup``."""
        client = self.connect()
        try:
            expected = dataclasses.replace(identity_of(setup), worker="this client")
            if expected.problem is not None:
                raise ClusterError(expected.problem)
            threads = self._wait_for_workers(client)
            self._check(client, setup, expected, threads)
        except BaseException:
            self.close()
            raise
        return DaskWorkers(self, client, expected, sum(threads.values()))

    def _wait_for_workers(self, client: Any) -> dict[str, int]:
        deadline = time.monotonic() + self.spec.timeout
        said = False
        while True:
            threads = _threads(client, self.address)
            if threads:
                return threads
            if time.monotonic() > deadline:
                raise ClusterError(_no_worker(self.address, self.spec.timeout, kept=""))
            if not said:
                log.warning("%s", _waiting(self.address, self.spec.timeout))
                said = True
            time.sleep(0.2)

    def _check(self, client: Any, setup: WorkerSetup, expected: Identity, threads: dict[str, int]) -> None:
        """Refuse the run if any connected worker would not make exactly what this client expects."""
        found = client.run(identity_of, setup, on_error="return")
        names = {addr: info.get("name", addr) for addr, info in client.scheduler_info()["workers"].items()}
        reasons = []
        for address, identity in sorted(found.items()):
            label = _label(str(names.get(address, address)), address)
            if isinstance(identity, BaseException):
                reasons.append(f"worker {label}: cannot check it ({type(identity).__name__}: {identity})")
                continue
            reason = refusal(dataclasses.replace(identity, worker=label), expected)
            if reason is not None:
                reasons.append(reason)
        if reasons:
            raise ClusterError(
                f"{len(reasons)} of {len(found)} Dask workers at {self.address} would not make what this machine "
                f"makes, so none is used: {'; '.join(reasons)}. Give every worker the same narration and voice "
                "(pip install 'narration[cluster]' of the same version), or stop those workers."
            )
        log.info("%d Dask workers (%d task slots) checked at %s", len(threads), sum(threads.values()), self.address)


def _label(name: str, address: str) -> str:
    return address if name == address else f"{name} ({address})"


def _threads(client: Any, address: str, kept: str = "") -> dict[str, int]:
    """Task slots of each connected worker; a lost connection is a :class:`ClusterError`."""
    try:
        return dict(client.nthreads())
    except (OSError, TimeoutError) as exc:
        raise ClusterError(
            f"lost the connection to the Dask scheduler at {address} ({exc}); {kept}run again to finish"
        ) from exc


def _waiting(address: str, timeout: float) -> str:
    return (
        f"no Dask worker is connected to {address}: waiting up to {timeout:.0f} s for one "
        f"(start one with: dask worker {address} --nthreads 1)"
    )


def _kept(made: int, total: int) -> str:
    return f"what came back ({made} of {total} tasks) is kept; " if made else ""


def _no_worker(address: str, timeout: float, kept: str) -> str:
    return (
        f"no Dask worker was connected to {address} for {timeout:.0f} s (--cluster-timeout); "
        f"{kept}start workers and run again"
    )


class DaskWorkers:
    """The workers of one :meth:`DaskExecutor.start`; leaving closes the client (and a local cluster)."""

    def __init__(self, owner: DaskExecutor, client: Any, expected: Identity, size: int) -> None:
        self.owner = owner
        self.client = client
        self.expected = expected
        self.size = size

    def __enter__(self) -> DaskWorkers:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.owner.close()  # our futures are released: tasks no other client wants are cancelled

    def warm_up(self) -> None:
        return None  # each worker builds its state on its first task, and keeps it

    def submit(self, job: Job[T, R], task: T) -> Future[R]:
        """One task on the cluster; its result (or failure) arrives in the future."""
        if job.setup.identity != self.expected.setup:
            raise ValueError(f"{job.name}: workers were started for another setup")
        result: Future[R] = Future()
        key = self.task_key(job, task, 0)
        remote = self.client.submit(run_task, task, key=key, setup=job.setup, expected=self.expected, run=job.run)

        def settle(done: Any) -> None:  # called in the client's thread
            if done.status == "finished":
                result.set_result(done.result())
            elif done.status == "error":
                result.set_exception(done.exception())
            else:
                result.set_exception(ClusterError(f"lost the connection to the Dask scheduler at {self.owner.address}"))

        remote.add_done_callback(settle)
        return result

    def task_key(self, job: Job[T, R], task: T, index: int) -> str:
        own = job.key(task) if job.key is not None else f"{index}-{time.time_ns()}"
        return f"narration-{self.expected.narration}-{job.name}-{own}"

    def map_unordered(self, job: Job[T, R], tasks: Sequence[T]) -> Iterator[R]:
        if job.setup.identity != self.expected.setup:
            raise ValueError(f"{job.name}: workers were started for another setup")
        from distributed import as_completed

        keys = [self.task_key(job, task, i) for i, task in enumerate(tasks)]
        futures = self.client.map(run_task, tasks, key=keys, setup=job.setup, expected=self.expected, run=job.run)
        pending = {future.key for future in futures}
        done = as_completed(futures, loop=self.client.loop, with_results=True, raise_errors=False)
        del futures  # as each result is taken, its future goes, and the worker frees it
        watch = _Watch(self.client, self.owner.address, self.owner.spec.timeout)
        while pending:
            batch = done.next_batch(block=False)
            if not batch:
                watch.check(_kept(len(tasks) - len(pending), len(tasks)))
                _wait_for_results(done)
                continue
            for future, result in batch:
                value = _outcome(future, result, self.owner.address, _kept(len(tasks) - len(pending), len(tasks)))
                pending.discard(future.key)
                yield value


def _wait_for_results(done: Any) -> None:
    """Until a result is ready in ``done`` (an ``as_completed``), or :data:`WAKE` s: woken by the
    result, as Dask's own blocking iteration is, rather than looking every few milliseconds."""
    condition = getattr(done, "thread_condition", None)
    if condition is None:  # another Dask: look again shortly
        time.sleep(WAKE / 10)
        return
    with condition:  # a result queued before this check is seen; one queued after it notifies
        if not done.has_ready():
            condition.wait(timeout=WAKE)


def _outcome(future: Any, result: Any, address: str, kept: str) -> Any:
    """A task's result, or its failure as the error to raise."""
    if future.status == "finished":
        return result
    if future.status == "error":
        _, exc, traceback = result
        if isinstance(exc, NarrationError):
            raise exc.with_traceback(traceback)
        from distributed.scheduler import KilledWorker

        if isinstance(exc, KilledWorker):
            raise ClusterError(f"every worker that took task {future.key} died while running it ({exc})") from exc
        raise exc.with_traceback(traceback)
    raise ClusterError(f"lost the connection to the Dask scheduler at {address}; {kept}run again to finish")


class _Watch:
    """Asks the scheduler now and then whether any worker is left; none for ``timeout`` s fails."""

    def __init__(self, client: Any, address: str, timeout: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.address = address
        self.timeout = timeout
        self.clock = clock
        self.next_look = clock() + HEALTH_EVERY
        self.alone_since: float | None = None

    def check(self, kept: str) -> None:
        now = self.clock()
        if now < self.next_look:
            return
        self.next_look = now + HEALTH_EVERY
        if _threads(self.client, self.address, kept):
            if self.alone_since is not None:
                log.warning("Dask workers are back at %s: going on", self.address)
            self.alone_since = None
            return
        if self.alone_since is None:
            self.alone_since = now
            log.warning("%s", _waiting(self.address, self.timeout))
        elif now - self.alone_since > self.timeout:
            raise ClusterError(_no_worker(self.address, self.timeout, kept))


def _local_cluster(workers: int) -> Any:
    """``local:N``: N worker processes of one thread each on this machine (no dashboard, no
    profiler: :data:`~narration.cluster.spec.QUIET_DASK`, which its workers inherit)."""
    import dask
    from distributed import LocalCluster

    log.info("starting a local Dask cluster of %d worker processes", workers)
    with dask.config.set(QUIET_DASK):  # read as the scheduler and nannies start, passed to the workers
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=_local_worker_log_level(),
            preload=["narration.cluster.local_worker"],  # Ctrl-C is the narration process's to handle
        )


def _local_worker_log_level() -> int:
    """What ``local:N``'s own processes log. Stopped mid-task (Ctrl-C, an error), a worker whose
    scheduler closed first logs a heartbeat ERROR with a traceback, which says nothing new: a
    task's failure reaches the client as its exception, a lost worker as Dask's retries. So they
    stay silent unless narration runs with -v."""
    verbose = logging.getLogger("narration").getEffectiveLevel() <= logging.INFO
    return logging.WARNING if verbose else logging.CRITICAL


def _quiet_dask_logs() -> None:
    """Dask logs at INFO to stderr by default: a narration run shows its warnings, and -v more. The
    client's own errors (a lost scheduler, with tracebacks) are each reported as a ClusterError, so
    they are shown only with -v."""
    ours = logging.getLogger("narration").getEffectiveLevel()
    logging.getLogger("distributed").setLevel(max(ours, logging.WARNING))
    logging.getLogger("distributed.client").setLevel(logging.CRITICAL if ours > logging.INFO else ours)
