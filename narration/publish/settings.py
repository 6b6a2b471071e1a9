"""What the feed needs beyond the audio: base URL, category, explicit flag, link.

``narration build`` resolves them (option, then ``book.toml``'s ``[publish]``, then the default) and
keeps them in ``out_dir/.publish.json``, so ``narration serve`` re-renders the same feed for its own
address.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from narration.config import PublishConfig
from narration.errors import PublishError
from narration.publish.rules import DEFAULT_BASE_URL, SETTINGS_FILE
from narration.publish.writing import write_if_changed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishSettings:
    base_url: str = DEFAULT_BASE_URL  # absolute http(s) URL ending in "/"
    category: str = "Arts"
    subcategory: str | None = "Books"
    explicit: bool = False
    link: str | None = None  # the podcast's web page; None: the generated index.html

    def with_base_url(self, base_url: str) -> PublishSettings:
        return dataclasses.replace(self, base_url=check_base_url(base_url))


def check_base_url(value: str) -> str:
    """Accept only absolute http(s) URLs; return it ending with "/"."""
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise PublishError(
            f"base URL {value!r} is not an http:// or https:// address "
            "(example: --base-url https://example.com/mybook/)"
        )
    if parts.query or parts.fragment:
        raise PublishError(f"base URL {value!r} must not have a ?query or #fragment")
    text = parts.geturl()
    return text if text.endswith("/") else text + "/"


def from_config(config: PublishConfig | None, base_url: str | None) -> PublishSettings:
    """Settings from an explicit base URL, else ``config.base_url``, else the default."""
    config = config or PublishConfig()
    chosen = base_url or config.base_url or DEFAULT_BASE_URL
    return PublishSettings(
        base_url=check_base_url(chosen),
        category=config.category,
        subcategory=config.subcategory,
        explicit=config.explicit,
        link=config.link,
    )


def save_settings(out_dir: Path, settings: PublishSettings) -> None:
    write_if_changed(Path(out_dir) / SETTINGS_FILE, json.dumps(dataclasses.asdict(settings), indent=1))


def load_settings(out_dir: Path) -> PublishSettings:
    """The settings of the last build; the defaults when there are none."""
    path = Path(out_dir) / SETTINGS_FILE
    try:
        return PublishSettings(**json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return PublishSettings()
    except (OSError, ValueError, TypeError) as exc:
        log.warning("%s cannot be read (%s); using the default feed settings", path, exc)
        return PublishSettings()
