"""The audio stage's library API: from a book's scripts to its audiobook files and episodes.

    result = build_book(load_book("scripts"), out_dir=Path("output"))

``build_book`` synthesises what is missing (the synth stage), then masters and encodes each chapter
whose inputs changed, writes the episodes whose audio or tags changed, and re-assembles the M4B and
MP3 audiobooks by stream copy when any chapter changed. Everything is keyed by digests of its
inputs, so an unchanged book rebuilds nothing and an edited paragraph re-makes one chapter.
Chapters are mastered one at a time per worker: memory does not grow with the book.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from narration import fsutil
from narration.audio import codec
from narration.audio.cache import ChapterCache, Rendered
from narration.audio.cover import Cover, check_cover, find_cover, generate_cover, generated_key
from narration.audio.layout import chapter_parts
from narration.audio.manifest import save_manifest
from narration.audio.package import Segment, write_book
from narration.audio.profiles import Profile, get_profile
from narration.audio.state import OutputState
from narration.audio.tags import Tags, id3_tags, render_id3, write_mp3
from narration.audio.types import BuildResult, ChapterOutput, Cue
from narration.config import AudioConfig
from narration.errors import AudioError, LevelsError
from narration.ffmpeg import ffmpeg_exe
from narration.model import Book, Chapter
from narration.synth.pipeline import synthesize_book
from narration.synth.plan import select_chapters
from narration.synth.types import SynthResult

log = logging.getLogger(__name__)

AUDIO_VERSION = "1"  # bump when mastering or encoding changes: every chapter is made again
PACKAGE_VERSION = "2"  # bump when the book files are assembled differently: only they are made again
BUILD_CACHE = ".narration/build"
EPISODES = "episodes"
DESCRIPTION_CHARS = 400


@dataclass(frozen=True)
class BuildReport:
    """A build's result and what it did."""

    result: BuildResult
    synth: SynthResult
    encoded: tuple[int, ...]  # chapters mastered and encoded in this run
    reused: tuple[int, ...]  # chapters taken from the build cache
    episodes_written: tuple[int, ...]
    book_written: bool
    elapsed: float


@dataclass(frozen=True)
class _Context:
    profile: Profile
    config: AudioConfig
    synth: SynthResult
    cache: ChapterCache


def build_book(
    book: Book,
    *,
    out_dir: Path | None = None,
    jobs: int | None = None,
    profile: str | None = None,
    chapters: Sequence[int] | None = None,
    progress: bool = False,
    cache_dir: Path | None = None,
) -> BuildResult:
    """Build ``book``'s audiobook (M4B, MP3) and episodes in ``out_dir`` (default ``<root>/output``).

    ``profile``: ``podcast`` or ``acx`` (default: ``book.toml``'s ``[audio] profile``); ``chapters``:
    1-based numbers of a subset to build (a preview); ``jobs``: processes for synthesis and chapters
    mastered at once (default: ``[synth] jobs``, else the number of cores); ``cache_dir``: the
    per-chapter build cache (default ``<root>/.narration/build``).
    """
    report = build(
        book, out_dir=out_dir, jobs=jobs, profile=profile, chapters=chapters, progress=progress, cache_dir=cache_dir
    )
    return report.result


def build(
    book: Book,
    *,
    out_dir: Path | None = None,
    jobs: int | None = None,
    profile: str | None = None,
    chapters: Sequence[int] | None = None,
    progress: bool = False,
    cache_dir: Path | None = None,
) -> BuildReport:
    """:func:`build_book`, reporting what was made and what was reused."""
    started = time.monotonic()
    chosen = get_profile(profile if profile is not None else book.config.audio.profile)
    selected = select_chapters(book, chapters)
    out = prepare_out_dir(Path(out_dir) if out_dir is not None else book.root / "output")
    ffmpeg_exe()  # fail before synthesis if ffmpeg is missing
    state = OutputState.load(out)
    cover = resolve_cover(book, out, state)
    numbers = None if chapters is None else [c.number for c in selected]
    synth = synthesize_book(book, jobs=jobs, progress=progress, chapters=numbers)
    cache = ChapterCache(Path(cache_dir) if cache_dir is not None else book.root / BUILD_CACHE)
    context = _Context(chosen, book.config.audio, synth, cache)
    rendered, encoded = render_chapters(context, selected, _jobs(book, jobs), progress)
    outputs = chapter_outputs(out, selected, rendered)
    written = write_episodes(book, outputs, rendered, cover, state)
    result = BuildResult(
        title=book.title,
        author=book.author,
        language=book.language,
        description=book.config.description,
        out_dir=out,
        m4b=out / f"{book.slug}.m4b",
        mp3=out / f"{book.slug}.mp3",
        cover=cover.path,
        duration=sum(c.duration for c in outputs),
        chapters=tuple(outputs),
    )
    book_written = write_book_files(result, rendered, cover, state)
    if chapters is None:
        _tidy(cache, rendered, state)
    state.forget_missing()
    state.save()
    save_manifest(result)
    reused = tuple(c.number for c in selected if c.number not in encoded)
    return BuildReport(result, synth, tuple(encoded), reused, written, book_written, time.monotonic() - started)


