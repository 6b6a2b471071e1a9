"""Transcripts (WebVTT, SRT), chapters JSON and the small text helpers of the publish stage."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re

import pytest
from publish_support import LONG_SENTENCE, relocate, template_build  # noqa: F401

from narration.audio.types import Cue
from narration.errors import PublishError
from narration.publish import text, transcripts
from narration.publish.api import publish

VTT_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)$")


def read_vtt(content: str) -> list[Cue]:
    """A small WebVTT reader: header, then blocks of id, timing line, text lines."""
    head, *blocks = content.strip().split("\n\n")
    assert head == "WEBVTT"
    cues = []
    for block in blocks:
        _, timing, *lines = block.split("\n")
        h1, m1, s1, ms1, h2, m2, s2, ms2 = map(int, VTT_TIME.match(timing).groups())
        start = h1 * 3600 + m1 * 60 + s1 + ms1 / 1000
        cues.append(Cue(start, h2 * 3600 + m2 * 60 + s2 + ms2 / 1000, "\n".join(lines)))
    return cues


@pytest.fixture
def built(tmp_path, template_build):
    result = relocate(template_build, tmp_path / "output")
    publish(result, base_url="http://127.0.0.1:8000/")
    return result


def test_short_sentences_keep_their_exact_times(built):
    chapter = built.chapters[0]
    cues = read_vtt((built.out_dir / "transcripts" / f"{chapter.episode.stem}.vtt").read_text())
    assert [(c.start, c.end, c.text) for c in cues] == [(c.start, c.end, c.text) for c in chapter.cues]


def test_long_sentences_become_short_cues_within_the_sentence(built):
    chapter = built.chapters[1]
    cues = read_vtt((built.out_dir / "transcripts" / f"{chapter.episode.stem}.vtt").read_text())
    long_cues = cues[1:]
    assert len(long_cues) >= 2
    assert long_cues[0].start == chapter.cues[1].start and long_cues[-1].end == chapter.cues[1].end
    for a, b in itertools.pairwise(long_cues):
        assert a.end == b.start
    for cue in long_cues:
        lines = cue.text.split("\n")
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines)
    assert " ".join(c.text.replace("\n", " ") for c in long_cues) == LONG_SENTENCE


def test_vtt_escapes_markup_and_srt_keeps_text(built):
    chapter = built.chapters[1]
    vtt = (built.out_dir / "transcripts" / f"{chapter.episode.stem}.vtt").read_text()
    srt = (built.out_dir / "transcripts" / f"{chapter.episode.stem}.srt").read_text()
    assert 'Tags &lt;b&gt; &amp; "quotes".' in vtt
    assert srt.startswith('1\n00:00:00,100 --> 00:00:00,800\nTags <b> & "quotes".\n\n2\n00:00:00,900 --> ')


def test_book_transcript_is_shifted_by_each_chapter_start(built):
    book = read_vtt((built.out_dir / "transcripts" / f"{built.mp3.stem}.vtt").read_text())
    last = built.chapters[-1]
    assert book[-1].start == pytest.approx(last.start + last.cues[-1].start, abs=0.0015)
    assert book[-1].end == pytest.approx(last.start + last.cues[-1].end, abs=0.0015)
    starts = [c.start for c in book]
    assert starts == sorted(starts)


def test_chapters_json_follows_version_1_2(built):
    document = json.loads((built.out_dir / "chapters.json").read_text(encoding="utf-8"))
    assert document["version"] == "1.2.0"
    starts = [c["startTime"] for c in document["chapters"]]
    assert starts == sorted(starts) and starts[0] == 0
    assert [c["title"] for c in document["chapters"]] == [c.title for c in built.chapters]
    assert starts == [pytest.approx(c.start, abs=0.001) for c in built.chapters]
    assert all(isinstance(s, (int, float)) for s in starts)


def test_chapters_out_of_order_are_refused(built):
    result = built
    chapters = list(result.chapters)
    chapters[1] = dataclasses.replace(chapters[1], start=chapters[2].start + 1)
    with pytest.raises(PublishError, match="ascending"):
        transcripts.chapters_document(dataclasses.replace(result, chapters=tuple(chapters)))


def test_split_text_balances_and_keeps_every_word():
    parts = transcripts.split_text(LONG_SENTENCE)
    assert " ".join(parts) == LONG_SENTENCE
    assert all(len(transcripts.wrap_lines(p)) <= 2 for p in parts)
    assert max(map(len, parts)) - min(map(len, parts)) < 30
    assert transcripts.split_text("  Short   one. ") == ["Short one."]


def test_wrap_lines_breaks_near_the_middle():
    assert transcripts.wrap_lines("one two three") == ["one two three"]
    lines = transcripts.wrap_lines("alpha beta gamma delta epsilon zeta eta theta iota kappa")
    assert len(lines) == 2 and abs(len(lines[0]) - len(lines[1])) <= 6


def test_split_cue_times_are_proportional_to_characters():
    cue = Cue(10.0, 20.0, "a" * 40 + " " + "b" * 40 + " " + "c" * 40)
    parts = transcripts.split_cue(cue)
    assert [p.text[0] for p in parts] == ["a", "b"] or len(parts) == 3
    assert parts[0].start == 10.0 and parts[-1].end == 20.0
    lengths = [len(p.text) + 1 for p in parts]
    for part, length in zip(parts, lengths):
        assert part.end - part.start == pytest.approx(10.0 * length / sum(lengths))


def test_a_zero_length_cue_still_ends_after_it_starts():
    (part,) = transcripts.split_cue(Cue(3.0, 3.0, "Hi."))
    assert part.end > part.start


def test_to_srt_numbers_cues_and_uses_commas():
    assert transcripts.to_srt([Cue(0, 1.5, "A"), Cue(61.25, 3725.001, "B")]) == (
        "1\n00:00:00,000 --> 00:00:01,500\nA\n\n2\n00:01:01,250 --> 01:02:05,001\nB\n"
    )


def test_trim_to_bytes_cuts_at_a_word():
    assert text.trim_to_bytes("short text", 4000) == "short text"
    assert text.trim_to_bytes("alpha beta gamma", 13) == "alpha beta\u2026"
    assert text.trim_to_bytes("alpha beta, gamma", 15) == "alpha beta\u2026"
    assert len(text.trim_to_bytes("é" * 10, 9).encode()) <= 9  # one giant word: cut inside it


def test_timestamp_and_clock():
    assert text.timestamp(3725.0015) == "01:02:05.002"
    assert text.timestamp(1.5, ",") == "00:00:01,500"
    assert text.clock(65) == "1:05"
    assert text.clock(3725) == "1:02:05"


def test_xml_safe_and_one_line():
    assert text.xml_safe("a\x00b\x0bc\td") == "abc\td"
    assert text.one_line(" a \n b\t c ") == "a b c"


def test_html_description_escapes_and_fits():
    assert text.plain_to_html("a < b\nc\n\nd & e") == "<p>a &lt; b<br>c</p><p>d &amp; e</p>"
    body = text.html_description("& " * 3000, 4000)
    assert len(body.encode()) <= 4000 and body.endswith("\u2026</p>")


def test_unchanged_cues_are_not_rendered_again_and_a_changed_file_is(built, monkeypatch):
    rendered: list[int] = []
    real = transcripts.render_all
    monkeypatch.setattr(transcripts, "render_all", lambda cues: rendered.append(len(cues)) or real(cues))
    transcripts._episode_files.cache_clear()  # as in a new process
    folder = built.out_dir / "transcripts"
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    transcripts.write_transcripts(built)
    assert rendered == []  # nothing changed: nothing rendered, nothing written
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before
    spoiled = folder / f"{built.chapters[0].episode.stem}.srt"
    spoiled.write_text("edited by hand")
    transcripts.write_transcripts(built)
    assert rendered == [len(built.chapters[0].cues)]  # only that episode's files
    assert spoiled.read_text().startswith("1\n")
    edited = dataclasses.replace(built.chapters[1], cues=(*built.chapters[1].cues[:1], Cue(0.9, 1.5, "New words.")))
    transcripts.write_transcripts(dataclasses.replace(built, chapters=[built.chapters[0], edited]))
    assert rendered[1:] == [2, len(built.chapters[0].cues) + 2]  # the edited episode, then the whole book
    assert "New words." in (folder / f"{edited.episode.stem}.vtt").read_text()


def test_the_middle_break_is_the_one_every_space_would_give():
    def every_space(text: str) -> int | None:  # the rule, looked for at every character
        fitting = [(max(i, len(text) - i - 1), i) for i, c in enumerate(text) if c == " "]
        fitting = [pair for pair in fitting if pair[0] <= 42]
        return min(fitting)[1] if fitting else None

    rng = __import__("random").Random(5)
    for _ in range(3000):
        words = ["x" * rng.randint(1, 14) for _ in range(rng.randint(1, 14))]
        text = " ".join(words)
        if len(text) > 42:
            assert transcripts.middle_space(text) == every_space(text), text
