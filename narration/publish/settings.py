"""What the feed needs beyond the audio: base URL, category, explicit flag, link, and the book's
people, owner, licence, AI disclosure and publication date.

``narration build`` resolves them (option, then ``book.toml``, then the default) and keeps them in
``out_dir/.publish.json``, so ``narration serve`` re-renders the same feed for its own address.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from narration.config import BookConfig, Person, PublishConfig
from narration.disclosure import DEFAULT_TEXTS, disclosure_text
from narration.errors import ConfigError, PublishError
from narration.publish.rules import (
    AUTHOR_GROUP,
    AUTHOR_ROLE,
    CC0_URL,
    DEFAULT_BASE_URL,
    PERSON_ROLES,
    PUBLIC_DOMAIN,
    PUBLIC_DOMAIN_COPYRIGHT,
    PUBLIC_DOMAIN_NAMES,
    PUBLIC_DOMAIN_URL,
    SETTINGS_FILE,
)
from narration.publish.writing import write_if_changed

log = logging.getLogger(__name__)

_CC = re.compile(r"^cc-(by(?:-nc)?(?:-nd|-sa)?)-(\d\.\d)$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass(frozen=True)
class Credit:
    """A person of the feed (``podcast:person``), with a role and group of the taxonomy."""

    name: str
    role: str
    group: str
    href: str | None = None
    img: str | None = None


@dataclass(frozen=True)
class PublishSettings:
    base_url: str = DEFAULT_BASE_URL  # absolute http(s) URL ending in "/"
    category: str = "Arts"
    subcategory: str | None = "Books"
    explicit: bool = False
    link: str | None = None  # the podcast's web page; None: the generated index.html
    people: tuple[Credit, ...] = ()  # besides the author (always credited, role "author")
    owner_name: str | None = None  # itunes:owner, only with an email (None: the author)
    owner_email: str | None = None
    locked: bool = False  # podcast:locked yes (only with an owner email)
    license: str | None = None  # podcast:license value (lower-case SPDX id, or "public-domain")
    license_url: str | None = None
    copyright: str | None = None  # RSS copyright
    disclosure: str = DEFAULT_TEXTS["en"]  # the AI disclosure sentence
    published: str | None = None  # ISO date or datetime from book.toml; None: the first build's date
    epub: bool = True  # make the read-along EPUB

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


def credit(person: Person) -> Credit:
    """A ``[[people]]`` entry as a credit; its group from the taxonomy when not given."""
    name, role = person.name.strip(), " ".join(person.role.lower().split())
    if not name:
        raise ConfigError("book.toml [[people]]: every person needs a name")
    groups = [group for group, roles in PERSON_ROLES.items() if role in roles]
    group = (person.group or "").strip().lower() or (groups[0] if groups else "")
    if not groups or (person.group and group not in groups):
        log.warning("book.toml [[people]] %s: %r is not a role of the Podcasting 2.0 taxonomy", name, role)
    return Credit(name, role, group or "cast", person.href, person.img)


def licence(config: BookConfig) -> tuple[str | None, str | None, str | None]:
    """``podcast:license`` value and URL, and the RSS copyright, from ``license``, ``license_url``
    and ``copyright``: a public-domain text says so, a Creative Commons licence gets its URL."""
    given = (config.license or "").strip()
    if given.lower() in PUBLIC_DOMAIN_NAMES:
        return PUBLIC_DOMAIN, config.license_url or PUBLIC_DOMAIN_URL, config.copyright or PUBLIC_DOMAIN_COPYRIGHT
    value = given.lower() or None
    url = config.license_url
    if url is None and value == "cc0-1.0":
        url = CC0_URL
    elif url is None and value and (match := _CC.match(value)):
        url = f"https://creativecommons.org/licenses/{match.group(1)}/{match.group(2)}/"
    return value, url, config.copyright


def iso_date(value: datetime.date | datetime.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _owner(config: BookConfig) -> tuple[str | None, str | None, bool]:
    email = (config.publish.owner_email or "").strip() or None
    if email is not None and not _EMAIL.match(email):
        raise ConfigError(f"book.toml [publish] owner_email {email!r} is not an e-mail address")
    name = (config.publish.owner or "").strip() or None  # None: the author
    return (name, email, config.publish.locked) if email else (None, None, False)


def from_config(config: BookConfig | PublishConfig | None, base_url: str | None) -> PublishSettings:
    """Settings from an explicit base URL, else ``[publish] base_url``, else the default; the rest
    from ``book.toml`` (a bare :class:`PublishConfig` gives the book-level keys their defaults)."""
    book = config if isinstance(config, BookConfig) else BookConfig(publish=config or PublishConfig())
    publish = book.publish
    value, url, rights = licence(book)
    owner_name, owner_email, locked = _owner(book)
    return PublishSettings(
        base_url=check_base_url(base_url or publish.base_url or DEFAULT_BASE_URL),
        category=publish.category,
        subcategory=publish.subcategory,
        explicit=publish.explicit,
        link=publish.link,
        people=tuple(credit(p) for p in book.people),
        owner_name=owner_name,
        owner_email=owner_email,
        locked=locked,
        license=value,
        license_url=url,
        copyright=rights,
        disclosure=disclosure_text(book),
        published=iso_date(book.published),
        epub=publish.epub,
    )


def author_credit(author: str) -> Credit:
    return Credit(author, AUTHOR_ROLE, AUTHOR_GROUP)


def save_settings(out_dir: Path, settings: PublishSettings) -> None:
    write_if_changed(Path(out_dir) / SETTINGS_FILE, json.dumps(dataclasses.asdict(settings), indent=1))


def _from_dict(data: dict[str, Any]) -> PublishSettings:
    fields = {f.name for f in dataclasses.fields(PublishSettings)}
    values = {k: v for k, v in data.items() if k in fields}
    values["people"] = tuple(Credit(**p) for p in values.get("people", ()))
    return PublishSettings(**values)


def load_settings(out_dir: Path) -> PublishSettings:
    """The settings of the last build; the defaults when there are none."""
    path = Path(out_dir) / SETTINGS_FILE
    try:
        return _from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return PublishSettings()
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        log.warning("%s cannot be read (%s); using the default feed settings", path, exc)
        return PublishSettings()
