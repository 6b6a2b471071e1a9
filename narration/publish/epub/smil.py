"""The chapters' Media Overlays: a SMIL 3.0 document per chapter, one ``par`` per sentence pairing
its element in the chapter's XHTML with its clip of the chapter's audio."""

from __future__ import annotations

import functools

from lxml import etree

from narration.publish.epub.parts import EpubChapter, clock_value
from narration.publish.epub.xhtml import OPS

SMIL = "http://www.w3.org/ns/SMIL"


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{SMIL}}}{tag}", attrs)


@functools.lru_cache(maxsize=256)
def overlay_document(chapter: EpubChapter) -> bytes:
    """The chapter's overlay; paths are relative to the SMIL file (``smil/``). Memoised (a chapter
    is a frozen value): a long-running caller (the studio) renders only the chapters an edit changed."""
    smil = etree.Element(f"{{{SMIL}}}smil", nsmap={None: SMIL, "epub": OPS}, version="3.0")  # type: ignore[dict-item]
    body = _sub(smil, "body")
    seq = _sub(body, "seq", id="seq-1")
    seq.set(f"{{{OPS}}}textref", f"../{chapter.xhtml}#{chapter.name}")
    seq.set(f"{{{OPS}}}type", "chapter")
    for sentence in chapter.sentences:
        par = _sub(seq, "par", id=f"par-{sentence.id}")
        _sub(par, "text", src=f"../{chapter.xhtml}#{sentence.id}")
        _sub(par, "audio", src=f"../{chapter.audio}", clipBegin=clock_value(sentence.begin),
             clipEnd=clock_value(sentence.end))  # fmt: skip
    return etree.tostring(smil, encoding="UTF-8", xml_declaration=True, pretty_print=True)
