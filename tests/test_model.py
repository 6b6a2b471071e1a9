from pathlib import Path

import pytest

from narration.config import BookConfig, load_config, save_config
from narration.errors import ConfigError, InputError
from narration.model import Book, book_slug, load_book, parse_script, render_script, section_ids, slugify


def test_slugify_ascii_and_short():
    assert slugify("From the “Third Period”...") == "from-the-third-period"
    assert slugify("Ça ira: l'été") == "ca-ira-l-ete"
    assert len(slugify("word " * 40)) <= 60


def test_the_book_slug_names_the_files_and_is_book_for_a_title_with_no_letters():
    assert book_slug("Russia: How the Bureaucracy Seized Power") == "russia-how-the-bureaucracy-seized-power"
    assert book_slug("«…»") == "book"
    assert Book(title="«…»", author="", language="en", chapters=()).slug == "book"


def test_section_ids_come_from_content_not_position():
    before = section_ids(["alpha", "beta", "gamma"])
    after = section_ids(["alpha", "inserted", "beta", "gamma"])
    assert before[0] == after[0] and before[1] == after[2] and before[2] == after[3]


def test_repeated_text_gets_distinct_ids():
    ids = section_ids(["same", "same"])
    assert ids[0] != ids[1] and ids[1].startswith(ids[0])


def test_parse_render_round_trip():
    text = "# Title\n\nFirst para.\n\n## A box\n\nA poem line,\nand another.\n"
    title, sections = parse_script(text, "fallback")
    assert title == "Title"
    assert [s.kind for s in sections] == ["paragraph", "heading", "paragraph"]
    assert sections[2].text == "A poem line,\nand another."
    assert render_script(title, sections) == text


def test_load_book(tmp_path: Path):
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "01-one.md").write_text("# One\n\nHello there.\n", encoding="utf-8")
    (scripts / "02-two.md").write_text("# Two\n\nGeneral Kenobi.\n", encoding="utf-8")
    save_config(scripts, BookConfig(title="T", author="A"))
    book = load_book(scripts)
    assert [c.title for c in book.chapters] == ["One", "Two"]
    assert book.title == "T" and book.chapters[1].key == "two"
    assert book.root == tmp_path.resolve()


def test_load_book_errors(tmp_path: Path):
    with pytest.raises(InputError, match="no such scripts folder"):
        load_book(tmp_path / "missing")
    (tmp_path / "s").mkdir()
    with pytest.raises(InputError, match="no chapter scripts"):
        load_book(tmp_path / "s")
    (tmp_path / "s" / "01-empty.md").write_text("# Empty\n", encoding="utf-8")
    with pytest.raises(InputError, match="has no text"):
        load_book(tmp_path / "s")


def test_config_type_errors(tmp_path: Path):
    (tmp_path / "book.toml").write_text("title = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="title must be str"):
        load_config(tmp_path)
    (tmp_path / "book.toml").write_text('title = "x"\n[synth]\njobs = "many"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="jobs must be int"):
        load_config(tmp_path)
    (tmp_path / "book.toml").write_text("title = [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(tmp_path)


def test_config_round_trip(tmp_path: Path):
    config = BookConfig(title="A & B", author="C")
    config.synth.voice = None
    config.audio.profile = "acx"
    save_config(tmp_path, config)
    assert load_config(tmp_path) == config


def test_atomic_writes_keep_old_content_on_error_and_are_readable(tmp_path: Path):
    import stat

    from narration import fsutil

    target = tmp_path / "out.txt"
    fsutil.write_text(target, "old")

    def killed_while_writing() -> None:
        with fsutil.atomic_open(target) as handle:
            handle.write("new, half written")
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        killed_while_writing()
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]
    assert stat.S_IMODE(target.stat().st_mode) & 0o044  # group/other can read (served files)
