"""`narration words`: pronunciation discovery on a small book with known names, and on the pamphlet."""

from __future__ import annotations

import json

from click.testing import CliRunner
from conftest import REPO
from synth_support import book_at, write_scripts

from narration.cli import cli
from narration.commands.words import chapter_ranges
from narration.model import load_book
from narration.text.words import discover_words, known, pronouncing_words, reasons_for
from narration.text.words_data import ENGLISH_WORDS

CHAPTERS = {
    "01-one.md": "# One\n\nZinoviev met Kamenev in Petrograd. The workers voted for Zinoviev.\n\nThe kulaks hid grain.",
    "02-two.md": "# Two\n\nLater Zinoviev and McAllister spoke in Brest-Litovsk. Stalin agreed. The organisation grew.",
}


def invoke(*args: str):
    return CliRunner(mix_stderr=False).invoke(cli, list(args))


def test_dictionary_knows_stems_and_british_spellings():
    dictionary = pronouncing_words()
    assert len(dictionary) > 100_000
    for word in ["workers", "organisation", "colour", "Stalinists", "theatre"]:
        assert known(word, ENGLISH_WORDS, dictionary), word
    for word in ["Zinoviev", "Kronstadt", "kolkhoz"]:
        assert not known(word, ENGLISH_WORDS, dictionary), word


def test_reasons():
    dictionary = pronouncing_words()
    assert reasons_for("voted", False, ENGLISH_WORDS, dictionary) == ()
    assert reasons_for("Zinoviev", True, ENGLISH_WORDS, dictionary) == (
        "not in the dictionary",
        "foreign spelling",
        "name",
    )
    assert "mixed case" in reasons_for("McAllister", True, ENGLISH_WORDS, dictionary)
    assert "hyphenated name" in reasons_for("Brest-Litovsk", True, ENGLISH_WORDS, dictionary)
    assert "unusual letters" in reasons_for("Rabkrin", True, ENGLISH_WORDS, dictionary)


def test_words_of_a_small_book(tmp_path):
    book = book_at(tmp_path, chapters=CHAPTERS)
    (tmp_path / "scripts" / "lexicon.toml").write_text('Kamenev = "Kah-menyev"\n', encoding="utf-8")
    report = discover_words(book)
    by_word = {w.word: w for w in report.words}
    assert {"Zinoviev", "Kamenev", "Petrograd", "kulaks", "McAllister", "Brest-Litovsk"} <= set(by_word)
    assert not {"workers", "voted", "grain", "organisation", "The", "One"} & set(by_word)
    zinoviev = by_word["Zinoviev"]
    assert (zinoviev.count, zinoviev.chapters) == (3, (1, 2))
    assert zinoviev.sample == "Zinoviev met Kamenev in Petrograd."
    assert report.words[0].word == "Zinoviev"  # the most said of the unknown foreign names
    assert by_word["Kamenev"].in_lexicon and report.words[-1].word == "Kamenev"  # fixed: listed last
    assert report.sentences == 8  # two titles and six sentences


def test_words_command_text_and_json(tmp_path):
    scripts = write_scripts(tmp_path, chapters=CHAPTERS)
    text = invoke("words", "--scripts", str(scripts), "--limit", "2")
    assert text.exit_code == 0, text.output
    assert (
        "Zinoviev" in text.stdout and "ch. 1-2" in text.stdout and "“Zinoviev met Kamenev in Petrograd.”" in text.stdout
    )
    assert "more (--limit 0 lists them all)" in text.stdout
    data = json.loads(invoke("words", "--scripts", str(scripts), "--format", "json").stdout)
    first = data["words"][0]
    assert first["word"] == "Zinoviev" and first["chapters"] == [1, 2] and first["in_lexicon"] is False
    only_two = json.loads(invoke("words", "--scripts", str(scripts), "--format", "json", "--chapters", "2").stdout)
    assert {w["word"] for w in only_two["words"]} >= {"Zinoviev", "McAllister"}
    assert "Petrograd" not in {w["word"] for w in only_two["words"]}
    missing = invoke("words", "--scripts", str(scripts), "--chapters", "9")
    assert missing.exit_code == 1 and "no chapter 9" in missing.stderr and "Traceback" not in missing.stderr


def test_chapter_ranges():
    assert chapter_ranges((1, 2, 3, 5, 7, 8)) == "1-3, 5, 7-8"
    assert chapter_ranges(()) == ""


def test_the_pamphlets_russian_and_german_names_come_first():
    report = discover_words(load_book(REPO / "scripts"))
    top = [w.word for w in report.words[:25]]
    assert {"Zinoviev", "Kamenev", "Kronstadt", "Petrograd", "Bukharin", "Trotsky"} <= set(top), top
    assert {"Liebknecht", "Cuno"} <= set(top), top
    german = [w.word for w in report.words[:50]]
    assert {"Luxemburg", "Scheidemann", "Bernstein"} <= set(german), german
