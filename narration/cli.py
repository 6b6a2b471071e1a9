"""The ``narration`` command: a thin layer that parses options, calls the library and reports.

Every domain error (:class:`narration.errors.NarrationError`) becomes a one-line message and exit
code 1; Ctrl-C exits 130 with what was already made kept.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from narration import __version__
from narration.commands import studio as studio_command
from narration.commands.options import (
    CACHE_OPTION,
    CHAPTERS_OPTION,
    CLUSTER_OPTION,
    CLUSTER_TIMEOUT_OPTION,
    ENGINE_OPTION,
    NO_WAIT_OPTION,
    OUT_OPTION,
    SCRIPTS_OPTION,
    VOICE_OPTION,
)
from narration.errors import NarrationError


class NarrationGroup(click.Group):
    """Turns domain errors into ClickException, so no traceback reaches the user."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except NarrationError as exc:
            raise click.ClickException(str(exc)) from exc
        except KeyboardInterrupt:
            click.echo("\nInterrupted: finished work is kept; run the command again to resume.", err=True)
            sys.exit(130)


@click.group(cls=NarrationGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="narration")
@click.option("-v", "--verbose", count=True, help="More diagnostics (-vv for debug).")
def cli(verbose: int) -> None:
    """Turn a long text into an audiobook and a podcast.

    \b
    Typical use:
      narration split book.txt          # raw text -> scripts/NN-slug.md
      narration build                   # scripts/ -> output/ (audiobook, episodes, feed, site)
      narration serve                   # let a podcast app subscribe
    """
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def _notify(message: str) -> None:
    click.echo(message, err=True)


@contextlib.contextmanager
def book_lock(root: Path, command: str, no_wait: bool) -> Iterator[None]:
    """Hold the lock of the book in ``root`` (see :mod:`narration.lock`), saying whom it waits for."""
    from narration.lock import BookLock

    with BookLock(root, command).hold(wait=not no_wait, notify=_notify):
        yield


# --- split -------------------------------------------------------------------------------------


@cli.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("scripts"),
    show_default=True,
    help="Folder for the chapter scripts and book.toml.",
)
@click.option("--title", help="Book title (default: the EPUB's or page's title, the text's own title line).")
@click.option("--author", help="Author (default: the EPUB's authors, a Gutenberg header or book.toml, else Unknown).")
@click.option("--language", help="Language code of the text, e.g. en (default: book.toml's, else en).")
@click.option("--encoding", help="Encoding of a text SOURCE when it is not UTF-8, e.g. cp1252 or latin-1.")
@click.option("--dry-run", is_flag=True, help="Print the report, write nothing.")
@click.option("--force", is_flag=True, help="Replace chapter scripts already in --out (your edits are lost).")
@NO_WAIT_OPTION
def split(
    source: Path,
    out_dir: Path,
    title: str | None,
    author: str | None,
    language: str | None,
    encoding: str | None,
    dry_run: bool,
    force: bool,
    no_wait: bool,
) -> None:
    """Split SOURCE (.txt, Markdown, .epub or a saved web page) into chapter scripts OUT/NN-slug.md.

    Removes what must not be read aloud (image captions, Gutenberg license, contents tables,
    footnote markers, markup), re-joins hard-wrapped lines, finds the chapter headings and writes
    one editable script per chapter plus book.toml. Rules can be switched off in book.toml [text].

    An EPUB's chapters come from its table of contents, in reading order; its title page,
    copyright page, colophon, contents and notes are not narrated; its metadata goes to book.toml
    and its cover to OUT/cover.jpg. A web page's main text is kept, its h1-h3 make the chapters.

    \b
    Examples:
      narration split book.txt --author "Jane Doe"
      narration split book.md --out scripts/ --dry-run
      narration split book.epub
      narration split article.html --dry-run
    """
    from narration.text.split import format_report, split_file, write_scripts

    result = split_file(source, out_dir, title=title, author=author, language=language, encoding=encoding)
    if dry_run:
        write_scripts(result, out_dir, force=force, dry_run=True)
    else:
        with book_lock(out_dir.resolve().parent, "narration split", no_wait):
            write_scripts(result, out_dir, force=force)
    click.echo(format_report(result, out_dir, dry_run=dry_run))
    for warning in result.report.warnings:
        click.echo(f"warning: {warning}", err=True)


# --- synth / status / voices -------------------------------------------------------------------


@cli.command()
@SCRIPTS_OPTION
@ENGINE_OPTION
@VOICE_OPTION
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: the number of cores).")
@CACHE_OPTION
@CHAPTERS_OPTION
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: when on a terminal).")
@CLUSTER_OPTION
@CLUSTER_TIMEOUT_OPTION
@NO_WAIT_OPTION
def synth(
    scripts_dir: Path,
    engine: str | None,
    voice: str | None,
    jobs: int | None,
    cache_dir: Path | None,
    chapters: list[int] | None,
    progress: bool | None,
    cluster: str | None,
    cluster_timeout: float | None,
    no_wait: bool,
) -> None:
    """Synthesise every clip the scripts need that is not in the cache yet.

    Each section is cut into sentence-aligned pieces and spoken once; clips are reused until the
    text, the lexicon or the voice changes. Ctrl-C stops cleanly; run again to resume.

    \b
    Examples:
      narration synth                              # all chapters, Piper, one job per core
      narration synth --chapters 1-3 --jobs 2
      narration synth --engine espeak --voice en-gb
      narration synth --voice ~/voices/en_GB-alan-medium.onnx
      narration synth --cluster tcp://10.0.0.5:8786  # on the workers of a Dask scheduler
    """
    from narration.model import load_book
    from narration.synth.pipeline import synthesize_book
    from narration.synth.report import format_result

    book = load_book(scripts_dir)
    show = click.get_text_stream("stderr").isatty() if progress is None else progress
    with book_lock(book.root, "narration synth", no_wait):
        result = synthesize_book(
            book,
            engine=engine,
            voice=voice,
            jobs=jobs,
            cache_dir=cache_dir,
            progress=show,
            chapters=chapters,
            cluster=cluster,
            cluster_timeout=cluster_timeout,
        )
    click.echo(format_result(result))


