"""Page edits written into the scripts: the edited block changes, every other byte stays."""

from __future__ import annotations

import tomllib

import pytest

from narration.model import parse_script
from narration.studio.edits import (
    EditError,
    PathRefused,
    ScriptEditor,
    StaleEdit,
    replace_text,
    script_blocks,
    set_lexicon_entry,
    version,
)

RAW = "# Title  \n\nFirst one. Second one.\nA kept line.   \n\n\n## A heading\n\nLast paragraph here.\n"


def ids(raw: str) -> list[str]:
    return [s.id for s in parse_script(raw, "x")[1]]


def test_blocks_match_the_model():
    blocks = script_blocks(RAW)
    assert [b.kind for b in blocks] == ["title", "paragraph", "heading", "paragraph"]
    assert [b.id for b in blocks[1:]] == ids(RAW)
    assert [b.text for b in blocks[1:]] == [s.text for s in parse_script(RAW, "x")[1]]


def test_a_sentence_edit_changes_only_its_block():
    section = ids(RAW)[0]
    edited = replace_text(RAW, section, "Second, changed.", old="Second one.")
    assert edited == RAW.replace("First one. Second one.\nA kept line.   ", "First one. Second, changed.\nA kept line.")
    assert edited.startswith("# Title  \n\n") and edited.endswith("\n\n\n## A heading\n\nLast paragraph here.\n")


def test_a_paragraph_edit_and_a_heading_edit():
    _, heading, last = ids(RAW)
    edited = replace_text(RAW, last, "A new last paragraph.")
    assert edited == RAW.replace("Last paragraph here.", "A new last paragraph.")
    edited = replace_text(RAW, heading, "Another heading")
    assert "## Another heading\n" in edited and edited.replace("Another heading", "A heading") == RAW
    with pytest.raises(EditError):
        replace_text(RAW, heading, "")


def test_crlf_files_keep_their_line_ends():
    raw = RAW.replace("\n", "\r\n")
    section = ids(raw)[0]
    edited = replace_text(raw, section, "One.\nTwo.")
    assert "One.\r\nTwo." in edited and "\n" not in edited.replace("\r\n", "")


def test_an_edit_of_text_no_longer_there_is_stale():
    with pytest.raises(StaleEdit):
        replace_text(RAW, "0000000000000000", "x")
    with pytest.raises(StaleEdit):
        replace_text(RAW, ids(RAW)[0], "x", old="Not in it.")


def test_the_nth_copy_of_a_repeated_sentence():
    raw = "# T\n\nYes. No. Yes.\n"
    edited = replace_text(raw, ids(raw)[0], "Maybe.", old="Yes.", occurrence=1)
    assert edited == "# T\n\nYes. No. Maybe.\n"


def test_lexicon_entries_are_added_and_replaced_in_place():
    raw = '# my words\n[words]\nKronstadt = "Kron shtat"  # kept\n\n[other]\nx = 1\n'
    added = set_lexicon_entry(raw, "Bukharin", "Boo kharin")
    assert added == raw.replace("# kept\n", '# kept\nBukharin = "Boo kharin"\n')
    replaced = set_lexicon_entry(added, "Kronstadt", "Kron stat")
    assert tomllib.loads(replaced)["words"] == {"Kronstadt": "Kron stat", "Bukharin": "Boo kharin"}
    assert replaced.startswith("# my words\n[words]\n") and replaced.endswith("[other]\nx = 1\n")
    spaced = set_lexicon_entry("", "Ten Days", 'Tenn "Days"')
    assert tomllib.loads(spaced) == {"words": {"Ten Days": 'Tenn "Days"'}}
    with pytest.raises(EditError):
        set_lexicon_entry("", "two\nlines", "x")


def test_the_editor_refuses_paths_outside_the_scripts(tmp_path):
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "01-a.md").write_text(RAW)
    (tmp_path / "secret.md").write_text("x")
    editor = ScriptEditor(scripts)
    for name in ("../secret.md", "/etc/passwd", "book.toml", ".hidden.md", "01-a.md/../../secret.md", "..\\x.md"):
        with pytest.raises(PathRefused):
            editor.path(name)
    seen = version((scripts / "01-a.md").read_bytes())
    new = editor.edit_section("01-a.md", seen, ids(RAW)[2], "Changed.")
    assert (scripts / "01-a.md").read_text() == RAW.replace("Last paragraph here.", "Changed.")
    with pytest.raises(StaleEdit):
        editor.edit_section("01-a.md", seen, ids(RAW)[0], "Again.")
    assert version((scripts / "01-a.md").read_bytes()) == new
