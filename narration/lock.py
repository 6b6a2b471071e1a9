"""One writer per book: the lock every command that writes a book's files takes first.

The lock is an advisory ``flock`` on ``<root>/.narration/lock`` (``root`` is the folder that holds
``scripts/`` and the caches). The kernel drops it when its holder exits, however it exits, so a
lock left by a killed run is simply taken by the next one. The holder writes who it is (pid,
command, since when) into the file, so a run that has to wait can say whom it waits for.

    with BookLock(book.root, "narration build").hold(wait=True, notify=print):
        ...
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from narration.errors import LockError

log = logging.getLogger(__name__)

LOCK_FILE = ".narration/lock"
POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Holder:
    """Who holds a book's lock, as it wrote itself into the lock file."""

    pid: int
    command: str
    since: float  # time.time() when it took the lock

    def describe(self) -> str:
        when = datetime.fromtimestamp(self.since).strftime("%Y-%m-%d %H:%M:%S")
        return f"pid {self.pid} ({self.command}, since {when})"


class BookLock:
    """The lock of the book in ``root``, taken for ``command`` (what the holder says it is doing)."""

    def __init__(self, root: Path, command: str) -> None:
        self.path = Path(root) / LOCK_FILE
        self.command = command

    def holder(self) -> Holder | None:
        """Who holds (or last held) the lock, if it says."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return Holder(int(data["pid"]), str(data["command"]), float(data["since"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    @contextlib.contextmanager
    def hold(
        self, *, wait: bool = True, timeout: float | None = None, notify: Callable[[str], None] | None = None
    ) -> Iterator[Holder]:
        """Hold the lock for the ``with`` block. Held elsewhere: with ``wait``, say so once through
        ``notify`` (default: a log warning) and wait (at most ``timeout`` seconds, if given);
        without, raise :class:`LockError` at once. Either way the message names the holder."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise LockError(f"cannot create the lock file {self.path}: {exc.strerror or exc}") from exc
        try:
            self._acquire(handle, wait, timeout, notify or log.warning)
            me = Holder(os.getpid(), self.command, time.time())
            os.ftruncate(handle, 0)
            os.pwrite(handle, json.dumps({"pid": me.pid, "command": me.command, "since": me.since}).encode(), 0)
            yield me
        finally:
            os.close(handle)  # releases the lock

    def _acquire(self, handle: int, wait: bool, timeout: float | None, notify: Callable[[str], None]) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
            message = self._busy()
            if not wait:
                raise LockError(message)
            if deadline is not None and time.monotonic() >= deadline:
                raise LockError(f"{message}; gave up after {timeout:g} s")
            if not told:
                notify(f"{message}; waiting for it to finish (Ctrl-C to stop)")
                told = True
            time.sleep(POLL_SECONDS)

    def _busy(self) -> str:
        holder = self.holder()
        who = holder.describe() if holder is not None else "another process"
        return f"the book in {self.path.parent.parent} is being written by {who}"
