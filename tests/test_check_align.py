"""The check's normalisation, number readings, word alignment and verdict rules (pure functions)."""

from __future__ import annotations

import pytest

from narration.check.align import (
    align_words,
    canonical,
    drop_punctuation,
    normalise,
    number_readings,
    plain_marks,
    score,
    signs_to_words,
)
from narration.check.verdicts import Rules, judge


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("It’s “Done”", 'it\'s "done"'),
        ("well-known and/or", "well known and or"),
        ("1917–28", "1917 28"),
        ("a — b", "a   b"),
    ],
)
def test_plain_marks(written: str, plain: str) -> None:
    assert plain_marks(written) == plain


@pytest.mark.parametrize(
    ("written", "worded"),
    [("45% more", "45 percent more"), ("five per cent", "five percent"), ("Marx & Engels", "Marx  and  Engels")],
)
def test_signs_to_words(written: str, worded: str) -> None:
    assert signs_to_words(written) == worded


@pytest.mark.parametrize(
    ("written", "bare"),
    [
        ("Yes, he said: 'no.'", "yes he said no"),
        ("It cost $4.50, or 1,000 roubles at 10:30.", "it cost $4.50 or 1,000 roubles at 10:30"),
        ("the workers' state", "the workers state"),
        ("(an aside) [sic]", "an aside sic"),
    ],
)
def test_drop_punctuation_keeps_what_belongs_to_numbers(written: str, bare: str) -> None:
    assert drop_punctuation(written.lower()) == bare


def test_normalise_is_the_three_steps() -> None:
    assert normalise("The Soviet’s 45% — “so-called”.") == "the soviet's 45 percent so called"


@pytest.mark.parametrize(
    ("british", "american"),
    [("labour", "labor"), ("organisation", "organization"), ("centre", "center"), ("defence", "defense")],
)
def test_canonical_spellings_agree(british: str, american: str) -> None:
    assert canonical(british) == canonical(american)
    assert canonical("mr") == "mister" and canonical("don't") == "dont"


@pytest.mark.parametrize(
    ("token", "reading"),
    [
        ("1917", "nineteen seventeen"),
        ("1917", "one thousand nine hundred and seventeen"),
        ("45", "forty five"),
        ("22nd", "twenty second"),
        ("1920s", "nineteen twenties"),
        ("4.5", "four point five"),
        ("$4.50", "four dollars fifty cents"),
        ("$4.50", "four dollars and fifty cents"),
        ("£12", "twelve pounds"),
        ("10:30", "ten thirty"),
        ("45%", "forty five percent"),
    ],
)
def test_number_readings(token: str, reading: str) -> None:
    assert reading.split() in number_readings(token)


def test_an_unknown_token_with_digits_stays_itself() -> None:
    assert number_readings("x2y") == [["x2y"]]


@pytest.mark.parametrize(
    ("said", "heard"),
    [
        ("In nineteen seventeen the labour party won forty-five per cent.", "In 1917, the labor party won 45%."),
        ("It cost four dollars fifty.", "It cost $4.50."),
        ("Mister Smith arrived at ten thirty.", "Mr. Smith arrived at 10:30."),
        ("Postscript.", "Post script."),
        ("They could not go.", "They couldnot go."),
        ("One of the leaders of nineteen seventeen and one more.", "One of the leaders of 1917 and one more."),
        ("By nineteen twenty, 14 per cent.", "By 1920, 14%."),
        ("Writings nineteen thirty-four to 35.", "Writings 1934 to 35."),
    ],
)
def test_both_sides_normalised_alike_score_zero(said: str, heard: str) -> None:
    result = score(said, heard)
    assert result.errors == 0, result.steps
    assert result.wer == 0.0


def test_a_repeated_word_is_an_insertion_not_a_chain_of_substitutions() -> None:
    result = align_words(["she", "read", "the", "letter", "slowly"], ["she", "read", "the", "the", "letter"])
    assert [(s.kind, s.expected, s.heard) for s in result.steps if s.kind != "ok"] == [
        ("ins", "", "the"),
        ("del", "slowly", ""),
    ]
    assert result.errors == 2 and result.wer == pytest.approx(0.4)


def test_wer_of_empty_sides() -> None:
    assert score("", "").wer == 0.0
    assert score("", "something").wer == 1.0
    assert score("two words", "").wer == 1.0


LONG = "the soviet of workers and soldiers met in the palace on the evening of the twenty fifth"


def test_a_clean_clip_is_not_flagged() -> None:
    verdict = judge(LONG, LONG.replace("soldiers", "soldier"))
    assert not verdict.flagged and verdict.problems == ()


def test_another_clips_audio_is_flagged_as_something_else() -> None:
    verdict = judge(LONG, "it was a cold morning and the bells rang twice")
    assert verdict.flagged and verdict.wer >= 0.8
    assert verdict.problems[0].startswith("mostly something else")


def test_dropped_words_flag_a_long_clip_whatever_its_rate() -> None:
    verdict = judge(LONG, LONG.replace("met in the palace ", ""))
    assert verdict.wer < Rules().max_wer
    assert verdict.flagged and 'missing "met in the palace"' in verdict.problems


def test_truncation_is_named() -> None:
    verdict = judge(LONG, LONG.rsplit(" ", 4)[0])
    assert verdict.flagged and verdict.problems[1:] == ('cut short: "of the twenty fifth" missing at the end',)


def test_repeated_words_are_named() -> None:
    verdict = judge(LONG, LONG.replace("in the palace", "in the palace in the palace"))
    assert verdict.flagged and verdict.problems[1:] == ('repeated "in the palace"',)


def test_one_misheard_word_of_a_title_is_not_a_finding() -> None:
    assert not judge("Kronstadt", "Cronstatt").flagged  # one error: below min_errors
    assert not judge("The Kronstadt rising", "the crown start rising").flagged  # a name heard as two words
    assert judge("The Kronstadt rising", "a bus stop rising").flagged
    assert not judge("The Kronstadt rising", "a bus stop rising", Rules(max_wer=1.0)).flagged


def test_a_long_word_heard_as_words_that_sound_like_it_is_one_substitution() -> None:
    result = score("however uncompromising", "however and compromising")
    assert [(s.kind, s.expected, s.heard) for s in result.steps] == [
        ("ok", "however", "however"),
        ("sub", "uncompromising", "and compromising"),
    ]
    assert score("at no stage", "and no stage to").errors == 2  # short words are not joined
