"""The chapters' XHTML documents (each sentence a ``span`` with an id) and the navigation document."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from lxml import etree

from narration.publish.epub.parts import EpubChapter, TextBlock
from narration.publish.text import xml_safe

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STYLE = "style.css"
ACTIVE_CLASS = "-epub-media-overlay-active"  # media:active-class: the sentence being read
CSS = f"""body {{ font-family: serif; line-height: 1.5; margin: 0 5%; }}
h1 {{ font-size: 1.6em; margin: 1.5em 0 1em; }}
h2 {{ font-size: 1.2em; margin: 1.5em 0 .5em; }}
p {{ margin: 0 0 .8em; text-indent: 0; }}
p.disclosure {{ font-style: italic; font-size: .9em; }}
.{ACTIVE_CLASS} {{ background-color: #ffe28a; color: #000; }}
"""
_TAGS = {"disclosure": "p", "title": "h1", "heading": "h2", "paragraph": "p"}


def _element(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{XHTML}}}{tag}", {k: xml_safe(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_safe(text)
    return element


def _document(title: str, language: str, style: str) -> tuple[etree._Element, etree._Element]:
    html = etree.Element(f"{{{XHTML}}}html", nsmap={None: XHTML, "epub": OPS})  # type: ignore[dict-item]
    html.set(XML_LANG, language)
    html.set("lang", language)
    head = _element(html, "head")
    _element(head, "meta", charset="utf-8")
    _element(head, "title", title)
    _element(head, "link", rel="stylesheet", type="text/css", href=style)
    return html, _element(html, "body")


def serialize(html: etree._Element) -> bytes:
    body = etree.tostring(html, encoding="UTF-8", xml_declaration=False, pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n' + body


def _block(section: etree._Element, block: TextBlock) -> None:
    element = _element(section, _TAGS.get(block.kind, "p"))
    if block.kind == "disclosure":
        element.set("class", "disclosure")
    for index, sentence in enumerate(block.sentences):
        span = _element(element, "span", sentence.text, id=sentence.id)
        if index + 1 < len(block.sentences):
            span.tail = " "


@functools.lru_cache(maxsize=256)
def chapter_document(chapter: EpubChapter, language: str) -> bytes:
    """The chapter's text: its title as ``h1``, headings as ``h2``, paragraphs as ``p``, each
    sentence a ``span`` whose id the chapter's overlay names. Memoised, as the overlays are."""
    html, body = _document(chapter.title, language, f"../{STYLE}")
    section = _element(body, "section", id=chapter.name)
    section.set(f"{{{OPS}}}type", "chapter")
    section.set("role", "doc-chapter")
    if not any(b.kind == "title" for b in chapter.blocks):  # a title with nothing to say: shown, not read
        _element(section, "h1", chapter.title)
    for block in chapter.blocks:
        _block(section, block)
    return serialize(html)


def nav_document(title: str, language: str, chapters: Sequence[EpubChapter]) -> bytes:
    """The navigation document: the table of contents, one entry per chapter."""
    html, body = _document(title, language, STYLE)
    nav = _element(body, "nav", id="toc")
    nav.set(f"{{{OPS}}}type", "toc")
    nav.set("role", "doc-toc")
    _element(nav, "h1", "Contents")
    ol = _element(nav, "ol")
    for chapter in chapters:
        _element(_element(ol, "li"), "a", chapter.title, href=chapter.xhtml)
    return serialize(html)
