"""Each cleaning rule of ``narration split`` on short texts, then the pipeline and its switches."""

from __future__ import annotations

import pytest

from narration.config import TextConfig
from narration.text import clean

# --- normalise ---------------------------------------------------------------------------------


def test_normalise_bom_newlines_spaces():
    text = "\ufeffOne\r\ntwo\u00a0words  \rthree\u00adfour\u200b\tend"
    assert clean.normalise(text) == "One\ntwo\u00a0words\nthreefour    end"  # no-break space kept for rewrap


def test_normalise_markdown_keeps_hard_breaks_and_setext():
    text = "Title\n=====\n\nline one  \nline two\n\nSub\n---\n"
    assert clean.normalise(text, markdown=True) == "# Title\n\nline one\\\nline two\n\n## Sub\n"


# --- gutenberg ---------------------------------------------------------------------------------

GUTENBERG = """The Project Gutenberg EBook of Tides, by A. Writer

Title: Tides

Author: A. Writer

*** START OF THIS PROJECT GUTENBERG EBOOK TIDES ***

Produced by Someone and the Online Distributed
Proofreading Team

The sea came in.

*** END OF THIS PROJECT GUTENBERG EBOOK TIDES ***

License text that must go.
"""


def test_strip_gutenberg_header_footer_and_credits():
    assert clean.strip_gutenberg(GUTENBERG) == "The sea came in."


def test_strip_gutenberg_drops_license_paragraphs_without_markers():
    text = "Story text.\n\nThis eBook is for the use of anyone, see Project Gutenberg.\n\nMore story."
    assert clean.strip_gutenberg(text) == "Story text.\n\nMore story."


def test_gutenberg_metadata():
    assert clean.gutenberg_metadata(GUTENBERG) == {"title": "Tides", "author": "A. Writer"}
    assert clean.gutenberg_metadata("Title: Not a Gutenberg file\n\nText.") == {}


# --- illustrations -----------------------------------------------------------------------------


def test_strip_illustrations_whole_lines_inline_and_multiline():
    text = "Before.\n\n[Illustration: A ship\nat sea]\n\nA cat [Illustration] sat.\n\n![alt](img.png)\n\nAfter."
    assert clean.strip_illustrations(text) == "Before.\n\n\nA cat sat.\n\n\nAfter."


# --- captions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Petrograd Soviet Assembly in 1917 Image fair usePetrograd Soviet Assembly in 1917 / Image: fair use",
        "Images of the Civil War YanachkaImages of the Civil War / Yanachka",
        "Len at May Day rally in 1919 Image Flickr The Kathryn and Shelby Cullom Davis LibraryLenin at May Day "
        "rally in 1919 / Image: Flickr, The Kathryn and Shelby Cullom Davis Library",
        "Zinoviev the inventor of Trotskyism Image public domainZinoviev: the inventor of Trotskyism / Image: "
        "public domain",
        "A harbour at dawn / Photo: Reuters",
    ],
)
def test_is_caption(line):
    assert clean.is_caption(line)


@pytest.mark.parametrize(
    "line",
    [
        "Twinkle twinkle little star / How I wonder what you are",
        "The ratio was 3 / 4 of the total, as the report showed.",
        "He wrote: and/or, never / always.",
        "x / y" * 200,
    ],
)
def test_is_not_caption(line):
    assert not clean.is_caption(line)


def test_strip_captions_keeps_text():
    caption = "Red Guard of the Vulkan factory Image fair useRed Guard of the Vulkan factory / Image: fair use"
    text = f"Text one.\n\n{caption}\n\nTwo."
    assert clean.strip_captions(text) == "Text one.\n\nTwo."


def test_strip_captions_wrapped_over_lines():
    caption = "Red Guard of the Vulkan factory Image fair useRed\nGuard of the Vulkan factory / Image:\nfair use"
    text = f"Text one.\n\n{caption}\n\nTwo."
    assert clean.strip_captions(text) == "Text one.\n\nTwo."


# --- footnotes ---------------------------------------------------------------------------------


def test_strip_footnotes_markers_and_bodies():
    text = (
        "The log survives.[1] It was kept [2] daily [elected councils].\n\n"
        "[Footnote 1: In the museum,\nnow.]\n\n"
        "[2] A second note.\n\n"
        "Markdown note[^3] here.\n\n[^3]: Its body."
    )
    assert clean.strip_footnotes(text) == (
        "The log survives. It was kept daily [elected councils].\n\nMarkdown note here."
    )


def test_strip_footnotes_trailing_notes_section():
    text = "Body text.\n\nNotes\n\n1. First note.\n\n2) Second note.\n\nEpilogue goes on."
    assert clean.strip_footnotes(text) == "Body text.\n\nEpilogue goes on."


def test_numbered_list_outside_notes_is_kept():
    text = "Steps:\n\n1. Open the door.\n\n2. Walk in."
    assert clean.strip_footnotes(text) == text


# --- contents ----------------------------------------------------------------------------------


def test_strip_contents_until_first_heading_repeats():
    text = (
        "CONTENTS\n\n CHAPTER I.  The Light\n CHAPTER II.  The Storm\n\n"
        "CHAPTER I.\n\nThe Light\n\nIt was dark, and the keeper was awake on the stair of the tower."
    )
    assert clean.strip_contents(text).startswith("CHAPTER I.\n\nThe Light\n\nIt was dark")


