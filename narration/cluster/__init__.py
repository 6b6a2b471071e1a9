"""Synthesis on a dask.distributed cluster: where a cluster is, and how long to wait for its workers.

    with DaskExecutor("tcp://scheduler:8786") as cluster:       # connects now (unreachable: ClusterError)
        report = build(book, executors=Executors(cluster, LocalProcesses(2)))

This module is light (no Dask import): options are parsed and checked here, before any work; the
executor itself is :class:`narration.cluster.executor.DaskExecutor` (``pip install narration[cluster]``),
and what runs on the workers is :mod:`narration.cluster.worker`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from narration.cluster.spec import (
    DEFAULT_TIMEOUT,
    OFF,
    QUIET_DASK,
    ClusterSpec,
    dask_environment,
    parse_cluster,
    resolve_cluster,
)
from narration.executors import Executor

if TYPE_CHECKING:
    from narration.cluster.executor import DaskExecutor

__all__ = [
    "DEFAULT_TIMEOUT",
    "OFF",
    "QUIET_DASK",
    "ClusterSpec",
    "DaskExecutor",
    "dask_environment",
    "executor_for",
    "parse_cluster",
    "resolve_cluster",
]


def __getattr__(name: str) -> Any:
    if name == "DaskExecutor":  # imports Dask: only when a cluster is really used
        from narration.cluster.executor import DaskExecutor

        return DaskExecutor
    raise AttributeError(name)


@contextlib.contextmanager
def executor_for(spec: ClusterSpec | None, local: Executor) -> Iterator[Executor]:
    """``local`` without a cluster; else a :class:`DaskExecutor` on ``spec``, connected now (an
    unreachable scheduler raises :class:`~narration.errors.ClusterError` here, before any work)
    and closed on leaving."""
    if spec is None:
        yield local
        return
    from narration.cluster.executor import DaskExecutor

    with DaskExecutor.from_spec(spec) as cluster:
        yield cluster
