"""Planning: sections cut into keyed pieces of normalised sentences."""

from __future__ import annotations

import pytest
from synth_support import book_at

from narration.config import DisclosureConfig
from narration.disclosure import DEFAULT_TEXTS
from narration.errors import ConfigError, InputError
from narration.synth.plan import Speech, build_plan, make_pieces, parse_ranges, select_chapters

SPEECH = Speech(identity_digest="voice", max_chars=60, lexicon={})


def test_parse_ranges():
    assert parse_ranges("1-3,5") == [1, 2, 3, 5]
    assert parse_ranges(" 2 , 2-3 ") == [2, 3]
    for bad in ("", "a", "3-1", "0", "1-"):
        with pytest.raises(ConfigError):
            parse_ranges(bad)


def test_select_chapters(tmp_path):
    book = book_at(tmp_path)
    assert [c.number for c in select_chapters(book, [2])] == [2]
    assert select_chapters(book, None) == book.chapters
    with pytest.raises(InputError, match="no chapter 9: the book has 2 chapters"):
        select_chapters(book, [1, 9])


def test_pieces_fit_the_engine_and_keep_both_forms():
    text = "Dr. Smith arrived in 1927. He spoke for an hour. Then the delegates voted on it."
    pieces = make_pieces(text, SPEECH, "test")
    assert [p.written for p in pieces] == [
        ("Dr. Smith arrived in 1927.", "He spoke for an hour."),
        ("Then the delegates voted on it.",),
    ]
    assert pieces[0].spoken[0].startswith("Doctor Smith arrived in nineteen")
    assert all(sum(len(s) + 1 for s in p.written) <= SPEECH.max_chars + 1 for p in pieces)


def test_keys_follow_identity_and_lexicon():
    text = "Trotsky wrote it."
    (plain,) = make_pieces(text, SPEECH, "test")
    (other_voice,) = make_pieces(text, Speech("other", 60, {}), "test")
    (respelt,) = make_pieces(text, Speech("voice", 60, {"Trotsky": "Trotskee"}), "test")
    (unrelated,) = make_pieces(text, Speech("voice", 60, {"Lenin": "Lennin"}), "test")
    assert respelt.spoken == ("Trotskee wrote it.",)
    assert len({plain.key, other_voice.key, respelt.key}) == 3 and unrelated.key == plain.key


def test_unsayable_text_is_dropped_with_a_warning(caplog):
    (piece,) = make_pieces("Peace 🕊 now. Мир 和平.", SPEECH, "chapter 1, section 2")
    assert piece.written == ("Peace 🕊 now.",) and piece.spoken == ("Peace now.",)
    assert "chapter 1, section 2: dropped characters the voice cannot say" in caplog.text
    assert "🕊" in caplog.text and "和" in caplog.text


def test_empty_section_has_no_pieces(caplog):
    assert make_pieces("* * *", SPEECH, "chapter 3, section 4") == ()
    assert "chapter 3, section 4: nothing to say" in caplog.text


def test_plan_covers_titles_and_sections(tmp_path):
    book = book_at(tmp_path)
    plan = build_plan(book, SPEECH)
    assert [(i.kind, i.chapter) for i in plan.items] == [
        ("title", 1),
        ("section", 1),
        ("section", 1),
        ("section", 1),
        ("title", 2),
        ("section", 2),
    ]
    assert plan.items[0].id == "01-hello" and plan.items[1].id == book.chapters[0].sections[0].id
    assert len(plan.pieces()) == 6


def test_the_disclosure_is_said_once_before_the_first_title_unless_switched_off(tmp_path):
    book = book_at(tmp_path)
    assert all(i.kind != "opening" for i in build_plan(book, SPEECH).items)  # switched off in these books
    book.config.disclosure = DisclosureConfig()  # the default: spoken
    assert [i.kind for i in build_plan(book, SPEECH).items][:2] == ["opening", "title"]
    (opening,) = [i for i in build_plan(book, SPEECH).items if i.kind == "opening"]
    assert opening.chapter == 1 and opening.id == "opening"
    assert " ".join(w for p in opening.pieces for w in p.written) == DEFAULT_TEXTS["en"]
    assert all(i.kind != "opening" for i in build_plan(book, SPEECH, [2]).items)  # a preview without chapter 1
    book.config.disclosure = DisclosureConfig(speak=False)
    assert all(i.kind != "opening" for i in build_plan(book, SPEECH).items)
    book.config.disclosure = DisclosureConfig(text="Lu par une voix de synthèse.")
    book.config.language = "fr"
    (opening,) = [i for i in build_plan(book, SPEECH).items if i.kind == "opening"]
    assert opening.pieces[0].written == ("Lu par une voix de synthèse.",)
