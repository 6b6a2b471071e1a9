"""Options shared by several commands (one place for each default and its help text)."""

from __future__ import annotations

from pathlib import Path

import click

SCRIPTS_OPTION = click.option(
    "--scripts",
    "scripts_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("scripts"),
    show_default=True,
    help="Folder of chapter scripts and book.toml.",
)

OUT_OPTION = click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("output"),
    show_default=True,
    help="Output folder: audiobook, episodes, feed and page.",
)


def _chapters_option(ctx: click.Context, param: click.Parameter, value: str | None) -> list[int] | None:
    from narration.errors import ConfigError
    from narration.synth.plan import parse_ranges

    try:
        return None if value is None else parse_ranges(value)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from exc


ENGINE_OPTION = click.option(
    "--engine", help="TTS engine: piper, gtts or espeak (default: book.toml [synth], else piper)."
)
VOICE_OPTION = click.option(
    "--voice",
    help="A Piper voice (.onnx path or name), an espeak-ng voice or a gTTS language; see 'narration voices'.",
)
CACHE_OPTION = click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Clip cache folder (default: book.toml [synth] cache_dir, else .narration/cache beside scripts/).",
)
CHAPTERS_OPTION = click.option(
    "--chapters", callback=_chapters_option, help="Only these chapters (numbers and ranges), e.g. 1-3,5."
)

NO_WAIT_OPTION = click.option(
    "--no-wait",
    is_flag=True,
    help="If another run is writing this book, fail at once (saying who) instead of waiting for it.",
)

CLUSTER_OPTION = click.option(
    "--cluster",
    metavar="ADDRESS",
    help="Synthesise on a Dask cluster: its scheduler (tcp://HOST:8786) or local:N for N worker processes "
    "here; 'off' for this machine (default: book.toml [synth] cluster, else this machine).",
)
CLUSTER_TIMEOUT_OPTION = click.option(
    "--cluster-timeout",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="How long to wait while the cluster has no worker before failing (default: book.toml, else 300).",
)
