"""``narration split``: a raw long text (``.txt`` or Markdown) -> clean chapter scripts.

Library API (the CLI command only parses options and calls these):

* :func:`read_source` reads a file as text: UTF-8 with or without BOM (UTF-16 with a BOM too);
  a missing file, a folder, a binary file, an empty file or a non-UTF-8 file raise
  :class:`~narration.errors.InputError` with a message that says what to do (``--encoding``).
* :func:`split_text` cleans the text (:mod:`narration.text.clean`), finds headings
  (:mod:`narration.text.headings`) and returns a :class:`SplitResult`: the chapters, the book's
  metadata and a report (lines each rule removed, warnings).
* :func:`split_file` = read + split, taking rule switches and metadata from an existing
  ``book.toml`` in the output folder, so a user can turn a rule off and split again.
* :func:`write_scripts` writes ``NN-slug.md`` per chapter and ``book.toml`` (atomically), and
  refuses to overwrite existing scripts without ``force``.

How the text becomes chapters:

* The document's own title line (its first line, when it reads like a title) becomes the book
  title, not a chapter. Short non-prose lines under it (``by Lewis Carroll``, an edition line)
  are front matter and dropped; prose before the first heading becomes an opening chapter
  (``opening_title``, "Introduction" by default).
* A text with no headings becomes one chapter, with a warning.
* A heading with no text under it is joined to the next heading (``Part One — Chapter 1: ...``),
  or dropped with a warning when nothing follows it.
* Repeated titles are kept; their slugs are made unique (``notes``, ``notes-2``), with a warning.
* Footnotes: inline markers (``[1]``, ``[A]``, ``[^1]``) are removed and footnote bodies
  (``[Footnote 1: ...]``, paragraphs that start with a marker, a trailing ``Notes`` /
  ``Footnotes`` section) are dropped, not narrated: read in the middle of a chapter they break the
  sentence they belong to. Set ``footnotes = false`` in ``book.toml`` to keep them as text.
"""

from __future__ import annotations

import codecs
import dataclasses
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from narration import fsutil
from narration.config import BOOK_TOML, BookConfig, TextConfig, load_config, save_config
from narration.errors import ConfigError, InputError, ScriptsExistError
from narration.model import Chapter, SectionKind, render_script, script_paths
from narration.text import patterns as P
from narration.text.clean import RuleCount, blocks_of, clean_text, gutenberg_metadata
from narration.text.headings import (
    Heading,
    chapter_level,
    detect_headings,
    is_book_title,
    is_prose,
    parse_candidate,
    separate_heading_lines,
    tidy_title,
)
from narration.text.result import (  # noqa: F401  (format_report, unique_slugs: re-exported)
    ChapterDraft,
    SplitReport,
    SplitResult,
    format_report,
    make_chapters,
    unique_slugs,
)

log = logging.getLogger(__name__)

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")
EPUB_SUFFIXES = (".epub",)
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
LONG_PARAGRAPH = 20_000  # characters without sentence punctuation worth a warning
_MD_HEADING_LINE = re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE)


@dataclass
class _Draft:
    title: str
    sections: list[tuple[SectionKind, str]] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        return any(kind == "paragraph" for kind, _ in self.sections)


# --- reading -------------------------------------------------------------------------------------


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 8 KB."""
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    return bool(sample) and control / len(sample) > 0.05


def decode_source(data: bytes, name: str, encoding: str | None = None) -> str:
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise ConfigError(f"unknown encoding {encoding!r} (try utf-8, cp1252, latin-1)") from exc
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: not valid {encoding} ({exc.reason} at byte {exc.start})") from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if looks_binary(data):
        hint = " (a zip archive: if it is an EPUB, name it .epub)" if data.startswith(b"PK\x03\x04") else ""
        raise InputError(f"{name} looks like a binary file, not text{hint}: give a .txt, Markdown or .epub file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}). If you know its "
            f"encoding, give it: --encoding cp1252 (Windows), --encoding latin-1, ..."
        ) from exc


def read_source(path: Path | str, encoding: str | None = None) -> str:
    """The text of ``path``; raises :class:`InputError` with a clear message when it is unusable."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path} is a folder: give the text file to split")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror})") from exc
    text = decode_source(data, str(path), encoding)
    if not text.lstrip("\ufeff").strip():
        raise InputError(f"{path} is empty: there is no text to split")
    return text


def looks_like_markdown(text: str) -> bool:
    return len(_MD_HEADING_LINE.findall(text, 0, 2_000_000)) >= 2


# --- blocks and titles --------------------------------------------------------------------------


def tidy_block(block: str) -> str:
    """Lines stripped, runs of spaces collapsed, empty lines dropped."""
    lines = (" ".join(line.split()).removesuffix("\\").rstrip() for line in block.split("\n"))
    return "\n".join(line for line in lines if line)


