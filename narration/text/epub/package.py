"""The container (``META-INF/container.xml``) and the package document (OPF): metadata, manifest, spine.

An archive with neither ``mimetype`` nor a container is not an EPUB; a ``mimetype`` that names
another format is refused; a missing ``mimetype`` alone is only a warning. DRM (a
``META-INF/rights.xml``, or ``META-INF/encryption.xml`` encrypting anything but fonts) is refused.
A spine item missing from the manifest or the archive is refused: narrating a book with a hole in
it, silently, is what this reader is meant never to do.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass, field

from lxml import etree

from narration.config import TextConfig
from narration.errors import InputError
from narration.text.epub.archive import Archive, parse_xml, resolve_href, text_of
from narration.text.epub.content import local, read_document

log = logging.getLogger(__name__)

CONTAINER = "META-INF/container.xml"
OPF_NS = "http://www.idpf.org/2007/opf"
EPUB_MIME = "application/epub+zip"
FONT_OBFUSCATION = {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
XHTML_TYPES = {"application/xhtml+xml", "text/html", "application/x-dtbook+xml"}
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class Item:
    id: str
    path: str | None  # archive path; None when the href leaves the archive
    media_type: str
    properties: frozenset[str] = frozenset()

    @property
    def is_document(self) -> bool:
        return self.media_type in XHTML_TYPES


@dataclass(frozen=True)
class SpineRef:
    item: Item
    linear: bool


@dataclass(frozen=True)
class Metadata:
    title: str = ""
    authors: tuple[str, ...] = ()
    language: str = ""
    description: str = ""
    publisher: str = ""
    published: datetime.date | None = None  # a date or a datetime
    identifier: str = ""


@dataclass(frozen=True)
class Package:
    opf_path: str
    version: str
    metadata: Metadata
    manifest: dict[str, Item]
    spine: tuple[SpineRef, ...]
    nav: Item | None = None
    ncx: Item | None = None
    cover: Item | None = None
    lexicons: tuple[Item, ...] = ()
    guide: dict[tuple[str, str | None], str] = field(default_factory=dict)  # (path, fragment) -> type
    warnings: tuple[str, ...] = ()


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if local(c.tag) == name]


def _text(el: etree._Element) -> str:
    return " ".join(text_of(el).split())


def _check_mimetype(archive: Archive) -> list[str]:
    has_container = archive.has(CONTAINER)
    if not archive.has("mimetype"):
        if not has_container:
            raise InputError(f"{archive.name} is not an EPUB: a zip without a mimetype file or {CONTAINER}")
        return [f"{archive.name} has no mimetype file; reading it as an EPUB anyway"]
    kind = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
    if kind != EPUB_MIME:
        raise InputError(f"{archive.name} is not an EPUB: its mimetype file says {kind!r}, not {EPUB_MIME}")
    if not has_container:
        raise InputError(f"{archive.name} is not a usable EPUB: {CONTAINER} is missing")
    return []


def check_drm(archive: Archive) -> None:
    """Refuse an EPUB whose content is encrypted (font obfuscation is not DRM and is fine)."""
    message = f"{archive.name}: this EPUB is DRM-protected; narration cannot read it (use a DRM-free edition)"
    if archive.has("META-INF/rights.xml"):
        raise InputError(message)
    if not archive.has("META-INF/encryption.xml"):
        return
    root = archive.xml("META-INF/encryption.xml")
    for data in (el for el in root.iter() if local(el.tag) == "encrypteddata"):
        methods = [el.get("Algorithm", "") for el in data.iter() if local(el.tag) == "encryptionmethod"]
        if not methods or any(m not in FONT_OBFUSCATION for m in methods):
            raise InputError(message)


def rootfile_path(archive: Archive) -> str:
    root = archive.xml(CONTAINER)
    paths = [p for el in root.iter() if local(el.tag) == "rootfile" and (p := el.get("full-path"))]
    if not paths:
        raise InputError(f"{archive.name}: {CONTAINER} names no package document (rootfile)")
    path, _ = resolve_href("", paths[0])
    if path is None:
        raise InputError(f"{archive.name}: the package document {paths[0]!r} points outside the archive: refused")
    if not archive.has(path):
        raise InputError(f"{archive.name}: the package document {path} named by {CONTAINER} is missing")
    return path


def parse_date(text: str) -> datetime.date | None:
    """An EPUB date (``2024``, ``2024-01``, ``2024-01-02``, ``2024-01-02T19:53:47Z``) or None."""
    text = text.strip()
    match = _DATE.match(text)
    try:
        if match:
            year, month, day = (int(g) if g else 1 for g in match.groups())
            return datetime.date(year, month, day)
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _refines(metadata: etree._Element) -> dict[str, dict[str, list[str]]]:
    """id -> property -> values of the ``<meta refines="#id">`` elements (a creator can have many roles)."""
    out: dict[str, dict[str, list[str]]] = {}
    for meta in _children(metadata, "meta"):
        target, prop = (meta.get("refines") or "").lstrip("#"), meta.get("property")
        if target and prop:
            out.setdefault(target, {}).setdefault(prop, []).append(_text(meta))
    return out


def _title(metadata: etree._Element, refines: dict[str, dict[str, list[str]]]) -> str:
    titles = [(el, _first(refines, el, "title-type")) for el in _children(metadata, "title")]
    if not titles:
        return ""
    main = next((el for el, kind in titles if kind == "main"), titles[0][0])
    subtitle = next((el for el, kind in titles if kind == "subtitle"), None)
    text = _text(main)
    return f"{text}: {_text(subtitle)}" if subtitle is not None and _text(subtitle) else text


def _first(refines: dict[str, dict[str, list[str]]], el: etree._Element, prop: str) -> str:
    values = refines.get(el.get("id") or "", {}).get(prop, [])
    return values[0] if values else ""


def _authors(metadata: etree._Element, refines: dict[str, dict[str, list[str]]]) -> tuple[str, ...]:
    """Creators whose role is author (all creators when none has a role), in display order."""
    creators = []
    for n, el in enumerate(_children(metadata, "creator")):
        roles = set(refines.get(el.get("id") or "", {}).get("role", [])) | ({el.get(f"{{{OPF_NS}}}role")} - {None})
        seq = _first(refines, el, "display-seq")
        creators.append((int(seq) if seq.isdigit() else 10_000 + n, roles, _text(el)))
    creators.sort(key=lambda c: c[0])
    if any(roles for _, roles, _ in creators):
        return tuple(name for _, roles, name in creators if "aut" in roles and name)
    return tuple(name for _, _, name in creators if name)


def strip_html(text: str) -> str:
    """A description's text without its HTML markup (escaped or not)."""
    if "<" not in text:
        return " ".join(text.split())
    root = etree.fromstring(f"<div>{text}</div>", etree.HTMLParser(no_network=True, recover=True))
    if root is None:
        return ""
    blocks = read_document(root, "description", TextConfig(footnotes=False)).blocks
    return " ".join(" ".join(b.text.split()) for b in blocks)


