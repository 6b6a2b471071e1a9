"""Bad and hostile EPUBs: each gives a clear one-line message, a non-zero exit, and nothing written.
Also covers of each kind, web pages, and the round trip split -> build."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from epub_support import BLUE, CONTAINER, PROSE, RED, Epub, image_bytes, li, nav, simple_book, xhtml
from PIL import Image

from narration.audio.cover import check_cover
from narration.cli import cli
from narration.config import load_config
from narration.text.epub import split_epub
from narration.text.epub.archive import MAX_ENTRY_BYTES

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def refused(tmp_path: Path, source: Path, *phrases: str) -> None:
    out = tmp_path / "scripts"
    result = CliRunner().invoke(cli, ["split", str(source), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
    for phrase in phrases:
        assert phrase in result.output, result.output
    assert not out.exists()


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "book.epub"
    path.write_text("just some text, not an archive")
    refused(tmp_path, path, "not an EPUB", "not a zip archive")


def test_truncated_zip(tmp_path: Path) -> None:
    full = simple_book().write(tmp_path / "full.epub").read_bytes()
    path = tmp_path / "book.epub"
    path.write_bytes(full[: len(full) // 2])
    refused(tmp_path, path, "not an EPUB")


def test_no_mimetype_and_no_container(tmp_path: Path) -> None:
    epub = simple_book()
    epub.mimetype, epub.container = None, None
    refused(tmp_path, epub.write(tmp_path / "book.epub"), "without a mimetype file or META-INF/container.xml")


def test_container_missing(tmp_path: Path) -> None:
    epub = simple_book()
    epub.container = None
    refused(tmp_path, epub.write(tmp_path / "book.epub"), "container.xml is missing")


def test_container_points_at_a_missing_opf(tmp_path: Path) -> None:
    epub = simple_book()
    epub.container = CONTAINER.format(opf="OEBPS/elsewhere.opf")
    refused(tmp_path, epub.write(tmp_path / "book.epub"), "OEBPS/elsewhere.opf", "is missing")


def test_container_pointing_outside_the_archive_is_never_followed(tmp_path: Path) -> None:
    epub = simple_book()
    epub.container = CONTAINER.format(opf="../../etc/passwd")
    refused(tmp_path, epub.write(tmp_path / "book.epub"), "outside the archive")


def test_spine_item_missing_from_the_archive_is_refused(tmp_path: Path) -> None:
    path = simple_book().write(tmp_path / "full.epub")
    broken = tmp_path / "book.epub"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            if info.filename != "OEBPS/ch2.xhtml":
                dst.writestr(info, src.read(info))
    refused(tmp_path, broken, "spine item", "OEBPS/ch2.xhtml", "missing from the archive")


def test_archive_names_climbing_out_are_never_followed(tmp_path: Path) -> None:
    epub = simple_book(1)
    epub.docs = {"../../secret.xhtml": xhtml(f"<p>{PROSE}</p>")}
    epub.nav = nav(li("../../secret.xhtml", "Secret"))
    refused(tmp_path, epub.write(tmp_path / "book.epub"), "points outside the archive")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        (
            "META-INF/encryption.xml",
            '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"'
            ' xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
            '<enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/><enc:CipherData>'
            '<enc:CipherReference URI="OEBPS/ch1.xhtml"/></enc:CipherData></enc:EncryptedData></encryption>',
        ),
        ("META-INF/rights.xml", "<adept:rights xmlns:adept='http://ns.adobe.com/adept'/>"),
    ],
)
def test_drm_is_refused(tmp_path: Path, name: str, data: str) -> None:
    epub = simple_book()
    epub.files[name] = data
    refused(tmp_path, epub.write(tmp_path / "book.epub"), "this EPUB is DRM-protected")


def test_font_obfuscation_is_not_drm(tmp_path: Path) -> None:
    epub = simple_book(1)
    epub.files["META-INF/encryption.xml"] = (
        '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#">'
        '<enc:EncryptedData><enc:EncryptionMethod Algorithm="http://www.idpf.org/2008/embedding"/>'
        '<enc:CipherData><enc:CipherReference URI="OEBPS/font.otf"/></enc:CipherData></enc:EncryptedData></encryption>'
    )
    assert len(split_epub(epub.write(tmp_path / "book.epub")).chapters) == 1


def test_external_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    epub = simple_book(1)
    doc = xhtml("<h2>Chapter 1</h2><p>&xxe; and more text.</p>")
    epub.docs["ch1.xhtml"] = doc.replace("<html", f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret}">]>\n<html', 1)
    refused(tmp_path, epub.write(tmp_path / "book.epub"), "declares XML entities")


def test_billion_laughs_is_never_expanded(tmp_path: Path) -> None:
    laughs = (
        '<!DOCTYPE package [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10))
        + "]>"
    )
    epub = simple_book(1)
    epub.metadata = epub.metadata.replace("The Lantern Keeper", "&lol9;")
    path = epub.write(tmp_path / "book.epub")
    with zipfile.ZipFile(path) as src:
        entries = {i.filename: src.read(i) for i in src.infolist()}
    opf = entries["OEBPS/content.opf"].decode().replace("<package", laughs + "<package", 1)
    entries["OEBPS/content.opf"] = opf.encode()
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in entries.items():
            dst.writestr(name, data)
    refused(tmp_path, path, "declares XML entities")


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    epub = simple_book(1)
    epub.files["OEBPS/huge.xhtml"] = b"\0" * (MAX_ENTRY_BYTES // 4)  # compresses about 1000 to 1
    refused(tmp_path, epub.write(tmp_path / "book.epub"), "refused", "zip bomb")


def test_no_text_at_all(tmp_path: Path) -> None:
    epub = Epub(
        docs={"img.xhtml": xhtml('<div><img src="a.png" alt="a picture"/></div>')}, nav=nav(li("img.xhtml", "Plate"))
    )
    refused(tmp_path, epub.write(tmp_path / "book.epub"), "no text to narrate")


# --- covers ----------------------------------------------------------------------------------------


def with_cover(data: bytes, media_type: str, name: str = "OEBPS/cover.img", epub2: bool = False) -> Epub:
    epub = simple_book(1)
    if epub2:
        epub.extra_items = f'<item id="cimg" href="cover.img" media-type="{media_type}"/>'
        epub.metadata += '<meta name="cover" content="cimg"/>'
    else:
        epub.extra_items = f'<item id="cimg" href="cover.img" media-type="{media_type}" properties="cover-image"/>'
    epub.files[name] = data
    return epub


@pytest.mark.parametrize(
    ("size", "kind", "mode", "epub2", "name", "side"),
    [
        ((600, 900), "JPEG", "RGB", False, "cover.jpg", 1400),  # small and tall: scaled up, letterboxed
        ((4000, 2000), "JPEG", "RGB", True, "cover.jpg", 3000),  # huge and wide (EPUB 2 <meta name="cover">)
        ((1600, 1600), "PNG", "RGBA", False, "cover.png", 1600),  # transparency flattened
    ],
)
def test_cover_is_fitted_to_the_audio_rule(tmp_path: Path, size, kind, mode, epub2, name, side) -> None:
    epub = with_cover(image_bytes(size, kind, mode), f"image/{kind.lower()}", epub2=epub2)
    result = split_epub(epub.write(tmp_path / "book.epub"))
    [cover] = result.files
    assert cover.name == name
    path = tmp_path / cover.name
    path.write_bytes(cover.data)
    checked = check_cover(path)  # square, 1400-3000 px, RGB: the audio stage accepts it
    with Image.open(path) as image:
        assert image.size == (side, side) and checked.mime.endswith(kind.lower())
        scale = side / max(size)  # letterboxed, not stretched: the picture keeps its proportions
        for y, expected in ((side // 4, RED), (side - side // 4, BLUE)) if size[1] > size[0] else ():
            row = [image.getpixel((x, y)) for x in range(side)]
            run = sum(1 for p in row if all(abs(a - b) < 40 for a, b in zip(p, expected, strict=True)))
            assert abs(run - size[0] * scale) < 8, (run, size[0] * scale)
        if size[0] > size[1]:
            top = [image.getpixel((side // 2, y)) for y in range(side)]
            assert sum(1 for p in top if p[0] > 150 and p[2] < 80) == pytest.approx(size[1] * scale / 2, abs=8)


def test_svg_or_missing_cover_falls_back_to_the_generated_one(tmp_path: Path) -> None:
    svg = with_cover(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")
    result = split_epub(svg.write(tmp_path / "svg.epub"))
    assert result.files == () and any("SVG" in s for s in result.report.skipped)
    assert split_epub(simple_book(1).write(tmp_path / "none.epub")).files == ()


# --- CLI, web pages, round trip -------------------------------------------------------------------


def test_cli_split_epub_writes_cover_and_scripts(tmp_path: Path) -> None:
    source = with_cover(image_bytes((800, 1200)), "image/jpeg").write(tmp_path / "book.epub")
    out = tmp_path / "scripts"
    result = CliRunner().invoke(cli, ["split", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "cover.jpg").is_file() and (out / "01-chapter-1.md").is_file()
    assert "Wrote 1 chapter scripts, book.toml, cover.jpg to" in result.output


def test_html_article_main_text_only(tmp_path: Path) -> None:
    from narration.text.html import split_html

    result = split_html(FIXTURES / "article.html")
    assert [c.title for c in result.chapters] == ["The Kronstadt Uprising", "The demands", "The aftermath"]
    text = " ".join(c.text for c in result.chapters)
    for boilerplate in ("newsletter", "Home", "comments", "First!", "Copyright 2024", "fair use", "tracking"):
        assert boilerplate not in text
    assert "## Their resolution" not in text and "secret ballot" in text
    assert result.config.author == "Jane Doe"


def test_html_hostile_entities_refused(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text('<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]><html><body><p>&x;</p></body></html>')
    refused(tmp_path, page, "declares XML entities")


def test_round_trip_split_then_build(tmp_path: Path) -> None:
    epub = Epub(
        docs={
            "title.xhtml": xhtml('<section epub:type="titlepage"><h1>The Lantern Keeper</h1></section>'),
            "c1.xhtml": xhtml("<h2>The Lamp</h2><p>The keeper lit the lamp.</p>"),
            "c2.xhtml": xhtml("<h2>The Storm</h2><p>Then the storm came.</p>"),
        },
        nav=nav(li("title.xhtml", "Title Page") + li("c1.xhtml", "The Lamp") + li("c2.xhtml", "The Storm")),
    )
    source = epub.write(tmp_path / "book.epub")
    scripts = tmp_path / "project" / "scripts"
    scripts.mkdir(parents=True)  # a book.toml with the synth settings, kept by the split; no scripts yet
    (scripts / "book.toml").write_text(f'[synth]\njobs = 1\ncache_dir = "{tmp_path / "clips"}"\n')
    runner = CliRunner()
    split = runner.invoke(cli, ["split", str(source), "--out", str(scripts)])
    assert split.exit_code == 0, split.output
    out = tmp_path / "project" / "output"
    build = runner.invoke(
        cli, ["build", "--scripts", str(scripts), "--out", str(out), "--chapters", "1", "--jobs", "1"]
    )
    assert build.exit_code == 0, build.output
    assert (out / "episodes" / "01-the-lamp.mp3").stat().st_size > 1000
    assert load_config(scripts).title == "The Lantern Keeper"


def test_xhtml_outside_an_epub_is_a_web_page(tmp_path: Path) -> None:
    from narration.text.split import split_file

    page = tmp_path / "article.xhtml"
    page.write_bytes((FIXTURES / "article.html").read_bytes())
    result = split_file(page, tmp_path / "scripts")
    assert result.chapters[0].title == "The Kronstadt Uprising" and result.config.author == "Jane Doe"


def test_an_existing_lexicon_is_kept_unless_force(tmp_path: Path) -> None:
    from narration.text.split import split_file, write_scripts

    epub = simple_book(1)
    epub.extra_items = '<item id="pls" href="lex.pls" media-type="application/pls+xml"/>'
    epub.files["OEBPS/lex.pls"] = (
        '<lexicon xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" version="1.0">'
        "<lexeme><grapheme>keeper</grapheme><alias>keep er</alias></lexeme></lexicon>"
    )
    source = epub.write(tmp_path / "book.epub")
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "lexicon.toml").write_text('[words]\nmine = "my own"\n')
    write_scripts(split_file(source, scripts), scripts)
    assert "my own" in (scripts / "lexicon.toml").read_text()
    write_scripts(split_file(source, scripts), scripts, force=True)
    assert 'keeper = "keep er"' in (scripts / "lexicon.toml").read_text()


def test_an_epub_without_its_suffix_gets_a_hint(tmp_path: Path) -> None:
    source = simple_book(1).write(tmp_path / "book.zip")
    refused(tmp_path, source, "looks like a binary file", "name it .epub")


def test_html_text_before_the_first_heading_is_named_after_the_page(tmp_path: Path) -> None:
    from narration.text.html import split_html

    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Lighthouses</title></head><body><div id='content'>"
        f"<p>{PROSE}</p><p>{PROSE} Again.</p><h2>Lamps</h2><p>{PROSE} Lamps.</p><h2>Oil</h2><p>{PROSE} Oil.</p>"
        "</div><div id='footer'><a href='/'>Home</a></div></body></html>"
    )
    assert [c.title for c in split_html(page).chapters] == ["Lighthouses", "Lamps", "Oil"]


def test_a_missing_mimetype_alone_is_a_warning(tmp_path: Path) -> None:
    epub = simple_book(1)
    epub.mimetype = None
    result = split_epub(epub.write(tmp_path / "book.epub"))
    assert len(result.chapters) == 1 and any("no mimetype" in w for w in result.report.warnings)
    epub.mimetype = "application/zip"
    refused(tmp_path, epub.write(tmp_path / "book.epub"), "its mimetype file says 'application/zip'")
