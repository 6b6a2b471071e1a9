"""What is not narrated in an EPUB or a web page, as data: semantic types, roles and titles.

A listener does not want the cover, the title page, the copyright page, the colophon, a licence,
a table of contents, a list of illustrations or an index read to them; nor footnotes in the middle
of a sentence. A dedication, an epigraph, a preface or an introduction are part of the book.
"""

from __future__ import annotations

import re
from collections import Counter

# epub:type values (EPUB 3 Structural Semantics) of matter that is not narrated -> what to call it
FRONT_BACK_TYPES = {
    "cover": "cover",
    "titlepage": "title page",
    "halftitlepage": "half-title page",
    "halftitle": "half-title page",
    "fulltitle": "title page",
    "imprint": "imprint",
    "copyright-page": "copyright page",
    "colophon": "colophon",
    "imprimatur": "imprimatur",
    "errata": "errata",
    "index": "index",
    "loi": "list of illustrations",
    "lot": "list of tables",
    "loa": "list of audio",
    "lov": "list of videos",
    "page-list": "page list",
    "landmarks": "landmarks",
    "other-credits": "credits",
    "seriespage": "series page",
    "se:uncopyright": "licence",
}
CONTENTS_TYPES = {"toc": "table of contents", "toc-brief": "table of contents"}
NOTE_TYPES = {"footnote", "footnotes", "endnote", "endnotes", "rearnote", "rearnotes", "note"}
NOTEREF_TYPES = {"noteref"}
PAGEBREAK_TYPES = {"pagebreak"}

# DPUB-ARIA roles
FRONT_BACK_ROLES = {
    "doc-cover": "cover",
    "doc-colophon": "colophon",
    "doc-index": "index",
    "doc-pagelist": "page list",
    "doc-errata": "errata",
}
CONTENTS_ROLES = {"doc-toc": "table of contents"}
NOTE_ROLES = {"doc-footnote", "doc-endnote", "doc-endnotes", "doc-rearnote", "doc-rearnotes"}
NOTEREF_ROLES = {"doc-noteref"}
PAGEBREAK_ROLES = {"doc-pagebreak"}

# class names of notes, note references and captions (EPUB 2 books and web pages say it this way)
NOTE_CLASSES = {"footnote", "footnotes", "endnote", "endnotes", "fn", "note", "notes"}
NOTEREF_CLASSES = {"noteref", "footnote-ref", "footnoteref", "fnref", "footnote-link", "fn-ref"}
CAPTION_CLASSES = {"caption", "wp-caption-text", "figcaption", "credit", "image-credit", "photo-credit"}
GUTENBERG_IDS = {"pg-header", "pg-footer", "pg-machine-header", "pg-start-separator", "pg-end-separator"}

# EPUB 2 <guide> reference types -> the same names
GUIDE_TYPES = {
    "cover": "cover",
    "title-page": "title page",
    "copyright-page": "copyright page",
    "colophon": "colophon",
    "toc": "table of contents",
    "index": "index",
    "loi": "list of illustrations",
    "lot": "list of tables",
    "notes": "notes",
}

# titles of entries and documents that say what they are when the markup says nothing
TITLE_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"^\W*(?:{pattern})\W*$", re.IGNORECASE), name)
    for pattern, name in (
        (r"(?:the\s+)?cover(?:\s+(?:page|image))?|front\s+cover|back\s+cover", "cover"),
        (r"title\s*page|titlepage|title", "title page"),
        (r"half[\s-]*title(?:\s*page)?", "half-title page"),
        (r"copyright(?:\s+(?:page|notice|information))?|uncopyright|imprint|legal\s+notice", "copyright page"),
        (r"colophon", "colophon"),
        (r"licen[cs]e|the\s+full\s+project\s+gutenberg\s+licen[cs]e", "licence"),
        (r"(?:table\s+of\s+)?contents|toc", "table of contents"),
        (r"list\s+of\s+(?:illustrations|figures|plates|maps|tables)|illustrations", "list of illustrations"),
        (r"index|general\s+index", "index"),
        (r"(?:end|foot)?notes", "notes"),
        (r"landmarks|page\s+list", "landmarks"),
        (r"also\s+by\s+.{1,80}|other\s+books\s+by\s+.{1,80}|about\s+the\s+publisher", "advertisement"),
    )
)
NOTES_NAME = "notes"
CONTENTS_NAME = "table of contents"


def title_rule(title: str) -> str | None:
    """What a title names when it names matter that is not narrated ("Copyright" -> "copyright page")."""
    text = " ".join(title.split())
    if len(text) > 120:
        return None
    for pattern, name in TITLE_RULES:
        if pattern.match(text):
            return name
    return None


def tokens(value: str | None) -> set[str]:
    return set(value.lower().split()) if value else set()


COUNT_NOTES = {
    "note references": "note references removed (footnotes = false keeps them)",
    "notes": "notes not read in the middle of a chapter (footnotes = false keeps them)",
    "page-break markers": "page-break markers",
    "images": "images (their alt text is not read; image_alt = true reads it)",
    "captions": "captions (captions = false reads them)",
    "illustration markers": "[Illustration: ...] markers (illustrations = false reads them)",
    "scripts, styles, SVG and MathML": "scripts, styles, SVG and MathML elements",
}


def count_lines(counts: Counter[str]) -> list[str]:
    """Report lines: how many of each kind of thing were not read, and the switch that reads them."""
    return [f"{counts[key]:,} {text}" for key, text in COUNT_NOTES.items() if counts[key]]
