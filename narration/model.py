"""The book model every stage uses: Book -> Chapter -> Section.

Identities come from content, not position: a section's ``id`` is a digest of its text (plus an
occurrence number when the same text appears twice in a chapter), so inserting a paragraph leaves
every other section's id, and so its cached audio, unchanged. A chapter's ``key`` comes from its
script's file name without the number prefix, so renumbering keeps podcast GUIDs stable.

Script format (``scripts/NN-slug.md``)::

    # Chapter title

    A paragraph; single newlines inside a block are kept (poems, lists).

    ## A spoken subheading

    Another paragraph.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from narration import fsutil
from narration.config import BookConfig, load_config
from narration.errors import InputError

SectionKind = Literal["paragraph", "heading"]

_SCRIPT_NAME = re.compile(r"^(\d+)-(.+)\.md$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


@dataclass(frozen=True)
class Section:
    """A paragraph (or a spoken subheading) of a chapter."""

    text: str
    id: str
    kind: SectionKind = "paragraph"


@dataclass(frozen=True)
class Chapter:
    number: int  # 1-based position in the book
    title: str
    slug: str  # file stem, e.g. "03-the-counter-revolution"
    sections: tuple[Section, ...]
    path: Path | None = None

    @property
    def key(self) -> str:
        """Stable identity: the slug without its number prefix."""
        return re.sub(r"^\d+-", "", self.slug)

    @property
    def text(self) -> str:
        return "\n\n".join(s.text for s in self.sections)

    @property
    def word_count(self) -> int:
        return sum(len(s.text.split()) for s in self.sections)


@dataclass(frozen=True)
class Book:
    title: str
    author: str
    language: str
    chapters: tuple[Chapter, ...]
    config: BookConfig = field(default_factory=BookConfig)
    scripts_dir: Path | None = None

    @property
    def slug(self) -> str:
        return book_slug(self.title)

    @property
    def root(self) -> Path:
        """The project root: the folder that holds ``scripts/``."""
        return (self.scripts_dir or Path.cwd() / "scripts").resolve().parent

    @property
    def word_count(self) -> int:
        return sum(c.word_count for c in self.chapters)

    def select(self, numbers: Sequence[int] | None) -> tuple[Chapter, ...]:
        """The chapters with these 1-based numbers, in order (all when None); :class:`InputError`
        for a number the book does not have."""
        if numbers is None:
            return self.chapters
        missing = [n for n in numbers if not 1 <= n <= len(self.chapters)]
        if missing:
            raise InputError(f"no chapter {missing[0]}: the book has {len(self.chapters)} chapters")
        return tuple(self.chapters[n - 1] for n in sorted(set(numbers)))


def slugify(text: str, max_len: int = 60) -> str:
    """ASCII, lower-case, hyphenated: ``"From the “Third Period”..."`` -> ``"from-the-third-period"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_len:
        slug = slug[:max_len].rsplit("-", 1)[0]
    return slug


def book_slug(title: str) -> str:
    """A book's identity in file names and podcast GUIDs: its title slugified (``"book"`` if empty)."""
    return slugify(title) or "book"


def normalise_ws(text: str) -> str:
    return re.sub(r"[ \t]+", " ", text.strip())


def section_ids(texts: list[str]) -> list[str]:
    """Content-derived ids; the n-th repeat of the same text gets ``-n``."""
    seen: dict[str, int] = {}
    ids = []
    for text in texts:
        base = fsutil.digest(normalise_ws(text))[:16]
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids


def make_sections(blocks: list[tuple[SectionKind, str]]) -> tuple[Section, ...]:
    ids = section_ids([text for _, text in blocks])
    return tuple(Section(text=text, id=sid, kind=kind) for (kind, text), sid in zip(blocks, ids, strict=True))


def parse_script(text: str, fallback_title: str) -> tuple[str, tuple[Section, ...]]:
    """Parse a chapter script into its title and sections."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    title: str | None = None
    blocks: list[tuple[SectionKind, str]] = []
    for block in re.split(r"\n\s*\n", text):
        block = "\n".join(line.rstrip() for line in block.strip("\n").splitlines()).strip()
        if not block:
            continue
        match = _HEADING.match(block) if "\n" not in block else None
        if match and len(match.group(1)) == 1 and title is None and not blocks:
            title = match.group(2).strip()
        elif match:
            blocks.append(("heading", match.group(2).strip()))
        else:
            blocks.append(("paragraph", block))
    return (title or fallback_title), make_sections(blocks)


def render_script(title: str, sections: list[Section] | tuple[Section, ...]) -> str:
    parts = [f"# {title}"]
    for section in sections:
        parts.append(f"## {section.text}" if section.kind == "heading" else section.text)
    return "\n\n".join(parts) + "\n"


def script_paths(scripts_dir: Path) -> list[Path]:
    numbered = [(match, p) for p in Path(scripts_dir).glob("*.md") if (match := _SCRIPT_NAME.match(p.name))]
    return [p for _, p in sorted(numbered, key=lambda mp: (int(mp[0].group(1)), mp[1].name))]


def load_chapter(path: Path, number: int) -> Chapter:
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    stem = path.stem
    match = _SCRIPT_NAME.match(path.name)
    fallback = (match.group(2) if match else stem).replace("-", " ").capitalize()
    title, sections = parse_script(raw, fallback)
    return Chapter(number=number, title=title, slug=stem, sections=sections, path=path)


def load_book(scripts_dir: Path | str = "scripts", *, require_text: bool = True) -> Book:
    """Load a ``scripts/`` folder (chapter scripts and ``book.toml``) into a :class:`Book`."""
    scripts_dir = Path(scripts_dir)
    if not scripts_dir.is_dir():
        raise InputError(f"{scripts_dir}: no such scripts folder (run 'narration split SOURCE' first)")
    config = load_config(scripts_dir)
    paths = script_paths(scripts_dir)
    if not paths:
        raise InputError(f"{scripts_dir}: no chapter scripts (NN-slug.md) found")
    chapters = tuple(load_chapter(p, i) for i, p in enumerate(paths, 1))
    if require_text:
        for chapter in chapters:
            if not any(s.kind == "paragraph" for s in chapter.sections):
                raise InputError(f"{chapter.path}: chapter {chapter.title!r} has no text to narrate")
    return Book(
        title=config.title,
        author=config.author,
        language=config.language,
        chapters=chapters,
        config=config,
        scripts_dir=scripts_dir,
    )
