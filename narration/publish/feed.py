"""The podcast feed: RSS 2.0 with the iTunes, Podcasting 2.0 and Podlove Simple Chapters namespaces.

One ``full`` episode per chapter, in book order, and the complete audiobook as one ``bonus`` episode
with its chapter list. Item GUIDs come from the book and the chapter's key (never from the audio), so
they survive edits and rebuilds; pubDates are a fixed base plus N minutes, so every app keeps the
book's order and a rebuild never makes an episode look new.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from email.utils import format_datetime
from functools import partial
from pathlib import Path

from lxml import etree

from narration.audio.types import BuildResult, ChapterOutput
from narration.errors import PublishError
from narration.model import book_slug
from narration.publish import layout
from narration.publish.rules import (
    CHAPTERS_FILE,
    CHAPTERS_JSON_MIME,
    FEED_FILE,
    ITEM_GUID_NAMESPACE,
    NAMESPACES,
    PAGE_FILE,
    PODCAST_GUID_NAMESPACE,
    PSC_VERSION,
    PUBDATE_BASE,
    SRT_MIME,
    VTT_MIME,
    mime_type,
)
from narration.publish.settings import PublishSettings
from narration.publish.text import clock, html_description, timestamp, xml_safe

log = logging.getLogger(__name__)

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
TRANSCRIPTS = (("vtt", VTT_MIME), ("srt", SRT_MIME))


def podcast_guid(feed_url: str) -> str:
    """``podcast:guid``: UUIDv5 of the feed URL without its scheme and trailing slashes."""
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, _SCHEME.sub("", feed_url.strip()).rstrip("/")))


def book_id(result: BuildResult) -> str:
    return book_slug(result.title)


def chapter_guids(result: BuildResult) -> list[str]:
    """One GUID per chapter from the book and the chapter's key; a repeated key gets "~2", "~3"."""
    seen: Counter[str] = Counter()
    guids = []
    for chapter in result.chapters:
        seen[chapter.key] += 1
        key = chapter.key if seen[chapter.key] == 1 else f"{chapter.key}~{seen[chapter.key]}"
        guids.append(str(uuid.uuid5(ITEM_GUID_NAMESPACE, f"{book_id(result)}/chapter/{key}")))
    return guids


def book_guid(result: BuildResult) -> str:
    return str(uuid.uuid5(ITEM_GUID_NAMESPACE, f"{book_id(result)}/complete-audiobook"))


def pub_date(n: int) -> str:
    return format_datetime(PUBDATE_BASE + timedelta(minutes=n), usegmt=True)


def _tag(name: str) -> str:
    prefix, _, local = name.rpartition(":")
    return f"{{{NAMESPACES[prefix]}}}{local}" if prefix else local


