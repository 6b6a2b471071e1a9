"""Sentence splitting (abbreviation-aware) and engine-sized chunking."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from narration.text.sentences import chunk_sentences, cut_sentence, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lt. William Jones arrived. Then he left.", ["Lt. William Jones arrived.", "Then he left."]),
        (
            "Gen. Denikin and Dr. Jones met Mr. and Mrs. Smith. They talked.",
            ["Gen. Denikin and Dr. Jones met Mr. and Mrs. Smith.", "They talked."],
        ),
        ("He lived in St. Petersburg. It was cold.", ["He lived in St. Petersburg.", "It was cold."]),
        ("See vol. II, p. 12 and pp. 102-103. Next.", ["See vol. II, p. 12 and pp. 102-103.", "Next."]),
        ("Edited by Carr (2nd ed. Penguin). Fine.", ["Edited by Carr (2nd ed. Penguin).", "Fine."]),
        ("Some leaders, e.g. Lenin, and i.e. Trotsky. Yes.", ["Some leaders, e.g. Lenin, and i.e. Trotsky.", "Yes."]),
        ("No. 5 was there. No. The other one.", ["No. 5 was there.", "No.", "The other one."]),
    ],
)
def test_abbreviations_do_not_end_sentences(text: str, expected: list[str]):
    assert split_sentences(text) == expected


def test_etc_ends_a_sentence_only_before_a_capital():
    assert split_sentences("less capricious, etc. This circumstance may appear.") == [
        "less capricious, etc.",
        "This circumstance may appear.",
    ]
    assert split_sentences("bread, salt, etc. and more.") == ["bread, salt, etc. and more."]
    assert split_sentences("the title 'soviets', etc.) were preserved.") == [
        "the title 'soviets', etc.) were preserved."
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(J.N. Westwood, Russia 1917 to 1964, page 38)", ["(J.N. Westwood, Russia 1917 to 1964, page 38)"]),
        (
            "(Theodore H. von Laue, Why Lenin? Why Stalin?, page 118)",
            ["(Theodore H. von Laue, Why Lenin?", "Why Stalin?, page 118)"],
        ),
        ("Quoted in E. H. Carr, The Bolshevik Revolution.", ["Quoted in E. H. Carr, The Bolshevik Revolution."]),
        ("Quoted by I. Deutscher, Stalin, page 320.", ["Quoted by I. Deutscher, Stalin, page 320."]),
        ("We chose Plan B. The rest failed.", ["We chose Plan B.", "The rest failed."]),
        ("It ended World War I. Then peace came.", ["It ended World War I.", "Then peace came."]),
        ("A total of 2.8 million. Only 550,000 in the USSR.", ["A total of 2.8 million.", "Only 550,000 in the USSR."]),
    ],
)
def test_initials_and_decimals(text: str, expected: list[str]):
    assert split_sentences(text) == expected


def test_quotes_and_brackets_after_the_full_stop_stay_with_the_sentence():
    assert split_sentences('He said "go." Then he left.') == ['He said "go."', "Then he left."]
    assert split_sentences("He said \u201cgo.\u201d Then (see above.) Next.") == [
        "He said \u201cgo.\u201d",
        "Then (see above.)",
        "Next.",
    ]
    assert split_sentences("'No more resolutions! No more talk!' Who? Us.") == [
        "'No more resolutions!",
        "No more talk!'",
        "Who?",
        "Us.",
    ]


def test_every_quotation_mark_the_text_rules_know_closes_a_sentence_too():
    # the splitter takes its quotation marks from narration.text.patterns: low-high „…“ quotes as well
    assert split_sentences("Er sagte: \u201eKomm.\u201c Dann ging er.") == [
        "Er sagte: \u201eKomm.\u201c",
        "Dann ging er.",
    ]
    assert split_sentences("\u00abC'est fini.\u00bb Puis rien.") == ["\u00abC'est fini.\u00bb", "Puis rien."]


def test_ellipses_inside_quotes():
    assert split_sentences('The hall "rocked with cheering..." (pages 102-103)') == [
        'The hall "rocked with cheering..." (pages 102-103)'
    ]
    assert split_sentences("what I am fighting for...Is it the democracy?") == [
        "what I am fighting for...Is it the democracy?"
    ]
    assert split_sentences(
        'with food..." (Quoted by I. Deutscher, Stalin, page 320) Now, abruptly, the land was taken.'
    ) == ['with food..."', "(Quoted by I. Deutscher, Stalin, page 320)", "Now, abruptly, the land was taken."]
    assert split_sentences("It is hard to convey\u2026 The roar.") == ["It is hard to convey\u2026", "The roar."]


def test_poem_lines_and_list_items_are_lines_of_their_own():
    poem = (
        '"We thank you, Stalin!\nSixteen scoundrels,\n'
        "Sixteen butchers of the Fatherland\nHave been gathered to their ancestors..."
    )
    assert split_sentences(poem) == [
        '"We thank you, Stalin!',
        "Sixteen scoundrels,",
        "Sixteen butchers of the Fatherland",
        "Have been gathered to their ancestors...",
    ]
    items = "  1. \u201cNo official to receive more.\u201d\n  2. \u201cDuties rotated.\u201d Really."
    assert split_sentences(items) == [
        "1. \u201cNo official to receive more.\u201d",
        "2. \u201cDuties rotated.\u201d",
        "Really.",
    ]
    assert split_sentences("(b) Socialist revolution cannot be confined.") == [
        "(b) Socialist revolution cannot be confined."
    ]


def test_empty_and_blank():
    assert split_sentences("") == []
    assert split_sentences("  \n\n  ") == []
    assert split_sentences("No punctuation at all") == ["No punctuation at all"]


def test_the_pamphlet_splits_after_no_abbreviation_or_initial(pamphlet: Path):
    text = pamphlet.read_text(encoding="utf-8")
    sentences = [s for block in text.split("\n\n") for s in split_sentences(block)]
    assert "(J.N. Westwood, Russia 1917 to 1964, page 38)" in sentences
    wrong_end = re.compile(r"(?:\b(?:Lt|Gen|Dr|Mr|St|vol|pp?|e\.g|i\.e)|(?<![\w.])[A-Z])\.$")
    assert [s for s in sentences if wrong_end.search(s)] == []
    assert len(sentences) > 1000


# --- chunking -------------------------------------------------------------------------------------


def words_of(texts) -> list[str]:
    return [w for t in texts for w in t.split()]


def test_chunk_groups_sentences_up_to_the_limit():
    sentences = ["One two.", "Three four five.", "Six.", "Seven eight nine ten."]
    pieces = chunk_sentences(sentences, 26)
    assert pieces == [["One two.", "Three four five."], ["Six.", "Seven eight nine ten."]]
    assert chunk_sentences([], 10) == []
    with pytest.raises(ValueError):
        chunk_sentences(sentences, 0)


def test_long_sentence_is_cut_at_clause_punctuation_first():
    sentence = "The soldiers, the workers and the peasants; all of them together \u2013 rose up against the regime"
    parts = cut_sentence(sentence, 40)
    assert parts == [
        "The soldiers,",
        "the workers and the peasants;",
        "all of them together \u2013",
        "rose up against the regime",
    ]


def test_long_sentence_without_punctuation_is_cut_at_spaces():
    sentence = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda"
    parts = cut_sentence(sentence, 20)
    assert all(len(p) <= 20 for p in parts)
    assert words_of(parts) == sentence.split()


def test_chunking_never_exceeds_the_limit_nor_cuts_words(pamphlet: Path):
    sentences = split_sentences(pamphlet.read_text(encoding="utf-8"))
    for limit in (40, 100, 250):
        pieces = chunk_sentences(sentences, limit)
        assert all(len(" ".join(piece)) <= limit for piece in pieces)
        assert words_of(part for piece in pieces for part in piece) == words_of(sentences)


def test_a_word_longer_than_the_limit_is_kept_whole():
    parts = cut_sentence("tiny Pneumonoultramicroscopicsilicovolcanoconiosis end", 10)
    assert parts == ["tiny", "Pneumonoultramicroscopicsilicovolcanoconiosis", "end"]


@pytest.mark.timeout(20)
def test_two_megabytes_without_punctuation_chunks_quickly():
    text = "word " * 400_000  # 2 MB, no punctuation at all
    sentences = split_sentences(text)
    pieces = chunk_sentences(sentences, 500)
    assert len(pieces) > 3000
    assert all(len(" ".join(piece)) <= 500 for piece in pieces)
    assert sum(len(words_of(piece)) for piece in pieces) == 400_000
