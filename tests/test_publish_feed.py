"""The podcast feed, read back by feedparser and by gPodder's podcastparser."""

from __future__ import annotations

import html
import io
import re
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import podcastparser
import pytest
from lxml import etree
from publish_support import DEFAULT_SPECS, Spec, build_result, relocate, template_build  # noqa: F401

from narration.config import PublishConfig
from narration.disclosure import DEFAULT_TEXTS
from narration.errors import PublishError
from narration.publish.api import publish
from narration.publish.feed import podcast_guid
from narration.publish.rules import NAMESPACES

BASE = "https://example.com/books/test/"
DISCLOSURE = DEFAULT_TEXTS["en"]


@pytest.fixture
def built(tmp_path, template_build):
    result = relocate(template_build, tmp_path / "output")
    publish(result, base_url=BASE)
    return result


def feed_bytes(result) -> bytes:
    return (result.out_dir / "feed.xml").read_bytes()


def gpodder(result) -> dict:
    return podcastparser.parse(BASE + "feed.xml", io.BytesIO(feed_bytes(result)))


def local_file(result, url: str) -> Path:
    assert url.startswith(BASE), url
    return result.out_dir / unquote(urlsplit(url).path[len(urlsplit(BASE).path) :])


def test_feedparser_reads_channel_and_every_item(built):
    parsed = feedparser.parse(feed_bytes(built))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.feed.title == built.title
    assert parsed.feed.language == "en"
    assert parsed.feed.itunes_type == "serial"
    assert not parsed.feed.itunes_explicit  # feedparser maps only "yes" to True
    assert parsed.feed.author == built.author
    assert parsed.feed.image.href == BASE + "cover.png"
    assert parsed.feed.podcast_guid == podcast_guid(BASE + "feed.xml")
    titles = [e.title for e in parsed.entries]
    assert titles == [s.title for s in DEFAULT_SPECS] + [f"{built.title} (complete audiobook)"]
    assert [e.get("itunes_episode") for e in parsed.entries] == ["1", "2", "3", None]
    assert [e.itunes_episodetype for e in parsed.entries] == ["full", "full", "full", "bonus"]


def test_enclosures_are_absolute_with_exact_lengths(built):
    parsed = feedparser.parse(feed_bytes(built))
    expected = [c.episode for c in built.chapters] + [built.mp3]
    for entry, path in zip(parsed.entries, expected, strict=True):
        (enclosure,) = entry.enclosures
        assert enclosure.href == BASE + path.relative_to(built.out_dir).as_posix()
        assert int(enclosure.length) == path.stat().st_size
        assert enclosure.type == "audio/mpeg"


def test_podcastparser_reads_durations_chapters_and_guids(built):
    podcast = gpodder(built)
    assert podcast["title"] == built.title
    assert podcast["type"] == "serial"
    assert podcast["itunes_categories"] == [["Arts", "Books"]]
    assert podcast["cover_url"] == BASE + "cover.png"
    episodes = podcast["episodes"]
    assert len(episodes) == len(built.chapters) + 1
    for episode, chapter in zip(episodes, built.chapters):
        assert episode["total_time"] == round(chapter.duration)
        assert episode["number"] == chapter.number
        assert episode["enclosures"][0]["file_size"] == chapter.episode.stat().st_size
    book = episodes[-1]
    assert book["type"] == "bonus"
    assert book["total_time"] == round(built.duration)
    assert [c["title"] for c in book["chapters"]] == [c.title for c in built.chapters]
    assert [c["start"] for c in book["chapters"]] == [int(c.start) for c in built.chapters]
    assert podcast["explicit"] is False
    guids = [e["guid"] for e in episodes]
    assert len(set(guids)) == len(guids)


def test_every_url_in_the_feed_names_an_existing_file(built):
    tree = etree.fromstring(feed_bytes(built))
    urls = [u for u in tree.xpath("//@url | //@href") if u.startswith(BASE)]
    urls += [tree.findtext("channel/link"), tree.findtext("channel/image/url")]
    assert len(urls) > 12
    for url in urls:
        assert local_file(built, url.split("#")[0]).is_file(), url


def test_transcripts_and_json_chapters_are_declared(built):
    # podcastparser 0.6.11 knows the podcast namespace only by its old GitHub URL; feedparser reads it.
    entries = feedparser.parse(feed_bytes(built)).entries
    assert entries[0].podcast_transcript["url"] == BASE + "transcripts/01-first-chapter.srt"
    tree = etree.fromstring(feed_bytes(built))
    items = tree.findall("channel/item")
    for item in items:
        kinds = {t.get("type") for t in item.findall("podcast:transcript", NAMESPACES)}
        assert kinds == {"text/vtt", "application/x-subrip"}
    chapters = items[-1].find("podcast:chapters", NAMESPACES)
    assert chapters.get("type") == "application/json+chapters"
    assert items[-1].find("psc:chapters", NAMESPACES).get("version") == "1.2"


