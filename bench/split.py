"""Benchmark of ``narration split`` (the library call, no file writes).

Measures, on this machine:

1. the split of a ~500 KB text built from the bundled pamphlet (repeated until the size is
   reached), once as written (one line per paragraph) and once hard-wrapped at 72 columns (so
   re-wrapping and de-hyphenation do real work);
2. linearity on a single line without punctuation: the time for 1 MB and for 2 MB, and their
   ratio (about 2 for linear time; catastrophic regex backtracking would give 4 or far more);
3. the split of an EPUB 3 generated here from the pamphlet (about 150,000 words in 40 chapter
   files with a navigation document, note references, page-break markers, front matter and a
   800x1200 JPEG cover; about 1 MB as a file, the XHTML deflated as EPUBs are): ``split_epub``,
   from opening the archive to the chapters, the cover fitted to 1400 px.

Each figure is the best of ``--repeat`` runs of ``split_text`` timed with ``time.perf_counter``,
after one warm-up run; ratios are measured within the same run.

    python bench/split.py                 # 500 KB text, 2 MB line
    python bench/split.py --size-kb 50 --line-mb 0.2 --epub-words 20000 --repeat 1   # a quick check
"""

from __future__ import annotations

import argparse
import html
import tempfile
import textwrap
import time
import zipfile
from pathlib import Path

from narration.config import TextConfig
from narration.text.epub import split_epub
from narration.text.split import split_text

PAMPHLET = Path(__file__).resolve().parents[2] / "shared" / "texts" / "russia-how-the-bureaucracy-seized-power.txt"


def build_text(size: int) -> str:
    """The pamphlet repeated until ``size`` characters (whole paragraphs)."""
    source = PAMPHLET.read_text(encoding="utf-8")
    paragraphs = source.split("\n\n")
    out: list[str] = []
    total, copy = 0, 0
    while total < size:
        copy += 1
        for paragraph in paragraphs[1:] if copy > 1 else paragraphs:  # one title line only
            out.append(paragraph)
            total += len(paragraph) + 2
            if total >= size:
                break
    return "\n\n".join(out)


def hard_wrap(text: str, width: int = 72) -> str:
    return "\n\n".join(textwrap.fill(p, width) if "\n" not in p else p for p in text.split("\n\n"))


def best_time(text: str, repeat: int) -> tuple[float, int]:
    result = split_text(text, TextConfig())  # warm-up (regex compilation, caches)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = split_text(text, TextConfig())
        times.append(time.perf_counter() - start)
    return min(times), len(result.chapters)


XHTML = (
    '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" '
    'xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="en"><head><title>{title}</title></head>'
    '<body epub:type="bodymatter"><section id="{id}" epub:type="chapter"><h2 epub:type="title">{title}</h2>\n'
    "{body}</section></body></html>"
)


def _chapter_body(paragraphs: list[str], n: int) -> str:
    out = []
    for i, paragraph in enumerate(paragraphs):
        words = html.escape(paragraph).split(" ")
        middle = len(words) // 2
        words[middle] += f'<a href="notes.xhtml#note-{n}-{i}" id="noteref-{n}-{i}" epub:type="noteref">{i}</a>'
        out.append(f'<p id="p-{n}-{i}">{" ".join(words)}</p>')
        if i % 7 == 0:
            out.append(f'<span epub:type="pagebreak" id="page-{n}-{i}" title="{i}"/>')
    return "\n".join(out)