def summary(report: BuildReport) -> str:
    """A few lines saying what a build made and where."""
    result = report.result
    minutes = result.duration / 60
    lines = [
        f"Built {result.title!r}: {len(result.chapters)} chapters, {minutes:.1f} min of audio, "
        f"in {report.elapsed:.1f} s "
        f"({len(report.encoded)} mastered, {len(report.reused)} unchanged; "
        f"{report.synth.made} clips synthesised)",
        f"  {result.m4b}" + ("" if report.book_written else "  (unchanged)"),
        f"  {result.mp3}" + ("" if report.book_written else "  (unchanged)"),
        f"  {result.out_dir / EPISODES}/  ({len(result.chapters)} episodes, {len(report.episodes_written)} written)",
    ]
    return "\n".join(lines)


def _jobs(book: Book, jobs: int | None) -> int:
    value = jobs if jobs is not None else book.config.synth.jobs or os.cpu_count() or 1
    return max(1, value)


def prepare_out_dir(out: Path) -> Path:
    """Create the output folder and check it can be written; :class:`AudioError` if not."""
    try:
        (out / EPISODES).mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise AudioError(f"cannot write to the output folder {out}: {exc.strerror or exc}") from exc
    return out


def resolve_cover(book: Book, out: Path, state: OutputState) -> Cover:
    """``scripts/cover.jpg|png`` (checked), else a generated ``out/cover.jpg`` (made when needed)."""
    given = find_cover(book.scripts_dir) if book.scripts_dir is not None else None
    if given is not None:
        return check_cover(given)
    target, key = out / "cover.jpg", generated_key(book.title, book.author)
    if state.current(target, key):
        return Cover(target, "image/jpeg", key)
    cover = generate_cover(book.title, book.author, target)
    state.record(target, key)
    return cover


def chapter_key(chapter: Chapter, synth: SynthResult, config: AudioConfig, profile: Profile) -> str:
    """Digest of everything a chapter's master and encodes are made from."""
    layout = [
        [part.kind, [[clip.key, clip.sample_rate, [s.text for s in clip.sentences]] for clip in part.clips]]
        for part in chapter_parts(chapter, synth)
    ]
    settings = {k: v for k, v in dataclasses.asdict(config).items() if k != "profile"}
    return fsutil.digest(
        "chapter",
        AUDIO_VERSION,
        json.dumps(dataclasses.asdict(profile), sort_keys=True),
        json.dumps(settings, sort_keys=True),
        json.dumps(layout, ensure_ascii=False),
    )[:32]


HEADROOM_RETRIES = 2  # re-masterings of a chapter whose encode overshot the peak limit
HEADROOM_MARGIN_DB = 0.5  # extra headroom given on each retry, beyond the overshoot measured


def render_chapter(context: _Context, chapter: Chapter, key: str) -> Rendered:
    """Master, encode and verify one chapter into the build cache.

    Lossy coding can push peaks above the limiter's ceiling by more than the profile's headroom;
    such a chapter is mastered again with the limiter lowered by the overshoot, so the build does
    not fail on an unlucky sentence.
    """
    profile = context.profile
    for attempt in range(HEADROOM_RETRIES + 1):
        try:
            return _render_once(context, chapter, key, profile)
        except LevelsError as exc:
            if not exc.peak_overshoot or attempt == HEADROOM_RETRIES:
                raise
            ceiling = profile.ceiling - exc.peak_overshoot - HEADROOM_MARGIN_DB
            log.info("chapter %d: the encode overshot the peak limit by %.2f dB; limiter lowered to %.1f dBTP",
                     chapter.number, exc.peak_overshoot, ceiling)
            profile = dataclasses.replace(profile, ceiling=ceiling)
    raise AssertionError("unreachable")


def _render_once(context: _Context, chapter: Chapter, key: str, profile: Profile) -> Rendered:
    from narration.audio.encode import encode_and_verify, pcm_bytes  # numpy/scipy: only when needed
    from narration.audio.master import master_chapter

    log.info("mastering chapter %d: %s", chapter.number, chapter.title)
    master = master_chapter(chapter, context.synth, context.config, profile)
    offset = codec.MP3_DELAY / codec.RATE
    cues = tuple(Cue(round(c.start + offset, 6), round(c.end + offset, 6), c.text) for c in master.cues)
    pcm, rate = pcm_bytes(master.samples), master.rate
    del master  # only the PCM is needed from here: keep one copy of the chapter in memory
    mp3, aac, _ = context.cache.paths(key)
    what = f"chapter {chapter.number} ({chapter.title!r})"
    encoded, levels = encode_and_verify(pcm, rate, profile, mp3, aac, what, min(rate, codec.RATE))
    rendered = Rendered(key, mp3, aac, encoded.mp3_frames, encoded.aac_frames, cues, levels.as_dict())
    context.cache.store(rendered)
    return rendered