@cli.command()
@SCRIPTS_OPTION
@ENGINE_OPTION
@VOICE_OPTION
@CACHE_OPTION
@CHAPTERS_OPTION
def status(
    scripts_dir: Path, engine: str | None, voice: str | None, cache_dir: Path | None, chapters: list[int] | None
) -> None:
    """Tell what 'narration synth' would make, without making anything.

    \b
    Examples:
      narration status
      narration status --engine espeak --chapters 2
    """
    from narration.model import load_book
    from narration.synth.pipeline import synth_status
    from narration.synth.report import format_status

    book = load_book(scripts_dir)
    click.echo(format_status(synth_status(book, engine=engine, voice=voice, cache_dir=cache_dir, chapters=chapters)))


@cli.command()
@click.option("--engine", "engines", multiple=True, help="Only this engine, listing all its voices (repeatable).")
def voices(engines: tuple[str, ...]) -> None:
    """List the TTS engines and the voices each has on this machine.

    \b
    Examples:
      narration voices
      narration voices --engine espeak
    """
    from narration.synth.engines import list_engines
    from narration.synth.report import format_voices

    click.echo(format_voices(list_engines(list(engines) or None), full=bool(engines)))


# --- build ---------------------------------------------------------------------------------------


@cli.command("build")
@SCRIPTS_OPTION
@OUT_OPTION
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), help="Processes (default: book.toml [synth] jobs, else cores)."
)
@click.option(
    "--profile", help="Mastering profile: podcast (-16 LUFS) or acx (default: book.toml [audio], else podcast)."
)
@CHAPTERS_OPTION
@click.option("--base-url", help="Address the output folder is served at, for the feed (http/https).")
@click.option("--progress/--no-progress", default=None, help="Show progress bars (default: when on a terminal).")
@CLUSTER_OPTION
@CLUSTER_TIMEOUT_OPTION
@NO_WAIT_OPTION
def build_command(
    scripts_dir: Path,
    out_dir: Path,
    jobs: int | None,
    profile: str | None,
    chapters: list[int] | None,
    base_url: str | None,
    progress: bool | None,
    cluster: str | None,
    cluster_timeout: float | None,
    no_wait: bool,
) -> None:
    """Build the audiobook (M4B and MP3 with chapters), the episodes, the feed, the read-along EPUB and the page.

    Synthesises what is missing, masters and encodes only the clips that changed (each with its
    pauses), and re-assembles the episodes and book files from the cached encodes by stream copy.
    A rebuild with nothing changed does nothing.

    \b
    Examples:
      narration build                          # scripts/ -> output/
      narration build --chapters 1-3           # a quick preview of three chapters
      narration build --profile acx --jobs 2
      narration build --base-url https://example.org/book/
      narration build --cluster tcp://10.0.0.5:8786   # synthesis on a Dask cluster's workers
      narration build --cluster local:4               # or on 4 Dask worker processes here
    """
    from narration.build import build, summary
    from narration.model import load_book

    book = load_book(scripts_dir)
    show = click.get_text_stream("stderr").isatty() if progress is None else progress
    report = build(
        book,
        out_dir=out_dir,
        jobs=jobs,
        profile=profile,
        chapters=chapters,
        progress=show,
        base_url=base_url,
        wait=not no_wait,
        notify=_notify,
        cluster=cluster,
        cluster_timeout=cluster_timeout,
    )
    click.echo(summary(report))


# --- serve ---------------------------------------------------------------------------------------

from narration.publish.rules import DEFAULT_HOST, DEFAULT_PORT  # noqa: E402  (kept inside this block)


@cli.command()
@OUT_OPTION
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on (0.0.0.0: the LAN).")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True, help="Port to listen on."
)
def serve(out_dir: Path, host: str, port: int) -> None:
    """Serve the output folder so a podcast app can subscribe to the feed.

    The feed it serves points at the address the server is reached at. Stop with Ctrl-C.

    \b
    Examples:
      narration serve                               # http://127.0.0.1:8000/, this machine
      narration serve --host 0.0.0.0 --port 8080    # phones on the same network too
    """
    from werkzeug.serving import BaseWSGIServer

    from narration.publish.serve import serve as run_server
    from narration.publish.serve import server_url

    def ready(server: BaseWSGIServer) -> None:
        url = server_url(server)
        click.echo(f"Serving {out_dir} at {url}")
        click.echo(f"Podcast feed: {url}feed.xml   (Ctrl-C to stop)")
        if host in ("0.0.0.0", "::"):
            click.echo("On another device, use this machine's network address instead of localhost.")

    run_server(out_dir, host, port, ready=ready)


# Commands defined in narration.commands are registered here, one line each.
from narration.commands.check import check_command  # noqa: E402
from narration.commands.say import say_command  # noqa: E402
from narration.commands.words import words_command  # noqa: E402

cli.add_command(words_command)
cli.add_command(say_command)
cli.add_command(check_command)
cli.add_command(studio_command.studio)


def main() -> None:
    cli(prog_name="narration")


if __name__ == "__main__":
    main()