def paragraph_text(block: str) -> str:
    """A paragraph as it goes into a script (a stray Markdown heading mark is removed)."""
    match = P.MARKDOWN_HEADING.match(block) if "\n" not in block else None
    return match.group(2) if match else block


def _title_index(blocks: list[str], config: TextConfig, known: list[str]) -> int | None:
    """0 when the first paragraph is the document's own title line, else None."""
    if not config.title_line or len(blocks) < 2:
        return None
    cand = parse_candidate(blocks[0])
    if cand is None:
        return None
    if cand.style == "markdown":
        return 0 if cand.level < chapter_level([parse_candidate(b) for b in blocks]) else None
    return 0 if is_book_title(blocks[0], known) else None


def _title_text(block: str) -> str:
    cand = parse_candidate(block)
    return tidy_title(cand.text if cand else block)


def humanise(stem: str) -> str:
    """A title from a file name: ``the-lantern_keeper`` -> ``The lantern keeper``."""
    return re.sub(r"[-_]+", " ", stem).strip().capitalize()


# --- chapters ------------------------------------------------------------------------------------


def _drafts(blocks: list[str], headings: list[Heading], skip: int | None, opening_title: str) -> list[_Draft]:
    """Blocks grouped under their chapter headings; the first draft holds the text before them."""
    starts = {h.index: h for h in headings}
    drafts = [_Draft(opening_title)]
    i = 0
    while i < len(blocks):
        heading = starts.get(i)
        if i == skip:
            pass
        elif heading and heading.kind == "chapter":
            drafts.append(_Draft(heading.title))
        elif heading:
            drafts[-1].sections.append(("heading", heading.title))
        else:
            drafts[-1].sections.append(("paragraph", paragraph_text(blocks[i])))
        i += heading.span if heading else 1
    return drafts


def _drop_front_matter(drafts: list[_Draft], config: TextConfig) -> int:
    """Drop the opening draft when it holds no prose (author line, edition); return its lines."""
    opening = drafts[0]
    if len(drafts) == 1:
        return 0
    no_prose = not any(kind == "paragraph" and is_prose(text) for kind, text in opening.sections)
    if opening.has_text and not (config.front_matter and no_prose):
        return 0
    drafts.pop(0)
    return sum(text.count("\n") + 1 for _, text in opening.sections)


def _join_empty(drafts: list[_Draft]) -> tuple[list[_Draft], list[str]]:
    """A heading with no text under it joins the next one; at the end it is dropped."""
    out: list[_Draft] = []
    warnings: list[str] = []
    pending: _Draft | None = None
    for draft in drafts:
        if pending:
            draft = _Draft(f"{pending.title} — {draft.title}", pending.sections + draft.sections)
            warnings.append(f"heading {pending.title!r} has no text under it: joined to the next as {draft.title!r}")
            pending = None
        if draft.has_text:
            out.append(draft)
        else:
            pending = draft
    if pending:
        warnings.append(f"heading {pending.title!r} has no text under it: dropped")
    return out, warnings


def _chapters(drafts: list[_Draft]) -> tuple[Chapter, ...]:
    return make_chapters([ChapterDraft(d.title, tuple(d.sections)) for d in drafts])


def _duplicate_warnings(chapters: tuple[Chapter, ...]) -> list[str]:
    counts = Counter(c.title.casefold() for c in chapters)
    return [
        f"{n} chapters are titled {title!r}: their scripts are told apart by a number in the file name"
        for title, n in counts.items()
        if n > 1
    ]


def _long_paragraph_warnings(chapters: tuple[Chapter, ...]) -> list[str]:
    return [
        f"chapter {c.title!r} has a paragraph of {len(s.text):,} characters without sentence punctuation"
        for c in chapters
        for s in c.sections
        if len(s.text) > LONG_PARAGRAPH and not re.search(r"[.!?…]", s.text)
    ]


# --- the API -------------------------------------------------------------------------------------


def split_text(
    raw: str,
    config: TextConfig | None = None,
    *,
    title: str | None = None,
    author: str | None = None,
    language: str | None = None,
    markdown: bool = False,
    fallback_title: str | None = None,
) -> SplitResult:
    """Clean ``raw`` and cut it into chapters (see the module docstring for the rules)."""
    config = config or TextConfig()
    meta = gutenberg_metadata(raw) if config.gutenberg else {}
    text, counts = clean_text(raw, config, markdown)
    blocks = separate_heading_lines([tidy_block(b) for b in blocks_of(text)])
    blocks = [b for b in blocks if b]
    if not blocks:
        raise InputError("nothing is left to narrate once the text is cleaned")
    known = [t for t in (title, meta.get("title")) if t]
    skip = _title_index(blocks, config, known)
    headings = [h for h in detect_headings(blocks, config) if h.index != skip]
    book_title = title or (_title_text(blocks[skip]) if skip is not None else None)
    book_title = book_title or meta.get("title") or fallback_title or "Untitled"
    drafts = _drafts(blocks, headings, skip, config.opening_title)
    counts["front_matter"] = RuleCount(removed=_drop_front_matter(drafts, config))
    warnings: list[str] = []
    if not any(h.kind == "chapter" for h in headings):
        drafts = [_Draft(book_title, [s for d in drafts for s in d.sections])]
        warnings.append(f"no headings found: the whole text is one chapter, {book_title!r}")
    drafts, empty = _join_empty(drafts)
    if not drafts:
        raise InputError("the text has headings but no paragraphs under them: nothing to narrate")
    chapters = _chapters(drafts)
    warnings += empty + _duplicate_warnings(chapters) + _long_paragraph_warnings(chapters)
    book = BookConfig(
        title=book_title, author=author or meta.get("author") or "Unknown", language=language or "en", text=config
    )
    return SplitResult(config=book, chapters=chapters, report=SplitReport(rules=counts, warnings=tuple(warnings)))


