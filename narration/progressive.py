"""Chapter by chapter: synthesis, mastering and publishing overlapped, in reading order.

The synth workers speak the missing clips in reading order. As soon as every clip of a chapter is
in the cache, that chapter's missing units go to the unit workers; as soon as a chapter's units
are all made and every chapter before it is done, it is handed on (the driver writes its episode
and publishes the feed so far). The book files are assembled by the driver at the end. Both kinds
of workers stay busy: the units of chapter *n* are made while the clips of chapter *n + 1* are
spoken.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from concurrent.futures import wait as wait_for
from dataclasses import dataclass, field
from pathlib import Path

from narration.audio.profiles import Profile
from narration.audio.stage import ChapterAudio, UnitPlan, chapter_audio, chapter_outputs, plan_units, unit_job
from narration.audio.types import ChapterOutput
from narration.audio.units import Unit, UnitCache
from narration.config import AudioConfig
from narration.executors import Workers
from narration.model import Chapter
from narration.synth import pipeline
from narration.synth.cache import ClipMeta
from narration.synth.pipeline import Pending
from narration.synth.types import SynthResult

log = logging.getLogger(__name__)


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Units:
    """How the audio stage's part of the run is done: where units are cached and how they are made."""

    cache: UnitCache
    profile: Profile
    config: AudioConfig


@dataclass
class _Chapter:
    chapter: Chapter
    clips_missing: set[str]
    units: UnitPlan | None = None  # once its clips are all there
    submitted: bool = False  # its units to make are with the workers


@dataclass
class Finished:
    """What the chapter-by-chapter run made, in reading order."""

    synth: SynthResult
    audio: list[ChapterAudio] = field(default_factory=list)
    outputs: list[ChapterOutput] = field(default_factory=list)
    plans: list[UnitPlan] = field(default_factory=list)
    seconds_made: float = 0.0  # of audio synthesised in this run

    @property
    def units_made(self) -> int:
        return len({key for plan in self.plans for key in plan.todo})


class ChapterByChapter:
    """One build's chapters, each mastered and handed to ``ready`` as soon as it can be.

    Made before any worker starts: the chapters whose clips are all there are planned at once
    (:attr:`units_to_make` sizes the workers); :meth:`run` then drives the build on the workers.
    """

    def __init__(
        self,
        pending: Pending,
        chapters: tuple[Chapter, ...],
        units: Units,
        out: Path,
        ready: Callable[[ChapterOutput, ChapterAudio, list[ChapterOutput]], None],
    ) -> None:
        self.pending, self.units, self.out, self.ready = pending, units, out, ready
        self.metas: dict[str, ClipMeta] = dict(pending.found)
        self.chapters = [_Chapter(c, self._missing_of(c.number)) for c in chapters]
        self.futures: dict[str, Future[Unit]] = {}
        self.done = Finished(SynthResult())
        self.workers: Workers | None = None
        self.advance: Callable[[], None] = _nothing
        for entry in self.chapters:
            if not entry.clips_missing:
                self._plan(entry)

    @property
    def units_to_make(self) -> int:
        """Units to make in the chapters planned so far."""
        return len({key for entry in self.chapters if entry.units is not None for key in entry.units.todo})

    def _missing_of(self, number: int) -> set[str]:
        items = (item for item in self.pending.plan.items if item.chapter == number)
        return {piece.key for item in items for piece in item.pieces if piece.key in self.pending.missing}

    def run(self, clips: Iterable[ClipMeta], workers: Workers, advance: Callable[[], None] = _nothing) -> Finished:
        """Drive the build from the clips as they are stored (none when nothing is missing), units
        made on ``workers`` (``advance`` told as each is made)."""
        self.workers, self.advance = workers, advance
        self._advance()
        for meta in clips:
            self.metas[meta.key] = meta
            self.done.seconds_made += meta.duration
            for entry in self.chapters:
                entry.clips_missing.discard(meta.key)
            self._advance()
        wait_for(list(self.futures.values()))
        for future in self.futures.values():
            future.result()  # a unit that failed raises its error here
        self._advance()
        return self.done

    def clips_missing(self) -> bool:
        """Whether some chapter still waits for clips."""
        return any(entry.clips_missing for entry in self.chapters)

    def _advance(self) -> None:
        for entry in self.chapters:
            if entry.units is None and not entry.clips_missing:
                self._plan(entry)
            if entry.units is not None and not entry.submitted and self.workers is not None:
                self._submit(entry.units)
                entry.submitted = True
        self._write_ready()

    def _plan(self, entry: _Chapter) -> None:
        number = entry.chapter.number
        synth = pipeline.assemble(self.pending.plan, self.pending.cache, self.metas, number, self.done.synth)
        entry.units = plan_units([entry.chapter], synth, self.units.profile, self.units.config, self.units.cache)
        self.done.plans.append(entry.units)

    def _submit(self, plan: UnitPlan) -> None:
        """Hand the plan's units not yet handed on to the workers."""
        fresh = [task for key, task in plan.todo.items() if key not in self.futures]
        if not fresh or self.workers is None:  # nothing to make (or no workers yet: they come with run)
            return
        plan.cache.prepare()
        job = unit_job()
        for task in fresh:
            future = self.futures[task.key] = self.workers.submit(job, task)
            future.add_done_callback(lambda _: self.advance())

    def _write_ready(self) -> None:
        """Hand on the chapters now complete, in reading order."""
        while len(self.done.audio) < len(self.chapters):
            entry = self.chapters[len(self.done.audio)]
            if entry.units is None or not self._units_ready(entry.units):
                return
            plan = entry.units
            units = [plan.found[k] or self.futures[k].result() for k in plan.keys[0]]
            plan.found.update(zip(plan.keys[0], units, strict=True))
            audio = chapter_audio(entry.chapter, units, plan.profile)
            position = sum(c.duration for c in self.done.outputs)
            (output,) = chapter_outputs(self.out, [entry.chapter], [audio], position, self.done.synth)
            self.done.audio.append(audio)
            self.done.outputs.append(output)
            self.ready(output, audio, list(self.done.outputs))

    def _units_ready(self, plan: UnitPlan) -> bool:
        waiting = [self.futures[k] for k in plan.keys[0] if plan.found[k] is None]
        return all(f.done() and f.exception() is None for f in waiting)


def merged(plans: list[UnitPlan], chapters: tuple[Chapter, ...]) -> UnitPlan:
    """One plan of the whole run (for assembling the book files and tidying the cache)."""
    order = {chapter.number: index for index, chapter in enumerate(chapters)}
    plans = sorted(plans, key=lambda plan: order[plan.chapters[0].number])
    first = plans[0]
    found = {k: v for plan in plans for k, v in plan.found.items()}
    todo = {k: v for plan in plans for k, v in plan.todo.items()}
    keys = [key_list for plan in plans for key_list in plan.keys]
    return dataclasses.replace(first, chapters=chapters, keys=keys, found=found, todo=todo)
