"""The read-along EPUB 3 of a tiny book narrated by real Piper: epubcheck, overlays that resolve and
follow the cues, the AI disclosure (spoken, tagged, in the metadata), incremental rewrites."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path, PurePosixPath

import pytest
from audio_support import decode, make_book
from lxml import etree
from mutagen.id3 import ID3
from mutagen.mp4 import MP4

from narration.build import build
from narration.config import load_config
from narration.disclosure import DEFAULT_TEXTS
from narration.model import load_book
from narration.publish.api import publish
from narration.publish.epub import epub_path

TOLERANCE = 0.050  # seconds
DISCLOSURE = DEFAULT_TEXTS["en"]
NS = {"s": "http://www.w3.org/ns/SMIL", "x": "http://www.w3.org/1999/xhtml", "o": "http://www.idpf.org/2007/opf",
      "dc": "http://purl.org/dc/elements/1.1/", "epub": "http://www.idpf.org/2007/ops"}  # fmt: skip


def publish_book(scripts: Path):
    book = load_book(scripts)
    report = build(book, jobs=1)
    publish(report.result, base_url="https://example.org/tiny/", config=book.config)
    return report.result


@pytest.fixture(scope="module")
def clip_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="module")
def published(tmp_path_factory, clip_cache):
    return publish_book(make_book(tmp_path_factory.mktemp("book"), clip_cache))


def epubcheck_command() -> list[str]:
    exe = shutil.which("epubcheck")
    if exe is None:
        pytest.fail("epubcheck is not installed (Debian package epubcheck; .ci/run installs it)")
    real = Path(exe).resolve()
    return [shutil.which("java") or "java", "-jar", str(real)] if real.suffix == ".jar" else [exe]


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def clock(value: str) -> float:
    hours, minutes, seconds = value.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def resolve(base: str, ref: str) -> str:
    """``ref`` relative to the member ``base``, as a member name."""
    parts: list[str] = []
    for part in (PurePosixPath(base).parent / ref).parts:
        if part == "..":
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def test_epubcheck_finds_no_errors(published):
    proc = subprocess.run(
        [*epubcheck_command(), str(epub_path(published))], check=False, capture_output=True, text=True, timeout=300
    )
    report = proc.stdout + proc.stderr
    assert proc.returncode == 0, report
    assert re.search(r"0 fatals / 0 errors", report), report


def test_the_container_starts_with_an_uncompressed_mimetype(published):
    with zipfile.ZipFile(epub_path(published)) as archive:
        first = archive.infolist()[0]
        assert (first.filename, first.compress_type, first.extra) == ("mimetype", zipfile.ZIP_STORED, b"")
        assert archive.read("mimetype") == b"application/epub+zip"


def test_every_overlay_reference_resolves_and_clips_follow_the_cues(published, tmp_path):
    files = members(epub_path(published))
    smils = sorted(n for n in files if n.endswith(".smil"))
    assert len(smils) == len(published.chapters)
    for name, chapter in zip(smils, published.chapters, strict=True):
        tree = etree.fromstring(files[name])
        pars = tree.findall(".//s:par", NS)
        assert len(pars) == len(chapter.cues)
        audio_names = {resolve(name, a.get("src")) for a in tree.findall(".//s:audio", NS)}
        (audio_name,) = audio_names
        assert files[audio_name] == chapter.episode.read_bytes()  # the episode itself, stored
        (tmp_path / "a.mp3").write_bytes(files[audio_name])
        seconds = len(decode(tmp_path / "a.mp3")) / 44100
        previous_end = 0.0
        for par, cue in zip(pars, chapter.cues, strict=True):
            text, audio = par.find("s:text", NS), par.find("s:audio", NS)
            document, _, fragment = resolve(name, text.get("src")).partition("#")
            xhtml = etree.fromstring(files[document])
            (element,) = xhtml.xpath("//*[@id=$id]", id=fragment)
            assert " ".join("".join(element.itertext()).split()) == " ".join(cue.text.split())
            begin, end = clock(audio.get("clipBegin")), clock(audio.get("clipEnd"))
            assert 0 <= begin < end <= seconds + 0.001
            assert abs(begin - cue.start) <= TOLERANCE
            assert cue.end <= end + TOLERANCE
            assert begin >= previous_end - 0.001  # in order, never overlapping
            previous_end = end
        textref = tree.find("s:body/s:seq", NS).get(f"{{{NS['epub']}}}textref")
        document, _, fragment = resolve(name, textref).partition("#")
        assert etree.fromstring(files[document]).xpath("//*[@id=$id]", id=fragment)


def test_the_text_is_the_script_in_blocks(published):
    files = members(epub_path(published))
    first = etree.fromstring(files["OEBPS/text/chapter-001.xhtml"])
    (disclosure,) = first.xpath("//x:p[@class='disclosure']", namespaces=NS)
    assert "".join(disclosure.itertext()).strip() == DISCLOSURE
    assert [" ".join("".join(h.itertext()).split()) for h in first.findall(".//x:h1", NS)] == ["The First Morning"]
    second = etree.fromstring(files["OEBPS/text/chapter-002.xhtml"])
    blocks = [(e.tag.split("}")[1], " ".join("".join(e.itertext()).split())) for e in second.find(".//x:section", NS)]
    assert blocks == [("h1", "A Letter"), ("p", "She read the letter slowly."), ("h2", "Postscript"),
                      ("p", "Then she smiled.")]  # fmt: skip
    nav = etree.fromstring(files["OEBPS/nav.xhtml"])
    assert [a.text for a in nav.findall(".//x:nav//x:a", NS)] == [c.title for c in published.chapters]


def test_metadata_durations_disclosure_and_cover(published):
    opf = etree.fromstring(members(epub_path(published))["OEBPS/content.opf"])
    meta = opf.find("o:metadata", NS)
    assert meta.findtext("dc:title", namespaces=NS) == "A Tiny Book"
    assert meta.findtext("dc:creator", namespaces=NS) == "Test Writer"
    assert meta.findtext("dc:language", namespaces=NS) == "en"
    assert meta.findtext("dc:identifier", namespaces=NS).startswith("urn:uuid:")
    assert DISCLOSURE in meta.findtext("dc:description", namespaces=NS)
    durations = {m.get("refines"): clock(m.text) for m in meta.findall("o:meta[@property='media:duration']", NS)}
    parts = [v for k, v in durations.items() if k]
    assert len(parts) == len(published.chapters) and durations[None] == pytest.approx(sum(parts), abs=1e-6)
    for part, chapter in zip(parts, published.chapters, strict=True):
        assert 0 < part <= chapter.duration
    assert meta.find("o:meta[@property='media:active-class']", NS).text == "-epub-media-overlay-active"
    (cover,) = opf.findall("o:manifest/o:item[@properties='cover-image']", NS)
    assert cover.get("media-type") in ("image/jpeg", "image/png")


def test_the_disclosure_is_spoken_first_and_tagged(published):
    first = published.chapters[0]
    assert first.cues[0].text == DISCLOSURE and first.cues[1].text == "The First Morning"
    assert [b.kind for b in first.blocks] == ["disclosure", "title", "paragraph"]
    assert all(DISCLOSURE not in c.text for ch in published.chapters[1:] for c in ch.cues)
    for path in [c.episode for c in published.chapters] + [published.mp3]:
        assert [str(f) for f in ID3(path).getall("COMM")] == [DISCLOSURE]
    tags = MP4(published.m4b).tags
    assert tags["\xa9cmt"] == [DISCLOSURE] and tags["desc"] == [DISCLOSURE]


def test_republishing_unchanged_leaves_the_epub_alone(published):
    path = epub_path(published)
    before = path.stat().st_mtime_ns
    publish(published, base_url="https://example.org/tiny/")
    assert path.stat().st_mtime_ns == before


def test_an_edit_rewrites_the_epub_and_epub_false_removes_it(tmp_path, clip_cache):
    scripts = make_book(tmp_path, clip_cache)
    result = publish_book(scripts)
    path = epub_path(result)
    before = members(path)
    script = scripts / "02-a-letter.md"
    script.write_text(script.read_text().replace("slowly", "twice over"))
    after = members(epub_path(publish_book(scripts)))
    changed = sorted(name for name in after if after[name] != before.get(name))
    assert b"She read the letter twice over." in after["OEBPS/text/chapter-002.xhtml"]
    assert set(changed) == {"OEBPS/content.opf", "OEBPS/text/chapter-002.xhtml", "OEBPS/smil/chapter-002.smil",
                            "OEBPS/audio/chapter-002.mp3"}  # fmt: skip
    toml = scripts / "book.toml"
    toml.write_text(toml.read_text() + "\n[publish]\nepub = false\n")
    assert load_config(scripts).publish.epub is False
    result = publish_book(scripts)
    assert not path.exists()
    assert b".epub" not in (result.out_dir / "index.html").read_bytes()
