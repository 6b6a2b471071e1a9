"""Watching ``scripts/`` (watchfiles): a script, the lexicon, ``book.toml`` or the cover saved in
any editor asks the rebuild queue for a rebuild. watchfiles groups the changes of a burst of saves
(a change, then 50 ms of quiet, at most 400 ms), and the queue coalesces the rest."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from narration.studio.rebuild import WATCHED_SUFFIXES

log = logging.getLogger(__name__)

STEP_MS = 50
DEBOUNCE_MS = 400


def watched(path: str) -> bool:
    """Whether a change to ``path`` can change the book (temp files of atomic writes cannot)."""
    name = Path(path).name
    return not name.startswith(".") and name.endswith(WATCHED_SUFFIXES)


class ScriptsWatcher:
    """Calls ``changed(names)`` from a thread of its own after each burst of changes in ``folder``."""

    def __init__(self, folder: Path, changed: Callable[[list[str]], None]) -> None:
        self.folder = Path(folder)
        self.changed = changed
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="studio-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        from watchfiles import watch

        try:
            for changes in watch(
                self.folder,
                watch_filter=lambda change, path: watched(path),
                step=STEP_MS,
                debounce=DEBOUNCE_MS,
                stop_event=self._stop,
                raise_interrupt=False,
            ):
                names = sorted({Path(path).name for _, path in changes})
                log.debug("changed on disk: %s", ", ".join(names))
                self.changed(names)
        except Exception:  # the studio goes on without watching; say why
            log.exception("watching %s stopped", self.folder)
