"""`narration say`: real Piper speaking a sentence or a part of the book to a WAV file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from synth_support import book_at, wav_frames, write_scripts

from narration.cli import cli
from narration.errors import InputError
from narration.synth.pipeline import synth_status
from narration.synth.say import part_texts, say_text

CHAPTERS = {"01-one.md": "# One\n\nIt cost $4.50. Zinoviev agreed.\n\nThe kulaks hid grain.\n\nThen it rained."}


def invoke(*args: str):
    return CliRunner(mix_stderr=False).invoke(cli, list(args))


def test_say_writes_a_real_wav_with_the_spoken_form_and_lexicon(tmp_path):
    book = book_at(tmp_path, chapters=CHAPTERS)
    (tmp_path / "scripts" / "lexicon.toml").write_text('Zinoviev = "Zin oh vee ev"\n', encoding="utf-8")
    out = tmp_path / "say.wav"
    result = say_text(book, "It cost $4.50. Zinoviev agreed.", out, cache_dir=tmp_path / "cache")
    assert result.spoken == ("It cost four dollars and fifty cents.", "Zin oh vee ev agreed.")
    rate, frames = wav_frames(out)
    assert rate == 22050 == result.sample_rate
    assert 1.5 < frames / rate == pytest.approx(result.duration)
    import wave

    with wave.open(str(out)) as wav:
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    assert np.abs(samples).max() > 1000  # speech, not silence
    assert (result.clips_made, result.clips_cached) == (1, 0)
    again = say_text(book, "It cost $4.50. Zinoviev agreed.", out, cache_dir=tmp_path / "cache")
    assert (again.clips_made, again.clips_cached) == (0, 1)


def test_say_a_section_makes_the_clip_the_build_uses(tmp_path):
    book = book_at(tmp_path, chapters=CHAPTERS)
    cache = tmp_path / "cache"
    assert part_texts(book, 1, 2) == ["The kulaks hid grain."]
    assert part_texts(book, 1, 0) == ["One"]
    before = synth_status(book, cache_dir=cache)
    result = say_text(book, part_texts(book, 1, 2), tmp_path / "part.wav", cache_dir=cache)
    assert result.written == ("The kulaks hid grain.",)
    after = synth_status(book, cache_dir=cache)
    assert after.clips_missing == before.clips_missing - 1
    with pytest.raises(InputError, match="has 3 sections"):
        part_texts(book, 1, 7)


def test_say_command(tmp_path):
    scripts = write_scripts(tmp_path, chapters=CHAPTERS)
    out = tmp_path / "said.wav"
    cache = str(tmp_path / "cache")
    said = invoke("say", "It cost $4.50.", "--scripts", str(scripts), "-o", str(out), "--cache-dir", cache)
    assert said.exit_code == 0, said.output
    assert "spoken: It cost four dollars and fifty cents." in said.stdout and f"Wrote {out}" in said.stdout
    assert wav_frames(out)[1] > 0
    part = invoke(
        "say", "--scripts", str(scripts), "--chapter", "1", "--section", "3", "-o", str(out), "--cache-dir", cache
    )
    assert part.exit_code == 0 and "spoken: Then it rained." in part.stdout
    both = invoke("say", "hello", "--chapter", "1", "--scripts", str(scripts))
    assert both.exit_code == 2 and "either TEXT or --chapter" in both.stderr
    bad = invoke("say", "--scripts", str(scripts), "--chapter", "1", "--section", "9", "-o", str(out))
    assert bad.exit_code == 1 and "has 3 sections" in bad.stderr and "Traceback" not in bad.stderr
    empty = invoke("say", "  ", "--scripts", str(scripts))
    assert empty.exit_code == 1 and "TEXT is empty" in empty.stderr


def test_say_outside_a_book_uses_the_default_voice(tmp_path):
    runner = CliRunner(mix_stderr=False)
    with runner.isolated_filesystem(temp_dir=tmp_path):
        said = runner.invoke(cli, ["say", "Kronstadt"])
        assert said.exit_code == 0, said.output
        assert "spoken: Kronstadt." in said.stdout
        assert "Wrote say.wav" in said.stdout and wav_frames(Path("say.wav"))[1] > 0
