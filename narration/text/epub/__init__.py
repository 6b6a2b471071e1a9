"""EPUB 2 and 3 input for ``narration split``: :func:`split_epub` -> a :class:`SplitResult`.

container -> package document (:mod:`.package`) -> spine documents as blocks (:mod:`.content`)
-> table of contents (:mod:`.toc`) laid over the reading order (:mod:`.chapters`); metadata,
cover (:mod:`.cover`) and pronunciation hints (:mod:`.pronunciation`) go beside the scripts.
What is not narrated is data in :mod:`.rules`; the archive and XML safety limits are in
:mod:`.archive`.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from narration.config import BookConfig, TextConfig
from narration.errors import InputError
from narration.text.epub import rules as R
from narration.text.epub.archive import Archive, open_archive, parse_document, resolve_href
from narration.text.epub.chapters import Planner, Stream, drafts_from_cuts, heading_cuts, opening_draft
from narration.text.epub.content import DocText, PronunciationHint, mark_note_targets, read_document
from narration.text.epub.cover import fit_cover
from narration.text.epub.package import Package, open_package
from narration.text.epub.pronunciation import collect, pls_hints, render_lexicon, report_lines
from narration.text.epub.toc import Target, TocEntry, count_entries, nav_landmarks, nav_toc, ncx_toc
from narration.text.lexicon import LEXICON_TOML
from narration.text.result import ChapterDraft, ExtraFile, SplitReport, SplitResult, make_chapters

log = logging.getLogger(__name__)

__all__ = ["split_epub"]


def join_names(names: tuple[str, ...]) -> str:
    if len(names) <= 1:
        return names[0] if names else ""
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _documents(
    archive: Archive, package: Package, config: TextConfig
) -> tuple[dict[str, DocText], set[str], list[str]]:
    roots: dict[str, etree._Element] = {}
    nonlinear: set[str] = set()
    skipped: list[str] = []
    for ref in package.spine:
        path = ref.item.path or ""
        if not ref.linear:
            nonlinear.add(path)
            skipped.append(f'{path}: not in the reading order (linear="no")')
        elif not ref.item.is_document:
            skipped.append(f"{path}: not a text document ({ref.item.media_type})")
        elif path not in roots:
            roots[path] = parse_document(archive.read(path), f"{archive.name}: {path}")
    if config.footnotes:
        mark_note_targets(roots, resolve_href)
    return {path: read_document(root, path, config) for path, root in roots.items()}, nonlinear, skipped


@dataclass(frozen=True)
class Contents:
    entries: tuple[TocEntry, ...]
    source: str  # nav, NCX or headings
    landmarks: dict[Target, set[str]]


@dataclass(frozen=True)
class ChapterPlan:
    drafts: list[ChapterDraft]
    sources: list[str]  # per draft
    skipped: list[str]
    warnings: list[str]


def _toc(archive: Archive, package: Package) -> Contents:
    landmarks: dict[Target, set[str]] = {}
    if package.nav is not None and package.nav.path:
        root = parse_document(archive.read(package.nav.path), f"{archive.name}: {package.nav.path}")
        entries, landmarks = nav_toc(root, package.nav.path), nav_landmarks(root, package.nav.path)
        if entries:
            return Contents(entries, "nav", landmarks)
    if package.ncx is not None and package.ncx.path:
        entries = ncx_toc(archive.xml(package.ncx.path), package.ncx.path)
        if entries:
            return Contents(entries, "NCX", landmarks)
    return Contents((), "headings", landmarks)


def _marks(landmarks: dict[Target, set[str]], guide: dict[Target, str]) -> dict[Target, str]:
    names = {**R.FRONT_BACK_TYPES, **R.CONTENTS_TYPES}
    marks = {}
    for target, kinds in landmarks.items():
        for kind in sorted(kinds & names.keys()):
            marks[target] = f"{names[kind]} (landmarks)"
    for target, kind in guide.items():
        if kind in R.GUIDE_TYPES and kind != "notes":
            marks.setdefault(target, f"{R.GUIDE_TYPES[kind]} (guide)")
    return marks


def _chapters(stream: Stream, contents: Contents, marks: dict[Target, str], config: TextConfig) -> ChapterPlan:
    entries, source = contents.entries, contents.source
    planner = Planner(stream, config, marks)
    planner.plan(entries)
    planner.unlisted_matter()
    warnings = planner.warnings
    if not any(c.kind == "chapter" for c in planner.cuts):
        if entries:
            warnings.append(f"the table of contents ({source}) gives no chapters: chapters come from the headings")
        source, planner.cuts = "headings", heading_cuts(stream, config)
        planner.skipped += [
            f"{c.title!r}: {R.title_rule(c.title)} (by its title)" for c in planner.cuts if c.kind == "skip"
        ]
    drafts, empty = drafts_from_cuts(stream, planner.cuts, config)
    reported = planner.skipped_paths | {line.partition(":")[0] for line in planner.skipped}
    planner.skipped += [
        s for d in stream.docs.values() for s in d.skipped if s.partition("#")[0].partition(":")[0] not in reported
    ]
    sources = [source] * len(drafts)
    opening = opening_draft(stream, planner.cuts, config)
    if opening is not None:
        drafts.insert(0, opening)
        sources.insert(0, "headings")
        warnings.append(f"text before the first contents entry became a chapter: {opening.title!r}")
    return ChapterPlan(drafts, sources, planner.skipped, warnings + empty)


def _cover(archive: Archive, package: Package) -> tuple[list[ExtraFile], str]:
    item = package.cover
    if item is None or not archive.has(item.path):
        return [], "no cover image in the EPUB: a cover is generated from the title"
    fitted = fit_cover(archive.read(item.path or ""), item.media_type)
    if isinstance(fitted, str):
        return [], fitted
    return [ExtraFile(fitted.name, fitted.data)], fitted.note


def _pronunciations(
    archive: Archive, package: Package, docs: dict[str, DocText], engine: str
) -> tuple[list[ExtraFile], list[str]]:
    entries: dict[str, str] = {}
    hints: list[PronunciationHint] = []
    for item in package.lexicons:
        found, phonemes = pls_hints(archive.xml(item.path or ""))
        entries.update(found)
        hints += phonemes
    found_all = collect(entries, hints + [h for d in docs.values() for h in d.hints], engine)
    if found_all.empty:
        return [], []
    return [ExtraFile(LEXICON_TOML, render_lexicon(found_all).encode("utf-8"))], report_lines(found_all)


def _counts(docs: dict[str, DocText]) -> list[str]:
    counts: Counter[str] = Counter()
    for doc in docs.values():
        counts.update(doc.counts)
    return R.count_lines(counts)


def split_epub(path: Path | str, config: TextConfig | None = None, *, engine: str = "piper") -> SplitResult:
    """Read an EPUB and cut it into chapters; :class:`InputError` for a damaged, hostile or DRM'd file."""
    path = Path(path)
    config = config or TextConfig()
    archive = open_archive(path)
    with archive.zip:
        package = open_package(archive)
        docs, nonlinear, skipped = _documents(archive, package, config)
        contents = _toc(archive, package)
        stream = Stream(docs, nonlinear)
        plan = _chapters(stream, contents, _marks(contents.landmarks, package.guide), config)
        if not plan.drafts:
            raise InputError(f"{path}: this EPUB has no text to narrate (only images, or only front and back matter)")
        files, cover_note = _cover(archive, package)
        lexicon, lexicon_notes = _pronunciations(archive, package, docs, engine)
    meta = package.metadata
    book = BookConfig(
        title=meta.title or path.stem,
        author=join_names(meta.authors) or "Unknown",
        language=meta.language or "en",
        description=meta.description,
        published=meta.published,
        publisher=meta.publisher,
        identifier=meta.identifier,
        text=config,
    )
    entries = contents.entries
    toc_note = f"contents: {contents.source} ({count_entries(entries)} entries)" if entries else "contents: none"
    report = SplitReport(
        rules={},
        warnings=(*package.warnings, *plan.warnings),
        sources=tuple(plan.sources),
        skipped=(toc_note, cover_note, *skipped, *plan.skipped, *_counts(docs), *lexicon_notes),
    )
    return SplitResult(config=book, chapters=make_chapters(plan.drafts), report=report, files=tuple(files + lexicon))
