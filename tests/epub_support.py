"""Fixture EPUBs built by the tests with zipfile: a small, valid EPUB 3 (or 2) whose parts a test
replaces to make the case it needs (nested parts, fragments, front matter, notes, covers, hostile
archives)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

CONTAINER = """<?xml version="1.0" encoding="utf-8"?>
<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0">
  <rootfiles><rootfile full-path="{opf}" media-type="application/oebps-package+xml"/></rootfiles>
</container>"""

XHTML = """<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"
      xmlns:ssml="http://www.w3.org/2001/10/synthesis" xml:lang="en">
<head><title>{title}</title><style>p {{ margin: 0 }}</style></head>
<body{body_attrs}>
{body}
</body></html>"""

METADATA = """<dc:identifier id="uid">urn:uuid:12345678-aaaa-bbbb-cccc-1234567890ab</dc:identifier>
<dc:title id="t1">The Lantern Keeper</dc:title>
<dc:creator id="a1">Ada Writer</dc:creator>
<meta refines="#a1" property="role" scheme="marc:relators">aut</meta>
<dc:language>en</dc:language>
<dc:date>2021-03-04</dc:date>"""

# a paragraph long enough to be prose (about 30 words)
PROSE = (
    "The lamp at the end of the pier was lit every evening by the keeper, who climbed the iron steps "
    "with a can of oil and a box of matches, whatever the weather, and came down again slowly."
)


def xhtml(body: str, title: str = "Chapter", body_attrs: str = "") -> str:
    return XHTML.format(title=title, body=body, body_attrs=f" {body_attrs}" if body_attrs else "")


def nav(items: str, landmarks: str = "") -> str:
    """A navigation document; ``items`` is the <ol> content of the toc nav."""
    marks = f'<nav epub:type="landmarks"><ol>{landmarks}</ol></nav>' if landmarks else ""
    return xhtml(f'<nav epub:type="toc" id="toc"><h1>Contents</h1><ol>{items}</ol></nav>{marks}', "Contents")


def li(href: str, title: str, children: str = "") -> str:
    return f'<li><a href="{href}">{title}</a>{f"<ol>{children}</ol>" if children else ""}</li>'


def ncx(points: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">'
        f"<head/><docTitle><text>Book</text></docTitle><navMap>{points}</navMap></ncx>"
    )


def point(src: str, title: str, children: str = "") -> str:
    return f"<navPoint><navLabel><text>{title}</text></navLabel><content src='{src}'/>{children}</navPoint>"


RED, BLUE = (220, 20, 20), (20, 20, 220)


def image_bytes(size: tuple[int, int], kind: str = "JPEG", mode: str = "RGB") -> bytes:
    """Top half red, bottom half blue (half transparent in RGBA)."""
    image = Image.new(mode, size, (*BLUE, 128) if mode == "RGBA" else BLUE)
    image.paste((*RED, 128) if mode == "RGBA" else RED, (0, 0, size[0], size[1] // 2))
    buffer = io.BytesIO()
    image.save(buffer, kind)
    return buffer.getvalue()


@dataclass
class Epub:
    """An EPUB to write: documents in spine order (name -> XHTML), plus whatever a test changes."""

    docs: dict[str, str] = field(default_factory=dict)
    nav: str | None = None  # navigation document (EPUB 3)
    ncx: str | None = None  # NCX (EPUB 2)
    metadata: str = METADATA
    version: str = "3.0"
    linear_no: set[str] = field(default_factory=set)
    extra_items: str = ""  # more manifest <item>s
    extra_opf: str = ""  # after the spine (a <guide>)
    files: dict[str, bytes | str] = field(default_factory=dict)  # more archive entries (images, lexicons)
    mimetype: str | None = "application/epub+zip"
    container: str | None = CONTAINER.format(opf="OEBPS/content.opf")
    opf_path: str = "OEBPS/content.opf"

    def opf(self) -> str:
        items = [
            f'<item id="d{i}" href="{name}" media-type="application/xhtml+xml"/>' for i, name in enumerate(self.docs)
        ]
        if self.nav is not None:
            items.append('<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>')
        if self.ncx is not None:
            items.append('<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>')
        no = ' linear="no"'
        refs = [f'<itemref idref="d{i}"{no if name in self.linear_no else ""}/>' for i, name in enumerate(self.docs)]
        toc = ' toc="ncx"' if self.ncx is not None else ""
        return (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<package xmlns="http://www.idpf.org/2007/opf" xmlns:opf="http://www.idpf.org/2007/opf" '
            f'version="{self.version}" unique-identifier="uid">'
            f'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">{self.metadata}</metadata>'
            f"<manifest>{''.join(items)}{self.extra_items}</manifest>"
            f"<spine{toc}>{''.join(refs)}</spine>{self.extra_opf}</package>"
        )

    def write(self, path: Path) -> Path:
        base = self.opf_path.rsplit("/", 1)[0] + "/" if "/" in self.opf_path else ""
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            if self.mimetype is not None:
                z.writestr("mimetype", self.mimetype, zipfile.ZIP_STORED)
            if self.container is not None:
                z.writestr("META-INF/container.xml", self.container)
            z.writestr(self.opf_path, self.opf())
            for name, text in self.docs.items():
                z.writestr(base + name, text)
            if self.nav is not None:
                z.writestr(base + "nav.xhtml", self.nav)
            if self.ncx is not None:
                z.writestr(base + "toc.ncx", self.ncx)
            for name, data in self.files.items():
                z.writestr(name, data)
        return path


def simple_book(chapters: int = 3) -> Epub:
    """An EPUB 3 of ``chapters`` chapters, one file each, listed in the nav."""
    docs = {
        f"ch{n}.xhtml": xhtml(
            f'<section epub:type="chapter"><h2>Chapter {n}</h2><p>{PROSE}</p><p>Part {n} ends here.</p></section>'
        )
        for n in range(1, chapters + 1)
    }
    return Epub(docs=docs, nav=nav("".join(li(f"ch{n}.xhtml", f"Chapter {n}") for n in range(1, chapters + 1))))
