"""Where a cluster is and how long to wait for its workers: parsed and checked before any work."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from narration.errors import ConfigError

DEFAULT_TIMEOUT = 300.0  # seconds without any usable worker before a build gives up
OFF = "off"  # --cluster off: this machine, whatever book.toml says
# Dask's own machinery that synthesis has no use for, tuned down: each worker's statistical
# profiler samples its threads every 10 ms, every Dask server (scheduler, nanny, worker) checks its
# event loop every 20 ms, nannies and workers read the worker's memory every 100 ms and the system's
# load every 500 ms. On this machine that took ~15 % of a core for 2 workers and their scheduler
# (2 % with these settings), all of it taken from synthesis when every core speaks: bench/cluster.py
# measures it. ``local:N`` starts its cluster with these; the README gives them as environment
# variables for ``dask scheduler`` and ``dask worker`` (see :func:`dask_environment`).
QUIET_DASK: Mapping[str, object] = MappingProxyType(
    {
        "distributed.worker.profile.enabled": False,  # the dashboard's profile page stays empty
        "distributed.admin.tick.interval": "1s",  # event-loop health checks (a blocked loop is still reported)
        "distributed.worker.memory.monitor-interval": "1s",  # memory limits are still enforced
        "distributed.admin.system-monitor.interval": "5s",  # the dashboard's system graphs
    }
)
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


def dask_environment(config: Mapping[str, object] | None = None) -> dict[str, str]:
    """``config`` (default :data:`QUIET_DASK`) as the environment variables Dask reads at start,
    e.g. ``DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False`` for ``dask worker``."""
    chosen = QUIET_DASK if config is None else config
    return {"DASK_" + key.upper().replace(".", "__").replace("-", "_"): str(value) for key, value in chosen.items()}
