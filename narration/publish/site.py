"""``index.html``: a static page with no external assets (works from ``file://`` and offline).

While a progressive build is making the book (``BuildResult.in_progress``) the page lists the
episodes made so far and names the book files "in progress" without linking them.

Every value goes through :func:`fill`, which HTML-escapes it unless it is an :class:`Html` fragment
that :func:`fill` itself produced, so a title with ``<``, ``&`` or quotes always renders as text.
"""

from __future__ import annotations

import html
from importlib import resources
from pathlib import Path
from string import Template
from urllib.parse import quote

from narration.audio.types import BuildResult, ChapterOutput
from narration.publish import layout
from narration.publish.epub import epub_path
from narration.publish.rules import FEED_FILE
from narration.publish.settings import PublishSettings
from narration.publish.text import clock, trim_to_bytes

EPISODE_BLURB_BYTES = 320

CHAPTER = Template(
    '      <li><button type="button" class="chapter" data-start="$start" '
    'aria-label="Chapter $number: $title, at $time"><span class="num">$number</span>'
    '<span class="name">$title</span><span class="time">$time</span></button></li>'
)
EPISODE = Template(
    """      <li id="episode-$number">
        <h3>$number. $title</h3>
        <p>$blurb</p>
        <audio controls preload="none" src="$src" aria-label="Episode $number: $title"></audio>
        <p class="links"><a href="$src" download>MP3 ($duration)</a><a href="$vtt">Transcript (WebVTT)</a>\
<a href="$srt">Transcript (SRT)</a></p>
      </li>"""
)
DOWNLOAD = Template('      <li><a href="$href" download>$label</a> <span class="meta">($size)</span></li>')
PENDING = Template('      <li>$label <span class="meta">(in progress)</span></li>')
BOOK_PLAYER = Template(
    """    <audio id="book-player" controls preload="metadata" src="$src" \
aria-label="Complete audiobook: $title"></audio>
    <h3 id="chapters-title">Chapters</h3>
    <ol class="chapters" aria-labelledby="chapters-title">
$chapters
    </ol>"""
)
BOOK_PENDING = Template(
    '    <p class="meta" id="book-progress">The complete audiobook is being made: $ready so far, '
    "each one below as an episode.</p>"
)
PARAGRAPH = Template("<p>$text</p>")


class Html(str):
    """Markup that is already safe (made by :func:`fill`)."""


def escape(value: object) -> Html:
    return value if isinstance(value, Html) else Html(html.escape(str(value), quote=True))


def fill(template: Template, **values: object) -> Html:
    return Html(template.substitute({name: escape(value) for name, value in values.items()}))


def join(fragments: list[Html], sep: str = "\n") -> Html:
    return Html(sep.join(fragments))


def href(result: BuildResult, path: Path | str) -> str:
    """A relative link to a file of the output folder (percent-encoded)."""
    rel = path if isinstance(path, str) else layout.rel_path(result, path)
    return quote(rel)


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB"):
        if value < 1000:
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


def _chapter(chapter: ChapterOutput) -> Html:
    start = f"{chapter.start:.3f}"
    return fill(CHAPTER, start=start, number=chapter.number, title=chapter.title, time=clock(chapter.start))


def _episode(result: BuildResult, chapter: ChapterOutput) -> Html:
    return fill(
        EPISODE,
        number=chapter.number,
        title=chapter.title,
        blurb=trim_to_bytes(chapter.description, EPISODE_BLURB_BYTES),
        src=href(result, chapter.episode),
        duration=clock(chapter.duration),
        vtt=href(result, layout.episode_transcript(chapter, "vtt")),
        srt=href(result, layout.episode_transcript(chapter, "srt")),
    )


EPUB_LABEL = "Read-along ebook (EPUB 3: the text highlighted as it is read)"


def _downloads(result: BuildResult, epub: bool) -> Html:
    books = [
        (layout.rel_path(result, result.m4b), "Audiobook with chapters (M4B, for audiobook players)"),
        (layout.rel_path(result, result.mp3), "Audiobook with chapters (MP3, plays everywhere)"),
    ]
    if epub:
        books.append((layout.rel_path(result, epub_path(result)), EPUB_LABEL))
    books.append((layout.book_transcript(result, "vtt"), "Transcript of the complete book (WebVTT)"))
    if result.in_progress:
        items, pending = [], [fill(PENDING, label=label) for _, label in books]
    else:
        items, pending = books, []
    sizes = [human_size((Path(result.out_dir) / rel).stat().st_size) for rel, _ in items]
    links = [
        fill(DOWNLOAD, href=quote(rel), label=label, size=size) for (rel, label), size in zip(items, sizes, strict=True)
    ]
    return join(links + pending)


def _book_player(result: BuildResult) -> Html:
    if result.in_progress:
        count = len(result.chapters)
        return fill(BOOK_PENDING, ready=f"{count} chapter{'s' if count != 1 else ''}")
    chapters = join([_chapter(c) for c in result.chapters])
    return fill(BOOK_PLAYER, src=href(result, result.mp3), title=result.title, chapters=chapters)


def _paragraphs(text: str) -> Html:
    return join([fill(PARAGRAPH, text=p.strip()) for p in text.split("\n\n") if p.strip()], "\n      ")


def render_page(result: BuildResult, settings: PublishSettings) -> str:
    """The page as HTML text; links are relative, so it works wherever the output folder goes."""
    template = Template(resources.files("narration.publish").joinpath("templates/index.html").read_text("utf-8"))
    chapters = len(result.chapters)
    return fill(
        template,
        language=result.language,
        title=result.title,
        author=result.author,
        description=_paragraphs(result.description),
        summary=f"{chapters} chapter{'s' if chapters != 1 else ''} \u00b7 {clock(result.duration)}",
        disclosure=settings.disclosure,
        cover=href(result, result.cover),
        book_player=_book_player(result),
        episodes=join([_episode(result, c) for c in result.chapters]),
        downloads=_downloads(result, settings.epub and (result.in_progress or epub_path(result).is_file())),
        feed_url=layout.url(settings.base_url, FEED_FILE),
    )
