"""What a split produces, whatever the source (plain text, EPUB, web page), and its report.

* :class:`SplitResult`: the book's metadata (a :class:`~narration.config.BookConfig`), the
  chapters, a :class:`SplitReport`, and extra files to write beside the scripts (an EPUB's
  cover, its pronunciation lexicon).
* :func:`make_chapters` numbers titled drafts and gives them unique slugs.
* :func:`format_report`: each chapter with its word count (and, for EPUB, where its title came
  from), what each rule removed, what was skipped and why, and the warnings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from narration.config import BOOK_TOML, BookConfig
from narration.model import Chapter, SectionKind, make_sections, slugify
from narration.text.clean import RuleCount


@dataclass(frozen=True)
class SplitReport:
    rules: dict[str, RuleCount]  # rule name -> what it did (enabled rules only)
    warnings: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # per chapter: where its title came from (nav, NCX, headings); () for text
    skipped: tuple[str, ...] = ()  # what was not narrated and why (EPUB, HTML)


@dataclass(frozen=True)
class ExtraFile:
    """A file written beside the scripts (``cover.jpg``, ``lexicon.toml``)."""

    name: str
    data: bytes


@dataclass(frozen=True)
class SplitResult:
    config: BookConfig  # title, author, language, and the tables later stages read
    chapters: tuple[Chapter, ...]
    report: SplitReport
    files: tuple[ExtraFile, ...] = ()

    @property
    def title(self) -> str:
        return self.config.title

    @property
    def word_count(self) -> int:
        return sum(c.word_count for c in self.chapters)


@dataclass(frozen=True)
class ChapterDraft:
    """A chapter before numbering: its title and its sections in order."""

    title: str
    sections: tuple[tuple[SectionKind, str], ...]


def unique_slugs(titles: list[str]) -> list[str]:
    """ASCII slugs, made unique with ``-2``, ``-3``... when titles repeat."""
    used: set[str] = set()
    slugs = []
    for title in titles:
        base = slugify(title) or "chapter"
        slug, n = base, 1
        while slug in used:
            n += 1
            slug = f"{base}-{n}"
        used.add(slug)
        slugs.append(slug)
    return slugs


def make_chapters(drafts: list[ChapterDraft]) -> tuple[Chapter, ...]:
    """Chapters numbered from 1, with slugs ``NN-title`` (zero-padded to the count's width)."""
    width = max(2, len(str(len(drafts))))
    slugs = unique_slugs([d.title for d in drafts])
    return tuple(
        Chapter(number=n, title=d.title, slug=f"{n:0{width}d}-{slug}", sections=make_sections(list(d.sections)))
        for n, (d, slug) in enumerate(zip(drafts, slugs, strict=True), 1)
    )


def _rule_line(name: str, count: RuleCount) -> str:
    verb = "joined" if name in ("rewrap", "dehyphenate") else "removed"
    line = f"  {name.replace('_', ' '):<14} {count.removed:>7,} lines {verb}"
    return line + (f", {count.changed:,} edited" if count.changed and verb == "removed" else "")


def _chapter_lines(result: SplitResult) -> list[str]:
    width = len(str(len(result.chapters)))
    sources = result.report.sources
    lines = []
    for i, c in enumerate(result.chapters):
        source = f"  {sources[i]:<8}" if i < len(sources) else ""
        lines.append(f"  {c.number:>{width}}  {c.word_count:>7,} words{source}  {c.title}")
    return lines


def format_report(result: SplitResult, out_dir: Path | str | None = None, dry_run: bool = False) -> str:
    """Chapters with their word counts, what each rule did, what was skipped, and the warnings."""
    book = result.config
    lines = [f"{book.title!r} by {book.author}: {len(result.chapters)} chapters, {result.word_count:,} words", ""]
    lines += _chapter_lines(result)
    if result.report.rules:
        lines += ["", "Cleaning:"] + [_rule_line(n, c) for n, c in result.report.rules.items()]
    if result.report.skipped:
        lines += ["", "Not narrated:"] + [f"  - {s}" for s in result.report.skipped]
    if result.report.warnings:
        lines += ["", "Warnings:"] + [f"  - {w}" for w in result.report.warnings]
    where = Path(out_dir) if out_dir is not None else Path("scripts")
    extra = "".join(f", {f.name}" for f in result.files)
    lines.append("")
    if dry_run:
        lines.append(f"Dry run: nothing written (would write {len(result.chapters)} scripts{extra} to {where}/).")
    else:
        written = f", {BOOK_TOML}{extra}" if extra else f" and {BOOK_TOML}"
        lines.append(f"Wrote {len(result.chapters)} chapter scripts{written} to {where}/")
    return "\n".join(lines)