def test_pubdates_follow_the_book_order_and_are_stable(built, tmp_path, template_build):
    dates = [parsedate_to_datetime(e.published) for e in feedparser.parse(feed_bytes(built)).entries]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    again = relocate(template_build, tmp_path / "again")
    publish(again, base_url=BASE)
    assert [e.published for e in feedparser.parse(feed_bytes(again)).entries] == [
        e.published for e in feedparser.parse(feed_bytes(built)).entries
    ]


def test_guids_survive_an_edit_and_rebuild(tmp_path):
    before = build_result(tmp_path / "before")
    publish(before, base_url=BASE)
    edited = tuple(Spec(s.title + " (revised)", s.key, s.seconds + 0.7, "New opening.") for s in DEFAULT_SPECS)
    inserted = (Spec("A new preface", "preface", 1.0), *edited)
    after = build_result(tmp_path / "after", inserted)
    publish(after, base_url=BASE)
    old = {e["guid"]: e for e in gpodder(before)["episodes"]}
    new = {e["guid"]: e for e in gpodder(after)["episodes"]}
    assert set(old) <= set(new)  # every old episode keeps its GUID (renumbered, new audio)
    assert len(new) == len(old) + 1
    for guid, episode in old.items():
        assert new[guid]["enclosures"][0]["file_size"] != episode["enclosures"][0]["file_size"]


def test_guids_are_unique_even_for_a_repeated_key(tmp_path):
    specs = (Spec("One", "same", 1.0), Spec("Two", "same", 1.0))
    result = build_result(tmp_path / "out", specs)
    publish(result, base_url=BASE)
    guids = [e["guid"] for e in gpodder(result)["episodes"]]
    assert len(set(guids)) == 3


def test_podcast_guid_follows_the_spec_examples():
    assert podcast_guid("https://podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid("http://mp3s.nashownotes.com/pc20rss.xml/") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"


def test_special_characters_are_escaped_and_read_back_as_text(built):
    podcast = gpodder(built)
    episode = podcast["episodes"][1]
    assert episode["title"] == "Tags <b> & \"quotes\" 'too'"
    paragraphs = re.findall(r"<p>(.*?)</p>", episode["description_html"])
    assert [html.unescape(p) for p in paragraphs] == ['A <i>description</i> & "more".', DISCLOSURE]
    parsed = feedparser.parse(feed_bytes(built))
    assert parsed.entries[1].title == "Tags <b> & \"quotes\" 'too'"
    chapter_titles = etree.fromstring(feed_bytes(built)).xpath("//psc:chapter/@title", namespaces=NAMESPACES)
    assert chapter_titles[1] == "Tags <b> & \"quotes\" 'too'"


def test_long_descriptions_are_trimmed_at_a_word_to_4000_bytes(tmp_path):
    words = " ".join(f"wörd{i}" for i in range(1500))  # about 10 kB, with two-byte characters
    result = build_result(tmp_path / "out", (Spec("Long", "long", 1.0, words),), description=words)
    publish(result, base_url=BASE)
    tree = etree.fromstring(feed_bytes(result))
    for description in tree.xpath("//description/text()"):
        assert len(description.encode("utf-8")) <= 4000
    episode, disclosure = (
        html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", tree.findtext("channel/item/description"))
    )
    assert disclosure == DISCLOSURE  # never trimmed away
    assert episode.endswith("\u2026")
    kept = episode[:-1].split(" ")
    assert kept == words.split(" ")[: len(kept)]  # whole words only
    assert len(kept) > 400


@pytest.mark.parametrize("bad", ["ftp://example.com/", "example.com/book", "javascript:alert(1)", "http://", "/srv/x"])
def test_a_base_url_that_is_not_http_is_rejected(tmp_path, bad):
    result = build_result(tmp_path / "out", DEFAULT_SPECS[:1])
    with pytest.raises(PublishError, match="not an http"):
        publish(result, base_url=bad)
    assert not (tmp_path / "out" / "feed.xml").exists()


def test_book_toml_settings_and_the_default_base_url(tmp_path):
    result = build_result(tmp_path / "out", DEFAULT_SPECS[:1])
    config = PublishConfig(base_url="http://books.example.org/x", category="Fiction", subcategory=None, explicit=True)
    publish(result, base_url=None, config=config)
    podcast = gpodder(result)
    assert podcast["episodes"][0]["enclosures"][0]["url"].startswith("http://books.example.org/x/episodes/")
    assert podcast["itunes_categories"] == [["Fiction"]]
    assert podcast["explicit"] is True
    publish(result, base_url=None)
    assert gpodder(result)["episodes"][0]["enclosures"][0]["url"].startswith("http://localhost:8000/episodes/")


def test_a_missing_audio_file_is_reported(tmp_path):
    result = build_result(tmp_path / "out", DEFAULT_SPECS[:1])
    result.chapters[0].episode.unlink()
    with pytest.raises(PublishError, match="missing"):
        publish(result, base_url=BASE)