def render_chapters(
    context: _Context, chapters: Sequence[Chapter], workers: int, progress: bool
) -> tuple[list[Rendered], list[int]]:
    """Every chapter's encodes, from the cache or made (``workers`` chapters at a time); and the
    numbers of the chapters made. Chapters with identical inputs share one encode. The longest
    are made first: the work balances better, and the chapters in memory at once are the same
    few longest ones however long the book is."""
    keys = [chapter_key(c, context.synth, context.config, context.profile) for c in chapters]
    found = {key: context.cache.lookup(key) for key in keys}
    todo: dict[str, Chapter] = {}
    for chapter, key in zip(chapters, keys):
        if found[key] is None:
            todo.setdefault(key, chapter)
    if todo:
        context.cache.prepare()
        order = sorted(todo, key=lambda k: -_spoken_seconds(todo[k], context.synth))  # longest first
        tasks = [partial(render_chapter, context, todo[key], key) for key in order]
        with _Progress(len(tasks), progress) as advance:
            found.update(zip(order, _run_parallel(tasks, workers, advance)))
    return [found[k] for k in keys], [c.number for c in todo.values()]


def _spoken_seconds(chapter: Chapter, synth: SynthResult) -> float:
    return sum(clip.duration for part in chapter_parts(chapter, synth) for clip in part.clips)


def _run_parallel(tasks: list[Callable[[], Rendered]], workers: int, advance: Callable[[], None]) -> list[Rendered]:
    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(tasks))), thread_name_prefix="master")
    try:
        futures: list[Future[Rendered]] = [pool.submit(task) for task in tasks]
        for future in futures:
            future.add_done_callback(lambda _: advance())
        results = [future.result() for future in futures]
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    return results


class _Progress:
    """A rich progress bar of chapters mastered (only when asked for)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled, self.bar = total, enabled, None

    def __enter__(self) -> Callable[[], None]:
        if not self.enabled:
            return lambda: None
        from rich.progress import Progress

        self.bar = Progress(transient=True)
        self.bar.start()
        task = self.bar.add_task("Mastering chapters", total=self.total)
        return lambda: self.bar.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def opening(chapter: Chapter, limit: int = DESCRIPTION_CHARS) -> str:
    """The chapter's first paragraph as plain text, cut at a word near ``limit`` characters."""
    text = next((" ".join(s.text.split()) for s in chapter.sections if s.kind == "paragraph"), "")
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def chapter_outputs(out: Path, chapters: Sequence[Chapter], rendered: Sequence[Rendered]) -> list[ChapterOutput]:
    """Each chapter's episode, duration and start in the book (the sum of the encodes before it)."""
    outputs, position = [], 0.0
    for chapter, item in zip(chapters, rendered):
        duration = item.mp3_duration
        outputs.append(
            ChapterOutput(
                number=chapter.number,
                title=chapter.title,
                key=chapter.key,
                slug=chapter.slug,
                episode=out / EPISODES / f"{chapter.slug}.mp3",
                duration=duration,
                start=position,
                cues=item.cues,
                description=opening(chapter),
            )
        )
        position += duration
    return outputs


def write_episodes(
    book: Book, outputs: Sequence[ChapterOutput], rendered: Sequence[Rendered], cover: Cover, state: OutputState
) -> tuple[int, ...]:
    """Write each episode (tag + the chapter's MP3 frames) whose audio or tags changed."""
    written = []
    for output, item in zip(outputs, rendered):
        track = f"{output.number}/{len(book.chapters)}"
        tags = Tags(title=output.title, album=book.title, artist=book.author, track=track)
        key = fsutil.digest("episode", item.key, json.dumps(dataclasses.asdict(tags)), cover.digest)
        if state.current(output.episode, key):
            continue
        write_mp3(output.episode, render_id3(id3_tags(tags, cover)), [item.mp3])
        state.record(output.episode, key)
        written.append(output.number)
    return tuple(written)


def write_book_files(result: BuildResult, rendered: Sequence[Rendered], cover: Cover, state: OutputState) -> bool:
    """Re-assemble the M4B and MP3 audiobooks if any of their inputs changed; whether it did."""
    segments = [
        Segment(c.title, r.mp3, r.aac, r.mp3_duration, r.aac_duration)
        for c, r in zip(result.chapters, rendered)
    ]
    parts = json.dumps([[s.title, r.key] for s, r in zip(segments, rendered)])
    key = fsutil.digest("book", AUDIO_VERSION, PACKAGE_VERSION, result.title, result.author, cover.digest, parts)
    if state.current(result.m4b, key) and state.current(result.mp3, key):
        return False
    log.info("assembling %s and %s", result.m4b.name, result.mp3.name)
    write_book(result.m4b, result.mp3, segments, result.title, result.author, cover)
    state.record(result.m4b, key)
    state.record(result.mp3, key)
    return True


def _tidy(cache: ChapterCache, rendered: Sequence[Rendered], state: OutputState) -> None:
    """After a whole-book build: drop the cache entries and the outputs the book no longer uses."""
    removed = cache.prune({r.key for r in rendered})
    stale = state.remove_untouched()
    if removed or stale:
        log.info("removed %d stale cache entries and these old outputs: %s", removed, ", ".join(stale) or "none")
