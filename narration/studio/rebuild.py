"""The studio's rebuild queue: one thread that rebuilds the book whenever it is asked to.

Requests are numbered (*generations*). Asking while a rebuild runs queues one more rebuild, which
starts as soon as the running one ends and picks up every change made meanwhile: rapid saves are
coalesced, none is lost. A rebuild runs :func:`narration.build.run` in this process with the
studio's executors (the voice, engine and codecs loaded once). A failing rebuild (a bad edit)
leaves the last good outputs and views in place and reports its error; the next good one clears it.

Everything that happens is an :class:`Event`, handed to every listener (the page's event stream,
the terminal).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from narration import fsutil
from narration.build import BuildReport, Executors, resolve, run
from narration.errors import NarrationError
from narration.studio.edits import version
from narration.studio.views import ChapterView, chapter_views

log = logging.getLogger(__name__)

WATCHED_SUFFIXES = (".md", ".toml", ".jpg", ".png")


@dataclass(frozen=True)
class Event:
    """Something the page and the terminal are told."""

    kind: str  # building, progress, built, failed
    generation: int
    message: str
    chapters: tuple[int, ...] = ()  # built: the chapters whose episode was written
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "generation": self.generation,
            "message": self.message,
            "chapters": list(self.chapters),
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Status:
    requested: int  # the last generation asked for
    built: int  # the last generation finished (well or not)
    building: bool
    error: str | None  # the last rebuild's error (None: it went well)
    good: int  # the generation of the outputs in place (0: none yet)
    warm: bool  # the voice and codecs are loaded (after the first build)

    def to_json(self) -> dict[str, Any]:
        return {
            "requested": self.requested,
            "built": self.built,
            "building": self.building,
            "error": self.error,
            "good": self.good,
            "warm": self.warm,
        }


@dataclass
class Built:
    """The last good build: its report and the page's views of its chapters."""

    report: BuildReport
    views: dict[str, ChapterView] = field(default_factory=dict)  # by chapter slug


def scripts_fingerprint(scripts: Path) -> tuple[tuple[str, int, int], ...]:
    """What a change on disk changes: every watched file's name, size and mtime."""
    found = []
    for path in sorted(scripts.iterdir()):
        if path.name.startswith(".") or path.suffix not in WATCHED_SUFFIXES:
            continue
        try:
            stat = path.stat()
        except OSError:
            continue
        found.append((path.name, stat.st_size, stat.st_mtime_ns))
    return tuple(found)


class Rebuilder:
    """Rebuilds the book of ``scripts`` into ``out_dir`` on request, in a thread of its own."""

    def __init__(
        self,
        scripts: Path,
        out_dir: Path,
        executors: Executors,
        *,
        base_url: str | None = None,
    ) -> None:
        self.scripts = Path(scripts)
        self.out_dir = Path(out_dir)
        self.executors = executors
        self.base_url = base_url
        self.built: Built | None = None
        self._cond = threading.Condition()
        self._requested = 0
        self._started = 0
        self._finished = 0
        self._good = 0
        self._error: str | None = None
        self._fingerprint: tuple | None = None
        self._listeners: list[Callable[[Event], None]] = []
        self._stop = False
        self._warm = False
        self._thread = threading.Thread(target=self._loop, name="studio-rebuild", daemon=True)

    # --- the queue --------------------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        self._thread.join(timeout)

    def request(self, reason: str = "", *, force: bool = False) -> int:
        """Ask for a rebuild; the generation that will include every change made so far. Without
        ``force``, a rebuild whose scripts are unchanged on disk since the last one is skipped."""
        with self._cond:
            self._requested += 1
            if force:
                self._fingerprint = None
            self._cond.notify_all()
            log.debug("rebuild %d requested: %s", self._requested, reason)
            return self._requested

    def wait(self, generation: int, timeout: float | None = None) -> Status:
        """Wait until ``generation`` is built (or ``timeout``); the status then."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._finished < generation and not self._stop:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                self._cond.wait(left)
            return self._status()

    def status(self) -> Status:
        with self._cond:
            return self._status()

    def _status(self) -> Status:
        building = self._started > self._finished
        return Status(self._requested, self._finished, building, self._error, self._good, self._warm)

    def listen(self, listener: Callable[[Event], None]) -> Callable[[], None]:
        """Call ``listener`` with every event; returns a function that stops it."""
        with self._cond:
            self._listeners.append(listener)

        def remove() -> None:
            with self._cond:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove

    def emit(self, event: Event) -> None:
        with self._cond:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # a listener's failure must not stop the rebuilds
                log.debug("a studio listener failed", exc_info=True)

    # --- the thread -------------------------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._started >= self._requested and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                generation = self._started = self._requested
            self._rebuild(generation)

    def first_build(self, executors: Executors, *, progress: bool = False) -> Status:
        """Build once now, in the calling thread, on ``executors`` (e.g. a process pool for a book
        with much to synthesise: call this before :meth:`start` and before any other thread runs,
        so forking is safe); its error, if any, is kept for the page like any rebuild's."""
        with self._cond:
            self._requested += 1
            self._started = self._requested
            generation = self._requested
        self._rebuild(generation, executors, progress=progress)
        return self.status()

    def _rebuild(self, generation: int, executors: Executors | None = None, *, progress: bool = False) -> None:
        fingerprint = scripts_fingerprint(self.scripts)
        if fingerprint == self._fingerprint and self._error is None:
            self._finish(generation, None, good=True)
            return
        self.emit(Event("building", generation, "rebuilding"))
        started = time.monotonic()
        relay = _LogRelay(self, generation)
        try:
            with relay, fsutil.relaxed():  # outputs made again every few seconds: see _build
                built = self._build(executors or self.executors, progress)
        except NarrationError as exc:
            self._fingerprint = fingerprint
            self._finish(generation, str(exc), good=False)
            self.emit(Event("failed", generation, str(exc), seconds=time.monotonic() - started))
            return
        except Exception as exc:  # keep serving the last good outputs; say what broke
            log.exception("rebuild %d failed", generation)
            self._fingerprint = fingerprint
            message = f"internal error: {type(exc).__name__}: {exc}"
            self._finish(generation, message, good=False)
            self.emit(Event("failed", generation, message, seconds=time.monotonic() - started))
            return
        self.built = built
        self._fingerprint = fingerprint
        self._finish(generation, None, good=True)
        report = built.report
        elapsed = time.monotonic() - started
        self.emit(Event("built", generation, describe(report, elapsed), report.episodes_written, elapsed))
        if not self._warm:
            self.warm_up()
            with self._cond:
                self._warm = True

    def _finish(self, generation: int, error: str | None, *, good: bool) -> None:
        with self._cond:
            self._finished = generation
            self._error = error
            if good:
                self._good = generation
            self._cond.notify_all()

    def _build(self, executors: Executors, progress: bool = False) -> Built:
        """One build, its outputs written atomically but not flushed to disk (:func:`fsutil.relaxed`):
        a killed studio never leaves a half file (every write is a rename), and what a power cut
        could lose, the last seconds' outputs, is noticed by the next build (their recorded sizes
        no longer match) and made again from the caches. Waiting for the disk on every edit
        (13 fsyncs, a third of them on files of 50-70 MB) would cost more than the rest of the
        writing; the caches are written that way already."""
        from narration.model import load_book
        from narration.synth.engines import get_engine
        from narration.synth.pipeline import plan_book

        versions = _versions(self.scripts)  # read first: the views name what the build was made from
        book = load_book(self.scripts)
        options = resolve(book, out_dir=self.out_dir, base_url=self.base_url, progress=progress)
        report = run(options, executors)
        plan = plan_book(book, get_engine(options.synth.spec), None)
        views = chapter_views(book, plan, report.result, versions)
        return Built(report, {view.slug: view for view in views})

    def warm_up(self) -> None:
        """Load the voice and the codecs now, so the first edit does not wait for them."""
        from narration.audio.units import load_codecs
        from narration.model import load_book
        from narration.synth.workers import clip_job

        try:
            options = resolve(load_book(self.scripts), out_dir=self.out_dir)
            start = getattr(self.executors.synth, "state", None)
            if start is not None:
                start(clip_job(options.synth.spec).setup)
            load_codecs()
        except NarrationError as exc:
            log.debug("warm-up skipped: %s", exc)


