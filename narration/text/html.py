"""A saved web page or article (``.html``, ``.htm``, ``.xhtml``) -> chapters.

The main text is found by readability-lxml (Apache-2.0; a port of Arc90's Readability, the
algorithm of Firefox's reader view): navigation, ads, comment threads, sidebars and footers are
left out. The article is then read like an EPUB document (:mod:`narration.text.epub.content`):
paragraphs, list items and block quotes as paragraphs, line breaks kept, image captions and
credits, footnote references, scripts and images not read. ``h1``-``h3`` headings make the
chapters (the most used of those levels) and the spoken subheadings; a page without them is one
chapter named after the page.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

from lxml import etree

from narration.config import BookConfig, TextConfig
from narration.errors import InputError
from narration.text.clean import is_caption
from narration.text.epub.archive import refuse_entities, text_of
from narration.text.epub.chapters import Stream, drafts_from_cuts, heading_cuts, opening_draft
from narration.text.epub.content import local, read_document
from narration.text.epub.rules import count_lines
from narration.text.result import ChapterDraft, SplitReport, SplitResult, make_chapters

log = logging.getLogger(__name__)

MAX_PAGE_BYTES = 50 * 1024 * 1024
CHAPTER_LEVELS = 3  # h1-h3 make chapters; deeper headings are subheadings
_PARSER = etree.HTMLParser(no_network=True, recover=True, huge_tree=False)


def _meta(root: etree._Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for el in root.iter():
        tag = local(el.tag)
        if tag == "meta":
            key = (el.get("name") or el.get("property") or "").lower()
            if key and el.get("content"):
                found.setdefault(key, " ".join((el.get("content") or "").split()))
        elif tag == "title" and "title" not in found:
            found["title"] = " ".join(text_of(el).split())
        elif tag == "html" and el.get("lang"):
            found.setdefault("lang", el.get("lang") or "")
    return found


def read_page(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror})") from exc
    if len(data) > MAX_PAGE_BYTES:
        raise InputError(f"{path}: {len(data) // 2**20} MB is too large for a web page: refused")
    if not data.strip():
        raise InputError(f"{path} is empty: there is no text to split")
    refuse_entities(data, str(path))
    return data


def main_text(data: bytes) -> tuple[etree._Element, etree._Element, str]:
    """(the page, its main text as HTML, readability's title)."""
    from readability import Document

    page = etree.fromstring(data, _PARSER)
    if page is None:
        raise InputError("the page has no HTML in it")
    document = Document(data)
    try:
        summary = document.summary(html_partial=True)
        title = document.short_title()
    except Exception as exc:  # readability raises its own Unparseable and plain errors
        raise InputError(f"no main text could be found in the page ({exc})") from exc
    article = etree.fromstring(summary.encode("utf-8"), _PARSER) if summary.strip() else None
    if article is None:
        raise InputError("no main text could be found in the page")
    return page, article, title


def split_html(path: Path | str, config: TextConfig | None = None) -> SplitResult:
    """Extract a page's main text and cut it into chapters at its ``h1``-``h3`` headings."""
    path, config = Path(path), config or TextConfig()
    page, article, found_title = main_text(read_page(path))
    meta = _meta(page)
    title = meta.get("og:title") or found_title or meta.get("title") or path.stem
    doc = read_document(article, path.name, config)
    if config.captions:  # captions pasted as text ("Assembly in 1917 Image fair useAssembly... / Image: fair use")
        kept = [b for b in doc.blocks if b.kind != "paragraph" or not is_caption(" ".join(b.text.split()))]
        doc.counts["captions"] += len(doc.blocks) - len(kept)
        doc.blocks = kept
    stream = Stream({path.name: doc}, set())
    cuts = [c for c in heading_cuts(stream, config, max_level=CHAPTER_LEVELS) if c.kind == "chapter"]
    drafts, warnings = drafts_from_cuts(stream, cuts, config)
    opening = opening_draft(stream, cuts, config)
    if opening is not None:  # the text under the page's title, before its first heading
        untitled = not drafts or opening.title == config.opening_title
        drafts.insert(0, ChapterDraft(title if untitled else opening.title, opening.sections))
    if not drafts:
        raise InputError(f"{path}: no text to narrate was found in the page")
    if len(drafts) == 1 and not cuts:
        warnings.append(f"no h1-h3 headings in the main text: the whole page is one chapter, {title!r}")
    counts: Counter[str] = Counter(doc.counts)
    skipped = ["navigation, ads, comments, sidebars and footers (outside the main text)"]
    skipped += count_lines(counts)
    book = BookConfig(
        title=title,
        author=meta.get("author") or meta.get("article:author") or "Unknown",
        language=meta.get("lang") or "en",
        description=meta.get("description") or meta.get("og:description") or "",
        text=config,
    )
    report = SplitReport(
        rules={}, warnings=tuple(warnings), sources=("headings",) * len(drafts), skipped=tuple(skipped)
    )
    return SplitResult(config=book, chapters=make_chapters(drafts), report=report)
