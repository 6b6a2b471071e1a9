"""The synth stage end to end with real Piper (and espeak-ng) on short texts."""

from __future__ import annotations

import pytest
from synth_support import book_at, clip_files, stray_files, wav_frames, write_scripts

from narration.errors import CacheError, InputError
from narration.model import load_book
from narration.synth.pipeline import SynthOptions, resolve_options, run_synthesis, synth_status, synthesize_book


def run(book, cache, **kwargs):
    return synthesize_book(book, cache_dir=cache, jobs=kwargs.pop("jobs", 1), **kwargs)


def test_first_run_makes_every_clip_with_exact_sentence_spans(tmp_path):
    book = book_at(tmp_path)
    cache = tmp_path / "cache"
    result = run(book, cache)
    assert result.made == 6 and result.reused == 0
    assert set(result.titles) == {"01-hello", "02-goodbye"}
    assert set(result.sections) == {s.id for c in book.chapters for s in c.sections}
    clip = result.sections[book.chapters[0].sections[0].id][0]
    assert [s.text for s in clip.sentences] == ["Good morning.", "The train is late."]
    first, second = clip.sentences
    assert first.start == 0.0 and 0.3 < first.end == second.start < second.end
    assert second.end == pytest.approx(clip.duration, abs=1e-5)
    rate, frames = wav_frames(clip.path)
    assert rate == clip.sample_rate == 22050 and frames / rate == pytest.approx(clip.duration)
    assert result.audio_seconds_made == pytest.approx(sum(c.duration for c in _clips(result)))


def _clips(result):
    return [clip for clips in (*result.titles.values(), *result.sections.values()) for clip in clips]


def test_second_run_makes_nothing(tmp_path):
    book = book_at(tmp_path)
    cache = tmp_path / "cache"
    first = run(book, cache)
    second = run(load_book(tmp_path / "scripts"), cache)
    assert second.made == 0 and second.reused == first.made
    assert [c.path for c in _clips(second)] == [c.path for c in _clips(first)]


def test_editing_one_paragraph_remakes_only_its_clips(tmp_path):
    book = book_at(tmp_path)
    cache = tmp_path / "cache"
    run(book, cache)
    before = clip_files(cache)
    script = tmp_path / "scripts" / "01-hello.md"
    script.write_text(script.read_text().replace("The train is late.", "The train is early."))
    edited = load_book(tmp_path / "scripts")
    result = run(edited, cache)
    assert result.made == 1
    new = clip_files(cache) - before
    assert len(new) == 1
    assert result.sections[edited.chapters[0].sections[0].id][0].key in new


def test_changing_the_voice_remakes_all(tmp_path):
    book = book_at(tmp_path)
    cache = tmp_path / "cache"
    run(book, cache)
    slower = book_at(tmp_path, book_toml="[synth]\nlength_scale = 1.3\n")
    result = run(slower, cache)
    assert result.made == 6 and result.reused == 0
    espeak = run(book, cache, engine="espeak")
    assert espeak.made == 6 and espeak.reused == 0
    assert {c.sample_rate for c in _clips(espeak)} == {22050}


def test_lexicon_change_remakes_only_sections_with_the_word(tmp_path):
    book = book_at(tmp_path)
    cache = tmp_path / "cache"
    before = {c.key for c in _clips(run(book, cache))}
    (tmp_path / "scripts" / "lexicon.toml").write_text('[words]\nroubles = "roobles"\n')
    changed = load_book(tmp_path / "scripts")
    result = run(changed, cache)
    assert result.made == 1
    bread = next(s for s in changed.chapters[0].sections if "Bread" in s.text)
    (clip,) = result.sections[bread.id]
    assert {c.key for c in _clips(result)} - before == {clip.key}
    assert clip.sentences[0].text == "Bread costs two roubles."


def test_interrupted_run_resumes_without_remaking_finished_clips(tmp_path):
    book = book_at(tmp_path)
    cache = tmp_path / "cache"
    options = resolve_options(book, jobs=1, cache_dir=cache)
    made = []

    def stop_after_two(meta):
        made.append(meta.key)
        if len(made) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_synthesis(book, options, on_clip=stop_after_two)
    assert clip_files(cache) == set(made) and not stray_files(cache)
    result = run(book, cache)
    assert result.made == 4 and result.reused == 2


def test_interrupted_parallel_run_keeps_finished_clips(tmp_path):
    book = book_at(tmp_path)
    cache = tmp_path / "cache"
    options = SynthOptions(resolve_options(book).spec, jobs=2, cache_dir=cache)

    def stop(meta):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_synthesis(book, options, on_clip=stop)
    kept = clip_files(cache)
    assert kept and not stray_files(cache)
    result = synthesize_book(book, cache_dir=cache, jobs=2)
    assert result.reused == len(kept) and result.made == 6 - len(kept)


def test_truncated_or_damaged_clip_is_made_again(tmp_path, caplog):
    book = book_at(tmp_path)
    cache = tmp_path / "cache"
    result = run(book, cache)
    truncated, damaged = _clips(result)[:2]
    data = truncated.path.read_bytes()
    truncated.path.write_bytes(data[: len(data) // 2])
    raw = bytearray(damaged.path.read_bytes())
    raw[-100:] = bytes(100)
    damaged.path.write_bytes(bytes(raw))
    again = run(book, cache)
    assert again.made == 2 and again.reused == 4
    assert "truncated" in caplog.text and "damaged" in caplog.text
    assert wav_frames(truncated.path)[1] > len(data) // 4


def test_status_counts_without_making_anything(tmp_path):
    book = book_at(tmp_path)
    cache = tmp_path / "cache"
    status = synth_status(book, cache_dir=cache)
    assert (status.sections, status.sections_missing, status.clips_missing) == (6, 6, 6)
    assert status.chapters_missing == {1: 4, 2: 2}
    assert not cache.exists()
    run(book, cache, chapters=[2])
    status = synth_status(book, cache_dir=cache)
    assert status.sections_missing == 4 and status.chapters_missing == {1: 4}


def test_chapters_selects_and_rejects(tmp_path):
    book = book_at(tmp_path)
    result = run(book, tmp_path / "cache", chapters=[2])
    assert set(result.titles) == {"02-goodbye"} and result.made == 2
    with pytest.raises(InputError, match="no chapter 3"):
        run(book, tmp_path / "cache", chapters=[3])


def test_emoji_and_other_scripts_are_dropped_with_a_warning(tmp_path, caplog):
    book = book_at(tmp_path, chapters={"01-mixed.md": "# Mixed\n\nWe won 🎉 today. Мир.\n\n🎉🎉\n"})
    result = run(book, tmp_path / "cache")
    sections = book.chapters[0].sections
    clip = result.sections[sections[0].id][0]
    assert [s.text for s in clip.sentences] == ["We won 🎉 today."]
    assert result.sections[sections[1].id] == ()
    assert "🎉" in caplog.text and "М" in caplog.text and "nothing to say" in caplog.text


def test_cache_folder_that_cannot_be_written_is_a_clear_error(tmp_path):
    book = book_at(tmp_path)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder should be")
    with pytest.raises(CacheError, match="a file is in the way.*--cache-dir"):
        run(book, blocker / "cache")


def test_default_cache_is_beside_the_scripts(tmp_path):
    scripts = write_scripts(tmp_path, chapters={"01-a.md": "# A\n\nOne line.\n"})
    result = synthesize_book(load_book(scripts), jobs=1)
    assert all(c.path.parent == tmp_path / ".narration" / "cache" for c in _clips(result))
