"""Heading detection: each signal, each heading style, and the lines that are not headings."""

from __future__ import annotations

import pytest

from narration.config import TextConfig
from narration.text import headings as H

PROSE = "This is an ordinary paragraph of running prose with enough words in it to read as body text."


def titles(blocks: list[str], config: TextConfig | None = None) -> list[tuple[str, str]]:
    return [(h.title, h.kind) for h in H.detect_headings(blocks, config)]


# --- signals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Crisis of Working-class Leadership", True),
        ("What ‘Socialism in One Country’ Really Meant", True),
        ("Conclusion", True),
        ("How was this victory won", False),
        ("the Kronstadt Uprising", False),
    ],
)
def test_is_title_case(text, expected):
    assert H.is_title_case(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Trotsky sums up:", ":"),
        ('"We shall now proceed."', "."),
        ('From the "Third Period"...', "…"),
        ("The Turning Point", ""),
        ("(pages 102-103)", ""),
        ("How was this victory won?", "?"),
    ],
)
def test_last_punct(text, expected):
    assert H.last_punct(text) == expected


def test_is_prose():
    assert H.is_prose(PROSE)
    assert H.is_prose("It rained.")
    assert not H.is_prose("MARA QUILL") and not H.is_prose(None)


def test_smart_title_of_all_caps():
    assert H.smart_title("ALICE'S ADVENTURES IN WONDERLAND") == "Alice's Adventures in Wonderland"
    assert H.smart_title("CHAPTER IV") == "Chapter IV"
    assert H.smart_title("DOWN THE RABBIT-HOLE") == "Down the Rabbit-Hole"


def test_parse_candidate_styles():
    assert H.parse_candidate("## Spring").style == "markdown"
    assert H.parse_candidate("CHAPTER I.").style == "chapter"
    assert H.parse_candidate("Part IV: The Return").title == "The Return"
    assert H.parse_candidate("XIV.").style == "roman"
    assert H.parse_candidate("16. The defeat").style == "numbered"
    assert H.parse_candidate("The Turning Point").style == "plain"
    assert H.parse_candidate("Part two of the plan failed.").style == "plain"
    assert H.parse_candidate("MID").style == "plain"  # not a valid roman numeral
    assert H.parse_candidate("two\nlines") is None


def test_title_score_orders_titles_above_sentences():
    assert H.title_score("The Kronstadt Uprising") > H.title_score("How was this victory won?")
    assert H.title_score("Ten days later he added:") < 0
    assert H.title_score("word " * 40) == float("-inf")


def test_context_score():
    assert H.context_score("He said:", PROSE) < H.context_score("He left.", PROSE)
    assert H.context_score("He left.", None) < 0
    assert H.context_score("He left.", "Another short line") < 0  # a run of short lines


# --- heading styles ----------------------------------------------------------------------------


def test_unnumbered_title_lines():
    blocks = ["The October Revolution", PROSE, "How was this victory won?", "The Kronstadt Uprising", PROSE]
    assert titles(blocks) == [("The October Revolution", "chapter"), ("The Kronstadt Uprising", "chapter")]


def test_numbered_headings_drop_the_number():
    blocks = [
        PROSE,
        "16. The defeat of the joint Left Opposition",
        PROSE,
        '18. From the "Third Period"...',
        PROSE,
        "19. the 'people's front'",
        PROSE,
    ]
    assert [t for t, _ in titles(blocks)] == [
        "The defeat of the joint Left Opposition",
        'From the "Third Period"...',
        "The 'people's front'",
    ]


def test_chapter_word_with_title_on_same_or_next_line():
    blocks = [
        "CHAPTER I.",
        "THE LIGHT ON THE POINT",
        PROSE,
        "Chapter 2",
        "A Storm from the North",
        PROSE,
        "CHAPTER III. WHAT THE TIDE LEFT",
        PROSE,
        "Part Four: The Return",
        PROSE,
        "BOOK V",
        PROSE,
        "Section 6",
        PROSE,
    ]
    assert [t for t, _ in titles(blocks)] == [
        "Chapter I: The Light on the Point",
        "Chapter 2: A Storm from the North",
        "Chapter III: What the Tide Left",
        "Part Four: The Return",
        "Book V",
        "Section 6",
    ]


