"""``output/<book>.epub``: written whole, only when one of its members changed.

Every member is known before anything is written: the text members (package, navigation, chapters,
overlays, style) as bytes, the cover and the episodes' MP3s as files. The EPUB's key is a digest of
the text members (with the package's modification date left out), the cover's content and each
episode's size and modification time (the audio stage rewrites an episode only when it changed), and
it is recorded in ``out_dir/.publish-epub.json``: an unchanged book writes nothing, an edit writes
the EPUB again, its text deflated and the audio and cover stored (a stream copy of the episodes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from narration import fsutil
from narration.audio.types import BuildResult
from narration.errors import PublishError
from narration.publish.epub.opf import NAV, PACKAGE, PACKAGE_DIR, Metadata, container_document, package_document
from narration.publish.epub.parts import EpubChapter, epub_chapter
from narration.publish.epub.smil import overlay_document
from narration.publish.epub.xhtml import CSS, STYLE, chapter_document, nav_document
from narration.publish.epub.zipout import Member, write_zip
from narration.publish.feed import book_id
from narration.publish.rules import EPUB_STATE_FILE, ITEM_GUID_NAMESPACE, mime_type
from narration.publish.settings import PublishSettings
from narration.publish.writing import write_if_changed

log = logging.getLogger(__name__)

EPUB_VERSION = "1"  # bump when the EPUB is made differently: every book's EPUB is written again
MIMETYPE = b"application/epub+zip"


@dataclass(frozen=True)
class EpubInfo:
    path: Path
    written: bool  # False: it was current
    seconds: float  # time taken


@dataclass(frozen=True)
class _Member:
    name: str  # path in the ZIP
    data: bytes | None = None
    source: Path | None = None  # a file copied as it is (stored)


def epub_path(result: BuildResult) -> Path:
    return Path(result.out_dir) / f"{Path(result.mp3).stem}.epub"


def epub_identifier(result: BuildResult) -> str:
    return f"urn:uuid:{uuid.uuid5(ITEM_GUID_NAMESPACE, book_id(result) + '/epub')}"


def _members(result: BuildResult, meta: Metadata, chapters: Sequence[EpubChapter], when: dt.datetime) -> list[_Member]:
    inside = f"{PACKAGE_DIR}/"
    members = [
        _Member("mimetype", MIMETYPE),
        _Member("META-INF/container.xml", container_document()),
        _Member(PACKAGE, package_document(meta, chapters, when)),
        _Member(inside + NAV, nav_document(result.title, result.language, chapters)),
        _Member(inside + STYLE, CSS.encode("utf-8")),
    ]
    if meta.cover:
        members.append(_Member(inside + meta.cover, source=Path(result.cover)))
    for chapter in chapters:
        members.append(_Member(inside + chapter.xhtml, chapter_document(chapter, result.language)))
        members.append(_Member(inside + chapter.smil, overlay_document(chapter)))
        members.append(_Member(inside + chapter.audio, source=Path(chapter.audio_source)))
    return members


def _key(members: Sequence[_Member], meta: Metadata, chapters: Sequence[EpubChapter]) -> str:
    digest = hashlib.sha256(EPUB_VERSION.encode())
    fixed = package_document(meta, chapters, dt.datetime(2000, 1, 1, tzinfo=dt.UTC))  # without its date
    for member in members:
        digest.update(member.name.encode("utf-8") + b"\0")
        if member.name == PACKAGE:
            digest.update(fixed)
        elif member.data is not None:
            digest.update(member.data)
        elif member.source is not None and member.source.suffix.lower() == ".mp3":
            stat = member.source.stat()
            digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
        elif member.source is not None:
            digest.update(fsutil.sha256_file(member.source).encode())
    return digest.hexdigest()


def _write_zip(target: Path, members: Sequence[_Member]) -> None:
    write_zip(target, [Member(m.name, m.data, m.source) for m in members])


def _state(out_dir: Path) -> dict:
    try:
        data = json.loads((out_dir / EPUB_STATE_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def write_epub(result: BuildResult, meta: Metadata, when: dt.datetime) -> EpubInfo:
    """Write ``result``'s read-along EPUB unless the one there was made from the same members."""
    started = time.monotonic()
    out_dir, target = Path(result.out_dir), epub_path(result)
    chapters = [epub_chapter(c) for c in result.chapters]
    members = _members(result, meta, chapters, when)
    try:
        key = _key(members, meta, chapters)
        state = _state(out_dir)
        if state.get("key") == key and target.is_file() and target.stat().st_size == state.get("size"):
            return EpubInfo(target, False, time.monotonic() - started)
        _write_zip(target, members)
        _forget_old(out_dir, state, target)
        state = {"key": key, "size": target.stat().st_size, "name": target.name}
        write_if_changed(out_dir / EPUB_STATE_FILE, json.dumps(state))
    except OSError as exc:
        raise PublishError(f"cannot write the EPUB {target}: {exc.strerror or exc}") from exc
    seconds = time.monotonic() - started
    log.info("wrote %s (%d chapters) in %.2f s", target.name, len(chapters), seconds)
    return EpubInfo(target, True, seconds)


def _forget_old(out_dir: Path, state: dict, target: Path) -> None:
    """Remove the EPUB written under another name (the book's title changed)."""
    old = state.get("name")
    if isinstance(old, str) and old != target.name and Path(old).name == old and old.endswith(".epub"):
        (out_dir / old).unlink(missing_ok=True)


def remove_epub(result: BuildResult) -> None:
    """Remove the EPUB and its state (``[publish] epub = false``)."""
    target = epub_path(result)
    if target.exists():
        log.info("removing %s ([publish] epub = false)", target.name)
    target.unlink(missing_ok=True)
    (Path(result.out_dir) / EPUB_STATE_FILE).unlink(missing_ok=True)


def epub_metadata(result: BuildResult, settings: PublishSettings, published: dt.datetime) -> Metadata:
    """The EPUB's metadata from the build and the publish settings."""
    suffix = Path(result.cover).suffix.lower()
    kind = mime_type(suffix)
    cover = f"cover{suffix}" if kind in ("image/jpeg", "image/png") else None
    description = result.description or f"{result.title} by {result.author}, read aloud."
    rights = "; ".join(x for x in (settings.copyright, _licence_line(settings)) if x) or None
    return Metadata(
        identifier=epub_identifier(result),
        title=result.title,
        author=result.author,
        language=result.language,
        description=f"{description} {settings.disclosure}",
        disclosure=settings.disclosure,
        published=published,
        rights=rights,
        contributors=tuple((p.name, p.role) for p in settings.people),
        cover=cover,
        cover_type=kind if cover else None,
    )


def _licence_line(settings: PublishSettings) -> str | None:
    if not settings.license or settings.license == "public-domain":
        return None
    return f"Licence: {settings.license}" + (f" ({settings.license_url})" if settings.license_url else "")