def _sub(parent: etree._Element, name: str, text: str | None = None, /, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, _tag(name), {k: xml_safe(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_safe(text)
    return element


def _sub_html(parent: etree._Element, name: str, html: str) -> etree._Element:
    """An element holding HTML in a CDATA section (as Apple recommends for descriptions)."""
    element = etree.SubElement(parent, _tag(name))
    element.text = etree.CDATA(xml_safe(html))
    return element


def _enclosure(parent: etree._Element, settings: PublishSettings, result: BuildResult, path: Path) -> None:
    try:
        length = Path(path).stat().st_size
    except OSError as exc:
        raise PublishError(f"the feed names {path}, which cannot be read: {exc.strerror or exc}") from exc
    rel = layout.rel_path(result, path)
    kind = mime_type(Path(path).suffix) or "application/octet-stream"
    _sub(parent, "enclosure", url=layout.url(settings.base_url, rel), length=str(length), type=kind)


def _page_url(settings: PublishSettings) -> str:
    return settings.link or layout.url(settings.base_url, PAGE_FILE)


def _channel_head(channel: etree._Element, result: BuildResult, settings: PublishSettings) -> None:
    feed_url = layout.url(settings.base_url, FEED_FILE)
    cover_url = layout.url(settings.base_url, layout.rel_path(result, result.cover))
    description = html_description(result.description or f"{result.title} by {result.author}, read aloud.")
    _sub(channel, "title", result.title)
    _sub(channel, "link", _page_url(settings))
    _sub_html(channel, "description", description)
    _sub(channel, "language", result.language)
    _sub(channel, "generator", "narration")
    _sub(channel, "atom:link", href=feed_url, rel="self", type="application/rss+xml")
    image = _sub(channel, "image")
    for name, value in (("url", cover_url), ("title", result.title), ("link", _page_url(settings))):
        _sub(image, name, value)
    _sub(channel, "itunes:image", href=cover_url)
    category = _sub(channel, "itunes:category", text=settings.category)
    if settings.subcategory:
        _sub(category, "itunes:category", text=settings.subcategory)
    _sub(channel, "itunes:explicit", "true" if settings.explicit else "false")
    _sub(channel, "itunes:author", result.author)
    _sub(channel, "itunes:type", "serial")
    _sub(channel, "podcast:guid", podcast_guid(feed_url))
    _sub(channel, "podcast:medium", "audiobook")


def _transcripts(item: etree._Element, settings: PublishSettings, rel_for: Callable[[str], str], language: str) -> None:
    for ext, kind in TRANSCRIPTS:
        url = layout.url(settings.base_url, rel_for(ext))
        _sub(item, "podcast:transcript", url=url, type=kind, language=language, rel="captions")


def _item_common(item: etree._Element, title: str, description: str, guid: str, n: int, duration: float) -> None:
    _sub(item, "title", title)
    _sub(item, "itunes:title", title)
    _sub_html(item, "description", html_description(description))
    _sub(item, "guid", guid, isPermaLink="false")
    _sub(item, "pubDate", pub_date(n))
    _sub(item, "itunes:duration", str(max(1, round(duration))))


def _episode(
    channel: etree._Element, result: BuildResult, settings: PublishSettings, chapter: ChapterOutput, guid: str
) -> None:
    item = _sub(channel, "item")
    description = chapter.description or f"Chapter {chapter.number} of {result.title}."
    _item_common(item, chapter.title, description, guid, chapter.number, chapter.duration)
    _sub(item, "link", f"{layout.url(settings.base_url, PAGE_FILE)}#episode-{chapter.number}")
    _enclosure(item, settings, result, chapter.episode)
    _sub(item, "itunes:episode", str(chapter.number))
    _sub(item, "itunes:episodeType", "full")
    _transcripts(item, settings, partial(layout.episode_transcript, chapter), result.language)


def book_description(result: BuildResult) -> str:
    """The complete book's description: the book's, then its chapters with their start times."""
    lines = [f"{clock(c.start)} {c.title}" for c in result.chapters]
    head = result.description or f"The complete audiobook of {result.title} by {result.author}."
    return f"{head}\n\nChapters:\n" + "\n".join(lines)


def _psc_chapters(item: etree._Element, result: BuildResult) -> None:
    chapters = _sub(item, "psc:chapters", version=PSC_VERSION)
    for chapter in result.chapters:
        _sub(chapters, "psc:chapter", start=timestamp(chapter.start), title=chapter.title)


def _book_item(channel: etree._Element, result: BuildResult, settings: PublishSettings) -> None:
    item = _sub(channel, "item")
    title = f"{result.title} (complete audiobook)"
    last = max(c.number for c in result.chapters)  # dated after every chapter, even in a partial build
    _item_common(item, title, book_description(result), book_guid(result), last + 1, result.duration)
    _sub(item, "link", f"{layout.url(settings.base_url, PAGE_FILE)}#listen")
    _enclosure(item, settings, result, result.mp3)
    _sub(item, "itunes:episodeType", "bonus")
    _sub(item, "podcast:chapters", url=layout.url(settings.base_url, CHAPTERS_FILE), type=CHAPTERS_JSON_MIME)
    _psc_chapters(item, result)
    _transcripts(item, settings, partial(layout.book_transcript, result), result.language)


def render_feed(result: BuildResult, settings: PublishSettings) -> bytes:
    """The feed as UTF-8 XML bytes, every URL under ``settings.base_url``."""
    rss = etree.Element("rss", nsmap=NAMESPACES, version="2.0")
    channel = _sub(rss, "channel")
    _channel_head(channel, result, settings)
    for chapter, guid in zip(result.chapters, chapter_guids(result), strict=True):
        _episode(channel, result, settings, chapter, guid)
    _book_item(channel, result, settings)
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True)
