"""Publish a finished build: transcripts, chapters JSON, ``index.html`` and ``feed.xml`` in ``out_dir``.

Called by ``narration build`` after the audio stage. Files are written atomically, the feed last, so
it never names a file that is not there yet.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from narration import fsutil
from narration.audio.types import BuildResult
from narration.config import PublishConfig
from narration.coverart import check_image
from narration.errors import CoverError, PublishError
from narration.publish import layout
from narration.publish.feed import render_feed
from narration.publish.rules import FEED_FILE, PAGE_FILE
from narration.publish.settings import PublishSettings, from_config, save_settings
from narration.publish.site import render_page
from narration.publish.transcripts import write_transcripts
from narration.publish.writing import write_if_changed

log = logging.getLogger(__name__)


def publish(result: BuildResult, *, base_url: str | None, config: PublishConfig | None = None) -> None:
    """Write the feed, transcripts, chapters JSON and web page of ``result`` into ``result.out_dir``.

    ``base_url``: where ``out_dir`` will be served (http or https); ``None`` means ``config.base_url``
    (``book.toml``'s ``[publish] base_url``), else ``http://localhost:8000/``, the address of
    ``narration serve`` with its defaults. ``config`` gives the category, explicit flag and link.
    """
    publish_with(result, from_config(config, base_url))


def publish_with(result: BuildResult, settings: PublishSettings) -> None:
    """:func:`publish` with settings already resolved."""
    _check_files(result)
    result = _stage_cover(result)
    out_dir = Path(result.out_dir)
    write_transcripts(result)
    write_if_changed(out_dir / PAGE_FILE, render_page(result, settings))
    write_if_changed(out_dir / FEED_FILE, render_feed(result, settings).decode("utf-8"))
    save_settings(out_dir, settings)
    log.info("published %d episodes; feed %s%s", len(result.chapters), settings.base_url, FEED_FILE)


def _check_files(result: BuildResult) -> None:
    """Every file the feed and the page name is there, and the cover is one podcast apps take (the
    rule the audio stage checked it by, its header only)."""
    paths = [result.mp3, result.m4b, result.cover, *(c.episode for c in result.chapters)]
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
