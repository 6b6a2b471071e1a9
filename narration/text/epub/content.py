"""An XHTML (or HTML) document -> the blocks a listener hears, with the positions of its ids.

Paragraphs, block quotes and list items become paragraphs; ``<br/>`` becomes a line break kept
inside the paragraph (poetry); headings (``h1``-``h6``, an ``hgroup``, a ``header`` holding a
heading and a short title) become heading blocks; text outside any block element between two
blocks becomes a paragraph of its own, so nested markup neither doubles nor loses a paragraph.

Not read (each counted for the report; see :mod:`narration.text.epub.rules`): scripts, styles,
SVG and MathML; footnote references and note bodies (``footnotes``); page-break markers; image alt
text (unless ``image_alt``); captions (``captions``); front and back matter marked by
``epub:type`` or ``role`` (``front_matter``); tables of contents (``contents``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree

from narration.config import TextConfig
from narration.text.clean import strip_illustrations
from narration.text.epub import rules as R
from narration.text.epub.archive import text_of

EPUB_NS = "http://www.idpf.org/2007/ops"
XHTML_NS = "http://www.w3.org/1999/xhtml"
SSML_NS = "http://www.w3.org/2001/10/synthesis"
NOTE_MARK = "data-narration-note"  # set on elements that are note bodies (targets of note references)

BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "blockquote",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "aside",
        "figure",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "pre",
        "address",
        "center",
        "body",
        "nav",
        "hr",
        "details",
        "summary",
        "fieldset",
        "form",
        "dialog",
        "figcaption",
        "menu",
        "legend",
        "hgroup",
    ]
)
DROP_TAGS = frozenset(
    [
        "script",
        "style",
        "head",
        "noscript",
        "template",
        "svg",
        "math",
        "object",
        "embed",
        "iframe",
        "audio",
        "video",
        "canvas",
        "button",
        "input",
        "select",
        "textarea",
        "map",
        "area",
        "title",
        "meta",
        "link",
    ]
)
HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
NOTE_BLOCK_TAGS = frozenset(["p", "li", "div", "aside", "dd", "dt", "blockquote", "tr", "td", "section"])
_SHORT_REF = re.compile(r"^[\[(]?[*†‡§¶#]?[0-9]{1,4}[a-z]?[\])]?$|^[\[(]?[*†‡§¶a-zA-Z][\])]?$|^[*†‡§¶]{1,3}$")
_BRACKETED = re.compile(r"^[\[(].{1,5}[\])]$")
_SEPARATOR = "\x00"  # between the parts of a heading
_BREAK = "\x01"  # a <br/> (source newlines are only spaces)

BlockKind = Literal["paragraph", "heading"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str
    level: int = 0  # 1-6 for a heading


@dataclass(frozen=True)
class PronunciationHint:
    word: str
    phonemes: str
    alphabet: str  # ipa, x-sampa, ...


@dataclass
class DocText:
    """One content document as blocks; ``anchors`` maps an id to the index of the block it starts."""

    path: str
    blocks: list[Block] = field(default_factory=list)
    anchors: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, str] = field(default_factory=dict)  # id inside dropped matter -> why
    skipped: list[str] = field(default_factory=list)  # front/back matter found, for the report
    counts: Counter[str] = field(default_factory=Counter)
    hints: list[PronunciationHint] = field(default_factory=list)
    title: str = ""
    first_drop: str = ""  # what the first dropped element was (why a document may have no text)

    @property
    def has_text(self) -> bool:
        return any(b.kind == "paragraph" for b in self.blocks)


def local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""  # comment, processing instruction
    return tag.rpartition("}")[2].lower()


def types_of(el: etree._Element) -> set[str]:
    return R.tokens(el.get(f"{{{EPUB_NS}}}type") or el.get("epub:type"))


def is_noteref(el: etree._Element, tag: str) -> bool:
    """A footnote or endnote reference: typed as one, or a short link to a fragment in a ``<sup>``."""
    if types_of(el) & R.NOTEREF_TYPES or R.tokens(el.get("role")) & R.NOTEREF_ROLES:
        return True
    if tag != "a" or "#" not in (el.get("href") or ""):
        return False
    if R.tokens(el.get("class")) & R.NOTEREF_CLASSES:
        return True
    text = text_of(el).strip()
    if not text or len(text) > 6 or not _SHORT_REF.match(text):
        return False
    parent = el.getparent()
    in_sup = parent is not None and local(parent.tag) == "sup"
    has_sup = any(local(child.tag) == "sup" for child in el)
    return in_sup or has_sup or bool(_BRACKETED.match(text))


def _matter(el: etree._Element, config: TextConfig) -> str | None:
    """Front/back matter or a contents table (named for the report), by epub:type or role."""
    kinds, roles = types_of(el), R.tokens(el.get("role"))
    if config.contents:
        for value in kinds & R.CONTENTS_TYPES.keys():
            return f"{R.CONTENTS_TYPES[value]} (epub:type {value})"
        for value in roles & R.CONTENTS_ROLES.keys():
            return f"{R.CONTENTS_ROLES[value]} (role {value})"
    if config.front_matter:
        for value in sorted(kinds & R.FRONT_BACK_TYPES.keys()):
            return f"{R.FRONT_BACK_TYPES[value]} (epub:type {value})"
        for value in sorted(roles & R.FRONT_BACK_ROLES.keys()):
            return f"{R.FRONT_BACK_ROLES[value]} (role {value})"
    return None


def _note_reason(el: etree._Element, tag: str) -> str | None:
    if is_noteref(el, tag):
        return "note references"
    kinds, roles = types_of(el), R.tokens(el.get("role"))
    if kinds & R.NOTE_TYPES or roles & R.NOTE_ROLES or el.get(NOTE_MARK) or "backlink" in kinds:
        return "notes"
    if tag in NOTE_BLOCK_TAGS and R.tokens(el.get("class")) & R.NOTE_CLASSES:
        return "notes"
    return None


def drop_reason(el: etree._Element, tag: str, config: TextConfig) -> tuple[str, str] | None:
    """(counter key, report text) when ``el`` and what it holds are not read, else None."""
    key: str | None = None
    if tag in DROP_TAGS:
        key = "scripts, styles, SVG and MathML"
    elif not len(el.attrib):  # most elements: only the tag can tell (a fast path)
        return ("captions", "") if config.captions and tag == "figcaption" else None
    elif config.footnotes:
        key = _note_reason(el, tag)
    if key:
        return key, ""
    if types_of(el) & R.PAGEBREAK_TYPES or R.tokens(el.get("role")) & R.PAGEBREAK_ROLES:
        return "page-break markers", ""
    if config.captions and (tag == "figcaption" or R.tokens(el.get("class")) & R.CAPTION_CLASSES):
        return "captions", ""
    if config.gutenberg and (el.get("id") or "").lower() in R.GUTENBERG_IDS:
        return "Project Gutenberg boilerplate", "Project Gutenberg boilerplate"
    matter = _matter(el, config)
    return ("front and back matter", matter) if matter else None


def _tidy(text: str) -> str:
    """Whitespace collapsed (source newlines included); ``<br/>`` breaks kept as line breaks."""
    lines = (" ".join(line.split()) for line in text.split(_BREAK))
    return "\n".join(line for line in lines if line)


def _join_parts(parts: list[str]) -> str:
    out = ""
    for part in parts:
        part = " ".join(part.split())
        if not part:
            continue
        out = part if not out else f"{out} {part}" if out[-1] in ".:;!?—–-" else f"{out}: {part}"
    return out


class _Walker:
    def __init__(self, doc: DocText, config: TextConfig) -> None:
        self.doc = doc
        self.config = config
        self.buf: list[str] = []
        self.heading = 0  # > 0 inside a heading
        self.pre = 0

    def flush(self) -> None:
        if self.heading:
            self.buf.append(_SEPARATOR)
            return
        text = _tidy("".join(self.buf))
        self.buf.clear()
        if self.config.illustrations and "llustration" in text:  # Gutenberg's [Illustration: ...] as text
            cleaned = _tidy(strip_illustrations(text))
            self.doc.counts["illustration markers"] += cleaned != text
            text = cleaned
        if text:
            self.doc.blocks.append(Block("paragraph", text))

    def text(self, text: str | None) -> None:
        if text:
            self.buf.append(text.replace("\n", _BREAK) if self.pre else text)

    def drop(self, el: etree._Element, key: str, report: str) -> None:
        self.doc.counts[key] += 1
        self.doc.first_drop = self.doc.first_drop or report or key
        where = el.get("id")
        if report:
            self.doc.skipped.append(f"{self.doc.path}{'#' + where if where else ''}: {report}")
        for inner in el.iter():
            inner_id = inner.get("id") if isinstance(inner.tag, str) else None
            if inner_id:
                self.doc.dropped.setdefault(inner_id, report or key)

    def walk(self, el: etree._Element) -> None:
        tag = local(el.tag)
        if not tag:
            return
        reason = drop_reason(el, tag, self.config)
        if reason:
            self.drop(el, *reason)
            return
        phonemes = el.get(f"{{{SSML_NS}}}ph")
        if phonemes:
            word = " ".join(text_of(el).split())
            alphabet = el.get(f"{{{SSML_NS}}}alphabet") or "ipa"
            self.doc.hints.append(PronunciationHint(word, phonemes.strip(), alphabet))
        if not self.heading and (tag in HEADING_TAGS or tag == "hgroup" or (tag == "header" and _is_title_header(el))):
            self.heading_block(el, HEADING_TAGS.get(tag) or _first_level(el))
            return
        if tag in ("img", "image"):
            self.image(el)
            return
        if tag == "br":
            self.buf.append(" " if self.heading else _BREAK)
            return
        block = tag in BLOCK_TAGS or tag in HEADING_TAGS
        if block:
            self.flush()
        own_id = el.get("id")
        if own_id:
            self.doc.anchors.setdefault(own_id, len(self.doc.blocks))
        self.pre += tag == "pre"
        self.text(el.text)
        for child in el:
            self.walk(child)
            self.text(child.tail)
        self.pre -= tag == "pre"
        if block:
            self.flush()

    def heading_block(self, el: etree._Element, level: int) -> None:
        self.flush()
        index = len(self.doc.blocks)
        for inner in el.iter():
            inner_id = inner.get("id") if isinstance(inner.tag, str) else None
            if inner_id:
                self.doc.anchors.setdefault(inner_id, index)
        self.heading += 1
        self.text(el.text)
        for child in el:
            self.walk(child)
            self.text(child.tail)
        self.heading -= 1
        text = _join_parts("".join(self.buf).split(_SEPARATOR))
        self.buf.clear()
        if text:
            self.doc.blocks.append(Block("heading", text, level))

    def image(self, el: etree._Element) -> None:
        self.doc.counts["images"] += 1
        alt = " ".join((el.get("alt") or "").split())
        if self.config.image_alt and alt and not self.heading:
            self.flush()
            self.doc.blocks.append(Block("paragraph", alt))


def _first_level(el: etree._Element) -> int:
    for inner in el.iter():
        level = HEADING_TAGS.get(local(inner.tag))
        if level:
            return level
    return 2


def _is_title_header(el: etree._Element) -> bool:
    """A ``<header>`` that is only a title: a heading plus short lines (a label, a subtitle)."""
    children = [c for c in el if local(c.tag)]
    if not any(local(c.tag) in HEADING_TAGS or local(c.tag) == "hgroup" for c in children):
        return False
    return all(len(" ".join(text_of(c).split())) <= 150 for c in children)


def body_of(root: etree._Element) -> etree._Element:
    for el in root.iter():
        if local(el.tag) == "body":
            return el
    return root


def document_title(root: etree._Element) -> str:
    for el in root.iter():
        if local(el.tag) == "title":
            return " ".join(text_of(el).split())
        if local(el.tag) == "body":
            break
    return ""


def read_document(root: etree._Element, path: str, config: TextConfig) -> DocText:
    """The blocks of one parsed document (see the module docstring)."""
    doc = DocText(path=path, title=document_title(root))
    walker = _Walker(doc, config)
    walker.walk(body_of(root))
    walker.flush()
    return doc


def mark_note_targets(
    roots: dict[str, etree._Element], resolve: Callable[[str, str], tuple[str | None, str | None]]
) -> int:
    """Mark the note bodies that note references point at (EPUB 2 style ``<p id="fn1">``), so that
    :func:`drop_reason` drops them; return how many were marked."""
    targets: dict[str, set[str]] = {}
    for path, root in roots.items():
        for el in root.iter(f"{{{XHTML_NS}}}a", "a"):
            if el.get("href") and is_noteref(el, "a"):
                target, frag = resolve(path, el.get("href", ""))
                if target in roots and frag:
                    targets.setdefault(target, set()).add(frag)
    marked = 0
    for path, ids in targets.items():
        for el in roots[path].iter():
            if el.get("id") in ids:
                marked += _mark_note(el)
    return marked


def _mark_note(el: etree._Element) -> int:
    if local(el.tag) not in NOTE_BLOCK_TAGS:  # an inline target: not the reference itself (a backlink's target)
        parent = el.getparent()
        if any(isinstance(i.tag, str) and is_noteref(i, local(i.tag)) for i in el.iter()) or (
            parent is not None and local(parent.tag) == "sup"
        ):
            return 0
    block: etree._Element | None = el
    while block is not None and local(block.tag) not in NOTE_BLOCK_TAGS:
        if local(block.tag) in ("body", "html") or local(block.tag) in HEADING_TAGS:
            return 0
        block = block.getparent()
    if block is None or len(text_of(block)) > 10_000:
        return 0
    block.set(NOTE_MARK, "1")
    return 1