def test_next_line_title_not_taken_from_a_sentence():
    blocks = ["Chapter 1", "It was a dark night.", PROSE]
    assert titles(blocks) == [("Chapter 1", "chapter")]


def test_roman_numerals_alone():
    blocks = ["I.", PROSE, "II", "The Second Part", PROSE, "III.", PROSE]
    assert [t for t, _ in titles(blocks)] == ["I", "II: The Second Part", "III"]


def test_markdown_levels():
    blocks = ["# The Book", PROSE, "## One", PROSE, "### A box", PROSE, "## Two", PROSE]
    assert titles(blocks) == [("The Book", "chapter"), ("One", "chapter"), ("A box", "subheading"), ("Two", "chapter")]


def test_separate_heading_lines_from_a_block():
    blocks = H.separate_heading_lines(["CHAPTER I.\nDown the Rabbit-Hole\nAlice was tired.\nVery tired.", "# T\nText"])
    assert blocks == ["CHAPTER I.", "Down the Rabbit-Hole", "Alice was tired.\nVery tired.", "# T", "Text"]


def test_inset_title_becomes_subheading():
    blocks = [
        PROSE,
        "From the “Platform of the Communist International” Adopted at the Founding Conference",
        "“The imperialist system is breaking down. Ferment in the colonies, insurrections of the proletariat.”",
        "“There is only one force that can save humanity, and that is the proletariat, it must create order.”",
        "The Exhaustion of Soviet Democracy",
        PROSE,
    ]
    assert titles(blocks) == [
        ("From the “Platform of the Communist International” Adopted at the Founding Conference", "subheading"),
        ("The Exhaustion of Soviet Democracy", "chapter"),
    ]
    assert titles(blocks, TextConfig(subheadings=False)) == [("The Exhaustion of Soviet Democracy", "chapter")]


# --- not headings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Leon Trotsky spoke later that same night:",  # introduces a quotation
        "How was this victory won?",  # a question in the body
        '"We shall now proceed to construct the socialist order."',  # a short quoted line
        "Among organized workers, support for Hitler was almost non-existent.",
        "Bonapartism, Trotsky explained,",
        'The hall, reports John Reed, "rocked with cheering..." (pages 102-103)',
        "and after another few days",
        "1. Take the first step.",
    ],
)
def test_body_lines_are_not_headings(line):
    assert titles([PROSE, line, PROSE]) == []


def test_line_after_a_colon_is_a_quotation():
    assert titles([PROSE, "He shouted:", "“Shoot the Reptiles”", PROSE]) == []


def test_poem_lines_are_not_headings():
    poem = "We Thank You, Stalin\nSixteen Scoundrels\nSixteen Butchers of the Fatherland"
    assert titles([PROSE, poem, PROSE]) == []
    stanza_lines = ["The Lamp Is Lit at Six", "The Lamp Is Out at Dawn", "And All the Ships Between", PROSE]
    found = [t for t, _ in titles([PROSE, *stanza_lines])]
    assert "The Lamp Is Lit at Six" not in found and "The Lamp Is Out at Dawn" not in found


def test_explicit_chapters_silence_title_lines():
    blocks = ["CHAPTER I.", PROSE, "DRINK ME", PROSE, "CHAPTER II.", PROSE]
    assert [t for t, _ in titles(blocks)] == ["Chapter I", "Chapter II"]


def test_styles_can_be_switched_off():
    blocks = ["The Turning Point", PROSE, "16. The defeat", PROSE, "Chapter 3", PROSE]
    config = TextConfig(title_headings=False, numbered_headings=False, chapter_words=False)
    assert titles(blocks, config) == []


def test_book_title_line():
    assert H.is_book_title("Russia: How the Bureaucracy Seized Power")
    assert H.is_book_title("THE LANTERN KEEPER", known=["The Lantern Keeper"])
    assert not H.is_book_title("The October Revolution", known=["Russia"])
    assert not H.is_book_title("Chapter 1")
    assert not H.is_book_title("It was a dark night.")
