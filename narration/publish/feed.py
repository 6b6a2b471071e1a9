"""The podcast feed: RSS 2.0 with the iTunes, Podcasting 2.0 and Podlove Simple Chapters namespaces.

One ``full`` episode per chapter, in book order, and the complete audiobook as one ``bonus`` episode
with its chapter list (left out while the book files are being made). Item GUIDs come from the book
and the chapter's key (never from the audio), so they survive edits and rebuilds; pubDates come from
:mod:`narration.publish.dates` (in book order, recorded, so a rebuild never makes an episode look
new). The channel and every item say the narration is synthetic (``podcast:txt`` ``ai-content`` and
a sentence in the description); the author and ``[[people]]`` are ``podcast:person``; an owner
e-mail gives ``itunes:owner`` and ``podcast:locked``; ``license`` and ``copyright`` give
``podcast:license`` and ``copyright``.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime
from functools import partial
from pathlib import Path

from lxml import etree

from narration.audio.types import BuildResult, ChapterOutput
from narration.errors import PublishError
from narration.model import book_slug
from narration.publish import layout
from narration.publish.dates import FeedDates, feed_dates, load_record
from narration.publish.rules import (
    AI_CONTENT_PURPOSE,
    CHAPTERS_FILE,
    CHAPTERS_JSON_MIME,
    DESCRIPTION_LIMIT_BYTES,
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
from narration.publish.settings import Credit, PublishSettings, author_credit
from narration.publish.text import clock, html_description, plain_to_html, timestamp, xml_safe

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


def item_guids(result: BuildResult) -> list[str]:
    """Every item's GUID in feed order: the chapters, then the complete book unless it is in progress."""
    return chapter_guids(result) + ([] if result.in_progress else [book_guid(result)])


def rfc822(when: datetime) -> str:
    return format_datetime(when, usegmt=True)


def recorded_dates(result: BuildResult, settings: PublishSettings) -> FeedDates:
    """The dates recorded in ``result.out_dir`` (new items dated as the next publish will date them)."""
    record = load_record(Path(result.out_dir))
    fallback = record.first_build or PUBDATE_BASE
    return feed_dates(record, item_guids(result), settings.published, fallback)


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


def disclosed(text: str, disclosure: str) -> str:
    """``text`` as description HTML trimmed to leave room for the disclosure sentence, which ends it."""
    tail = plain_to_html(disclosure)
    return html_description(text, DESCRIPTION_LIMIT_BYTES - len(tail.encode("utf-8"))) + tail


def _ai_content(parent: etree._Element) -> None:
    _sub(parent, "podcast:txt", "true", purpose=AI_CONTENT_PURPOSE)


def _person(parent: etree._Element, person: Credit) -> None:
    attrs = {"role": person.role, "group": person.group}
    attrs.update({k: v for k, v in (("href", person.href), ("img", person.img)) if v})
    _sub(parent, "podcast:person", person.name, **attrs)


def _rights(channel: etree._Element, settings: PublishSettings) -> None:
    if settings.copyright:
        _sub(channel, "copyright", settings.copyright)
    if settings.license:
        attrs = {"url": settings.license_url} if settings.license_url else {}
        _sub(channel, "podcast:license", settings.license, **attrs)


def _owner(channel: etree._Element, settings: PublishSettings, author: str) -> None:
    if not settings.owner_email:
        return
    owner = _sub(channel, "itunes:owner")
    _sub(owner, "itunes:name", settings.owner_name or author)
    _sub(owner, "itunes:email", settings.owner_email)
    if settings.locked:
        _sub(channel, "podcast:locked", "yes", owner=settings.owner_email)


def _page_url(settings: PublishSettings) -> str:
    return settings.link or layout.url(settings.base_url, PAGE_FILE)


def _channel_head(channel: etree._Element, result: BuildResult, settings: PublishSettings, built: datetime) -> None:
    feed_url = layout.url(settings.base_url, FEED_FILE)
    cover_url = layout.url(settings.base_url, layout.rel_path(result, result.cover))
    description = disclosed(
        result.description or f"{result.title} by {result.author}, read aloud.", settings.disclosure
    )
    _sub(channel, "title", result.title)
    _sub(channel, "link", _page_url(settings))
    _sub_html(channel, "description", description)
    _sub(channel, "language", result.language)
    _rights(channel, settings)
    _sub(channel, "lastBuildDate", rfc822(built))
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
    _owner(channel, settings, result.author)
    _sub(channel, "itunes:type", "serial")
    _sub(channel, "podcast:guid", podcast_guid(feed_url))
    _sub(channel, "podcast:medium", "audiobook")
    _ai_content(channel)
    for person in (author_credit(result.author), *settings.people):
        _person(channel, person)


def _transcripts(item: etree._Element, settings: PublishSettings, rel_for: Callable[[str], str], language: str) -> None:
    for ext, kind in TRANSCRIPTS:
        url = layout.url(settings.base_url, rel_for(ext))
        _sub(item, "podcast:transcript", url=url, type=kind, language=language, rel="captions")


def _item_common(
    item: etree._Element, title: str, description: str, guid: str, date: datetime, duration: float, disclosure: str
) -> None:
    _sub(item, "title", title)
    _sub(item, "itunes:title", title)
    _sub_html(item, "description", disclosed(description, disclosure))
    _sub(item, "guid", guid, isPermaLink="false")
    _sub(item, "pubDate", rfc822(date))
    _sub(item, "itunes:duration", str(max(1, round(duration))))
    _ai_content(item)


def _episode(
    channel: etree._Element,
    result: BuildResult,
    settings: PublishSettings,
    chapter: ChapterOutput,
    guid: str,
    date: datetime,
) -> None:
    item = _sub(channel, "item")
    description = chapter.description or f"Chapter {chapter.number} of {result.title}."
    _item_common(item, chapter.title, description, guid, date, chapter.duration, settings.disclosure)
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


def _book_item(channel: etree._Element, result: BuildResult, settings: PublishSettings, date: datetime) -> None:
    item = _sub(channel, "item")
    title = f"{result.title} (complete audiobook)"
    _item_common(item, title, book_description(result), book_guid(result), date, result.duration, settings.disclosure)
    _sub(item, "link", f"{layout.url(settings.base_url, PAGE_FILE)}#listen")
    _enclosure(item, settings, result, result.mp3)
    _sub(item, "itunes:episodeType", "bonus")
    _sub(item, "podcast:chapters", url=layout.url(settings.base_url, CHAPTERS_FILE), type=CHAPTERS_JSON_MIME)
    _psc_chapters(item, result)
    _transcripts(item, settings, partial(layout.book_transcript, result), result.language)


def render_feed(result: BuildResult, settings: PublishSettings, dates: FeedDates | None = None) -> bytes:
    """The feed as UTF-8 XML bytes, every URL under ``settings.base_url``.

    ``dates``: every item's pubDate by GUID and the lastBuildDate; None: those recorded in
    ``result.out_dir`` by the last publish. While ``result.in_progress`` the complete book's item is
    left out (its files are not there yet).
    """
    dates = dates if dates is not None else recorded_dates(result, settings)
    rss = etree.Element("rss", nsmap=NAMESPACES, version="2.0")
    channel = _sub(rss, "channel")
    _channel_head(channel, result, settings, dates.last_build)
    for chapter, guid in zip(result.chapters, chapter_guids(result), strict=True):
        _episode(channel, result, settings, chapter, guid, dates.items[guid])
    if not result.in_progress:
        _book_item(channel, result, settings, dates.items[book_guid(result)])
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True)
