"""The ``narration`` command: a thin layer that parses options, calls the library and reports.

Every domain error (:class:`narration.errors.NarrationError`) becomes a one-line message and exit
code 1; Ctrl-C exits 130 with what was already made kept.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from narration import __version__
from narration.errors import NarrationError


class NarrationGroup(click.Group):
    """Turns domain errors into ClickException, so no traceback reaches the user."""

    def invoke(self, ctx: click.Context):
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


SCRIPTS_OPTION = click.option(
    "--scripts",
    "scripts_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("scripts"),
    show_default=True,
    help="Folder of chapter scripts and book.toml.",
)


# --- split -------------------------------------------------------------------------------------

# --- synth / status / voices -------------------------------------------------------------------

# --- build ---------------------------------------------------------------------------------------

# --- serve ---------------------------------------------------------------------------------------


def main() -> None:
    cli(prog_name="narration")


if __name__ == "__main__":
    main()
