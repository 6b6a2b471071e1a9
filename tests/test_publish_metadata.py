"""The feed's 2026 metadata: AI disclosure, people, owner and lock, licence, dates; read back with
lxml, feedparser and podcastparser."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from email.utils import parsedate_to_datetime

import feedparser
import podcastparser
import pytest
from lxml import etree
from publish_support import DEFAULT_SPECS, Spec, build_result, relocate, template_build  # noqa: F401

from narration.config import BookConfig, DisclosureConfig, Person, PublishConfig
from narration.disclosure import DEFAULT_TEXTS
from narration.errors import ConfigError
from narration.publish.api import publish, publish_with
from narration.publish.rules import DATES_FILE, NAMESPACES
from narration.publish.settings import from_config

BASE = "https://example.com/books/test/"
HOSTILE = 'Ann <script>alert("x")</script> & \u201cCo\u201d \x01'


def feed_tree(result) -> etree._Element:
    return etree.fromstring((result.out_dir / "feed.xml").read_bytes())


def parsed(result):
    feed = feedparser.parse((result.out_dir / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def pub_dates(result) -> list[dt.datetime]:
    return [parsedate_to_datetime(e.published) for e in parsed(result).entries]


def book(**kwargs) -> BookConfig:
    return BookConfig(title="A Book", author="An Author", **kwargs)


@pytest.fixture
def out(tmp_path, template_build):
    return relocate(template_build, tmp_path / "output")


def test_ai_content_is_declared_on_the_channel_and_every_item(out):
    publish(out, base_url=BASE, config=book())
    tree = feed_tree(out)
    for parent in [tree.find("channel"), *tree.findall("channel/item")]:
        (txt,) = parent.findall("podcast:txt", NAMESPACES)
        assert (txt.get("purpose"), txt.text) == ("ai-content", "true")
        assert parent.findtext("description").endswith(f"<p>{DEFAULT_TEXTS['en']}</p>")
    assert len(tree.findall("channel/item")) == len(out.chapters) + 1
    assert DEFAULT_TEXTS["en"] in (out.out_dir / "index.html").read_text(encoding="utf-8")


def test_the_disclosure_text_follows_book_toml(out):
    config = BookConfig(language="fr", disclosure=DisclosureConfig(text="Lu par une machine."))
    publish(out, base_url=BASE, config=config)
    assert "<p>Lu par une machine.</p>" in parsed(out).entries[0].description
    publish(out, base_url=BASE, config=BookConfig(language="de-AT"))
    assert DEFAULT_TEXTS["de"] in parsed(out).feed.description


def test_author_and_people_are_podcast_persons(out):
    people = [
        Person("Tess Translator", "Translator", href="https://example.org/tess"),
        Person("Cy Cover", "cover art designer"),
    ]
    publish(out, base_url=BASE, config=book(people=people))
    persons = feed_tree(out).findall("channel/podcast:person", NAMESPACES)
    found = [(p.text, p.get("role"), p.get("group"), p.get("href")) for p in persons]
    assert found == [
        (out.author, "author", "writing", None),
        ("Tess Translator", "translator", "writing", "https://example.org/tess"),
        ("Cy Cover", "cover art designer", "visuals", None),
    ]


def test_a_role_outside_the_taxonomy_is_warned_about(out, caplog):
    publish(out, base_url=BASE, config=book(people=[Person("Someone", "chief vibes officer")]))
    assert "not a role of the Podcasting 2.0 taxonomy" in caplog.text
    with pytest.raises(ConfigError, match="needs a name"):
        from_config(book(people=[Person("  ", "editor")]), BASE)


def test_owner_and_lock_only_with_an_email(out):
    publish(out, base_url=BASE, config=book(publish=PublishConfig(owner="Olga Owner")))
    channel = feed_tree(out).find("channel")
    assert channel.find("itunes:owner", NAMESPACES) is None and channel.find("podcast:locked", NAMESPACES) is None
    publish(out, base_url=BASE, config=book(publish=PublishConfig(owner="Olga Owner", owner_email="olga@example.org")))
    channel = feed_tree(out).find("channel")
    owner = channel.find("itunes:owner", NAMESPACES)
    assert owner.findtext("itunes:name", namespaces=NAMESPACES) == "Olga Owner"
    assert owner.findtext("itunes:email", namespaces=NAMESPACES) == "olga@example.org"
    locked = channel.find("podcast:locked", NAMESPACES)
    assert (locked.text, locked.get("owner")) == ("yes", "olga@example.org")
    podcast = podcastparser.parse(BASE + "feed.xml", io.BytesIO((out.out_dir / "feed.xml").read_bytes()))
    assert podcast["episodes"]  # still read by gPodder
    publish(out, base_url=BASE, config=book(publish=PublishConfig(owner_email="olga@example.org", locked=False)))
    channel = feed_tree(out).find("channel")
    assert channel.find("podcast:locked", NAMESPACES) is None
    assert channel.find("itunes:owner/itunes:name", NAMESPACES).text == "An Author"  # the owner defaults to the author
    with pytest.raises(ConfigError, match="not an e-mail"):
        from_config(book(publish=PublishConfig(owner_email="not an address")), BASE)


@pytest.mark.parametrize(
    ("license", "copyright", "value", "url", "rights"),
    [
        ("Public Domain", None, "public-domain", "https://creativecommons.org/publicdomain/mark/1.0/", "Public domain"),
        (
            "CC-BY-SA-4.0",
            "© 2026 An Author",
            "cc-by-sa-4.0",
            "https://creativecommons.org/licenses/by-sa/4.0/",
            "© 2026 An Author",
        ),
        ("CC0-1.0", None, "cc0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/", None),
        (None, "All rights reserved", None, None, "All rights reserved"),
    ],
)
def test_licence_and_copyright(out, license, copyright, value, url, rights):
    publish(out, base_url=BASE, config=book(license=license, copyright=copyright))
    channel = feed_tree(out).find("channel")
    element = channel.find("podcast:license", NAMESPACES)
    found = (None, None) if element is None else (element.text, element.get("url"))
    assert found == (value, url)
    assert channel.findtext("copyright") == rights
    if rights:
        assert parsed(out).feed.rights == rights


def test_hostile_names_are_escaped_and_read_back_as_text(out):
    config = book(people=[Person(HOSTILE, "editor", href='https://example.org/?a=1&b="2"')],
                  publish=PublishConfig(owner=HOSTILE, owner_email="o@example.org"), copyright=HOSTILE)  # fmt: skip
    publish(out, base_url=BASE, config=config)
    tree = feed_tree(out)  # well-formed, or lxml would raise
    clean = HOSTILE.replace("\x01", "")
    assert tree.find("channel/podcast:person[2]", NAMESPACES).text == clean
    assert tree.find("channel/podcast:person[2]", NAMESPACES).get("href") == 'https://example.org/?a=1&b="2"'
    assert tree.find("channel/itunes:owner/itunes:name", NAMESPACES).text == clean
    assert tree.findtext("channel/copyright") == clean
    assert not tree.xpath("//*[local-name()='script']")
    assert parsed(out).feed.rights == clean.strip()


def test_published_dates_the_episodes_a_minute_apart_in_book_order(out):
    publish(out, base_url=BASE, config=book(published=dt.date(2025, 3, 4)))
    start = dt.datetime(2025, 3, 4, tzinfo=dt.UTC)
    assert pub_dates(out) == [start + dt.timedelta(minutes=n) for n in range(len(out.chapters) + 1)]
    publish(
        out,
        base_url=BASE,
        config=book(published=dt.datetime(2025, 3, 4, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))),
    )
    assert pub_dates(out)[0] == dt.datetime(2025, 3, 4, 7, 30, tzinfo=dt.UTC)  # a new date re-dates everything


def test_without_published_the_first_build_date_is_kept(out):
    first = dt.datetime(2026, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
    publish_with(out, from_config(book(), BASE), when=first)
    assert pub_dates(out)[0] == first
    later = first + dt.timedelta(days=30)
    publish_with(out, from_config(book(), BASE), when=later)
    assert pub_dates(out)[0] == first
    assert json.loads((out.out_dir / DATES_FILE).read_text())["first_build"] == first.isoformat()


def test_dates_and_guids_survive_edits_inserts_and_rebuilds(tmp_path):
    settings = from_config(book(), BASE)
    first = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    before = build_result(tmp_path / "out")
    publish_with(before, settings, when=first)
    old = {e.id: parsedate_to_datetime(e.published) for e in parsed(before).entries}
    edited = tuple(Spec(s.title + " (revised)", s.key, s.seconds + 0.5, "New opening.") for s in DEFAULT_SPECS)
    after = build_result(tmp_path / "out", (DEFAULT_SPECS[0], Spec("A new chapter", "inserted", 1.0), *edited[1:]))
    publish_with(after, settings, when=first + dt.timedelta(days=3))
    entries = parsed(after).entries
    new = {e.id: parsedate_to_datetime(e.published) for e in entries}
    assert {guid: new[guid] for guid in old} == old  # every old episode keeps its date and GUID
    dates = [parsedate_to_datetime(e.published) for e in entries]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)  # the new one fits between its neighbours


def test_last_build_date_changes_only_with_the_feed(out):
    settings = from_config(book(), BASE)
    first = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    publish_with(out, settings, when=first)
    feed = out.out_dir / "feed.xml"
    written = feed.read_bytes()
    publish_with(out, settings, when=first + dt.timedelta(hours=1))  # nothing changed
    assert feed.read_bytes() == written
    assert parsedate_to_datetime(feed_tree(out).findtext("channel/lastBuildDate")) == first
    later = first + dt.timedelta(hours=2)
    publish_with(out, dataclasses.replace(settings, category="Fiction"), when=later)
    assert parsedate_to_datetime(feed_tree(out).findtext("channel/lastBuildDate")) == later
    assert pub_dates(out)[0] == first  # the episodes keep theirs


def test_a_partial_build_lists_its_episodes_and_marks_the_book_in_progress(tmp_path):
    whole = build_result(tmp_path / "out")
    settings = from_config(book(), BASE)
    when = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    for count in range(1, len(whole.chapters) + 1):
        partial = dataclasses.replace(whole, chapters=whole.chapters[:count], in_progress=True)
        whole.m4b.unlink(missing_ok=True)  # the book files are not there yet
        publish_with(partial, settings, when=when + dt.timedelta(minutes=count))
        titles = [e.title for e in parsed(partial).entries]
        assert titles == [c.title for c in whole.chapters[:count]]
        page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
        assert "(in progress)" in page and 'id="book-player"' not in page
        assert not (tmp_path / "out" / "a-book-its-title.epub").exists()
    early = pub_dates(partial)
    complete = build_result(tmp_path / "out")
    publish_with(complete, settings, when=when + dt.timedelta(hours=1))
    assert pub_dates(complete)[: len(early)] == early  # finishing the book re-dates nothing
    assert len(parsed(complete).entries) == len(whole.chapters) + 1
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "(in progress)" not in page and 'id="book-player"' in page
