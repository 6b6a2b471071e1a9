"""Laying out and mastering units from real Piper clips: pauses, cues, levels, room tone."""

from __future__ import annotations

import dataclasses

import numpy as np
import pyloudnorm
import pytest
from audio_support import CHAPTERS, LETTER, make_book
from scipy.signal import resample_poly

from narration.audio import codec, loudness
from narration.audio.layout import Pauses, UnitLayout, chapter_layouts, chapter_parts
from narration.audio.master import master_unit
from narration.audio.profiles import get_profile
from narration.config import AudioConfig
from narration.disclosure import DEFAULT_TEXTS
from narration.errors import InputError
from narration.model import Book, load_book
from narration.synth.pipeline import synthesize_book
from narration.synth.types import SynthResult

TWO_PARAGRAPHS = {"04-two-paragraphs.md": "# Two Paragraphs\n\nThe first one.\n\nThe second one.\n"}
PAUSES = Pauses(sentence=300, paragraph=800, before_heading=500, after_title=1100, head=700, tail=2000)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    root = tmp_path_factory.mktemp("master")
    return load_book(make_book(root, root / "clips", chapters={**CHAPTERS, **TWO_PARAGRAPHS}))


@pytest.fixture(scope="module")
def synth(book: Book) -> SynthResult:
    return synthesize_book(book, jobs=1)


def texts(layout: UnitLayout) -> list[str]:
    return [s.text for s in layout.clip.sentences]


def pauses_of(layouts: list[UnitLayout]) -> list[tuple[int, int, bool]]:
    return [(u.lead_ms, u.gap_ms, u.last) for u in layouts]


def test_the_layout_puts_each_pause_in_its_place(book: Book, synth: SynthResult) -> None:
    first = chapter_layouts(book.chapters[0], synth, PAUSES)
    assert [texts(u) for u in first] == [
        [DEFAULT_TEXTS["en"]],
        ["The First Morning"],
        ["It was a cold morning.", "The bells rang twice."],
    ]  # the book opens with the AI disclosure
    assert pauses_of(first) == [
        (700, 500, False),
        (0, 1100, False),
        (0, 2000, True),
    ]  # head, before and after the title; the tail
    assert {u.sentence_ms for u in first} == {300}
    second = chapter_layouts(book.chapters[1], synth, PAUSES)
    assert [t for u in second for t in texts(u)] == LETTER
    assert pauses_of(second) == [(700, 1100, False), (0, 500, False), (0, 1100, False), (0, 2000, True)]
    fourth = chapter_layouts(book.chapters[3], synth, PAUSES)
    assert pauses_of(fourth) == [(700, 1100, False), (0, 800, False), (0, 2000, True)]  # between paragraphs


def test_the_clips_of_one_section_are_a_sentence_pause_apart(book: Book, synth: SynthResult) -> None:
    chapter = book.chapters[0]
    paragraph = chapter.sections[0].id
    clip = synth.sections[paragraph][0]
    split = dataclasses.replace(synth, sections={**synth.sections, paragraph: (clip, clip, clip)})
    assert pauses_of(chapter_layouts(chapter, split, PAUSES)) == [
        (700, 500, False), (0, 1100, False), (0, 300, False), (0, 300, False), (0, 2000, True)
    ]  # fmt: skip


def test_master_unit_cues_are_where_the_speech_is_and_pauses_are_silent(book: Book, synth: SynthResult) -> None:
    layouts = chapter_layouts(book.chapters[0], synth, PAUSES)
    for layout in layouts:
        master = master_unit(layout, get_profile())
        rate, audio = master.rate, master.samples
        assert rate == 22050
        assert master.cues[0].start == pytest.approx(layout.lead_ms / 1000, abs=1e-4)
        assert [c.text for c in master.cues] == texts(layout)
        for cue in master.cues:
            assert np.max(np.abs(audio[round(cue.start * rate) : round(cue.end * rate)])) > 0.1
        gaps = [b.start - a.end for a, b in zip(master.cues, master.cues[1:])]
        assert gaps == pytest.approx([layout.sentence_ms / 1000] * len(gaps), abs=1e-4)
        silent = [(0.0, master.cues[0].start)] + [(a.end, b.start) for a, b in zip(master.cues, master.cues[1:])]
        for start, end in silent:
            if end - start > 0.01:
                assert np.max(np.abs(audio[round(start * rate) + 10 : round(end * rate) - 10])) < 0.01
        after = len(audio) / rate - master.cues[-1].end
        expected = layout.gap_ms / 1000 - (0 if layout.last else codec.MP3_DELAY / rate)  # next unit's priming
        assert after == pytest.approx(expected, abs=1e-3)
        assert np.max(np.abs(audio[round((master.cues[-1].end + 0.05) * rate) :])) < 0.01


def test_a_mastered_unit_is_at_the_profile_level(book: Book, synth: SynthResult) -> None:
    for layout in chapter_layouts(book.chapters[0], synth, PAUSES):
        master = master_unit(layout, get_profile())
        measured = pyloudnorm.Meter(master.rate).integrated_loudness(master.samples.astype(np.float64))
        assert measured == pytest.approx(-16, abs=0.3)
        oversampled = resample_poly(master.samples.astype(np.float64), 4, 1)
        assert 20 * np.log10(np.max(np.abs(oversampled))) <= -2 + 0.05
        assert master.gain_db >= -16 - master.measured - 0.02  # the limiter only takes level away


def test_acx_keeps_room_tone_in_range_and_lays_it_under_the_unit(book: Book, synth: SynthResult) -> None:
    acx = get_profile("acx")
    long_pauses = AudioConfig(head_room_tone_ms=3000, tail_room_tone_ms=9000)
    assert (Pauses.of(long_pauses, acx).head, Pauses.of(long_pauses, acx).tail) == (900, 4500)
    short_pauses = AudioConfig(head_room_tone_ms=0, tail_room_tone_ms=0)
    assert (Pauses.of(short_pauses, acx).head, Pauses.of(short_pauses, acx).tail) == (500, 1000)
    assert Pauses.of(long_pauses, get_profile()).head == 3000
    first = chapter_layouts(book.chapters[2], synth, Pauses.of(book.config.audio, acx))[0]
    master = master_unit(first, acx)
    assert master.rate == 44100
    lead = master.samples[: round(0.6 * master.rate)]
    assert -75 < loudness.rms_db(lead) < -65 and np.max(np.abs(lead)) > 0  # room tone, not silence
    assert -23 <= loudness.rms_db(master.samples) <= -18


def test_a_chapter_with_nothing_to_say_is_refused(book: Book, synth: SynthResult) -> None:
    silent = dataclasses.replace(synth, sections=dict.fromkeys(synth.sections, ()))
    with pytest.raises(InputError, match="chapter 1 .*'The First Morning'.* has no text to narrate"):
        chapter_parts(book.chapters[0], silent)
    with pytest.raises(InputError, match="has no text to narrate"):
        chapter_layouts(book.chapters[0], silent, PAUSES)


def test_mastering_is_reproducible(book: Book, synth: SynthResult) -> None:
    layout = chapter_layouts(book.chapters[2], synth, Pauses.of(book.config.audio, get_profile("acx")))[0]
    one, two = master_unit(layout, get_profile("acx")), master_unit(layout, get_profile("acx"))
    assert np.array_equal(one.samples, two.samples) and one.cues == two.cues
