"""A running studio: the rebuild queue, the watcher and the web server, for one book.

    with BookLock(book_root, "narration studio").hold():
        with Studio.open(StudioConfig(Path("scripts"), Path("output"))) as studio:
            print(studio.url)
            studio.serve_forever()

The caller holds the book's lock for the studio's life (:mod:`narration.lock`); the studio's
rebuilds call :func:`narration.build.run` directly, with executors that keep the voice and codecs
loaded in this process.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from werkzeug.serving import BaseWSGIServer

from narration.build import Executors
from narration.executors import InProcess, cores
from narration.publish.rules import DEFAULT_HOST, DEFAULT_PORT
from narration.publish.serve import make_server, server_url
from narration.studio.app import PREFIX, Access, StudioApp, is_loopback
from narration.studio.edits import ScriptEditor
from narration.studio.rebuild import Event, Rebuilder
from narration.studio.watcher import ScriptsWatcher

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StudioConfig:
    scripts: Path
    out_dir: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    token: str | None = None  # beyond loopback; None: a random one (never used on loopback)
    jobs: int | None = None  # processes of the first build (None: one per core)
    progress: bool = False  # progress bars for the first build


class Studio:
    """The parts of a studio, started by :meth:`open` and stopped on leaving the ``with`` block."""

    def __init__(self, config: StudioConfig, rebuilder: Rebuilder, app: StudioApp, server: BaseWSGIServer) -> None:
        self.config = config
        self.rebuilder = rebuilder
        self.app = app
        self.server = server
        self.watcher = ScriptsWatcher(config.scripts, self._changed)
        self._serving: threading.Thread | None = None

    @classmethod
    def open(
        cls, config: StudioConfig, executors: Executors | None = None, listener: Callable[[Event], None] | None = None
    ) -> Studio:
        """Listen, build once (``listener`` hears its events), then start the rebuild queue and the
        watcher; the caller serves (:meth:`serve_forever` or :meth:`serve_in_thread`)."""
        config.out_dir.mkdir(parents=True, exist_ok=True)
        token = None if is_loopback(config.host) else (config.token or secrets.token_urlsafe(18))
        # The voice speaks one sentence at a time here, and the page waits for it: all the cores.
        studio_executors = executors or Executors(InProcess(threads=cores()), InProcess())
        rebuilder = Rebuilder(config.scripts, config.out_dir, studio_executors)
        app = StudioApp(rebuilder, ScriptEditor(config.scripts), Access(token, config.port))
        server = make_server(config.out_dir, config.host, config.port, app=app)
        app.access = Access(token, server.port)  # port 0 chose one
        studio = cls(config, rebuilder, app, server)
        if listener is not None:
            rebuilder.listen(listener)
        # The first build may have the whole book to make: a pool of processes, forked before any
        # of the studio's threads runs. Every later rebuild runs in this process, voice kept loaded.
        rebuilder.first_build(Executors.local(config.jobs or cores()), progress=config.progress)
        rebuilder.start()
        studio.watcher.start()
        return studio

    @property
    def url(self) -> str:
        """The studio page's address (with its token beyond loopback)."""
        token = self.app.access.token
        return server_url(self.server) + PREFIX.lstrip("/") + (f"?token={token}" if token else "")

    def listen(self, listener: Callable[[Event], None]) -> None:
        """Call ``listener`` with every rebuild event (e.g. to print it)."""
        self.rebuilder.listen(listener)

    def _changed(self, names: list[str]) -> None:
        generation = self.rebuilder.request("changed on disk: " + ", ".join(names))
        log.info("changed on disk: %s (rebuild %d)", ", ".join(names), generation)

    def serve_forever(self) -> None:
        self.server.serve_forever(poll_interval=0.1)

    def serve_in_thread(self) -> None:
        self._serving = threading.Thread(target=self.serve_forever, name="studio-http", daemon=True)
        self._serving.start()

    def close(self) -> None:
        self.app.closing.set()
        self.watcher.stop()
        if self._serving is not None:
            self.server.shutdown()
            self._serving.join(5)
        self.rebuilder.stop(timeout=60)  # a rebuild in flight finishes: its outputs stay whole
        self.server.server_close()

    def __enter__(self) -> Studio:
        return self

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def terminal_line(event: Event) -> str | None:
    """What the terminal shows of an event (None: nothing)."""
    if event.kind == "building":
        return f"[{event.generation}] rebuilding…"
    if event.kind == "progress":
        return f"[{event.generation}]   {event.message}"
    if event.kind == "built":
        return f"[{event.generation}] {event.message}"
    if event.kind == "failed":
        return f"[{event.generation}] error: {event.message} (the last good outputs stay; save a fix to rebuild)"
    return None