def _metadata(opf: etree._Element) -> Metadata:
    metadata = next((el for el in opf if local(el.tag) == "metadata"), None)
    if metadata is None:
        return Metadata()
    refines = _refines(metadata)
    first = {
        name: next((_text(el) for el in _children(metadata, name) if _text(el)), "")
        for name in ("language", "publisher")
    }
    dates = _children(metadata, "date")
    date = next((el for el in dates if el.get(f"{{{OPF_NS}}}event") == "publication"), dates[0] if dates else None)
    identifiers = _children(metadata, "identifier")
    unique = opf.get("unique-identifier")
    ident = next(
        (el for el in identifiers if unique and el.get("id") == unique), identifiers[0] if identifiers else None
    )
    description = next((el for el in _children(metadata, "description")), None)
    return Metadata(
        title=_title(metadata, refines),
        authors=_authors(metadata, refines),
        language=first["language"],
        description=strip_html(text_of(description)) if description is not None else "",
        publisher=first["publisher"],
        published=parse_date(_text(date)) if date is not None else None,
        identifier=_text(ident) if ident is not None else "",
    )


def _manifest(opf: etree._Element, opf_path: str) -> dict[str, Item]:
    items: dict[str, Item] = {}
    for section in (el for el in opf if local(el.tag) == "manifest"):
        for el in _children(section, "item"):
            if el.get("id") and el.get("href"):
                path, _ = resolve_href(opf_path, el.get("href", ""))
                props = frozenset((el.get("properties") or "").split())
                items[el.get("id", "")] = Item(el.get("id", ""), path, el.get("media-type", ""), props)
    return items


