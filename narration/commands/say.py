"""``narration say TEXT``: hear a word, a sentence or a part of the book in the book's voice."""

from __future__ import annotations

from pathlib import Path

import click

from narration.commands.options import CACHE_OPTION, ENGINE_OPTION, SCRIPTS_OPTION, VOICE_OPTION


@click.command("say")
@click.argument("text", required=False)
@SCRIPTS_OPTION
@click.option("--chapter", type=click.IntRange(min=1), help="Speak this chapter (its title and every section).")
@click.option(
    "--section", type=click.IntRange(min=0), help="With --chapter: only this section (1 = the first; 0 = the title)."
)
@click.option(
    "-o",
    "--out",
    "out_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("say.wav"),
    show_default=True,
    help="The WAV file to write.",
)
@ENGINE_OPTION
@VOICE_OPTION
@CACHE_OPTION
def say_command(
    text: str | None,
    scripts_dir: Path,
    chapter: int | None,
    section: int | None,
    out_path: Path,
    engine: str | None,
    voice: str | None,
    cache_dir: Path | None,
) -> None:
    """Speak TEXT, or a part of the book, in the book's voice to a WAV file.

    The book's voice and settings (book.toml [synth]), its lexicon (scripts/lexicon.toml) and the
    spoken form are applied, and the spoken form the voice was given is printed: try a respelling
    in lexicon.toml, say the word again, listen. Outside a book folder the default voice is used.
    Clips go to the clip cache, so a part of the book said here is not made again by 'build'.

    \b
    Examples:
      narration say "Zinoviev and Kamenev met in Petrograd."
      narration say Kronstadt -o kronstadt.wav
      narration say --chapter 3 --section 2          # one paragraph of chapter 3
      narration say "It cost $4.50 on 5 March 1917." --engine espeak
    """
    from narration.errors import InputError
    from narration.model import Book, load_book
    from narration.synth.say import part_texts, say_text

    if (text is None) == (chapter is None):
        raise click.UsageError("give either TEXT or --chapter (with --section for one section)")
    if section is not None and chapter is None:
        raise click.UsageError("--section needs --chapter")
    if chapter is None and not scripts_dir.is_dir():
        book = Book(title="", author="", language="en", chapters=(), scripts_dir=None)
    else:
        book = load_book(scripts_dir)
    texts: str | list[str] = text if text is not None else part_texts(book, chapter or 0, section)
    if isinstance(texts, str) and not texts.strip():
        raise InputError("TEXT is empty: give a word or a sentence to say")
    result = say_text(book, texts, out_path, engine=engine, voice=voice, cache_dir=cache_dir)
    for spoken in result.spoken:
        click.echo(f"spoken: {spoken}")
    click.echo(
        f"Wrote {result.path} ({result.duration:.1f} s at {result.sample_rate} Hz; "
        f"clips: {result.clips_made} made, {result.clips_cached} from the cache)"
    )