def test_strip_list_of_illustrations_and_markdown_contents():
    text = (
        "LIST OF ILLUSTRATIONS\n\nThe lighthouse ..... Frontispiece\nThe stair ..... 12\n\n"
        "## Contents\n\n- [Spring](#spring)\n- [Summer](#summer)\n\n## Spring\n\nText."
    )
    assert clean.strip_contents(text) == "## Spring\n\nText."


def test_contents_word_in_prose_is_kept():
    text = "Contents\n\nThe contents of the box were a mystery to everybody in the village for years and years."
    assert clean.strip_contents(text) == text


# --- markup ------------------------------------------------------------------------------------


def test_strip_markup():
    text = "She was _not_ patient, *very* **bold** and __firm__; see [the map](map.html). <i>Fin</i>\n\n* * *\n\n-----"
    assert clean.strip_markup(text) == "She was not patient, very bold and firm; see the map. Fin\n\n"


def test_strip_markup_leaves_snake_case_and_arithmetic():
    text = "call snake_case_name with 2*3*4 and a lone _ or *."
    assert clean.strip_markup(text) == text


# --- dehyphenate -------------------------------------------------------------------------------


def test_dehyphenate_joins_split_words():
    assert clean.dehyphenate("extra-\nordinary thing") == "extraordinary thing"


def test_dehyphenate_keeps_real_compounds_and_dashes():
    text = "a well-known man.\nA well-\nknown song; anti-\nMarxist; a dash--\nthen; carrion -\nAnd"
    expected = "a well-known man.\nA well-known song; anti-Marxist; a dash--\nthen; carrion -\nAnd"
    assert clean.dehyphenate(text) == expected


def test_dehyphenate_keeps_compounds_of_known_words():
    text = "the counter-revolution was armed by the counter-\nrevolutionary forces; the revolutionary party"
    assert clean.dehyphenate(text) == (
        "the counter-revolution was armed by the counter-revolutionary forces; the revolutionary party"
    )
    assert clean.dehyphenate("care-\nful and in-\nformation on information") == "careful and information on information"


# --- rewrap ------------------------------------------------------------------------------------


def test_rewrap_joins_hard_wrapped_lines():
    text = (
        "The lighthouse stood on the point where the river met the sea, and\n"
        "for forty years its keeper had been a woman named Edda Vane. She\n"
        "was a careful one."
    )
    assert clean.rewrap(text) == " ".join(line for line in text.split("\n"))


def test_rewrap_keeps_poem_and_list_lines():
    prose = (
        "The lighthouse stood on the point where the river met the sea, and\n"
        "for forty years its keeper had been a woman named Edda Vane.\n\n"
    )
    poem = "    The lamp is lit at six,\n    The lamp is out at dawn,\n    Go safely on."
    items = "1. First item\n2. Second item"
    out = clean.rewrap(prose + poem + "\n\n" + items)
    assert out.split("\n\n")[1:] == [poem, items]


def test_rewrap_number_at_line_start_inside_prose_is_not_a_list_item():
    text = (
        "The development of the state is thus determined by the changing relations (page\n"
        "54) between its bourgeois and socialist tendencies, as he explained at length."
    )
    assert "\n" not in clean.rewrap(text)


def test_rewrap_does_not_break_at_a_no_break_space():
    width_setter = "x" * 71 + "\n" + "y" * 10
    text = width_setter + "\n\n" + "a" * 58 + " (Quoted in\nDeutscher,\u00a0Stalin, page 401)"
    assert clean.rewrap(text).endswith("(Quoted in Deutscher,\u00a0Stalin, page 401)")


def test_rewrap_markdown_joins_soft_breaks_only():
    text = "one line\nand another\n\nThe bees are loud,\\\nthe path is warm.\n\n# Heading\nText"
    assert clean.rewrap(text, markdown=True) == (
        "one line and another\n\nThe bees are loud,\nthe path is warm.\n\n# Heading\nText"
    )


# --- the pipeline ------------------------------------------------------------------------------


def test_clean_text_counts_each_rule():
    text = "Story one.[1]\n\nA caption line Image fair useA caption line / Image: fair use\n\nSto-\nry two."
    cleaned, counts = clean.clean_text(text, TextConfig())
    assert cleaned == "Story one.\n\nStory two."
    assert counts["captions"].removed == 1
    assert counts["footnotes"].changed == 1
    assert counts["dehyphenate"].removed == 1
    assert list(counts) == list(clean.RULE_NAMES)


def test_rules_can_be_switched_off():
    text = "She was _not_ there.[1]\n\nA caption line Image fair useA caption line / Image: fair use"
    config = TextConfig(markup=False, footnotes=False, captions=False)
    cleaned, counts = clean.clean_text(text, config)
    assert cleaned == text
    assert "captions" not in counts and "markup" not in counts


def test_huge_line_without_punctuation_is_cleaned_in_linear_time():
    line = "word " * 400_000  # 2 MB, no punctuation, no line break
    cleaned, _ = clean.clean_text(line, TextConfig())
    assert cleaned == line.rstrip()