def _cover(opf: etree._Element, manifest: dict[str, Item]) -> Item | None:
    for item in manifest.values():
        if "cover-image" in item.properties:
            return item
    for meta in (el for el in opf.iter() if local(el.tag) == "meta" and el.get("name") == "cover"):
        if meta.get("content") in manifest:
            return manifest[meta.get("content", "")]
    return next(
        (
            i
            for i in manifest.values()
            if i.id.lower() in ("cover-image", "cover") and i.media_type.startswith("image/")
        ),
        None,
    )


def _spine(
    opf: etree._Element, manifest: dict[str, Item], archive: Archive
) -> tuple[etree._Element | None, tuple[SpineRef, ...]]:
    spine = next((el for el in opf if local(el.tag) == "spine"), None)
    if spine is None or not _children(spine, "itemref"):
        raise InputError(f"{archive.name}: the package document has no spine (no reading order)")
    refs = []
    for el in _children(spine, "itemref"):
        item = manifest.get(el.get("idref") or "")
        if item is None:
            raise InputError(
                f"{archive.name}: spine item {el.get('idref')!r} is not in the manifest: the EPUB is damaged"
            )
        if item.path is None or not archive.has(item.path):
            where = "points outside the archive" if item.path is None else f"({item.path}) is missing from the archive"
            raise InputError(f"{archive.name}: spine item {item.id!r} {where}: the EPUB is damaged, refused")
        refs.append(SpineRef(item, linear=(el.get("linear") or "yes").strip().lower() != "no"))
    return spine, tuple(refs)


def _guide(opf: etree._Element, opf_path: str) -> dict[tuple[str, str | None], str]:
    guide: dict[tuple[str, str | None], str] = {}
    for ref in (el for el in opf.iter() if local(el.tag) == "reference"):
        path, frag = resolve_href(opf_path, ref.get("href") or "")
        if path and ref.get("type"):
            guide[(path, frag)] = (ref.get("type") or "").lower()
    return guide


def open_package(archive: Archive) -> Package:
    """Check the archive is a DRM-free EPUB and read its package document."""
    warnings = _check_mimetype(archive)
    check_drm(archive)
    opf_path = rootfile_path(archive)
    opf = parse_xml(archive.read(opf_path), f"{archive.name}: {opf_path}")
    manifest = _manifest(opf, opf_path)
    spine, refs = _spine(opf, manifest, archive)
    ncx = manifest.get(spine.get("toc") or "") if spine is not None else None
    ncx = ncx or next((i for i in manifest.values() if i.media_type == "application/x-dtbncx+xml"), None)
    nav = next((i for i in manifest.values() if "nav" in i.properties and archive.has(i.path)), None)
    if archive.unsafe:
        warnings.append(f"{len(archive.unsafe)} archive names with '..' or an absolute path were ignored")
    return Package(
        opf_path=opf_path,
        version=opf.get("version") or "",
        metadata=_metadata(opf),
        manifest=manifest,
        spine=refs,
        nav=nav,
        ncx=ncx if ncx is not None and archive.has(ncx.path) else None,
        cover=_cover(opf, manifest),
        lexicons=tuple(i for i in manifest.values() if i.media_type == "application/pls+xml" and archive.has(i.path)),
        guide=_guide(opf, opf_path),
        warnings=tuple(warnings),
    )
