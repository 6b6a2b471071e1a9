"""Publish a build: transcripts, chapters JSON, the read-along EPUB, ``index.html`` and ``feed.xml``
in ``out_dir``.

Called by ``narration build`` after the audio stage, and may be called after each chapter of a
progressive build with a partial :class:`BuildResult` (``in_progress=True``, ``chapters`` those
finished so far): the feed then lists those episodes, the page marks the book files "in progress",
and the EPUB waits for the last call. Files are written atomically, only when their content changed,
the feed last, so it never names a file that is not there yet.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from pathlib import Path

from narration import fsutil
from narration.audio.types import BuildResult
from narration.config import BookConfig, PublishConfig
from narration.coverart import check_image
from narration.errors import CoverError, PublishError
from narration.publish import layout
from narration.publish.dates import DateRecord, FeedDates, load_record, now, resolve, save_record
from narration.publish.epub import remove_epub, write_epub
from narration.publish.epub.writer import epub_metadata
from narration.publish.feed import item_guids, render_feed
from narration.publish.rules import FEED_FILE, PAGE_FILE
from narration.publish.settings import PublishSettings, from_config, save_settings
from narration.publish.site import render_page
from narration.publish.transcripts import write_transcripts
from narration.publish.writing import write_if_changed

log = logging.getLogger(__name__)


def publish(
    result: BuildResult, *, base_url: str | None = None, config: BookConfig | PublishConfig | None = None
) -> None:
    """Write the feed, transcripts, chapters JSON, EPUB and web page of ``result`` into ``result.out_dir``.

    ``base_url``: where ``out_dir`` will be served (http or https); ``None`` means ``[publish]
    base_url``, else ``http://localhost:8000/``, the address of ``narration serve`` with its
    defaults. ``config``: the book's ``book.toml`` (people, owner, licence, ``published``, the AI
    disclosure and ``[publish]``); a bare ``[publish]`` table gives the rest their defaults.
    """
    publish_with(result, from_config(config, base_url))


def publish_with(result: BuildResult, settings: PublishSettings, when: dt.datetime | None = None) -> None:
    """:func:`publish` with settings already resolved; ``when``: the time of this build (default: now)."""
    when = when or now()
    _check_files(result)
    result = _stage_cover(result)
    out_dir = Path(result.out_dir)
    write_transcripts(result)
    record = resolve(load_record(out_dir), item_guids(result), settings.published, when)
    if not settings.epub:
        remove_epub(result)
    elif not result.in_progress:
        write_epub(result, epub_metadata(result, settings, record.base or when), when)
    write_if_changed(out_dir / PAGE_FILE, render_page(result, settings))
    _write_feed(result, settings, record, when)
    save_settings(out_dir, settings)
    log.info("published %d episodes; feed %s%s", len(result.chapters), settings.base_url, FEED_FILE)


def _write_feed(result: BuildResult, settings: PublishSettings, record: DateRecord, when: dt.datetime) -> None:
    """The feed, with the lastBuildDate of the last publish that changed it (then this one's)."""
    out_dir = Path(result.out_dir)
    items = {guid: record.items[guid] for guid in item_guids(result)}
    body = render_feed(result, settings, FeedDates(items, record.last_build or when))
    try:
        unchanged = (out_dir / FEED_FILE).read_bytes() == body
    except OSError:
        unchanged = False
    if not unchanged:
        record.last_build = when
        body = render_feed(result, settings, FeedDates(items, when))
    save_record(out_dir, record)
    write_if_changed(out_dir / FEED_FILE, body.decode("utf-8"))


def _check_files(result: BuildResult) -> None:
    """Every file the feed and the page name is there, and the cover is one podcast apps take (the
    rule the audio stage checked it by, its header only)."""
    books = [] if result.in_progress else [result.mp3, result.m4b]
    paths = [*books, result.cover, *(c.episode for c in result.chapters)]
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        raise PublishError("cannot publish, these files are missing: " + ", ".join(missing))
    if not result.chapters:
        raise PublishError("cannot publish a book with no chapters")
    try:
        check_image(Path(result.cover), decode=False)
    except CoverError as exc:
        raise PublishError(str(exc)) from exc


def _stage_cover(result: BuildResult) -> BuildResult:
    """Copy a cover that lies outside the output folder into it (atomically, only when changed)."""
    target = layout.published_cover(result)
    source = Path(result.cover)
    if target != source and (not target.exists() or fsutil.sha256_file(target) != fsutil.sha256_file(source)):
        try:
            with fsutil.atomic_path(target) as tmp:
                shutil.copyfile(source, tmp)
        except OSError as exc:
            raise PublishError(f"cannot copy the cover to {target}: {exc.strerror or exc}") from exc
    return layout.localize(result)
