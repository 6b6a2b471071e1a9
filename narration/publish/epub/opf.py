"""The package document (``OEBPS/content.opf``: metadata, manifest, spine) and ``META-INF/container.xml``.

Metadata: identifier (a UUID from the book, stable across rebuilds), title, author, language, date,
rights, the description followed by the AI disclosure, which the accessibility summary repeats;
``media:duration`` for each overlay and their total, ``media:narrator`` and ``media:active-class``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from narration.publish.epub.parts import EpubChapter, clock_ms
from narration.publish.epub.xhtml import ACTIVE_CLASS, STYLE
from narration.publish.text import one_line, xml_safe

OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"
PACKAGE_DIR = "OEBPS"
PACKAGE = f"{PACKAGE_DIR}/content.opf"
NAV = "nav.xhtml"
NARRATOR = "A synthetic voice (text-to-speech)"
# Taxonomy roles of [[people]] -> MARC relator codes (the EPUB's role scheme); others get no role.
MARC_ROLES = {"author": "aut", "co-writer": "aut", "writer": "aut", "translator": "trl", "editor": "edt",
              "narrator": "nrt", "voice actor": "nrt", "cover art designer": "cov", "graphic designer": "ill",
              "composer": "cmp", "producer": "pro", "researcher": "res", "transcriber": "trc"}  # fmt: skip


@dataclass(frozen=True)
class Metadata:
    identifier: str  # "urn:uuid:..."
    title: str
    author: str
    language: str
    description: str  # plain text, the disclosure included
    disclosure: str
    published: dt.datetime
    rights: str | None
    contributors: tuple[tuple[str, str], ...] = ()  # (name, role), e.g. ("A. Translator", "translator")
    cover: str | None = None  # path inside OEBPS/
    cover_type: str | None = None


def container_document() -> bytes:
    root = etree.Element(f"{{{CONTAINER}}}container", nsmap={None: CONTAINER}, version="1.0")  # type: ignore[dict-item]
    files = etree.SubElement(root, f"{{{CONTAINER}}}rootfiles")
    etree.SubElement(
        files, f"{{{CONTAINER}}}rootfile", {"full-path": PACKAGE, "media-type": "application/oebps-package+xml"}
    )
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)


def _dc(parent: etree._Element, name: str, text: str, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{DC}}}{name}", attrs)
    element.text = xml_safe(text)
    return element


def _meta(parent: etree._Element, prop: str, text: str, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{OPF}}}meta", {"property": prop, **attrs})
    element.text = xml_safe(text)
    return element


def _metadata(package: etree._Element, meta: Metadata, chapters: Sequence[EpubChapter], modified: dt.datetime) -> None:
    metadata = etree.SubElement(package, f"{{{OPF}}}metadata", nsmap={"dc": DC})
    _dc(metadata, "identifier", meta.identifier, id="book-id")
    _dc(metadata, "title", meta.title)
    _dc(metadata, "creator", meta.author, id="author")
    _meta(metadata, "role", "aut", refines="#author", scheme="marc:relators")
    for n, (name, role) in enumerate(meta.contributors, 1):
        _dc(metadata, "contributor", name, id=f"contributor-{n}")
        if role in MARC_ROLES:
            _meta(metadata, "role", MARC_ROLES[role], refines=f"#contributor-{n}", scheme="marc:relators")
    _dc(metadata, "language", meta.language)
    _dc(metadata, "date", meta.published.strftime("%Y-%m-%d"))
    _dc(metadata, "description", one_line(meta.description))
    if meta.rights:
        _dc(metadata, "rights", meta.rights)
    _meta(metadata, "dcterms:modified", modified.strftime("%Y-%m-%dT%H:%M:%SZ"))
    for chapter in chapters:
        _meta(metadata, "media:duration", clock_ms(chapter.duration_ms), refines=f"#mo-{chapter.name}")
    _meta(metadata, "media:duration", clock_ms(sum(c.duration_ms for c in chapters)))
    _meta(metadata, "media:narrator", NARRATOR)
    _meta(metadata, "media:active-class", ACTIVE_CLASS)
    for mode in ("textual", "auditory"):
        _meta(metadata, "schema:accessMode", mode)
    _meta(metadata, "schema:accessModeSufficient", "textual")
    _meta(metadata, "schema:accessModeSufficient", "auditory")
    for feature in ("synchronizedAudioText", "tableOfContents", "readingOrder"):
        _meta(metadata, "schema:accessibilityFeature", feature)
    _meta(metadata, "schema:accessibilityHazard", "none")
    summary = f"Every sentence is highlighted as it is read aloud. {meta.disclosure}"
    _meta(metadata, "schema:accessibilitySummary", summary)


def _item(manifest: etree._Element, ident: str, href: str, kind: str, **attrs: str) -> None:
    etree.SubElement(manifest, f"{{{OPF}}}item", {"id": ident, "href": href, "media-type": kind, **attrs})


def package_document(meta: Metadata, chapters: Sequence[EpubChapter], modified: dt.datetime) -> bytes:
    package = etree.Element(f"{{{OPF}}}package", nsmap={None: OPF}, version="3.0")  # type: ignore[dict-item]
    package.set("unique-identifier", "book-id")
    package.set("{http://www.w3.org/XML/1998/namespace}lang", meta.language)
    _metadata(package, meta, chapters, modified)
    manifest = etree.SubElement(package, f"{{{OPF}}}manifest")
    _item(manifest, "nav", NAV, "application/xhtml+xml", properties="nav")
    _item(manifest, "style", STYLE, "text/css")
    if meta.cover and meta.cover_type:
        _item(manifest, "cover", meta.cover, meta.cover_type, properties="cover-image")
    for c in chapters:
        _item(manifest, c.name, c.xhtml, "application/xhtml+xml", **{"media-overlay": f"mo-{c.name}"})
        _item(manifest, f"mo-{c.name}", c.smil, "application/smil+xml")
        _item(manifest, f"audio-{c.name}", c.audio, "audio/mpeg")
    spine = etree.SubElement(package, f"{{{OPF}}}spine")
    for c in chapters:
        etree.SubElement(spine, f"{{{OPF}}}itemref", idref=c.name)
    return etree.tostring(package, encoding="UTF-8", xml_declaration=True, pretty_print=True)
