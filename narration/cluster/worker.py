"""What runs on a Dask worker: the identity check and a job's tasks, with the state kept per slot.

Functions here are sent to workers by name, so a worker needs only ``pip install narration[cluster]``
(and the voice). Nothing imports Dask at module level: :func:`worker_name` asks Dask only when it
runs on a worker.

A worker's state (a loaded voice) is built lazily, on its first task, once per task slot (thread)
and kept for every later task of the same setup; a slot's first task first checks that this worker
would make exactly what the client expects (:class:`Identity`), and refuses otherwise.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, runtime_checkable

from narration.errors import ClusterError, EngineError, NarrationError
from narration.executors import WorkerSetup

T = TypeVar("T")
R = TypeVar("R")


@runtime_checkable
class Described(Protocol):
    """A setup that can say what its identity is made of (engine, voice, versions), for messages."""

    def describe(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Identity:
    """What a process would make a setup's tasks with: narration's version and the setup's identity."""

    narration: str
    setup: str | None  # None: the setup cannot be built here (see ``problem``)
    details: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None
    worker: str = "this process"

    def differences(self, expected: Identity) -> list[str]:
        """What differs from ``expected`` (the client's), in words; empty when they agree."""
        if self.problem is not None:
            return [self.problem]
        found: list[str] = []
        if self.narration != expected.narration:
            found.append(f"narration {self.narration} (the client has {expected.narration})")
        if self.setup != expected.setup:
            keys = sorted(set(self.details) | set(expected.details))
            changed = [
                f"{key} {self.details.get(key)!r} (the client has {expected.details.get(key)!r})"
                for key in keys
                if self.details.get(key) != expected.details.get(key)
            ]
            found.extend(changed or [f"identity {self.setup} (the client has {expected.setup})"])
        return found


def identity_of(setup: WorkerSetup) -> Identity:
    """This process's identity for ``setup`` (cheap: for an engine, its voice's config and size)."""
    import narration  # read now, not at import: the version is this process's

    try:
        details = setup.describe() if isinstance(setup, Described) else {}
        return Identity(narration.__version__, setup.identity, details, worker=worker_name())
    except NarrationError as exc:
        return Identity(narration.__version__, None, problem=str(exc), worker=worker_name())


def worker_name() -> str:
    """This Dask worker's name and address, or "this process" outside a worker."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return "this process"
    name = str(worker.name)
    return worker.address if name == worker.address else f"{name} ({worker.address})"


def refusal(found: Identity, expected: Identity) -> str | None:
    """Why a worker with identity ``found`` must not be used, or None."""
    differences = found.differences(expected)
    if not differences:
        return None
    return f"worker {found.worker}: " + "; ".join(differences)


class _Slot(threading.local):
    """The states built by this task slot (a worker thread), by setup identity."""

    def __init__(self) -> None:
        self.states: dict[str, Any] = {}


_SLOT = _Slot()  # per worker thread; the client never reads it


def run_task(task: T, setup: WorkerSetup, expected: Identity, run: Callable[[Any, T], R]) -> R:
    """One task on a worker: the slot's state is checked and built on its first task, then reused."""
    key = expected.setup or ""
    if key not in _SLOT.states:
        reason = refusal(identity_of(setup), expected)
        if reason is not None:
            raise ClusterError(f"refused {reason}")
        try:
            _SLOT.states[key] = setup.build()
        except NarrationError as exc:
            raise ClusterError(f"worker {worker_name()} cannot start: {exc}") from exc
        except Exception as exc:
            raise EngineError(f"worker {worker_name()} cannot start: {type(exc).__name__}: {exc}") from exc
    return run(_SLOT.states[key], task)
