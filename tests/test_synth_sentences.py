"""Sentence reuse: a changed clip re-speaks only its new sentences (real Piper, short texts)."""

from __future__ import annotations

import wave

import numpy as np
import pytest
from synth_support import write_scripts

from narration.model import load_book
from narration.synth.pipeline import plan_synthesis, resolve_options, run_synthesis
from narration.synth.sentences import Reuse, assemble_clip

PARAGRAPH = "The first sentence is here. The second one follows it. A third closes the paragraph."
SCRIPT = f"# Title\n\n{PARAGRAPH}\n"


def samples(path) -> np.ndarray:
    with wave.open(str(path)) as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")


def sentence_audio(clip, index: int) -> np.ndarray:
    rate = clip.sample_rate
    span = clip.sentences[index]
    return samples(clip.path)[round(span.start * rate) : round(span.end * rate)]


def synth(root, cache):
    book = load_book(root / "scripts")
    options = resolve_options(book, jobs=1, cache_dir=cache)
    return book, options, run_synthesis(book, options)


def test_editing_one_sentence_speaks_only_that_sentence(tmp_path):
    write_scripts(tmp_path, {"01-a.md": SCRIPT})
    cache = tmp_path / "cache"
    book, _, first = synth(tmp_path, cache)
    old = first.sections[book.chapters[0].sections[0].id][0]

    script = tmp_path / "scripts" / "01-a.md"
    script.write_text(SCRIPT.replace("The second one follows it.", "Another one comes next."))
    book, options = load_book(tmp_path / "scripts"), options_for(tmp_path, cache)
    pending = plan_synthesis(book, options)
    assert len(pending.missing) == 1
    (task,) = pending.tasks()
    assert task.sentences == ("Another one comes next.",)

    _, _, second = synth(tmp_path, cache)
    assert second.made == 1
    new = second.sections[book.chapters[0].sections[0].id][0]
    assert new.key != old.key
    assert [s.text for s in new.sentences] == [
        "The first sentence is here.",
        "Another one comes next.",
        "A third closes the paragraph.",
    ]
    assert np.array_equal(sentence_audio(new, 0), sentence_audio(old, 0))
    assert np.array_equal(sentence_audio(new, 2), sentence_audio(old, 2))
    assert not np.array_equal(sentence_audio(new, 1)[:1000], sentence_audio(old, 1)[:1000])
    assert new.sentences[-1].end == pytest.approx(new.duration, abs=1e-5)


def options_for(root, cache):
    return resolve_options(load_book(root / "scripts"), jobs=1, cache_dir=cache)


def test_deleting_a_sentence_needs_no_engine(tmp_path):
    write_scripts(tmp_path, {"01-a.md": SCRIPT})
    cache = tmp_path / "cache"
    synth(tmp_path, cache)
    script = tmp_path / "scripts" / "01-a.md"
    script.write_text(SCRIPT.replace(" The second one follows it.", ""))
    pending = plan_synthesis(load_book(tmp_path / "scripts"), options_for(tmp_path, cache))
    assert len(pending.missing) == 1 and not pending.needs_workers and pending.tasks() == []
    _, _, result = synth(tmp_path, cache)
    assert result.made == 1
    clip = next(iter(result.sections.values()))[0]
    assert len(clip.sentences) == 2 and clip.duration > 1.0


def test_a_damaged_clip_is_not_reused(tmp_path):
    write_scripts(tmp_path, {"01-a.md": SCRIPT})
    cache = tmp_path / "cache"
    book, _, first = synth(tmp_path, cache)
    old = first.sections[book.chapters[0].sections[0].id][0]
    data = bytearray(old.path.read_bytes())
    data[-10:] = b"\x01" * 10
    old.path.write_bytes(bytes(data))  # same size, new mtime: the checksum catches it
    script = tmp_path / "scripts" / "01-a.md"
    script.write_text(SCRIPT.replace("A third closes the paragraph.", "A last one closes it."))
    pending = plan_synthesis(load_book(tmp_path / "scripts"), options_for(tmp_path, cache))
    (task,) = pending.tasks()
    assert len(task.sentences) == 3


def test_assemble_clip_puts_sentences_in_order():
    rate = 10
    reuse = Reuse((np.full(5, 1, np.int16), None, np.full(3, 3, np.int16)))
    spoken = np.full(4, 2, np.int16)
    audio, bounds = assemble_clip(reuse, spoken, [(0.0, 0.4)], rate)
    assert audio.tolist() == [1] * 5 + [2] * 4 + [3] * 3
    assert bounds == ((0.0, 0.5), (0.5, 0.9), (0.9, 1.2))
