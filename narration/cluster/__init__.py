"""Synthesis on a dask.distributed cluster: where a cluster is, and how long to wait for its workers.

    with DaskExecutor("tcp://scheduler:8786") as cluster:       # connects now (unreachable: ClusterError)
        report = build(book, executors=Executors(cluster, LocalProcesses(2)))

This module is light (no Dask import): options are parsed and checked here, before any work; the
executor itself is :class:`narration.cluster.executor.DaskExecutor` (``pip install narration[cluster]``),
and what runs on the workers is :mod:`narration.cluster.worker`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from narration.errors import ConfigError
from narration.executors import Executor

if TYPE_CHECKING:
    from narration.cluster.executor import DaskExecutor

__all__ = ["DEFAULT_TIMEOUT", "OFF", "ClusterSpec", "DaskExecutor", "executor_for", "parse_cluster", "resolve_cluster"]

DEFAULT_TIMEOUT = 300.0  # seconds without any usable worker before a build gives up
OFF = "off"  # --cluster off: this machine, whatever book.toml says
_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx", "inproc")
_LOCAL = re.compile(r"local:(\d+)")
_ADDRESS = re.compile(r"(?:(?P<scheme>[a-z]+)://)?(?P<host>\[[0-9a-fA-F:]+\]|[^\s/:\[\]]+)(?::(?P<port>\d+))?")


@dataclass(frozen=True)
class ClusterSpec:
    """A cluster to synthesise on: a scheduler's address, or ``local:N`` (N worker processes here)."""

    address: str  # "tcp://host:8786", or "local:N"
    timeout: float = DEFAULT_TIMEOUT  # seconds to wait, with a message, while no worker is usable

    @property
    def local_workers(self) -> int | None:
        """N of ``local:N``; None for a scheduler's address."""
        match = _LOCAL.fullmatch(self.address)
        return int(match.group(1)) if match else None


def parse_cluster(address: str, timeout: float | None = None) -> ClusterSpec:
    """Check an address (``tcp://host:8786``, ``host:8786``, ``local:4``) and a timeout (seconds > 0);
    :class:`ConfigError` says what is wrong. A bare ``host[:port]`` means ``tcp://``, port 8786."""
    wait = DEFAULT_TIMEOUT if timeout is None else float(timeout)
    if not wait > 0:
        raise ConfigError(f"cluster timeout must be a positive number of seconds, not {timeout!r}")
    text = address.strip()
    local = _LOCAL.fullmatch(text)
    if local:
        if int(local.group(1)) < 1:
            raise ConfigError(f"cluster {address!r}: local:N needs at least one worker")
        return ClusterSpec(text, wait)
    match = _ADDRESS.fullmatch(text)
    if text.startswith("local") or not match or (match.group("scheme") or "tcp") not in _SCHEMES:
        raise ConfigError(
            f"cluster {address!r} is not a Dask scheduler address: give tcp://HOST:PORT "
            "(e.g. tcp://10.0.0.5:8786) or local:N for N worker processes on this machine"
        )
    port = match.group("port") or "8786"
    if not 0 < int(port) < 65536:
        raise ConfigError(f"cluster {address!r}: port {port} is out of range")
    return ClusterSpec(f"{match.group('scheme') or 'tcp'}://{match.group('host')}:{port}", wait)


def resolve_cluster(
    address: str | None, timeout: float | None, configured: str | None, configured_timeout: float | None
) -> ClusterSpec | None:
    """The cluster of a run: the option's, else ``book.toml``'s; None (or ``off``) for this machine."""
    chosen = address if address is not None else configured
    if chosen is None or chosen.strip() == OFF:
        return None
    return parse_cluster(chosen, timeout if timeout is not None else configured_timeout)


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
