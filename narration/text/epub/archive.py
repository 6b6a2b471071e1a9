"""Safe reading of an EPUB's zip archive and its XML documents.

Nothing in an EPUB is trusted:

* names that are absolute or climb out with ``..`` are never read (a link to one is a missing file);
* each entry, and all entries together, have an uncompressed size limit, and an entry that
  expands more than :data:`MAX_RATIO` times is refused (zip bomb); sizes are checked while reading,
  not only as the archive declares them;
* XML is parsed without network access, without loading DTDs and without resolving entities, and
  a document that declares entities (``<!ENTITY``: external entities, "billion laughs") is refused
  before it is parsed. HTML's named entities (``&nbsp;``) are turned into characters first, since
  EPUB 2 documents use them without a DTD to define them.
"""

from __future__ import annotations

import functools
import html.entities
import logging
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from narration.errors import InputError

log = logging.getLogger(__name__)

MAX_ENTRIES = 20_000
MAX_ENTRY_BYTES = 64 * 1024 * 1024  # uncompressed, one entry (a long book's text file is a few MB)
MAX_TOTAL_BYTES = 512 * 1024 * 1024  # uncompressed, everything read from one archive
MAX_RATIO = 200  # uncompressed / compressed, for entries over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024

_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False, recover=False
)
_HTML_PARSER = etree.HTMLParser(no_network=True, recover=True, huge_tree=False)


def is_safe_name(name: str) -> bool:
    """A relative archive name that stays inside the archive."""
    if not name or name.startswith(("/", "\\")) or "\\" in name or re.match(r"^[A-Za-z]:", name):
        return False
    return ".." not in name.split("/")


def resolve_href(base: str, href: str) -> tuple[str | None, str | None]:
    """``href`` (URL-encoded, relative to the document ``base``) -> (archive path, fragment).

    The path is ``None`` for a link outside the archive (``../`` past the root, absolute, a URL);
    a bare ``#id`` points into ``base`` itself.
    """
    path, _, fragment = href.strip().partition("#")
    frag = unquote(fragment) or None
    return (_resolve_path(base, path) if path else base), frag


@functools.lru_cache(maxsize=4096)
def _resolve_path(base: str, path: str) -> str | None:
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", path) or path.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), unquote(path)))
    if joined == ".." or joined.startswith(("../", "/")):
        return None
    return joined


@dataclass
class Archive:
    """An opened EPUB: its safe entries, read with size limits."""

    name: str  # for messages
    zip: zipfile.ZipFile
    entries: dict[str, zipfile.ZipInfo]
    unsafe: tuple[str, ...]  # names never read
    read_bytes: int = 0

    def has(self, path: str | None) -> bool:
        return path is not None and path in self.entries

    def read(self, path: str) -> bytes:
        info = self.entries.get(path)
        if info is None:
            raise InputError(f"{self.name}: {path} is missing from the archive")
        limit = min(MAX_ENTRY_BYTES, MAX_TOTAL_BYTES - self.read_bytes)
        try:
            with self.zip.open(info) as handle:
                data = handle.read(limit + 1)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise InputError(
                f"{self.name}: {path} cannot be read from the archive ({exc}): the EPUB is damaged"
            ) from exc
        if len(data) > limit:
            raise InputError(f"{self.name}: {path} expands to more than {limit // 2**20} MB: refused (zip bomb?)")
        self.read_bytes += len(data)
        return data

    def xml(self, path: str) -> etree._Element:
        return parse_xml(self.read(path), f"{self.name}: {path}")


def _check_sizes(name: str, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ENTRIES:
        raise InputError(f"{name}: {len(infos):,} files in the archive: refused (more than {MAX_ENTRIES:,})")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_ENTRY_BYTES:
            raise InputError(
                f"{name}: {info.filename} expands to {info.file_size // 2**20} MB: refused "
                f"(more than {MAX_ENTRY_BYTES // 2**20} MB; zip bomb?)"
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(
                f"{name}: {info.filename} is compressed {info.file_size // max(info.compress_size, 1):,} to 1: "
                f"refused (a zip bomb)"
            )
    if total > MAX_TOTAL_BYTES:
        raise InputError(f"{name}: the archive expands to {total // 2**20} MB: refused (zip bomb?)")


def open_archive(path: Path) -> Archive:
    """Open ``path`` as a zip archive; :class:`InputError` when it is not one or is unreasonable."""
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise InputError(f"{path} is not an EPUB: not a zip archive, or a truncated one ({exc})") from exc
    _check_sizes(str(path), infos)
    entries = {i.filename: i for i in infos if not i.is_dir() and is_safe_name(i.filename)}
    unsafe = tuple(i.filename for i in infos if not is_safe_name(i.filename))
    return Archive(name=str(path), zip=archive, entries=entries, unsafe=unsafe)


def _named_entities(data: bytes) -> bytes:
    def replace(match: re.Match[bytes]) -> bytes:
        name = match.group(1)
        if name in _XML_ENTITIES:
            return match.group()
        code = html.entities.name2codepoint.get(name.decode("ascii"))
        return b"&#%d;" % code if code else match.group()

    return _ENTITY.sub(replace, data) if b"&" in data else data


def refuse_entities(data: bytes, where: str) -> None:
    """Refuse a document that declares entities (external entities, "billion laughs")."""
    if re.search(rb"<!\s*ENTITY", data, re.IGNORECASE) or re.search(rb"<\x00!\x00E\x00N\x00T", data):
        raise InputError(f"{where} declares XML entities: refused (an entity can read files or expand without end)")


def parse_xml(data: bytes, where: str) -> etree._Element:
    """Parse an XML document safely; :class:`InputError` when it is not well-formed."""
    refuse_entities(data, where)
    try:
        return etree.fromstring(_named_entities(data), _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise InputError(f"{where} is not well-formed XML ({exc})") from exc


def parse_document(data: bytes, where: str) -> etree._Element:
    """An XHTML content document: as XML, else (tag soup, as some EPUB 2 books have) as HTML."""
    try:
        return parse_xml(data, where)
    except InputError as exc:
        if "declares XML entities" in str(exc):
            raise
        if "depth" in str(exc).lower():
            raise InputError(f"{where} nests its markup too deeply (over 256 levels): refused") from exc
        log.warning("%s is not well-formed XHTML: read as HTML (%s)", where, exc.__cause__ or exc)
    root = etree.fromstring(data, _HTML_PARSER) if data.strip() else None
    if root is None:
        raise InputError(f"{where} is neither XHTML nor HTML")
    return root


def text_of(element: etree._Element) -> str:
    """All the text inside ``element`` (its descendants' and their tails), as one string."""
    return "".join(str(part) for part in element.itertext())
