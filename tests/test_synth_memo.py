"""The plan memo: a new process re-plans only the texts that changed, and never serves stale pieces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from synth_support import book_at

from narration.synth import memo as memo_module
from narration.synth import plan as plan_module
from narration.synth.memo import MEMO_FILE, PlanMemo
from narration.synth.plan import Speech, build_plan
from narration.text import spoken

SPEECH = Speech(identity_digest="voice", max_chars=60, lexicon={})
BOOK = {"01-one.md": "# One\n\nIt cost $4.50 in 1905.\n\nThe workers voted.", "02-two.md": "# Two\n\nThe CPSU met."}


def keys(plan) -> dict[str, list[str]]:
    return {f"{item.chapter}/{n}": [p.key for p in item.pieces] for n, item in enumerate(plan.items)}


def new_process(monkeypatch, calls: list[str] | None = None) -> None:
    """Forget this process's memo of planned texts; count (or forbid) spoken-form calls."""
    plan_module._pieces.cache_clear()
    real = spoken.to_spoken

    def counted(text, lexicon=None, language=None):
        if calls is None:
            raise AssertionError(f"planned again: {text!r}")
        calls.append(text)
        return real(text, lexicon, language)

    monkeypatch.setattr(spoken, "to_spoken", counted)


def planned(root: Path, book, speech: Speech = SPEECH):
    memo = PlanMemo(root)
    plan = build_plan(book, speech, None, memo.pieces)
    memo.save()
    return plan


def test_an_unchanged_book_is_planned_from_the_memo_alone(tmp_path, monkeypatch):
    book = book_at(tmp_path, chapters=BOOK)
    first = planned(book.root, book)
    assert keys(first) == keys(build_plan(book, SPEECH))
    assert (book.root / MEMO_FILE).is_file()
    new_process(monkeypatch)  # any spoken-form call fails the test
    assert keys(planned(book.root, book)) == keys(first)


def test_an_edit_plans_only_the_text_it_changed(tmp_path, monkeypatch):
    book = book_at(tmp_path, chapters=BOOK)
    first = planned(book.root, book)
    script = book.scripts_dir / "02-two.md"
    script.write_text(script.read_text().replace("CPSU met", "CPSU met again"))
    calls: list[str] = []
    new_process(monkeypatch, calls)
    from narration.model import load_book

    after = planned(book.root, load_book(book.scripts_dir))
    assert calls == ["The CPSU met again."]
    changed = [i for i in keys(first) if keys(first)[i] != keys(after)[i]]
    assert len(changed) == 1


def test_another_speech_or_other_code_is_planned_again(tmp_path, monkeypatch):
    book = book_at(tmp_path, chapters=BOOK)
    planned(book.root, book)
    calls: list[str] = []
    new_process(monkeypatch, calls)
    planned(book.root, book, Speech("voice", 60, {"workers": "wurkers"}))  # a lexicon entry: new keys
    assert len(calls) == 5
    calls.clear()
    planned(book.root, book)  # the first speech is still remembered
    assert calls == []
    plan_module._pieces.cache_clear()
    monkeypatch.setattr(memo_module, "code_digest", lambda: "other code")
    planned(book.root, book)
    assert len(calls) == 5


@pytest.mark.parametrize("damage", ["{not json", '{"code": 1}', "[]", None])
def test_a_damaged_memo_is_planned_again(tmp_path, monkeypatch, damage):
    book = book_at(tmp_path, chapters=BOOK)
    first = planned(book.root, book)
    path = book.root / MEMO_FILE
    if damage is None:  # an entry of the right code but the wrong shape
        data = json.loads(path.read_text())
        data["entries"] = {k: {"pieces": [["only a key"]]} for k in data["entries"]}
        damage = json.dumps(data)
    path.write_text(damage)
    calls: list[str] = []
    new_process(monkeypatch, calls)
    assert keys(planned(book.root, book)) == keys(first)
    assert len(calls) == 5


def test_the_memo_warns_as_planning_does(tmp_path, monkeypatch, caplog):
    book = book_at(tmp_path, chapters={"01-one.md": "# One\n\nPeace 🕊 now."})
    planned(book.root, book)
    new_process(monkeypatch)
    caplog.clear()
    planned(book.root, book)
    assert "dropped characters the voice cannot say: 🕊" in caplog.text


def test_a_folder_that_cannot_be_written_keeps_no_memo(tmp_path, monkeypatch):
    book = book_at(tmp_path, chapters=BOOK)
    (book.root / ".narration").write_text("a file where the folder should be")
    assert keys(planned(book.root, book)) == keys(build_plan(book, SPEECH))