def cover_jpeg(width: int = 800, height: int = 1200) -> bytes:
    """A photograph-like (noisy, so barely compressible) cover."""
    import io

    import numpy as np
    from PIL import Image

    noise = np.random.default_rng(1).random((height, width, 3)) * 127
    pixels = (noise + np.linspace(0, 120, height)[:, None, None]).astype("uint8")
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def build_epub(path: Path, words: int, chapters: int = 40) -> Path:
    """An EPUB 3 of about ``words`` words: the pamphlet's paragraphs dealt into ``chapters`` files."""
    paragraphs = [p for p in PAMPHLET.read_text(encoding="utf-8").split("\n\n") if len(p.split()) > 12]
    text: list[str] = []
    while sum(len(p.split()) for p in text) < words:
        text += paragraphs
    per = len(text) // chapters + 1
    files = {f"text/chapter-{n}.xhtml": text[(n - 1) * per : n * per] for n in range(1, chapters + 1)}
    manifest = "".join(
        f'<item id="c{n}" href="{name}" media-type="application/xhtml+xml"/>' for n, name in enumerate(files, 1)
    )
    spine = '<itemref idref="title"/>' + "".join(f'<itemref idref="c{n}"/>' for n in range(1, len(files) + 1))
    opf = (
        '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="u">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="u">bench</dc:identifier>'
        "<dc:title>Bench</dc:title><dc:creator>Bench Writer</dc:creator><dc:language>en</dc:language></metadata>"
        '<manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
        '<item id="title" href="text/titlepage.xhtml" media-type="application/xhtml+xml"/>'
        '<item id="cover" href="images/cover.jpg" media-type="image/jpeg" properties="cover-image"/>'
        f'<item id="notes" href="text/notes.xhtml" media-type="application/xhtml+xml"/>{manifest}</manifest>'
        f'<spine>{spine}<itemref idref="notes"/></spine></package>'
    )
    toc = "".join(f'<li><a href="{name}">Chapter {n}</a></li>' for n, name in enumerate(files, 1))
    nav = XHTML.format(title="Contents", id="toc", body=f'<nav epub:type="toc"><ol>{toc}</ol></nav>')
    notes = "".join(
        f'<li id="note-{n}-{i}"><p>Note {i}.</p></li>' for n in range(1, len(files) + 1) for i in range(per)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/epub+zip", zipfile.ZIP_STORED)
        z.writestr(
            "META-INF/container.xml",
            '<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0"><rootfiles>'
            '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>",
        )
        z.writestr("OEBPS/content.opf", opf)
        z.writestr("OEBPS/nav.xhtml", nav)
        z.writestr("OEBPS/images/cover.jpg", cover_jpeg(), zipfile.ZIP_STORED)
        z.writestr(
            "OEBPS/text/titlepage.xhtml",
            XHTML.format(title="Titlepage", id="titlepage", body="<p>Bench</p>").replace(
                'epub:type="chapter"', 'epub:type="titlepage"'
            ),
        )
        z.writestr(
            "OEBPS/text/notes.xhtml",
            XHTML.format(title="Notes", id="endnotes", body=f"<ol>{notes}</ol>").replace(
                'epub:type="chapter"', 'epub:type="endnotes"'
            ),
        )
        for n, (name, chunk) in enumerate(files.items(), 1):
            z.writestr(
                f"OEBPS/{name}", XHTML.format(title=f"Chapter {n}", id=f"chapter-{n}", body=_chapter_body(chunk, n))
            )
    return path


def bench_epub(words: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = build_epub(Path(tmp) / "bench.epub", words)
        with zipfile.ZipFile(path) as z:
            xhtml_bytes = sum(i.file_size for i in z.infolist() if i.filename.endswith(".xhtml"))
        result = split_epub(path)  # warm-up
        times, cpu = [], []
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            result = split_epub(path)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        print(f"split_epub, best of {repeat} runs after a warm-up (wall: time.perf_counter, CPU: time.process_time):")
        print(
            f"  EPUB {path.stat().st_size / 1e6:.2f} MB ({xhtml_bytes / 1e6:.2f} MB of XHTML), "
            f"{result.word_count:,} words, {len(result.chapters)} chapters, {len(result.files)} cover: "
            f"{min(times) * 1000:.0f} ms wall, {min(cpu) * 1000:.0f} ms CPU (target: at most 1000 ms)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-kb", type=float, default=500)
    parser.add_argument("--line-mb", type=float, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--epub-words", type=int, default=150_000)
    args = parser.parse_args()

    text = build_text(int(args.size_kb * 1000))
    wrapped = hard_wrap(text)
    print(f"split_text, best of {args.repeat} runs after a warm-up (time.perf_counter):")
    for label, sample in (("as written", text), ("hard-wrapped at 72", wrapped)):
        seconds, chapters = best_time(sample, args.repeat)
        size_kb = len(sample.encode("utf-8")) / 1000
        print(
            f"  {size_kb:7.0f} KB {label:<20} {seconds * 1000:8.1f} ms  ({chapters} chapters, "
            f"{size_kb / 1000 / seconds:5.1f} MB/s)"
        )

    print("single line, no punctuation (linearity):")
    line_chars = int(args.line_mb * 1_000_000)
    for name, unit in (("words", "word "), ("no spaces", "abcde")):
        half = best_time(unit * (line_chars // 2 // len(unit)), args.repeat)[0]
        full = best_time(unit * (line_chars // len(unit)), args.repeat)[0]
        print(
            f"  {name:<10} {args.line_mb / 2:4.1f} MB {half * 1000:8.1f} ms   {args.line_mb:4.1f} MB "
            f"{full * 1000:8.1f} ms   ratio {full / half:4.2f} (2.0 = linear)"
        )

    bench_epub(args.epub_words, args.repeat)


if __name__ == "__main__":
    main()
