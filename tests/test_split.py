"""``narration split``: the library API on fixtures and the pamphlet, the CLI, and every bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from narration.cli import cli
from narration.config import BookConfig, TextConfig, load_config, save_config
from narration.errors import ConfigError, InputError, ScriptsExistError
from narration.model import load_book
from narration.text.clean import is_caption
from narration.text.split import format_report, read_source, split_file, split_text, unique_slugs, write_scripts

PROSE = "This paragraph is ordinary running prose, long enough to be read as the body of a chapter."

PAMPHLET_TITLES = [
    "Introduction",
    "The October Revolution",
    "The Counter-Revolution",
    "How the Bolsheviks Defeated the Counter-Revolution",
    "Setbacks in the International Struggle",
    "The Crisis of Working-class Leadership",
    "The Exhaustion of Soviet Democracy",
    "Bureaucracy and the Workers’ State",
    "Party Democracy",
    "The Kronstadt Uprising",
    "The Struggle for Power in the Communist Party",
    "The Turning Point",
    "The Defeat of the German Revolution",
    "The Invention of ‘Trotskyism’",
    "‘Socialism in One Country’",
    "Why Marxism Stands for Internationalism",
    "What ‘Socialism in One Country’ Really Meant",
    "The defeat of the joint Left Opposition",
    "Proletarian bonapartism",
    'From the "Third Period"...',
    "The 'people's front'",
    "Rivers of blood",
    "Conclusion",
]


def all_text(result) -> str:
    return "\n\n".join(c.title + "\n\n" + c.text for c in result.chapters)


# --- fixtures ------------------------------------------------------------------------------------


def test_gutenberg_book(fixtures: Path):
    result = split_file(fixtures / "gutenberg-book.txt", fixtures / "no-such-scripts")
    assert result.config.title == "The Lantern Keeper" and result.config.author == "Mara Quill"
    assert [c.title for c in result.chapters] == [
        "Chapter I: The Light on the Point",
        "Chapter 2: A Storm from the North",
        "Chapter III: What the Tide Left",
    ]
    text = all_text(result)
    for gone in (
        "Gutenberg",
        "Produced by",
        "CONTENTS",
        "ILLUSTRATIONS",
        "Illustration",
        "[1]",
        "Footnote",
        "_not_",
        "* * *",
        "MARA QUILL",
        "harbour museum",
    ):
        assert gone not in text, gone
    assert "She was not a patient woman" in text
    assert "carefulness" in text and "extraordinarily regular" in text and "well-known shanty" in text
    assert "The lamp is lit at six,\nThe lamp is out at dawn,\nAnd all the ships between\nGo safely on." in text
    first = result.chapters[0].sections[0].text
    assert "\n" not in first and first.startswith("The lighthouse stood on the point")
    assert result.report.rules["gutenberg"].removed > 0 and result.report.rules["contents"].removed == 7
    assert result.report.rules["front_matter"].removed == 2  # "by", "MARA QUILL"


def test_markdown_book(fixtures: Path):
    result = split_file(fixtures / "markdown-book.md", fixtures / "no-such-scripts", author="A. Gardener")
    assert result.config.title == "The Garden Year"
    assert [c.title for c in result.chapters] == ["Introduction", "Spring", "Summer", "Winter"]
    spring = result.chapters[1]
    assert [s.kind for s in spring.sections] == ["paragraph", "heading", "paragraph"]
    assert spring.sections[0].text.endswith("as the CommonMark rules say.")
    assert spring.sections[1].text == "Seed list" and spring.sections[2].text == "1. Beans\n2. Peas\n3. Sweet peas"
    summer = result.chapters[2].text
    assert "The bees are loud,\nthe path is warm,\nthe hose is coiled\nagainst the storm." in summer
    assert "footnote" not in summer and "[^1]" not in summer and "as it always does." in summer
    assert "Contents" not in all_text(result) and "seedlings" not in all_text(result)


def test_split_load_round_trip(fixtures: Path, tmp_path: Path):
    result = split_file(fixtures / "markdown-book.md", tmp_path / "scripts")
    write_scripts(result, tmp_path / "scripts")
    book = load_book(tmp_path / "scripts")
    assert book.title == "The Garden Year" and book.language == "en"
    assert [(c.title, c.slug, c.sections) for c in book.chapters] == [
        (c.title, c.slug, c.sections) for c in result.chapters
    ]


# --- output folder -----------------------------------------------------------------------------


def test_refuses_to_overwrite_scripts_without_force(fixtures: Path, tmp_path: Path):
    out = tmp_path / "scripts"
    result = split_file(fixtures / "markdown-book.md", out)
    write_scripts(result, out)
    edited = out / "02-spring.md"
    edited.write_text("# Spring\n\nMy own edit.\n", encoding="utf-8")
    with pytest.raises(ScriptsExistError, match="--force"):
        write_scripts(result, out)
    assert edited.read_text(encoding="utf-8") == "# Spring\n\nMy own edit.\n"
    (out / "09-stale.md").write_text("# Stale\n\nOld chapter.\n", encoding="utf-8")
    write_scripts(result, out, force=True)
    assert "My own edit" not in edited.read_text(encoding="utf-8")
    assert not (out / "09-stale.md").exists()


def test_dry_run_writes_nothing(fixtures: Path, tmp_path: Path):
    out = tmp_path / "scripts"
    result = split_file(fixtures / "markdown-book.md", out)
    paths = write_scripts(result, out, dry_run=True)
    assert next(p.name for p in paths) == "01-introduction.md" and not out.exists()


def test_book_toml_settings_are_kept_and_rules_read_from_it(tmp_path: Path):
    source = tmp_path / "book.txt"
    source.write_text(f"She was _here_.[1]\n\n{PROSE}\n", encoding="utf-8")
    out = tmp_path / "scripts"
    config = BookConfig(author="Kept Author", language="fr", text=TextConfig(markup=False))
    config.audio.paragraph_pause_ms = 999
    save_config(out, config)
    result = split_file(source, out)
    write_scripts(result, out)
    saved = load_config(out)
    assert saved.author == "Kept Author" and saved.language == "fr" and saved.audio.paragraph_pause_ms == 999
    assert saved.text.markup is False and "_here_" in result.chapters[0].text and "[1]" not in result.chapters[0].text


def test_unique_slugs():
    assert unique_slugs(["Notes", "Notes", "Ça va", "!!!", "Notes 2"]) == [
        "notes",
        "notes-2",
        "ca-va",
        "chapter",
        "notes-2-2",
    ]


# --- texts that need a warning -----------------------------------------------------------------


def test_no_headings_gives_one_chapter_with_a_warning():
    result = split_text(f"{PROSE}\n\n{PROSE}\n", fallback_title="My book")
    assert [c.title for c in result.chapters] == ["My book"] and len(result.chapters[0].sections) == 2
    assert any("no headings" in w for w in result.report.warnings)


def test_duplicate_headings_get_unique_slugs_and_a_warning():
    raw = f"Notes on Method\n\n{PROSE}\n\nNotes on Method\n\n{PROSE}\n"
    result = split_text(raw, TextConfig(title_line=False))
    assert [c.slug for c in result.chapters] == ["01-notes-on-method", "02-notes-on-method-2"]
    assert any("2 chapters are titled" in w for w in result.report.warnings)


def test_heading_with_no_text_joins_the_next_or_is_dropped():
    raw = f"PART ONE\n\nCHAPTER 1\n\n{PROSE}\n\nCHAPTER 2\n\n{PROSE}\n\nCHAPTER 3\n"
    result = split_text(raw)
    assert [c.title for c in result.chapters] == ["Part One — Chapter 1", "Chapter 2"]
    assert len(result.report.warnings) == 2 and "'Chapter 3' has no text under it: dropped" in result.report.warnings[1]


def test_headings_without_any_text_are_refused():
    with pytest.raises(InputError, match="no paragraphs"):
        split_text("CHAPTER 1\n\nCHAPTER 2\n")


def test_two_megabyte_line_without_punctuation():
    result = split_text("word " * 400_000)
    assert len(result.chapters) == 1 and result.chapters[0].word_count == 400_000
    assert any("without sentence punctuation" in w for w in result.report.warnings)


# --- reading -----------------------------------------------------------------------------------


def test_read_source_encodings(tmp_path: Path):
    path = tmp_path / "t.txt"
    path.write_bytes("\ufeffCafé".encode("utf-8"))
    assert read_source(path) == "Café"
    path.write_bytes("Café".encode("utf-16"))
    assert read_source(path) == "Café"
    path.write_bytes("Café".encode("cp1252"))
    with pytest.raises(InputError, match="not UTF-8.*--encoding"):
        read_source(path)
    assert read_source(path, encoding="cp1252") == "Café"
    with pytest.raises(ConfigError, match="unknown encoding"):
        read_source(path, encoding="no-such-codec")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b" \n\t\n  \n", "is empty"),
        (b"\xef\xbb\xbf\n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ],
)
def test_read_source_bad_files(tmp_path: Path, content: bytes, message: str):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_source(path)


def test_read_source_missing_and_folder(tmp_path: Path):
    with pytest.raises(InputError, match="no such file"):
        read_source(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="is a folder"):
        read_source(tmp_path)


# --- the pamphlet --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pamphlet_result():
    from conftest import PAMPHLET

    return split_file(PAMPHLET, PAMPHLET.parent / "no-such-scripts", author="George Collins")


def test_pamphlet_chapters(pamphlet_result):
    assert pamphlet_result.config.title == "Russia: How the Bureaucracy Seized Power"
    assert [c.title for c in pamphlet_result.chapters] == PAMPHLET_TITLES
    assert all(c.word_count > 60 for c in pamphlet_result.chapters)
    assert pamphlet_result.report.warnings == ()


def test_pamphlet_has_no_caption_left(pamphlet_result, pamphlet: Path):
    assert pamphlet_result.report.rules["captions"].removed == 29
    text = all_text(pamphlet_result)
    assert not [line for line in text.split("\n") if is_caption(line) or "/ Image:" in line]
    assert "Image fair use" not in text and "Yanachka" not in text


def test_pamphlet_poem_stays_in_rivers_of_blood(pamphlet_result):
    rivers = next(c for c in pamphlet_result.chapters if c.title == "Rivers of blood")
    poem = [s.text for s in rivers.sections if s.text.startswith(('"We thank you', '"But why only'))]
    assert poem == [
        '"We thank you, Stalin!\nSixteen scoundrels,\nSixteen butchers of the Fatherland\nHave been gathered to '
        "their ancestors...",
        '"But why only sixteen?\nGive us forty,\nGive us hundreds,\nMake a bridge across the Moscow river,\nA bridge '
        'without tower or beams,\nA bridge of Soviet carrion -\nAnd add your carcass to the rest!"',
    ]
    assert rivers.sections[-1].text.startswith('"But why only sixteen?')


def test_pamphlet_inset_is_a_subheading_and_body_lines_stay(pamphlet_result):
    crisis = next(c for c in pamphlet_result.chapters if c.title == "The Crisis of Working-class Leadership")
    assert [s.text for s in crisis.sections if s.kind == "heading"] == [
        "From the “Platform of the Communist International” Adopted at the Founding Conference"
    ]
    text = all_text(pamphlet_result)
    for body_line in ("How was this victory won?", "Trotsky sums up:", "What made Stalin turn his ideas upside-down?"):
        assert f"\n\n{body_line}\n\n" in text
    assert "1. “No official to receive a higher wage" in text


def test_pamphlet_keeps_every_paragraph(pamphlet_result, pamphlet: Path):
    source = [p.strip() for p in re.split(r"\n\s*\n", pamphlet.read_text(encoding="utf-8")) if p.strip()]
    kept = {s.text for c in pamphlet_result.chapters for s in c.sections} | {c.title for c in pamphlet_result.chapters}
    lost = [p for p in source if "\n".join(" ".join(line.split()) for line in p.split("\n")) not in kept]
    assert len(lost) == 1 + 29 + 6  # the book title, the captions, the numbered headings (number dropped)
    assert all(is_caption(p) or re.match(r"\d+\. ", p) or p.startswith("Russia:") for p in lost)


def test_hard_wrapped_pamphlet_splits_the_same(pamphlet_result, pamphlet: Path):
    import textwrap

    paragraphs = pamphlet.read_text(encoding="utf-8").split("\n\n")
    wrapped = "\n\n".join(textwrap.fill(p, 72) if "\n" not in p else p for p in paragraphs)
    result = split_text(wrapped, author="George Collins")
    assert [c.title for c in result.chapters] == PAMPHLET_TITLES
    before = [s.text for c in pamphlet_result.chapters for s in c.sections]
    after = [s.text for c in result.chapters for s in c.sections]
    assert len(after) == len(before)
    differ = [b for a, b in zip(before, after) if a != b]
    assert len(differ) <= 2  # "one-sided", "super-industrialisers" broken at their hyphen are re-joined


def test_committed_scripts_hold_the_pamphlet():
    book = load_book(REPO / "scripts")
    assert [c.title for c in book.chapters] == PAMPHLET_TITLES
    assert book.author == "George Collins"
    assert not any("/ Image:" in s.text for c in book.chapters for s in c.sections)


# --- the command -------------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(cli, ["split", *args])


def test_cli_split_and_report(fixtures: Path, tmp_path: Path):
    out = tmp_path / "scripts"
    result = run(str(fixtures / "gutenberg-book.txt"), "--out", str(out), "--language", "en-GB")
    assert result.exit_code == 0, result.output
    assert "3 chapters" in result.output and "Chapter 2: A Storm from the North" in result.output
    assert re.search(r"contents\s+7 lines removed", result.output)
    assert sorted(p.name for p in out.iterdir()) == [
        "01-chapter-i-the-light-on-the-point.md",
        "02-chapter-2-a-storm-from-the-north.md",
        "03-chapter-iii-what-the-tide-left.md",
        "book.toml",
    ]
    assert load_config(out).language == "en-GB"
    again = run(str(fixtures / "gutenberg-book.txt"), "--out", str(out))
    assert again.exit_code == 1 and "--force" in again.output and "Traceback" not in again.output
    assert run(str(fixtures / "gutenberg-book.txt"), "--out", str(out), "--force").exit_code == 0


def test_cli_dry_run(fixtures: Path, tmp_path: Path):
    result = run(str(fixtures / "markdown-book.md"), "--out", str(tmp_path / "s"), "--dry-run", "--title", "G")
    assert result.exit_code == 0 and "Dry run: nothing written" in result.output and "'G' by Unknown" in result.output
    assert not (tmp_path / "s").exists()


def test_cli_help_has_an_example():
    result = run("--help")
    assert result.exit_code == 0 and "narration split book.txt" in result.output and "--encoding" in result.output


def _write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "is empty"),
        ("blank.txt", b"  \n\n \t \n", "is empty"),
        ("binary.txt", bytes(range(256)) * 4, "binary"),
        ("latin.txt", "Caf\u00e9 cr\u00e8me".encode("latin-1"), "--encoding"),
        ("only-caption.txt", b"A dog Image fair useA dog / Image: fair use\n", "nothing is left"),
    ],
)
def test_cli_bad_inputs(tmp_path: Path, name: str, data: bytes, message: str):
    result = run(_write(tmp_path / name, data), "--out", str(tmp_path / "s"))
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "s").exists()


def test_cli_missing_file_and_folder(tmp_path: Path):
    missing = run(str(tmp_path / "nope.txt"), "--out", str(tmp_path / "s"))
    assert missing.exit_code == 1 and "no such file" in missing.output
    folder = run(str(tmp_path), "--out", str(tmp_path / "s"))
    assert folder.exit_code == 1 and "is a folder" in folder.output


def test_cli_warnings_for_odd_but_usable_texts(tmp_path: Path):
    no_headings = run(_write(tmp_path / "plain.txt", f"{PROSE}\n\n{PROSE}\n".encode()), "--out", str(tmp_path / "a"))
    assert no_headings.exit_code == 0 and "warning: no headings found" in no_headings.output
    empty_heading = f"CHAPTER 1\n\nCHAPTER 2\n\n{PROSE}\n".encode()
    joined = run(_write(tmp_path / "empty-heading.txt", empty_heading), "--out", str(tmp_path / "b"))
    assert joined.exit_code == 0 and "has no text under it" in joined.output
    dup = f"CHAPTER 1\n\n{PROSE}\n\nCHAPTER 1\n\n{PROSE}\n".encode()
    twice = run(_write(tmp_path / "dup.txt", dup), "--out", str(tmp_path / "c"))
    assert twice.exit_code == 0 and "2 chapters are titled" in twice.output
    assert sorted(p.name for p in (tmp_path / "c").glob("*.md")) == ["01-chapter-1.md", "02-chapter-1-2.md"]


def test_cli_huge_single_line(tmp_path: Path):
    result = run(_write(tmp_path / "huge.txt", b"word " * 400_000), "--out", str(tmp_path / "s"), "--dry-run")
    assert result.exit_code == 0 and "400,000 words" in result.output


def test_format_report_lists_rules_and_words(fixtures: Path):
    result = split_file(fixtures / "markdown-book.md", fixtures / "no-such-scripts")
    report = format_report(result, "scripts", dry_run=False)
    assert "Wrote 4 chapter scripts and book.toml to scripts/" in report
    assert re.search(r"illustrations\s+1 lines removed", report) and re.search(r"rewrap\s+\d+ lines joined", report)
