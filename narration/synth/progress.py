"""Counting a run's progress: sections done of those to make, minutes of audio made, and an ETA."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from narration.synth.cache import ClipMeta
from narration.synth.plan import Piece, Plan

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class Tracker:
    """Records each clip as it is made; shows a progress bar on stderr when ``show`` is set.

    The bar advances by characters spoken (so the ETA weighs long pieces properly) and shows
    sections (titles and paragraphs) done out of those with something to make.
    """

    def __init__(
        self,
        plan: Plan,
        missing: Mapping[str, Piece],
        show: bool,
        on_clip: Callable[[ClipMeta], None] | None = None,
    ) -> None:
        self.missing = missing
        self.made: dict[str, ClipMeta] = {}
        self.seconds = 0.0
        self.on_clip = on_clip
        self.waiting: dict[int, set[str]] = {}
        self.owners: dict[str, list[int]] = {}
        for index, item in enumerate(plan.items):
            keys = {p.key for p in item.pieces if p.key in missing}
            if keys:
                self.waiting[index] = keys
                for key in keys:
                    self.owners.setdefault(key, []).append(index)
        self.sections_total = len(self.waiting)
        self.sections_done = 0
        self._progress = _progress_bar() if show else None
        self._task: TaskID | None = None

    def __enter__(self) -> Tracker:
        if self._progress is not None:
            self._progress.start()
            total = sum(p.chars for p in self.missing.values())
            self._task = self._progress.add_task("synth", total=total, sections=self._sections(), minutes=0.0)
        return self

    def __exit__(self, *exc: object) -> None:  # the Sink protocol's signature
        if self._progress is not None:
            self._progress.stop()

    def _sections(self) -> str:
        return f"{self.sections_done}/{self.sections_total} sections"

    def done(self, meta: ClipMeta) -> None:
        """A clip was stored."""
        self.made[meta.key] = meta
        self.seconds += meta.duration
        for index in self.owners.get(meta.key, ()):
            self.waiting[index].discard(meta.key)
            if not self.waiting[index]:
                self.sections_done += 1
        if self._progress is not None and self._task is not None:
            self._progress.update(
                self._task,
                advance=self.missing[meta.key].chars,
                sections=self._sections(),
                minutes=self.seconds / 60,
            )
        if self.on_clip is not None:
            self.on_clip(meta)


def _progress_bar() -> Progress:
    from rich.console import Console  # imported only when a bar is shown
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    return Progress(
        TextColumn("[bold]synth"),
        BarColumn(),
        TextColumn("{task.fields[sections]}"),
        TextColumn("{task.fields[minutes]:.1f} min of audio"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )
