"""The table of contents: the EPUB 3 navigation document (``nav epub:type="toc"``) or the EPUB 2 NCX.

Each entry keeps its title (markup flattened, words kept: "I: A Letter with a Postscript"), its
target (archive path and fragment, URL-decoded and resolved relative to the document holding the
link) and its children. The navigation document's landmarks (and the EPUB 2 guide) say which
targets are a cover, a title page, a contents table...
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from narration.text.epub.archive import resolve_href, text_of
from narration.text.epub.content import local, types_of

Target = tuple[str, str | None]  # (archive path, fragment)


@dataclass(frozen=True)
class TocEntry:
    title: str
    path: str | None  # None: a heading without a link, or a link outside the archive
    fragment: str | None
    children: tuple[TocEntry, ...] = ()

    @property
    def target(self) -> Target | None:
        return (self.path, self.fragment) if self.path else None


def flat_text(el: etree._Element) -> str:
    return " ".join(text_of(el).split())


def _nav_of(root: etree._Element, kind: str) -> etree._Element | None:
    return next((el for el in root.iter() if local(el.tag) == "nav" and kind in types_of(el)), None)


def _nav_entries(ol: etree._Element, base: str) -> tuple[TocEntry, ...]:
    entries: list[TocEntry] = []
    for li in (c for c in ol if local(c.tag) == "li"):
        label = next((el for el in li.iter() if local(el.tag) in ("a", "span")), None)
        sub = next((c for c in li if local(c.tag) in ("ol", "ul")), None)
        children = _nav_entries(sub, base) if sub is not None else ()
        if label is None:
            entries.extend(children)
            continue
        href = label.get("href")
        path, frag = resolve_href(base, href) if href else (None, None)
        entries.append(TocEntry(flat_text(label), path, frag, children))
    return tuple(entries)


def nav_toc(root: etree._Element, base: str) -> tuple[TocEntry, ...]:
    """Entries of the ``toc`` nav of a navigation document (``base``: its archive path)."""
    nav = _nav_of(root, "toc")
    if nav is None:
        return ()
    ol = next((el for el in nav.iter() if local(el.tag) in ("ol", "ul")), None)
    return _nav_entries(ol, base) if ol is not None else ()


def nav_landmarks(root: etree._Element, base: str) -> dict[Target, set[str]]:
    nav = _nav_of(root, "landmarks")
    marks: dict[Target, set[str]] = {}
    if nav is None:
        return marks
    for link in (el for el in nav.iter() if local(el.tag) == "a" and el.get("href")):
        path, frag = resolve_href(base, link.get("href", ""))
        if path:
            marks.setdefault((path, frag), set()).update(types_of(link))
    return marks


def _ncx_points(parent: etree._Element, base: str) -> tuple[TocEntry, ...]:
    entries: list[TocEntry] = []
    for point in (c for c in parent if local(c.tag) == "navpoint"):
        label = next((el for el in point if local(el.tag) == "navlabel"), None)
        content = next((el for el in point if local(el.tag) == "content"), None)
        title = flat_text(label) if label is not None else ""
        path, frag = resolve_href(base, content.get("src", "")) if content is not None else (None, None)
        entries.append(TocEntry(title, path, frag, _ncx_points(point, base)))
    return tuple(entries)


def ncx_toc(root: etree._Element, base: str) -> tuple[TocEntry, ...]:
    nav_map = next((el for el in root.iter() if local(el.tag) == "navmap"), None)
    return _ncx_points(nav_map, base) if nav_map is not None else ()


def count_entries(entries: tuple[TocEntry, ...]) -> int:
    return sum(1 + count_entries(e.children) for e in entries)
