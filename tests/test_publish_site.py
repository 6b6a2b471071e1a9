"""index.html (parsed, without a browser), the build manifest, and publish's atomic, idempotent writes."""

from __future__ import annotations

import dataclasses
import json
from urllib.parse import unquote

import pytest
from lxml import html as lxml_html
from PIL import Image
from publish_support import relocate, template_build  # noqa: F401

from narration.audio.manifest import load_manifest as load_result
from narration.audio.manifest import save_manifest as save_result
from narration.errors import AudioError, PublishError
from narration.publish import site
from narration.publish.api import publish


@pytest.fixture
def built(tmp_path, template_build):
    result = relocate(template_build, tmp_path / "output")
    publish(result, base_url="https://example.com/book/")
    return result


def page(result):
    return lxml_html.fromstring((result.out_dir / "index.html").read_bytes())


def test_every_link_is_relative_and_names_an_existing_file(built):
    doc = page(built)
    links = doc.xpath("//a/@href | //img/@src | //audio/@src")
    assert len(links) > 10
    for link in links:
        if link.startswith("#"):
            assert doc.get_element_by_id(link[1:]) is not None
            continue
        assert "://" not in link and not link.startswith("/"), link
        assert (built.out_dir / unquote(link)).is_file(), link
    assert doc.xpath("//script/@src | //link[@rel='stylesheet']") == []  # no external assets


def test_text_with_markup_characters_renders_as_text(built):
    doc = page(built)
    assert doc.findtext(".//h1") == built.title
    assert doc.findtext(".//title") == built.title
    chapter = doc.xpath("//button[@class='chapter']")[1]
    assert chapter.text_content().startswith("2Tags <b> & \"quotes\" 'too'")
    assert chapter.get("aria-label") == "Chapter 2: Tags <b> & \"quotes\" 'too', at 0:02"
    assert doc.xpath("//main//b | //main//i | //main//tag") == []
    assert doc.xpath("//img/@alt") == [f"Cover of {built.title}"]


def test_player_chapters_downloads_and_feed(built):
    doc = page(built)
    (player,) = doc.xpath("//audio[@id='book-player']")
    assert player.get("src") == built.mp3.name and player.get("aria-label")
    starts = [float(s) for s in doc.xpath("//button[@class='chapter']/@data-start")]
    assert starts == [pytest.approx(c.start, abs=0.001) for c in built.chapters]
    assert len(doc.xpath("//ol[@class='episodes']/li/audio")) == len(built.chapters)
    downloads = doc.xpath("//ul[@class='downloads']//a/@href")
    assert built.m4b.name in downloads and built.mp3.name in downloads
    assert doc.xpath("//input[@id='feed-url']/@value") == ["https://example.com/book/feed.xml"]
    assert doc.xpath("//label[@for='feed-url']")


def test_fill_escapes_values_but_not_its_own_fragments():
    inner = site.fill(site.PARAGRAPH, text="<a & 'b'>")
    assert inner == "<p>&lt;a &amp; &#x27;b&#x27;&gt;</p>"
    assert site.fill(site.PARAGRAPH, text=inner) == "<p><p>&lt;a &amp; &#x27;b&#x27;&gt;</p></p>"


def test_human_size():
    assert site.human_size(530) == "530 bytes"
    assert site.human_size(63_500) == "63.5 KB"
    assert site.human_size(12_300_000) == "12.3 MB"


def test_republishing_unchanged_rewrites_nothing(built):
    files = [p for p in built.out_dir.rglob("*") if p.is_file()]
    before = {p: p.stat().st_mtime_ns for p in files}
    publish(built, base_url="https://example.com/book/")
    assert {p: p.stat().st_mtime_ns for p in files} == before
    assert not list(built.out_dir.rglob("*.tmp*"))


def test_a_cover_outside_the_output_folder_is_copied_in(tmp_path, template_build):
    result = relocate(template_build, tmp_path / "output")
    outside = tmp_path / "art.png"
    result.cover.rename(outside)
    publish(dataclasses.replace(result, cover=outside), base_url="https://example.com/")
    assert (result.out_dir / "cover.png").read_bytes() == outside.read_bytes()
    assert b"https://example.com/cover.png" in (result.out_dir / "feed.xml").read_bytes()


def test_a_cover_that_is_not_an_image_is_refused(tmp_path, template_build):
    result = relocate(template_build, tmp_path / "output")
    result.cover.write_text("not an image")
    with pytest.raises(PublishError, match="not a readable image"):
        publish(result, base_url=None)


def test_a_cover_the_build_would_refuse_is_refused_by_publish_too(tmp_path, template_build):
    result = relocate(template_build, tmp_path / "output")
    Image.new("RGB", (1000, 1000)).save(result.cover)
    with pytest.raises(PublishError, match="square of 1400-3000 px; this one is 1000x1000"):
        publish(result, base_url=None)


def test_an_unwritable_output_folder_is_a_clear_error(tmp_path, template_build):
    result = relocate(template_build, tmp_path / "output")
    (result.out_dir / "transcripts").write_text("a file where a folder should be")
    with pytest.raises(PublishError, match="cannot write"):
        publish(result, base_url=None)


def test_manifest_round_trip_survives_moving_the_folder(built, tmp_path):
    save_result(built)
    moved = tmp_path / "moved"
    built.out_dir.rename(moved)
    loaded = load_result(moved)
    assert loaded.chapters[1].cues == built.chapters[1].cues
    assert loaded.chapters[0].episode == moved / "episodes" / built.chapters[0].episode.name
    assert loaded.mp3.is_file() and loaded.title == built.title and loaded.duration == built.duration


def test_a_missing_or_damaged_manifest_is_a_clear_error(built):
    with pytest.raises(AudioError, match="narration build"):
        load_result(built.out_dir)
    save_result(built)
    data = json.loads((built.out_dir / ".build.json").read_text())
    del data["chapters"][0]["title"]
    (built.out_dir / ".build.json").write_text(json.dumps(data))
    with pytest.raises(AudioError, match="damaged"):
        load_result(built.out_dir)


def test_the_epub_is_offered_for_download(built):
    downloads = page(built).xpath("//ul[@class='downloads']//a/@href")
    assert "a-book-its-title.epub" in downloads


def test_a_page_in_progress_links_only_files_that_are_there(tmp_path, template_build):
    result = relocate(template_build, tmp_path / "output")
    result.m4b.unlink()
    result.mp3.unlink()
    partial = dataclasses.replace(result, chapters=result.chapters[:2], in_progress=True)
    publish(partial, base_url="https://example.com/book/")
    doc = page(partial)
    for link in doc.xpath("//a/@href | //img/@src | //audio/@src"):
        assert link.startswith("#") or (partial.out_dir / unquote(link)).is_file(), link
    assert len(doc.xpath("//ol[@class='episodes']/li")) == 2
    pending = [
        li.text_content() for li in doc.xpath("//ul[@class='downloads']/li") if "(in progress)" in li.text_content()
    ]
    assert len(pending) == 4  # M4B, MP3, EPUB, the complete transcript
    assert doc.xpath("//audio[@id='book-player']") == [] and doc.get_element_by_id("book-progress") is not None
