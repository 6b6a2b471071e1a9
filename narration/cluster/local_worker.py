"""Preloaded by the worker processes of ``--cluster local:N``: they ignore Ctrl-C, as a local pool's
processes do. The terminal sends SIGINT to the whole process group; the ``narration`` process
decides (it keeps what came back and closes its cluster, which stops these workers cleanly)."""

from __future__ import annotations

import contextlib
import signal
from typing import Any


def dask_setup(worker: Any) -> None:
    with contextlib.suppress(ValueError):  # not the process's main thread: leave the signal alone
        signal.signal(signal.SIGINT, signal.SIG_IGN)
