"""``book.toml``: the book's metadata and the defaults every stage reads.

Each stage owns one table. A key that is absent means "the default" (for engine settings, ``None``
means "the engine's own default"). Unknown keys are reported, not silently ignored.
"""

from __future__ import annotations

import dataclasses
import logging
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

import tomli_w

from narration import fsutil
from narration.errors import ConfigError

log = logging.getLogger(__name__)

BOOK_TOML = "book.toml"


@dataclass
class TextConfig:
    """Cleaning and detection rules of ``narration split``; each can be switched off."""

    captions: bool = True  # web-page image captions ("... Image fair use... / Image: fair use")
    gutenberg: bool = True  # Project Gutenberg headers, footers, producer credits
    contents: bool = True  # tables of contents, lists of illustrations
    illustrations: bool = True  # [Illustration: ...] markers
    footnotes: bool = True  # footnote markers [1] and footnote bodies
    markup: bool = True  # _italic_, *bold*
    rewrap: bool = True  # re-join hard-wrapped lines
    dehyphenate: bool = True  # re-join words hyphenated across a line break
    subheadings: bool = True  # keep box/inset titles as spoken subheadings
    # heading detection (each signal can be switched off)
    markdown_headings: bool = True  # "# Title", "## Title"
    chapter_words: bool = True  # "Chapter 2", "PART IV. Title", title on the same or the next line
    roman_headings: bool = True  # "IV." alone (title on the next line)
    numbered_headings: bool = True  # "16. The defeat of the joint Left Opposition"
    title_headings: bool = True  # unnumbered title lines standing alone ("The Kronstadt Uprising")
    title_line: bool = True  # the document's first title line becomes the book title
    front_matter: bool = True  # drop short non-prose lines between the title and the first heading
    opening_title: str = "Introduction"  # chapter title of the text before the first heading


@dataclass
class SynthConfig:
    engine: str = "piper"
    voice: str | None = None  # None: the engine's default voice
    jobs: int | None = None  # None: number of cores
    cache_dir: str = ".narration/cache"  # relative to the project root
    length_scale: float | None = None  # piper: >1 slower, <1 faster
    noise_scale: float | None = None
    noise_w_scale: float | None = None
    lang: str | None = None  # gtts language (None: the book's language)
    tld: str | None = None  # gtts regional domain, e.g. "co.uk"
    cluster: str | None = None  # a Dask scheduler ("tcp://host:8786") or "local:N"; None: this machine
    cluster_timeout: float | None = None  # seconds to wait for a worker when none is left (None: 300)


@dataclass
class AudioConfig:
    profile: str = "podcast"  # podcast | acx
    sentence_pause_ms: int = 350
    paragraph_pause_ms: int = 800
    before_title_ms: int = 600
    after_title_ms: int = 1200
    head_room_tone_ms: int = 700
    tail_room_tone_ms: int = 2000
    sample_rate: int | None = None  # Hz of the encodes; None: the profile's (podcast: the voice's own)


@dataclass
class PublishConfig:
    base_url: str | None = None
    category: str = "Arts"
    subcategory: str | None = "Books"
    explicit: bool = False
    link: str | None = None


@dataclass
class BookConfig:
    title: str = "Untitled"
    author: str = "Unknown"
    language: str = "en"
    description: str = ""
    text: TextConfig = field(default_factory=TextConfig)
    synth: SynthConfig = field(default_factory=SynthConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    publish: PublishConfig = field(default_factory=PublishConfig)


def _coerce(cls: type, data: dict[str, Any], where: str) -> Any:
    hints = get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in hints:
            log.warning("%s: unknown key %r ignored", where, key)
            continue
        hint = hints[key]
        if dataclasses.is_dataclass(hint):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: [{key}] must be a table")
            kwargs[key] = _coerce(hint, value, f"{where} [{key}]")
            continue
        kwargs[key] = _check_type(value, hint, f"{where}: {key}")
    return cls(**kwargs)


def _check_type(value: Any, hint: Any, where: str) -> Any:
    allowed = getattr(hint, "__args__", (hint,))
    if bool in allowed and isinstance(value, bool):
        return value
    if float in allowed and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    for typ in allowed:
        if typ in (int, str) and isinstance(value, typ) and not isinstance(value, bool):
            return value
    names = " or ".join(getattr(t, "__name__", str(t)) for t in allowed if t is not type(None))
    raise ConfigError(f"{where} must be {names}, not {value!r}")


def load_config(scripts_dir: Path) -> BookConfig:
    """Read ``scripts_dir/book.toml``; a missing file gives the defaults."""
    path = Path(scripts_dir) / BOOK_TOML
    if not path.exists():
        return BookConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    return _coerce(BookConfig, data, str(path))


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    return value


def dump_config(config: BookConfig) -> str:
    return tomli_w.dumps(_drop_none(dataclasses.asdict(config)))


def save_config(scripts_dir: Path, config: BookConfig) -> Path:
    path = Path(scripts_dir) / BOOK_TOML
    fsutil.write_text(path, dump_config(config))
    return path
