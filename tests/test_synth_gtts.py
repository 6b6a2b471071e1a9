"""The gTTS engine with only Google's HTTP endpoint faked (the endpoint is unreachable here).

The fake replaces ``requests``' transport adapter, so gTTS builds and sends its real requests;
the answers carry a real MP3 made with ffmpeg at test time, decoded by the engine's real ffmpeg path.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import unquote

import pytest
import requests
from click.testing import CliRunner
from synth_support import book_at, clip_files, write_scripts

from narration.cli import cli
from narration.errors import NetworkError, VoiceError
from narration.ffmpeg import run_ffmpeg
from narration.synth.engines import EngineSpec, get_engine
from narration.synth.engines import gtts as gtts_engine
from narration.synth.pipeline import synthesize_book

TONE_SECONDS = 0.5


@pytest.fixture(scope="module")
def mp3(tmp_path_factory) -> bytes:
    out = tmp_path_factory.mktemp("mp3") / "tone.mp3"
    run_ffmpeg(
        [
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={TONE_SECONDS}",
            "-ac",
            "1",
            "-ar",
            "24000",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "32k",
            str(out),
        ]
    )
    return out.read_bytes()


def google_answer(mp3: bytes) -> bytes:
    """A batchexecute answer as translate.google.com sends it, carrying ``mp3``."""
    audio = json.dumps([base64.b64encode(mp3).decode()])
    payload = json.dumps([["wrb.fr", "jQ1olc", audio, None, None, None, "generic"]], separators=(",", ":"))
    return f")]}}'\n\n{len(payload)}\n{payload}\n".encode()


class FakeGoogle:
    """Stands in for the HTTP transport: answers from a script of statuses (or exceptions)."""

    def __init__(self, mp3: bytes, script: list[int | Exception] | None = None) -> None:
        self.mp3 = mp3
        self.script = list(script or [])
        self.requests: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        self.requests.append(request)
        step = self.script.pop(0) if self.script else 200
        if isinstance(step, Exception):
            raise step
        response = requests.Response()
        response.status_code = step
        response.reason = {200: "OK", 429: "Too Many Requests", 503: "Service Unavailable"}.get(step, "")
        response._content = google_answer(self.mp3) if step == 200 else b"error"
        response._content_consumed = True
        response.request = request
        response.url = request.url
        return response


@pytest.fixture
def google(monkeypatch, mp3):
    fake = FakeGoogle(mp3)
    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", lambda adapter, request, **kw: fake.send(request, **kw))
    monkeypatch.setattr(gtts_engine, "BACKOFF", 0.01)
    return fake


def offline() -> requests.exceptions.ConnectionError:
    return requests.exceptions.ConnectionError(
        "HTTPSConnectionPool(host='translate.google.com', port=443): Max retries exceeded with url: "
        '/_/TranslateWebserverUi/data/batchexecute (Caused by NameResolutionError("<urllib3.connection.'
        "HTTPSConnection object at 0x7f>: Failed to resolve 'translate.google.com' ([Errno -3] Temporary "
        'failure in name resolution)"))'
    )


def test_success_makes_decoded_clips(tmp_path, google):
    book = book_at(tmp_path, chapters={"01-a.md": "# Title\n\nFirst sentence. Second sentence.\n"})
    result = synthesize_book(book, engine="gtts", jobs=1, cache_dir=tmp_path / "cache")
    assert result.made == 2 and len(google.requests) == 3  # one request per sentence
    bodies = [unquote(r.body) for r in google.requests]
    assert [b for b in bodies if "First sentence." in b] and [b for b in bodies if "Title" in b]
    (clip,) = result.sections[book.chapters[0].sections[0].id]
    assert clip.sample_rate == 24000 and [s.text for s in clip.sentences] == ["First sentence.", "Second sentence."]
    assert clip.duration == pytest.approx(2 * TONE_SECONDS, abs=0.15)


def test_429_then_success_is_retried(google, caplog):
    google.script = [429, 200]
    engine = get_engine(EngineSpec("gtts"))
    (chunk,) = engine.synthesize("Hello there.")
    assert len(google.requests) == 2 and chunk.duration == pytest.approx(TONE_SECONDS, abs=0.1)
    assert "429" in caplog.text and "retrying" in caplog.text


def test_persistent_5xx_gives_up_after_bounded_tries(google):
    google.script = [503] * 10
    engine = get_engine(EngineSpec("gtts"))
    with pytest.raises(NetworkError, match="503 after 5 tries"):
        list(engine.synthesize("Hello there."))
    assert len(google.requests) == gtts_engine.TRIES


def test_no_network_names_the_cause_and_keeps_made_clips(tmp_path, google):
    book = book_at(tmp_path)
    cache = tmp_path / "cache"
    google.script = [200, 200, offline()]
    with pytest.raises(NetworkError, match="cannot reach translate.google.com.*name resolution.*--engine piper"):
        synthesize_book(book, engine="gtts", jobs=1, cache_dir=cache)
    kept = clip_files(cache)
    assert len(kept) >= 1
    google.requests.clear()
    result = synthesize_book(book, engine="gtts", jobs=1, cache_dir=cache)
    assert result.reused == len(kept) and result.made == 6 - len(kept)


def test_no_network_on_the_command_line(tmp_path, google):
    scripts = write_scripts(tmp_path)
    google.script = [offline()] * 20
    outcome = CliRunner().invoke(cli, ["synth", "--scripts", str(scripts), "--engine", "gtts", "--jobs", "1"])
    assert outcome.exit_code == 1
    assert "cannot reach translate.google.com" in outcome.output and "--engine piper" in outcome.output
    assert "Traceback" not in outcome.output


def test_unknown_language_is_a_voice_error():
    with pytest.raises(VoiceError, match="unknown language 'xx'"):
        get_engine(EngineSpec("gtts", voice="xx"))


def test_language_and_domain_reach_the_request(google):
    engine = get_engine(EngineSpec("gtts", voice="fr", settings={"tld": "ca"}))
    list(engine.synthesize("Bonjour."))
    assert google.requests[0].url.startswith("https://translate.google.ca/")
    assert '\\"fr\\"' in unquote(google.requests[0].body)  # the language inside the RPC payload
    assert engine.identity["lang"] == "fr" and engine.identity["tld"] == "ca"


def test_ffmpeg_missing_is_reported_before_any_request(tmp_path, google, monkeypatch):
    """gTTS answers MP3, decoded by the ffmpeg program: without it, a build stops at once."""
    scripts = write_scripts(tmp_path)
    (scripts / "book.toml").write_text('title = "T"\n[synth]\nengine = "gtts"\njobs = 1\n')
    monkeypatch.setenv("NARRATION_FFMPEG", "/nonexistent/ffmpeg")
    outcome = CliRunner().invoke(cli, ["build", "--scripts", str(scripts), "--out", str(tmp_path / "out")])
    assert outcome.exit_code == 1 and "Traceback" not in outcome.output
    assert "ffmpeg not found" in outcome.output and "/nonexistent/ffmpeg" in outcome.output
    assert google.requests == []


def test_ffmpeg_failing_shows_the_tail_of_its_message(tmp_path, google, monkeypatch):
    from audio_support import failing_ffmpeg

    scripts = write_scripts(tmp_path)
    monkeypatch.setenv("NARRATION_FFMPEG", str(failing_ffmpeg(tmp_path)))
    outcome = CliRunner().invoke(cli, ["synth", "--scripts", str(scripts), "--engine", "gtts", "--jobs", "1"])
    assert outcome.exit_code == 1 and "Traceback" not in outcome.output
    assert "decoding gTTS audio failed (ffmpeg exit" in outcome.output and "no_such_option" in outcome.output
