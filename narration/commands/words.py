"""``narration words``: the words of the book the voice is likely to get wrong, most worth fixing first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from narration.commands.options import CHAPTERS_OPTION, SCRIPTS_OPTION

if TYPE_CHECKING:
    from narration.text.words import WordsReport


def chapter_ranges(numbers: tuple[int, ...]) -> str:
    """``(1, 2, 3, 5)`` -> ``"1-3, 5"``."""
    parts: list[str] = []
    start: int | None = None
    previous: int | None = None
    for number in (*numbers, None):
        if number is not None and previous is not None and number == previous + 1:
            previous = number
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = number
    return ", ".join(parts)


def format_words(report: WordsReport, limit: int | None) -> str:
    """The report as a table: one line per word, its sample sentence under it."""
    shown = report.words if not limit else report.words[:limit]
    lines = [
        f"{len(report.words)} words the voice may get wrong, of {report.distinct_words} distinct words in "
        f"{report.sentences} sentences (most worth fixing first; * = already in lexicon.toml):",
        "",
    ]
    width = max((len(w.word) for w in shown), default=4)
    wheres = [f"ch. {chapter_ranges(w.chapters)}" for w in shown]
    where_width = min(24, max((len(w) for w in wheres), default=4))
    for rank, (word, where) in enumerate(zip(shown, wheres, strict=True), 1):
        mark = "*" if word.in_lexicon else " "
        reasons = ", ".join(word.reasons)
        lines.append(f"{rank:4} {mark} {word.word:<{width}}  {word.count:4}x  {where:<{where_width}}  {reasons}")
        lines.append(f"{'':9}“{word.sample}”")
    if limit and len(report.words) > limit:
        lines += ["", f"... and {len(report.words) - limit} more (--limit 0 lists them all)."]
    lines += ["", 'Fix one in scripts/lexicon.toml ([words]  Name = "respelling"), then: narration say Name']
    return "\n".join(lines)


def words_json(report: WordsReport) -> str:
    return json.dumps(
        {
            "sentences": report.sentences,
            "distinct_words": report.distinct_words,
            "words": [
                {
                    "word": w.word,
                    "count": w.count,
                    "chapters": list(w.chapters),
                    "sample": w.sample,
                    "reasons": list(w.reasons),
                    "score": w.score,
                    "in_lexicon": w.in_lexicon,
                }
                for w in report.words
            ],
        },
        ensure_ascii=False,
        indent=2,
    )


@click.command("words")
@SCRIPTS_OPTION
@CHAPTERS_OPTION
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a ranked table; json: every word, for tools.",
)
@click.option(
    "--limit", type=click.IntRange(min=0), default=40, show_default=True, help="Words in the table (0: all; text only)."
)
def words_command(scripts_dir: Path, chapters: list[int] | None, output_format: str, limit: int) -> None:
    """List the words of the book the voice is likely to get wrong.

    Words not in the CMU pronouncing dictionary, names, foreign spellings, unusual letter patterns,
    mixed-case and hyphenated names, each with its count, chapters and a sentence that says it,
    ranked so the first screen is the most worth fixing. Words already in scripts/lexicon.toml are
    marked with * and listed last.

    \b
    Examples:
      narration words                        # the 40 most worth fixing
      narration words --chapters 3 --limit 0
      narration words --format json > words.json
    """
    from narration.model import load_book
    from narration.synth.plan import select_chapters
    from narration.text.words import discover_words

    book = load_book(scripts_dir)
    picked = None if chapters is None else select_chapters(book, chapters)
    report = discover_words(book, picked)
    click.echo(words_json(report) if output_format == "json" else format_words(report, limit))
