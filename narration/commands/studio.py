"""``narration studio``: the live editing page."""

from __future__ import annotations

import logging
import signal
from pathlib import Path

import click

from narration.commands.options import OUT_OPTION, SCRIPTS_OPTION
from narration.publish.rules import DEFAULT_HOST, DEFAULT_PORT


@click.command()
@SCRIPTS_OPTION
@OUT_OPTION
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    help="Address to listen on (beyond loopback: a token is required).",
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True, help="Port to listen on."
)
def studio(scripts_dir: Path, out_dir: Path, host: str, port: int) -> None:
    """Edit and listen in the browser: every save rebuilds what it changed, at once.

    Serves what `narration serve` serves plus a read-along page at /studio/: the player, the
    transcript with the sentence being spoken highlighted, and editing in place (a sentence, a
    paragraph, a lexicon entry). Scripts saved in any editor are rebuilt too. The studio holds the
    book's lock: a `narration build` beside it waits. Stop with Ctrl-C.

    \b
    Examples:
      narration studio                              # http://127.0.0.1:8000/studio/
      narration studio --port 8080
      narration studio --host 0.0.0.0              # the LAN: prints a URL with a token
    """
    from narration.lock import BookLock
    from narration.model import load_book
    from narration.studio.rebuild import Event
    from narration.studio.server import Studio, StudioConfig, terminal_line

    def show(event: Event) -> None:
        line = terminal_line(event)
        if line is not None:
            click.echo(line, err=event.kind == "failed")

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the terminal shows rebuilds, not every request
    root = load_book(scripts_dir, require_text=False).root
    lock = BookLock(root, "narration studio")
    show_bars = click.get_text_stream("stderr").isatty()
    click.echo(f"Building {scripts_dir}/ into {out_dir}/ first (what is already made is reused)…")
    with (
        lock.hold(wait=True, notify=lambda m: click.echo(m, err=True)),
        Studio.open(StudioConfig(scripts_dir, out_dir, host, port, progress=show_bars), listener=show) as running,
    ):
        click.echo(f"Studio: {running.url}   (Ctrl-C to stop)")
        click.echo(f"Watching {scripts_dir}/ ; writing {out_dir}/")
        signal.signal(signal.SIGTERM, _interrupt)  # stop as on Ctrl-C (also when started in the background)
        try:
            running.serve_forever()
        except KeyboardInterrupt:
            click.echo("stopping (a rebuild in progress finishes first)")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