def _versions(scripts: Path) -> dict[str, str]:
    found = {}
    for path in scripts.iterdir():
        if path.suffix in (".md", ".toml") and not path.name.startswith("."):
            try:
                found[path.name] = version(path.read_bytes())
            except OSError:
                continue
    return found


def describe(report: BuildReport, elapsed: float) -> str:
    """One line on what a rebuild made."""
    synth = report.synth
    parts = []
    if synth.made:
        spoken = f"{synth.made} clip(s) spoken in {synth.waited:.2f} s"  # the speaking, not the mastering between
        parts.append(f"{spoken} ({synth.audio_seconds_made:.1f} s of audio)")
    if report.units_made:
        parts.append(f"{report.units_made} unit(s) encoded")
    if report.episodes_written:
        parts.append("episode(s) " + ", ".join(str(n) for n in report.episodes_written))
    if report.book_written:
        parts.append("book files")
    made = "; ".join(parts) if parts else "nothing changed"
    return f"built in {elapsed:.2f} s: {made}"


class _LogRelay(logging.Handler):
    """Turns the build's log lines (INFO and up) into progress events while it runs. If the
    ``narration`` logger was quieter than INFO, it is made INFO for the rebuild without passing
    the extra lines on: what was shown before (warnings) still goes to the usual handlers."""

    def __init__(self, rebuilder: Rebuilder, generation: int) -> None:
        super().__init__(logging.INFO)
        self.rebuilder = rebuilder
        self.generation = generation
        self.logger = logging.getLogger("narration")
        self.shown = self.logger.getEffectiveLevel()
        self.saved = (self.logger.level, self.logger.propagate)

    def __enter__(self) -> _LogRelay:
        self.logger.addHandler(self)
        if self.shown > logging.INFO:
            self.logger.setLevel(logging.INFO)
            self.logger.propagate = False
        return self

    def __exit__(self, *exc: object) -> None:
        self.logger.removeHandler(self)
        self.logger.setLevel(self.saved[0])
        self.logger.propagate = self.saved[1]

    def emit(self, record: logging.LogRecord) -> None:
        if not self.logger.propagate and record.levelno >= self.shown and self.logger.parent is not None:
            self.logger.parent.handle(record)  # what the user would have seen anyway
        if record.name.startswith("narration.studio") or threading.current_thread().name != "studio-rebuild":
            return
        self.rebuilder.emit(Event("progress", self.generation, record.getMessage()))


class EventQueue:
    """One listener's events, for a stream that reads them at its own pace."""

    def __init__(self, size: int = 256) -> None:
        self.queue: queue.Queue[Event] = queue.Queue(size)

    def __call__(self, event: Event) -> None:
        try:
            self.queue.put_nowait(event)
        except queue.Full:
            log.debug("a slow listener missed an event")

    def get(self, timeout: float) -> Event | None:
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None
