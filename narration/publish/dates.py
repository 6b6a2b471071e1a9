"""Episode dates that never move: ``out_dir/.publish-dates.json``.

The base is ``book.toml``'s ``published`` (a TOML date or datetime), else the date of the first
build, recorded once. Episodes are dated in book order a minute apart from it, and each date is
recorded by GUID: a rebuild, an edited chapter or one renumbered keeps its date. A new chapter gets a
date between its neighbours' (so the order still holds); a recorded date that would break the order
(a moved chapter) is the only one made again. Changing ``published`` re-dates everything from it.
``lastBuildDate`` is the time of the last publish that changed the feed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from narration.publish.rules import DATES_FILE, PUBDATE_STEP_SECONDS
from narration.publish.writing import write_if_changed

log = logging.getLogger(__name__)

STEP = dt.timedelta(seconds=PUBDATE_STEP_SECONDS)
SECOND = dt.timedelta(seconds=1)
VERSION = 1


def to_utc(value: dt.date | dt.datetime | str) -> dt.datetime:
    """A date (midnight UTC), a datetime (naive ones are UTC) or its ISO text, as UTC to the second."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if "T" in value or " " in value else dt.date.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).replace(microsecond=0)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass
class DateRecord:
    """What ``.publish-dates.json`` holds."""

    first_build: dt.datetime | None = None  # recorded once
    base: dt.datetime | None = None  # the base the item dates were made from
    items: dict[str, dt.datetime] = field(default_factory=dict)  # GUID -> pubDate
    last_build: dt.datetime | None = None  # the feed's lastBuildDate

    def to_json(self) -> str:
        def iso(value: dt.datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        data = {"version": VERSION, "first_build": iso(self.first_build), "base": iso(self.base),
                "last_build": iso(self.last_build), "items": {k: iso(v) for k, v in self.items.items()}}  # fmt: skip
        return json.dumps(data, indent=1, sort_keys=True)


def load_record(out_dir: Path) -> DateRecord:
    path = Path(out_dir) / DATES_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            raise ValueError(f"version {data.get('version')!r}")
        opt = {k: (to_utc(data[k]) if data.get(k) else None) for k in ("first_build", "base", "last_build")}
        items = {str(k): to_utc(v) for k, v in data.get("items", {}).items()}
        return DateRecord(opt["first_build"], opt["base"], items, opt["last_build"])
    except FileNotFoundError:
        return DateRecord()
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        log.warning("%s cannot be read (%s): episodes are dated again", path, exc)
        return DateRecord()


def save_record(out_dir: Path, record: DateRecord) -> None:
    write_if_changed(Path(out_dir) / DATES_FILE, record.to_json())


def _kept(guids: Sequence[str], recorded: Mapping[str, dt.datetime]) -> set[str]:
    """The GUIDs whose recorded dates stay: the longest run of them that is increasing in book order."""
    known = [g for g in guids if g in recorded]
    length, previous = [1] * len(known), [-1] * len(known)  # the longest run ending at each, its link
    for i, guid in enumerate(known):
        for j in range(i):
            if recorded[known[j]] < recorded[guid] and length[j] + 1 > length[i]:
                length[i], previous[i] = length[j] + 1, j
    kept: set[str] = set()
    at = max(range(len(known)), key=length.__getitem__) if known else -1
    while at >= 0:
        kept.add(known[at])
        at = previous[at]
    return kept


def _between(previous: dt.datetime | None, following: dt.datetime | None, base: dt.datetime) -> dt.datetime:
    if previous is None:
        return base if following is None or following > base else following - STEP
    if following is None:
        return previous + STEP
    middle = previous + (following - previous) / 2
    return max(previous + SECOND, middle.replace(microsecond=0))


def assign(guids: Sequence[str], base: dt.datetime, recorded: Mapping[str, dt.datetime]) -> dict[str, dt.datetime]:
    """A strictly increasing date for each GUID, in order: its recorded one where it keeps the order,
    else one between its neighbours' (the first a minute apart from ``base`` when nothing is known)."""
    kept = _kept(guids, recorded)
    dates: dict[str, dt.datetime] = {}
    previous: dt.datetime | None = None
    for index, guid in enumerate(guids):
        if guid in kept:
            date = recorded[guid]
        else:
            following = next((recorded[g] for g in guids[index + 1 :] if g in kept), None)
            date = _between(previous, following, base)
        if previous is not None and date <= previous:  # no whole second left between its neighbours
            date = previous + SECOND
        dates[guid] = previous = date
    return dates


@dataclass(frozen=True)
class FeedDates:
    items: dict[str, dt.datetime]  # GUID -> pubDate
    last_build: dt.datetime


def resolve(record: DateRecord, guids: Sequence[str], published: str | None, when: dt.datetime) -> DateRecord:
    """The record with every GUID dated (``when``: the time of this build)."""
    first = record.first_build or when
    base = to_utc(published) if published else first
    recorded = record.items if record.base == base else {}
    items = {**recorded, **assign(guids, base, recorded)}
    return DateRecord(first, base, items, record.last_build)


def feed_dates(record: DateRecord, guids: Sequence[str], published: str | None, when: dt.datetime) -> FeedDates:
    """The dates a feed shows, from a record (left unchanged)."""
    resolved = resolve(record, guids, published, when)
    return FeedDates({g: resolved.items[g] for g in guids}, record.last_build or when)