def split_file(
    source: Path | str,
    out_dir: Path | str = "scripts",
    *,
    title: str | None = None,
    author: str | None = None,
    language: str | None = None,
    encoding: str | None = None,
) -> SplitResult:
    """Read ``source`` and split it; rule switches and metadata default to ``out_dir/book.toml``.

    An ``.epub`` goes to :mod:`narration.text.epub`, a web page (``.html``, ``.htm``, ``.xhtml``)
    to :mod:`narration.text.html`; anything else is read as text.
    """
    source, out_dir = Path(source), Path(out_dir)
    has_config = (out_dir / BOOK_TOML).is_file()
    book = load_config(out_dir) if has_config else BookConfig()
    suffix = source.suffix.lower()
    if suffix in EPUB_SUFFIXES or suffix in HTML_SUFFIXES:
        return _split_markup(source, book, title=title, author=author, language=language)
    raw = read_source(source, encoding)
    defaults = BookConfig()
    markdown = source.suffix.lower() in MARKDOWN_SUFFIXES or looks_like_markdown(raw)
    result = split_text(
        raw,
        book.text,
        title=title,
        author=author or (book.author if book.author != defaults.author else None),
        language=language or book.language,
        markdown=markdown,
        fallback_title=book.title if book.title != defaults.title else humanise(source.stem),
    )
    merged = dataclasses.replace(
        book, title=result.config.title, author=result.config.author, language=result.config.language
    )
    return dataclasses.replace(result, config=merged)


def _split_markup(
    source: Path, book: BookConfig, *, title: str | None, author: str | None, language: str | None
) -> SplitResult:
    """An EPUB or a web page: its own metadata wins over book.toml's, the options over both."""
    if not source.is_file():
        raise InputError(f"{source}: no such file" if not source.exists() else f"{source} is a folder: give a file")
    if source.suffix.lower() in EPUB_SUFFIXES:
        from narration.text.epub import split_epub

        result = split_epub(source, book.text, engine=book.synth.engine)
    else:
        from narration.text.html import split_html

        result = split_html(source, book.text)
    found, defaults = result.config, BookConfig()
    merged = dataclasses.replace(
        book,
        title=title or (found.title if found.title != defaults.title else book.title),
        author=author or (found.author if found.author != defaults.author else book.author),
        language=language or (found.language if found.language != defaults.language else book.language),
        description=found.description or book.description,
        published=found.published or book.published,
        publisher=found.publisher or book.publisher,
        identifier=found.identifier or book.identifier,
    )
    return dataclasses.replace(result, config=merged)


def write_scripts(result: SplitResult, out_dir: Path | str, force: bool = False, dry_run: bool = False) -> list[Path]:
    """Write one script per chapter and ``book.toml``; return the script paths (not written on a dry run).

    Raises :class:`ScriptsExistError` when ``out_dir`` already holds chapter scripts, unless
    ``force``; with ``force``, scripts of chapters that no longer exist are removed.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir} is a file, not a folder for scripts")
    existing = script_paths(out_dir) if out_dir.is_dir() else []
    paths = [out_dir / f"{chapter.slug}.md" for chapter in result.chapters]
    if dry_run:
        return paths
    if existing and not force:
        raise ScriptsExistError(
            f"{out_dir} already holds {len(existing)} chapter scripts; splitting again would overwrite your "
            f"edits. Use --force to replace them, or --out to write elsewhere."
        )
    kept = [f for f in result.files if (out_dir / f.name).exists() and not force]
    out_dir.mkdir(parents=True, exist_ok=True)
    for chapter, path in zip(result.chapters, paths, strict=True):
        fsutil.write_text(path, render_script(chapter.title, chapter.sections))
    for extra in result.files:
        if extra not in kept:
            fsutil.write_bytes(out_dir / extra.name, extra.data)
    for extra in kept:
        log.warning("%s already exists: kept (--force replaces it)", out_dir / extra.name)
    save_config(out_dir, result.config)
    for stale in set(existing) - set(paths):
        stale.unlink()
        log.info("removed %s (no such chapter any more)", stale)
    return paths
