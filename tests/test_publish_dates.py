"""Episode dates: recorded once, kept through edits, inserts and moves, always in book order."""

from __future__ import annotations

import datetime as dt
import itertools

from narration.publish.dates import DateRecord, assign, resolve, to_utc

BASE = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def increasing(dates: dict) -> bool:
    values = list(dates.values())
    return all(a < b for a, b in itertools.pairwise(values))


def test_a_fresh_book_is_dated_a_minute_apart_from_its_base():
    assert list(assign(["a", "b", "c"], BASE, {}).values()) == [BASE, BASE + MINUTE, BASE + 2 * MINUTE]


def test_inserted_chapters_fit_between_their_neighbours_and_nothing_else_moves():
    recorded = assign(["a", "b", "c"], BASE, {})
    dates = assign(["new-first", "a", "b", "between", "c", "new-last"], BASE, recorded)
    assert increasing(dates)
    assert {k: dates[k] for k in recorded} == recorded
    assert dates["new-first"] == BASE - MINUTE and dates["new-last"] == BASE + 3 * MINUTE
    assert dates["between"] == BASE + MINUTE + MINUTE / 2


def test_a_moved_chapter_is_the_only_one_dated_again():
    recorded = assign(["a", "b", "c", "d"], BASE, {})
    dates = assign(["d", "a", "b", "c"], BASE, recorded)
    assert increasing(dates)
    assert [k for k in dates if dates[k] != recorded[k]] == ["d"]


def test_no_room_left_still_keeps_the_order():
    recorded = {"a": BASE, "b": BASE + dt.timedelta(seconds=1)}
    dates = assign(["a", "x", "y", "b"], BASE, recorded)
    assert increasing(dates)


def test_changing_published_re_dates_everything_and_the_first_build_is_kept():
    first = resolve(DateRecord(), ["a", "b"], None, BASE)
    assert first.first_build == BASE and first.items["a"] == BASE
    later = resolve(first, ["a", "b"], None, BASE + dt.timedelta(days=9))
    assert later.items == first.items and later.first_build == BASE
    moved = resolve(later, ["a", "b"], "2024-06-01", BASE + dt.timedelta(days=10))
    assert moved.items["a"] == dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    assert to_utc("2024-06-01T12:00:00+02:00") == dt.datetime(2024, 6, 1, 10, tzinfo=dt.UTC)
