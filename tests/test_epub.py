"""EPUB input: reading order, chapters from nav / NCX / headings, fragments, nesting, front and back
matter, notes, text blocks, metadata, pronunciation hints. Fixture EPUBs are built with zipfile."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from epub_support import PROSE, Epub, li, nav, ncx, point, simple_book, xhtml

from narration.config import TextConfig, load_config
from narration.model import render_script
from narration.text.epub import split_epub
from narration.text.lexicon import load_lexicon
from narration.text.result import format_report
from narration.text.split import split_file, write_scripts

LEAVES = Path(__file__).resolve().parents[2] / "shared" / "texts" / "leaves-of-grass-standard-ebooks.epub"


def split(tmp_path: Path, epub: Epub, config: TextConfig | None = None):
    return split_epub(epub.write(tmp_path / "book.epub"), config)


def titles(result) -> list[str]:
    return [c.title for c in result.chapters]


def script(chapter) -> str:
    return render_script(chapter.title, chapter.sections)


def test_simple_book_chapters_come_from_the_nav(tmp_path: Path) -> None:
    result = split(tmp_path, simple_book(3))
    assert titles(result) == ["Chapter 1", "Chapter 2", "Chapter 3"]
    assert result.report.sources == ("nav", "nav", "nav")
    first = result.chapters[0]
    assert [s.text for s in first.sections] == [PROSE, "Part 1 ends here."]  # the h2 repeats the title: not read twice
    assert first.slug == "01-chapter-1"


def test_reading_order_is_the_spine_not_the_manifest_or_the_toc(tmp_path: Path) -> None:
    epub = simple_book(3)
    epub.docs = dict(reversed(list(epub.docs.items())))  # spine: ch3, ch2, ch1 (manifest in the same order)
    epub.nav = nav(li("ch1.xhtml", "Chapter 1") + li("ch2.xhtml", "Chapter 2") + li("ch3.xhtml", "Chapter 3"))
    assert titles(split(tmp_path, epub)) == ["Chapter 3", "Chapter 2", "Chapter 1"]


def test_nested_parts_are_containers_and_deeper_entries_subheadings(tmp_path: Path) -> None:
    docs = {
        "part1.xhtml": xhtml('<section epub:type="part"><h1>Part One</h1></section>'),
        "c1.xhtml": xhtml(f"<h2>I: A Letter</h2><p>{PROSE}</p>"),
        "c2.xhtml": xhtml(
            f'<h2>II</h2><p>{PROSE}</p><h3 id="s1">The Reply</h3><p>She wrote back.</p><p id="s2">Later on.</p>'
        ),
        "part2.xhtml": xhtml(f"<h1>Part Two</h1><p>{PROSE}</p>"),
        "c3.xhtml": xhtml("<h2>III</h2><p>The third.</p>"),
    }
    toc = li(
        "part1.xhtml",
        "Part One",
        li("c1.xhtml", "I: <i>A Letter</i>")
        + li("c2.xhtml", "II", li("c2.xhtml#s1", "The Reply") + li("c2.xhtml#s2", "Afterwards")),
    ) + li("part2.xhtml", "Part Two", li("c3.xhtml", "III"))
    result = split(tmp_path, Epub(docs=docs, nav=nav(toc)))
    # Part One has no text of its own: its children are chapters; Part Two has some: a chapter, and so is its child
    assert titles(result) == ["I: A Letter", "II", "Part Two", "III"]
    second = script(result.chapters[1])
    assert "## The Reply\n\nShe wrote back.\n\n## Afterwards\n\nLater on." in second
    assert script(result.chapters[2]) == f"# Part Two\n\n{PROSE}\n"
    assert script(result.chapters[3]) == "# III\n\nThe third.\n"


def test_fragments_of_one_file_make_several_chapters(tmp_path: Path) -> None:
    body = "".join(f'<h2 id="c{n}">Chapter {n}</h2><p>Text of chapter {n}.</p><p>{PROSE}</p>' for n in (1, 2, 3))
    epub = Epub(
        docs={"all.xhtml": xhtml(f"<div>{body}</div>")},
        nav=nav("".join(li(f"all.xhtml#c{n}", f"Chapter {n}") for n in (1, 2, 3))),
    )
    result = split(tmp_path, epub)
    assert titles(result) == ["Chapter 1", "Chapter 2", "Chapter 3"]
    for n, chapter in enumerate(result.chapters, 1):
        assert [s.text for s in chapter.sections] == [f"Text of chapter {n}.", PROSE]


def test_a_chapter_spans_two_files_and_links_are_decoded_and_relative(tmp_path: Path) -> None:
    docs = {
        "text/one a.xhtml": xhtml(f'<h2 id="sé">One</h2><p>{PROSE}</p>'),
        "text/one-b.xhtml": xhtml("<p>Still chapter one.</p>"),
        "text/two.xhtml": xhtml(f"<h2>Two</h2><p>{PROSE}</p>"),
    }
    epub = Epub(docs=docs, nav=nav(li("text/one%20a.xhtml#s%C3%A9", "One") + li("text/./two.xhtml", "Two")))
    result = split(tmp_path, epub)
    assert titles(result) == ["One", "Two"]
    assert [s.text for s in result.chapters[0].sections] == [PROSE, "Still chapter one."]


def test_linear_no_is_not_narrated(tmp_path: Path) -> None:
    epub = simple_book(2)
    epub.docs["answers.xhtml"] = xhtml("<h2>Answers</h2><p>The answer is four.</p>")
    epub.linear_no = {"answers.xhtml"}
    epub.nav = nav(li("ch1.xhtml", "Chapter 1") + li("ch2.xhtml", "Chapter 2") + li("answers.xhtml", "Answers"))
    result = split(tmp_path, epub)
    assert titles(result) == ["Chapter 1", "Chapter 2"]
    assert "four" not in "".join(c.text for c in result.chapters)
    assert any("linear" in s for s in result.report.skipped)


def test_epub2_ncx_only_with_metadata(tmp_path: Path) -> None:
    metadata = (
        '<dc:identifier id="uid">isbn:9780000000001</dc:identifier><dc:title>Old Book</dc:title>'
        '<dc:creator opf:role="aut">First Author</dc:creator><dc:creator opf:role="edt">An Editor</dc:creator>'
        '<dc:creator opf:role="aut">Second Author</dc:creator><dc:language>fr</dc:language>'
        '<dc:date opf:event="modification">2011-01-01</dc:date><dc:date opf:event="publication">1855</dc:date>'
        "<dc:publisher>Old House</dc:publisher>"
        "<dc:description>&lt;p&gt;A &lt;b&gt;fine&lt;/b&gt; book.&lt;/p&gt;</dc:description>"
    )
    epub = simple_book(2)
    epub.nav, epub.version, epub.metadata = None, "2.0", metadata
    epub.ncx = ncx(point("ch1.xhtml", "Chapter 1") + point("ch2.xhtml", "Chapter 2"))
    result = split(tmp_path, epub)
    assert titles(result) == ["Chapter 1", "Chapter 2"] and result.report.sources == ("NCX", "NCX")
    book = result.config
    assert (book.title, book.author, book.language) == ("Old Book", "First Author and Second Author", "fr")
    assert (book.publisher, book.identifier, book.description) == ("Old House", "isbn:9780000000001", "A fine book.")
    assert book.published == datetime.date(1855, 1, 1)


def test_epub3_title_with_subtitle_authors_in_display_order(tmp_path: Path) -> None:
    epub = simple_book(1)
    epub.metadata = (
        '<dc:identifier id="uid">x</dc:identifier>'
        '<dc:title id="m">Main</dc:title><dc:title id="s">The Subtitle</dc:title>'
        '<meta refines="#m" property="title-type">main</meta><meta refines="#s" property="title-type">subtitle</meta>'
        '<dc:creator id="b">Bea</dc:creator><meta refines="#b" property="display-seq">2</meta>'
        '<dc:creator id="a">Abe</dc:creator><meta refines="#a" property="display-seq">1</meta>'
        "<dc:date>2024-01-02T19:53:47Z</dc:date>"
    )
    book = split(tmp_path, epub).config
    assert (book.title, book.author) == ("Main: The Subtitle", "Abe and Bea")
    assert book.published == datetime.datetime(2024, 1, 2, 19, 53, 47, tzinfo=datetime.UTC)


def test_without_nav_or_ncx_chapters_come_from_headings(tmp_path: Path) -> None:
    epub = simple_book(3)
    epub.nav = None
    result = split(tmp_path, epub)
    assert titles(result) == ["Chapter 1", "Chapter 2", "Chapter 3"]
    assert set(result.report.sources) == {"headings"}


FRONT_BACK = {
    "cover.xhtml": ('<section epub:type="cover"><p>Cover words</p></section>', "Cover"),
    "title.xhtml": ('<section epub:type="titlepage"><h1>The Book</h1><p>Title words</p></section>', "Titlepage"),
    "half.xhtml": ('<section epub:type="halftitlepage"><p>Half words</p></section>', "The Book"),
    "imprint.xhtml": ('<section epub:type="imprint"><p>Imprint words</p></section>', "Imprint"),
    "copy.xhtml": ('<section epub:type="copyright-page"><p>Copyright words</p></section>', "Legal"),
    "toc2.xhtml": ('<nav epub:type="toc"><ol><li>Contents words</li></ol></nav>', "In this book"),
    "loi.xhtml": ('<section epub:type="loi"><p>Illustration words</p></section>', "Pictures"),
    "role.xhtml": ('<section role="doc-colophon"><p>Role words</p></section>', "Set in type"),
    "marked.xhtml": ("<p>Landmark words</p>", "Small print"),
    "untyped.xhtml": ("<p>Licence words</p>", "License"),
    "dedication.xhtml": (
        '<section epub:type="dedication"><p>For my mother, who kept the lamp.</p></section>',
        "Dedication",
    ),
    "epigraph.xhtml": ('<section epub:type="epigraph"><p>Light is the first of painters.</p></section>', "Epigraph"),
    "preface.xhtml": (f'<section epub:type="preface"><h2>Preface</h2><p>{PROSE}</p></section>', "Preface"),
    "ch1.xhtml": (f"<h2>Chapter 1</h2><p>{PROSE}</p>", "Chapter 1"),
    "index.xhtml": ('<section epub:type="index"><p>Index words</p></section>', "Register"),
    "colophon.xhtml": ('<section epub:type="colophon"><p>Colophon words</p></section>', "Colophon"),
}


def test_front_and_back_matter_of_each_kind_is_skipped(tmp_path: Path) -> None:
    epub = Epub(
        docs={name: xhtml(body) for name, (body, _) in FRONT_BACK.items()},
        nav=nav(
            "".join(li(name, title) for name, (_, title) in FRONT_BACK.items()),
            landmarks='<li><a epub:type="copyright-page" href="marked.xhtml">Small print</a></li>',
        ),
    )
    result = split(tmp_path, epub)
    assert titles(result) == ["Dedication", "Epigraph", "Preface", "Chapter 1"]
    text = " ".join(c.text for c in result.chapters)
    assert " words" not in text
    report = "\n".join(result.report.skipped)
    for reason in ("cover", "title page", "half-title page", "imprint", "copyright page", "table of contents"):
        assert reason in report
    assert "(landmarks)" in report and "licence (by its title)" in report and "role doc-colophon" in report


def test_front_matter_switch_off_reads_it(tmp_path: Path) -> None:
    epub = Epub(
        docs={"c.xhtml": xhtml('<section epub:type="colophon"><p>Colophon words.</p></section>')},
        nav=nav(li("c.xhtml", "Colophon")),
    )
    assert titles(split(tmp_path, epub, TextConfig(front_matter=False))) == ["Colophon"]


def test_footnotes_of_each_kind_are_removed_and_their_bodies_not_read(tmp_path: Path) -> None:
    body = (
        '<h2>Chapter 1</h2><p>One<a epub:type="noteref" href="#n1">1</a>'
        ' two<a role="doc-noteref" href="notes.xhtml#n2">2</a>'
        ' three<sup><a href="#n3">3</a></sup> four<a href="#n4">[4]</a> five.</p>'
        '<aside epub:type="footnote" id="n1"><p>Aside note.</p></aside>'
        '<p id="n3"><a href="#r3">3</a> Plain paragraph note.</p>'
        '<p class="footnote" id="n4">Classed note.</p>'
        f"<p>{PROSE}</p>"
    )
    notes = xhtml(
        '<section role="doc-endnotes"><ol><li id="n2" role="doc-endnote"><p>Endnote text.</p></li></ol></section>'
    )
    epub = Epub(
        docs={"c1.xhtml": xhtml(body), "notes.xhtml": notes},
        nav=nav(li("c1.xhtml", "Chapter 1") + li("notes.xhtml", "Notes")),
    )
    result = split(tmp_path, epub)
    assert titles(result) == ["Chapter 1"]
    assert [s.text for s in result.chapters[0].sections] == ["One two three four five.", PROSE]
    assert any("note references" in s for s in result.report.skipped)
    kept = split(tmp_path, epub, TextConfig(footnotes=False))
    assert "Aside note." in kept.chapters[0].text and "One1 two2" in kept.chapters[0].text


def test_text_blocks_poetry_lists_quotes_nesting(tmp_path: Path) -> None:
    body = (
        "<h2>Chapter 1</h2>"
        "<div>Loose text before.<p>A paragraph with <em>nested <b>markup</b></em>.</p>Loose text after.</div>"
        '<div class="stanza"><p><span>First line,</span><br/><span>second line.</span></p></div>'
        "<blockquote><p>Quoted words.</p></blockquote><ul><li>Item one</li><li><p>Item two</p></li></ul>"
        '<p>Before<span epub:type="pagebreak" id="p7" title="7">7</span> after.</p>'
        '<figure><img src="i.png" alt="A lamp"/><figcaption>Fig. 1: the lamp.</figcaption></figure>'
        "<script>var x = 1;</script><p>[Illustration: The lamp.]</p><p>Last.</p>"
    )
    result = split(tmp_path, Epub(docs={"c.xhtml": xhtml(body)}, nav=nav(li("c.xhtml", "Chapter 1"))))
    assert [s.text for s in result.chapters[0].sections] == [
        "Loose text before.",
        "A paragraph with nested markup.",
        "Loose text after.",
        "First line,\nsecond line.",
        "Quoted words.",
        "Item one",
        "Item two",
        "Before after.",
        "Last.",
    ]
    with_alt = split(
        tmp_path, Epub(docs={"c.xhtml": xhtml(body)}, nav=nav(li("c.xhtml", "Chapter 1"))), TextConfig(image_alt=True)
    )
    assert "A lamp" in [s.text for s in with_alt.chapters[0].sections]


def test_pronunciation_hints_go_to_the_lexicon_or_the_report(tmp_path: Path) -> None:
    pls = (
        '<?xml version="1.0"?><lexicon xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" version="1.0"'
        ' alphabet="ipa" xml:lang="en">'
        "<lexeme><grapheme>Kronstadt</grapheme><alias>Kron shtat</alias></lexeme>"
        "<lexeme><grapheme>Bukharin</grapheme><phoneme>bʊˈxarʲɪn</phoneme></lexeme></lexicon>"
    )
    epub = Epub(
        docs={"c.xhtml": xhtml(f'<h2>One</h2><p>The <span ssml:ph="təˈmɑːtəʊ">tomato</span> grew. {PROSE}</p>')},
        nav=nav(li("c.xhtml", "One")),
        extra_items='<item id="pls" href="lex.pls" media-type="application/pls+xml"/>',
        files={"OEBPS/lex.pls": pls},
    )
    path = epub.write(tmp_path / "book.epub")
    for engine, expected in (
        ("piper", {"Kronstadt": "Kron shtat", "Bukharin": "[[ bʊˈxarʲɪn ]]", "tomato": "[[ təˈmɑːtəʊ ]]"}),
        ("espeak", {"Kronstadt": "Kron shtat"}),
    ):
        result = split_epub(path, engine=engine)
        [lexicon] = [f for f in result.files if f.name == "lexicon.toml"]
        (tmp_path / "lexicon.toml").write_bytes(lexicon.data)
        assert load_lexicon(tmp_path) == expected
    report = "\n".join(result.report.skipped)  # espeak: reported, to be respelled by hand
    assert "tomato /təˈmɑːtəʊ/" in report and "Bukharin" in report


def test_split_file_writes_scripts_book_toml_and_report(tmp_path: Path) -> None:
    source = simple_book(2).write(tmp_path / "book.epub")
    result = split_file(source, tmp_path / "scripts")
    write_scripts(result, tmp_path / "scripts")
    config = load_config(tmp_path / "scripts")
    assert (config.title, config.author, config.published) == (
        "The Lantern Keeper",
        "Ada Writer",
        datetime.date(2021, 3, 4),
    )
    assert sorted(p.name for p in (tmp_path / "scripts").glob("*.md")) == ["01-chapter-1.md", "02-chapter-2.md"]
    report = format_report(result, tmp_path / "scripts")
    assert "nav" in report and "Not narrated:" in report


@pytest.fixture(scope="module")
def leaves():
    if not LEAVES.exists():
        pytest.fail(f"the test EPUB is missing: {LEAVES}")
    return split_epub(LEAVES)


def test_leaves_of_grass(leaves) -> None:
    names = titles(leaves)
    assert names[0] == "Epigraph" and "Song of Myself" in names and names[-1] == "A Backward Glance O’er Travel’d Roads"
    assert not {"Titlepage", "Imprint", "Colophon", "Uncopyright", "Endnotes", "Table of Contents"} & set(names)
    assert len(names) > 300 and set(leaves.report.sources) == {"nav"}
    song = leaves.chapters[names.index("Song of Myself")]
    assert song.word_count > 15_000 and ("heading", "52") in [(s.kind, s.text) for s in song.sections]
    poem = leaves.chapters[names.index("One’s-Self I Sing")].sections[0].text
    assert poem == "One’s-self I sing, a simple separate person,\nYet utter the word Democratic, the word En-Masse."
    assert leaves.config.author == "Walt Whitman" and leaves.files == ()  # an SVG cover: generated instead
    assert "Navesink" not in " ".join(c.text for c in leaves.chapters)  # an endnote


def test_gutenberg_style_epub2(tmp_path: Path) -> None:
    """One big file, NCX entries at anchors, <sup> note links, notes as paragraphs, the PG header."""
    body = (
        '<div id="pg-header"><p>The Project Gutenberg eBook of The Lantern Keeper.'
        " This eBook is for the use of anyone.</p></div>"
        '<h2><a id="link2HCH0001"></a>CHAPTER I.</h2>'
        f'<p>{PROSE} The keeper<a href="#linknote-1" id="linknoteref-1"><sup>1</sup></a> slept.</p>'
        '<h2><a id="link2HCH0002"></a>CHAPTER II.</h2><p>The second chapter is short.</p>'
        '<h2><a id="notes"></a>FOOTNOTES</h2>'
        '<p><a id="linknote-1"></a> <a href="#linknoteref-1">(1)</a> A keeper is a guardian.</p>'
        '<div id="pg-footer"><p>End of the Project Gutenberg eBook. Full license text follows.</p></div>'
    )
    epub = Epub(docs={"book.xhtml": xhtml(body)}, version="2.0")
    epub.ncx = ncx(
        point("book.xhtml#link2HCH0001", "CHAPTER I.")
        + point("book.xhtml#link2HCH0002", "CHAPTER II.")
        + point("book.xhtml#missing", "Lost")
        + point("book.xhtml#notes", "FOOTNOTES")
    )
    result = split(tmp_path, epub)
    assert titles(result) == ["CHAPTER I.", "CHAPTER II."]
    assert result.chapters[0].sections[0].text == f"{PROSE} The keeper slept."
    assert [s.text for s in result.chapters[1].sections] == ["The second chapter is short."]
    text = " ".join(c.text for c in result.chapters)
    assert "Gutenberg" not in text and "guardian" not in text
    assert any("#missing is not in" in s for s in result.report.skipped)


def test_piper_reads_the_phonemes_of_a_lexicon_entry() -> None:
    """The ``[[ ipa ]]`` form written for Piper survives the spoken form and is taken as phonemes."""
    from piper import PiperVoice

    from narration.synth.engines.piper import bundled_voice
    from narration.text.spoken import to_spoken

    spoken = to_spoken("Bukharin spoke.", {"Bukharin": "[[ bʊˈxarʲɪn ]]"})
    assert spoken == "[[ bʊˈxarʲɪn ]] spoke."
    voice = PiperVoice.load(bundled_voice())
    phonemes = "".join(voice.phonemize(spoken)[0])
    assert phonemes.startswith("bʊˈxarʲɪn ")


def test_header_and_hgroup_titles_are_one_heading(tmp_path: Path) -> None:
    docs = {
        "c1.xhtml": xhtml(
            '<section epub:type="chapter"><header><h2 epub:type="ordinal">I</h2>'
            f'<p epub:type="title">A Letter with a Postscript</p></header><p>{PROSE}</p>'
            "<hgroup><h3>Part the Second</h3><p>In which it rains</p></hgroup><p>It rained.</p></section>"
        ),
    }
    result = split(tmp_path, Epub(docs=docs, nav=nav(li("c1.xhtml", "I: A Letter with a Postscript"))))
    assert script(result.chapters[0]) == (
        f"# I: A Letter with a Postscript\n\n{PROSE}\n\n## Part the Second: In which it rains\n\nIt rained.\n"
    )


@pytest.mark.parametrize(
    ("base", "href", "expected"),
    [
        ("OEBPS/nav.xhtml", "text/ch%201.xhtml#s%C3%A9", ("OEBPS/text/ch 1.xhtml", "sé")),
        ("OEBPS/text/a.xhtml", "../b.xhtml", ("OEBPS/b.xhtml", None)),
        ("OEBPS/text/a.xhtml", "#n1", ("OEBPS/text/a.xhtml", "n1")),
        ("OEBPS/a.xhtml", "../../etc/passwd", (None, None)),
        ("OEBPS/a.xhtml", "/etc/passwd", (None, None)),
        ("OEBPS/a.xhtml", "https://example.org/x#y", (None, "y")),
    ],
)
def test_resolve_href(base: str, href: str, expected) -> None:
    from narration.text.epub.archive import resolve_href

    assert resolve_href(base, href) == expected


@pytest.mark.parametrize(
    ("name", "safe"),
    [("OEBPS/a.xhtml", True), ("../a", False), ("/etc/passwd", False), ("a/../../b", False), ("C:/x", False)],
)
def test_is_safe_name(name: str, safe: bool) -> None:
    from narration.text.epub.archive import is_safe_name

    assert is_safe_name(name) is safe


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1855", datetime.date(1855, 1, 1)),
        ("1855-07", datetime.date(1855, 7, 1)),
        ("1855-07-04", datetime.date(1855, 7, 4)),
        ("2024-01-02T19:53:47Z", datetime.datetime(2024, 1, 2, 19, 53, 47, tzinfo=datetime.UTC)),
        ("sometime", None),
    ],
)
def test_parse_date(text: str, expected) -> None:
    from narration.text.epub.package import parse_date

    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Copyright", "copyright page"),
        ("Table of Contents", "table of contents"),
        ("List of Illustrations", "list of illustrations"),
        ("Endnotes", "notes"),
        ("The Full Project Gutenberg License", "licence"),
        ("Chapter 1: The Copyright of Dreams", None),
        ("Dedication", None),
        ("Introduction", None),
    ],
)
def test_title_rule(title: str, name: str | None) -> None:
    from narration.text.epub.rules import title_rule

    assert title_rule(title) == name


def test_small_text_helpers() -> None:
    from narration.text.epub import join_names
    from narration.text.epub.package import strip_html

    assert strip_html("<p>A <b>fine</b>\n book.</p><p>Two.</p>") == "A fine book. Two."
    assert strip_html("No markup  here") == "No markup here"
    assert [join_names(n) for n in ((), ("A",), ("A", "B"), ("A", "B", "C"))] == ["", "A", "A and B", "A, B and C"]
