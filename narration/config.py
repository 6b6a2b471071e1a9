"""``book.toml``: the book's metadata and the defaults every stage reads.

Each stage owns one table. A key that is absent means "the default" (for engine settings, ``None``
means "the engine's own default"). Unknown keys are reported, not silently ignored.
"""

from __future__ import annotations

import dataclasses
import datetime
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

    captions: bool = True  # web-page image captions ("... Image fair use... / Image: fair use"), figcaption
    gutenberg: bool = True  # Project Gutenberg headers, footers, producer credits
    contents: bool = True  # tables of contents, lists of illustrations
    illustrations: bool = True  # [Illustration: ...] markers
    footnotes: bool = True  # footnote markers [1] and footnote bodies (EPUB/HTML: note references and notes)
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
    front_matter: bool = True  # drop short non-prose lines before the first heading; EPUB: title page, colophon...
    opening_title: str = "Introduction"  # chapter title of the text before the first heading
    image_alt: bool = False  # EPUB/HTML: read images' alt text aloud


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
    owner: str | None = None  # itunes:owner name (None: the author); only written with an owner_email
    owner_email: str | None = None  # itunes:owner email; also locks the feed (podcast:locked)
    locked: bool = True  # podcast:locked yes when an owner_email is given (no other host may import it)
    epub: bool = True  # the read-along EPUB 3 output/<book>.epub


@dataclass
class DisclosureConfig:
    """The statement that the narration is synthetic (feed, tags, EPUB and, spoken, the book's start)."""

    speak: bool = True  # say it once at the start of the audiobook (the first chapter's head)
    text: str | None = None  # None: the default sentence in the book's language


@dataclass
class Person:
    """Someone credited in the feed (``podcast:person``) and the EPUB, besides the author."""

    name: str = ""
    role: str = "author"  # a role of the Podcasting 2.0 taxonomy: translator, editor, cover art designer...
    group: str | None = None  # None: the role's group in the taxonomy
    href: str | None = None  # a page about the person
    img: str | None = None  # a picture of the person


@dataclass
class BookConfig:
    title: str = "Untitled"
    author: str = "Unknown"
    language: str = "en"
    description: str = ""
    published: datetime.date | datetime.datetime | None = None  # None: the date of the first build
    publisher: str = ""
    identifier: str = ""  # ISBN, URN or URL of the edition (from an EPUB's metadata)
    license: str | None = None  # an SPDX identifier ("CC-BY-4.0") or "public-domain"
    license_url: str | None = None  # the licence's text (None: known for public-domain and CC licences)
    copyright: str | None = None  # the RSS copyright line (None: "Public domain" for a public-domain text)
    people: list[Person] = field(default_factory=list)  # [[people]] name, role, href, img
    disclosure: DisclosureConfig = field(default_factory=DisclosureConfig)
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
        item = _list_item(hint)
        if item is not None:
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise ConfigError(f"{where}: {key} must be an array of tables ([[{key}]])")
            kwargs[key] = [_coerce(item, v, f"{where} [[{key}]]") for v in value]
            continue
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: [{key}] must be a table")
            kwargs[key] = _coerce(hint, value, f"{where} [{key}]")
            continue
        kwargs[key] = _check_type(value, hint, f"{where}: {key}")
    return cls(**kwargs)


def _list_item(hint: Any) -> Any:
    """The dataclass of a ``list[SomeDataclass]`` hint, else None."""
    args: tuple[Any, ...] = getattr(hint, "__args__", ())
    if getattr(hint, "__origin__", None) is list and len(args) == 1 and dataclasses.is_dataclass(args[0]):
        return args[0]
    return None


def _check_type(value: Any, hint: Any, where: str) -> Any:
    allowed = getattr(hint, "__args__", (hint,))
    if bool in allowed and isinstance(value, bool):
        return value
    if datetime.datetime in allowed and isinstance(value, datetime.datetime):
        return value
    if datetime.date in allowed and isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
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
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def dump_config(config: BookConfig) -> str:
    return tomli_w.dumps(_drop_none(dataclasses.asdict(config)))


def save_config(scripts_dir: Path, config: BookConfig) -> Path:
    path = Path(scripts_dir) / BOOK_TOML
    fsutil.write_text(path, dump_config(config))
    return path
