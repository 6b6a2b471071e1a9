"""Assembling and mastering chapters from real Piper clips: layout, pauses, cues, levels."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from audio_support import LETTER, make_book

from narration.audio import loudness
from narration.audio.layout import chapter_parts
from narration.audio.master import Pauses, master_chapter
from narration.audio.profiles import get_profile
from narration.config import AudioConfig
from narration.errors import InputError
from narration.model import Book, load_book
from narration.synth.pipeline import synthesize_book
from narration.synth.types import SynthResult


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    root = tmp_path_factory.mktemp("master")
    return load_book(make_book(root, root / "clips"))


@pytest.fixture(scope="module")
def synth(book: Book) -> SynthResult:
    return synthesize_book(book, jobs=1)


def gaps(cues) -> list[float]:
    return [round(b.start - a.end, 3) for a, b in zip(cues, cues[1:])]


def test_the_layout_puts_each_pause_in_its_place(book: Book, synth: SynthResult) -> None:
    config = AudioConfig(sentence_pause_ms=300, paragraph_pause_ms=800, before_title_ms=500, after_title_ms=1100)
    first = master_chapter(book.chapters[0], synth, config, get_profile())
    assert first.cues[0].start == pytest.approx(config.head_room_tone_ms / 1000, abs=1e-3)
    assert [c.text for c in first.cues] == ["The First Morning", "It was a cold morning.", "The bells rang twice."]
    assert gaps(first.cues) == [1.1, 0.3]  # after the title, between two sentences
    second = master_chapter(book.chapters[1], synth, config, get_profile())
    assert [c.text for c in second.cues] == LETTER
    assert gaps(second.cues) == [1.1, 0.5, 1.1]  # title, before a subheading, after it
    tail = len(second.samples) / second.rate - second.cues[-1].end
    assert config.tail_room_tone_ms / 1000 <= tail < config.tail_room_tone_ms / 1000 + 0.25


def test_cues_are_where_the_speech_is(book: Book, synth: SynthResult) -> None:
    master = master_chapter(book.chapters[0], synth, book.config.audio, get_profile())
    audio = master.samples
    for cue in master.cues:
        start, end = round(cue.start * master.rate), round(cue.end * master.rate)
        assert np.max(np.abs(audio[start:end])) > 0.1
    pause = audio[round(master.cues[1].end * master.rate) + 10 : round(master.cues[2].start * master.rate) - 10]
    assert len(pause) > 0.3 * master.rate and np.max(np.abs(pause)) < 0.01


def test_a_master_is_at_the_profile_level(book: Book, synth: SynthResult) -> None:
    master = master_chapter(book.chapters[0], synth, book.config.audio, get_profile())
    assert loudness.loudness(master.samples, master.rate) == pytest.approx(-16, abs=0.3)
    assert loudness.to_db(loudness.true_peak(master.samples)) <= -2 + 0.05
    assert master.measured < -16 and master.gain_db > 0


def test_acx_keeps_room_tone_in_range_and_lays_it_under_the_chapter(book: Book, synth: SynthResult) -> None:
    acx = get_profile("acx")
    long_pauses = AudioConfig(head_room_tone_ms=3000, tail_room_tone_ms=9000)
    assert (Pauses.of(long_pauses, acx).head, Pauses.of(long_pauses, acx).tail) == (900, 4500)
    assert Pauses.of(long_pauses, get_profile()).head == 3000
    master = master_chapter(book.chapters[2], synth, book.config.audio, acx)
    head = master.samples[: round(0.6 * master.rate)]
    assert -75 < loudness.rms_db(head) < -65
    assert -23 <= loudness.rms_db(master.samples) <= -18


def test_a_chapter_with_nothing_to_say_is_refused(book: Book, synth: SynthResult) -> None:
    silent = dataclasses.replace(synth, sections={k: () for k in synth.sections})
    with pytest.raises(InputError, match="chapter 1 .*'The First Morning'.* has no text to narrate"):
        chapter_parts(book.chapters[0], silent)


def test_mastering_is_reproducible(book: Book, synth: SynthResult, tmp_path: Path) -> None:
    one = master_chapter(book.chapters[2], synth, book.config.audio, get_profile("acx"))
    two = master_chapter(book.chapters[2], synth, book.config.audio, get_profile("acx"))
    assert np.array_equal(one.samples, two.samples) and one.cues == two.cues
