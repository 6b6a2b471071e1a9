"""The data the publish stage follows: limits, namespaces, MIME types, file names, defaults."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

# `narration serve` defaults, and the base URL a build uses when none is configured (they match, so a
# default build is ready to be served as is).
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_BASE_URL = f"http://localhost:{DEFAULT_PORT}/"

# Apple Podcasts: "The maximum amount of text allowed for this tag is 4000 bytes."
DESCRIPTION_LIMIT_BYTES = 4000
ELLIPSIS = "\u2026"

# Readable captions: at most two lines of 42 characters (the usual broadcast subtitle rule).
CUE_LINE_CHARS = 42
CUE_MAX_LINES = 2

# pubDates: from the book's `published` date (else the first build's), a minute apart in book order so
# every app sorts the episodes as the book does; recorded, so a rebuild never makes one look new.
PUBDATE_BASE = datetime(2024, 1, 1, tzinfo=UTC)  # only for a feed rendered with no recorded dates
PUBDATE_STEP_SECONDS = 60

NS_ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
NS_PODCAST = "https://podcastindex.org/namespace/1.0"
NS_PSC = "http://podlove.org/simple-chapters"
NS_ATOM = "http://www.w3.org/2005/Atom"
NAMESPACES = {"itunes": NS_ITUNES, "podcast": NS_PODCAST, "psc": NS_PSC, "atom": NS_ATOM}

# podcast:guid is a UUIDv5 of the feed URL (scheme and trailing slashes removed) in this namespace.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
# Item GUIDs: UUIDv5 of "<book slug>/<chapter key>" in a namespace of our own (never the audio).
ITEM_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/narration/item-guid")

CHAPTERS_JSON_VERSION = "1.2.0"
PSC_VERSION = "1.2"

FEED_FILE = "feed.xml"
PAGE_FILE = "index.html"
CHAPTERS_FILE = "chapters.json"
TRANSCRIPTS_DIR = "transcripts"
SETTINGS_FILE = ".publish.json"
DATES_FILE = ".publish-dates.json"  # the first build's date and every episode's pubDate, by GUID
EPUB_STATE_FILE = ".publish-epub.json"  # what the EPUB was last written from
TRANSCRIPTS_STATE_FILE = ".publish-transcripts.json"  # the cues each transcript was rendered from

# Podcasting 2.0: <podcast:txt purpose="ai-content">true</podcast:txt> says the content is AI-made.
AI_CONTENT_PURPOSE = "ai-content"

# The Podcast Taxonomy Project's roles (podcast:person), by group; values are written in lower case.
PERSON_ROLES = {
    "creative direction": ("director", "assistant director", "executive producer", "senior producer", "producer",
                           "associate producer", "development producer", "creative director"),
    "cast": ("host", "co-host", "guest host", "guest", "voice actor", "narrator", "announcer", "reporter"),
    "writing": ("author", "editorial director", "co-writer", "writer", "songwriter", "guest writer", "story editor",
                "managing editor", "script editor", "script coordinator", "researcher", "editor", "fact checker",
                "translator", "transcriber", "logger"),
    "audio production": ("studio coordinator", "technical director", "technical manager", "audio engineer",
                         "remote recording engineer", "post production engineer"),
    "audio post-production": ("audio editor", "sound designer", "foley artist", "composer", "theme music",
                              "music production", "music contributor"),
    "administration": ("production coordinator", "booking coordinator", "production assistant", "content manager",
                       "marketing manager", "sales representative", "sales manager"),
    "visuals": ("graphic designer", "cover art designer"),
    "community": ("social media manager",),
    "misc": ("consultant", "intern"),
    "video production": ("camera operator", "lighting designer", "camera grip", "assistant camera"),
    "video post-production": ("editor", "assistant editor"),
}  # fmt: skip
AUTHOR_ROLE, AUTHOR_GROUP = "author", "writing"

# Licences: "public-domain" (and its spellings) is said so; Creative Commons SPDX ids get their URL.
PUBLIC_DOMAIN = "public-domain"
PUBLIC_DOMAIN_NAMES = {"public-domain", "public domain", "publicdomain", "pd"}
PUBLIC_DOMAIN_URL = "https://creativecommons.org/publicdomain/mark/1.0/"
PUBLIC_DOMAIN_COPYRIGHT = "Public domain"
CC0_URL = "https://creativecommons.org/publicdomain/zero/1.0/"

MIME_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4b": "audio/mp4",
    ".m4a": "audio/mp4",
    ".epub": "application/epub+zip",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/rss+xml; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
}
CHAPTERS_JSON_MIME = "application/json+chapters"
VTT_MIME = "text/vtt"
SRT_MIME = "application/x-subrip"


def mime_type(suffix: str) -> str | None:
    """The MIME type for a file suffix (".mp3"), without parameters; None when unknown."""
    value = MIME_TYPES.get(suffix.lower())
    return value.split(";")[0] if value else None
