"""Encoding a master with real ffmpeg: both codecs line up to the sample, frames are counted exactly,
the encode is verified against the profile, episodes carry their tags."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from audio_support import decode
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from narration.audio import codec, loudness
from narration.audio.cover import generate_cover
from narration.audio.encode import Levels, encode_chapter, pcm_bytes, problems, verify
from narration.audio.profiles import get_profile
from narration.audio.tags import Tags, id3_tags, render_id3, write_mp3
from narration.errors import AudioError

RATE = 22050


def impulse(length: int, at: int) -> np.ndarray:
    samples = np.zeros(length, dtype=np.float32)
    samples[at] = 0.5
    return samples


@pytest.mark.parametrize("length", [1000, 22050, 44100 * 2 + 7])
def test_aligned_length_fits_both_codecs(length: int) -> None:
    aligned = codec.aligned_length(length)
    assert length <= aligned < length + codec.SUPERFRAME
    assert (aligned // codec.MP3_FRAME + 1) % 8 == 0 and aligned % codec.MP3_FRAME == 0


def test_mp3_and_aac_decode_to_the_same_length_with_the_audio_at_the_same_sample(tmp_path: Path) -> None:
    source = impulse(RATE * 2 + 123, 5000)
    encoded, _ = encode_chapter(pcm_bytes(source), RATE, get_profile(), tmp_path / "c.mp3", tmp_path / "c.aac")
    mp3, aac = decode(tmp_path / "c.mp3"), decode(tmp_path / "c.aac")
    assert len(mp3) == len(aac) == encoded.mp3_frames * 1152 == encoded.aac_frames * 1024
    assert len(mp3) % codec.SUPERFRAME == 0
    expected = 2 * 5000 + codec.MP3_DELAY
    assert abs(int(np.argmax(np.abs(mp3))) - expected) <= 1
    assert abs(int(np.argmax(np.abs(aac))) - expected) <= 1
    assert encoded.mp3_duration == encoded.aac_duration == len(mp3) / 44100


def test_mp3_level_survives_lame(tmp_path: Path) -> None:
    tone = (0.25 * np.sin(2 * np.pi * 440 * np.arange(RATE * 2) / RATE)).astype(np.float32)
    encode_chapter(pcm_bytes(tone), RATE, get_profile(), tmp_path / "t.mp3", tmp_path / "t.aac")
    for path in (tmp_path / "t.mp3", tmp_path / "t.aac"):
        decoded = decode(path)[44100 // 2 : -44100 // 2]
        assert loudness.rms_db(decoded) == pytest.approx(loudness.rms_db(tone[RATE // 4 : -RATE // 4]), abs=0.1)


def test_frame_counting_rejects_a_damaged_stream(tmp_path: Path) -> None:
    encode_chapter(pcm_bytes(impulse(RATE, 10)), RATE, get_profile(), tmp_path / "c.mp3", tmp_path / "c.aac")
    for path, count in ((tmp_path / "c.mp3", codec.count_mp3_frames), (tmp_path / "c.aac", codec.count_adts_frames)):
        data = path.read_bytes()
        path.write_bytes(data[:1000] + b"\0" * 50 + data[1050:])
        with pytest.raises(AudioError, match="not a clean"):
            count(path)


def test_verify_rejects_an_encode_that_misses_the_target(tmp_path: Path) -> None:
    quiet = (0.01 * np.sin(2 * np.pi * 300 * np.arange(RATE * 3) / RATE)).astype(np.float32)
    mp3 = tmp_path / "q.mp3"
    with pytest.raises(AudioError, match=r"chapter 9 .* podcast profile: loudness -4\d\.\d LUFS, target -16"):
        check = lambda: verify(mp3, get_profile(), "chapter 9 ('Quiet')")  # noqa: E731
        encode_chapter(pcm_bytes(quiet), RATE, get_profile(), mp3, tmp_path / "q.aac", check)
    assert (tmp_path / "q.aac").is_file()  # the other encode finished cleanly


def test_problems_lists_every_acx_rule_broken() -> None:
    levels = Levels(loudness=-20, true_peak=-1, sample_peak=-1.5, rms=-25, noise_floor=-50, head=0.2, tail=6.0)
    found = problems(levels, get_profile("acx"))
    assert len(found) == 6 and any("noise floor" in p for p in found) and any("tail room tone" in p for p in found)
    good = Levels(loudness=-19, true_peak=-3.5, sample_peak=-3.6, rms=-20, noise_floor=-70, head=0.7, tail=2.0)
    assert problems(good, get_profile("acx")) == []


def test_an_episode_is_a_tag_followed_by_the_frames(tmp_path: Path) -> None:
    encode_chapter(pcm_bytes(impulse(RATE, 10)), RATE, get_profile(), tmp_path / "c.mp3", tmp_path / "c.aac")
    cover = generate_cover("Title", "Author", tmp_path / "cover.jpg")
    tags = Tags(title="Chapter <1> & \"more\"", album="Book", artist="Author", track="1/4")
    write_mp3(tmp_path / "episode.mp3", render_id3(id3_tags(tags, cover)), [tmp_path / "c.mp3"])
    read = ID3(tmp_path / "episode.mp3")
    assert read.version == (2, 3, 0)
    assert str(read["TIT2"]) == 'Chapter <1> & "more"' and str(read["TRCK"]) == "1/4"
    assert str(read["TCON"]) == "Audiobook"
    assert read.getall("APIC")[0].data == (tmp_path / "cover.jpg").read_bytes()
    assert (tmp_path / "episode.mp3").read_bytes().endswith((tmp_path / "c.mp3").read_bytes())
    assert len(decode(tmp_path / "episode.mp3")) == codec.count_mp3_frames(tmp_path / "c.mp3") * 1152
    assert MP3(tmp_path / "episode.mp3").info.sample_rate == 44100


def speech_like(seconds: int = 3) -> np.ndarray:
    t = np.arange(RATE * seconds) / RATE
    tone = 0.3 * np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 2 * t))
    return np.concatenate([np.zeros(RATE, np.float32), tone.astype(np.float32), np.zeros(RATE * 2, np.float32)])


@pytest.mark.parametrize("folder", ["plain", "odd|name:[x]"])  # the second falls back to reading the file
def test_encode_and_verify_measures_the_encode_as_written(tmp_path: Path, folder: str) -> None:
    from narration.audio.encode import encode_and_verify

    (tmp_path / folder).mkdir()
    mp3, aac = tmp_path / folder / "c.mp3", tmp_path / folder / "c.aac"
    profile = get_profile("podcast")
    source = speech_like()
    gain = loudness.from_db(profile.loudness_target - loudness.loudness(source, RATE))
    pcm = pcm_bytes(source * np.float32(gain))
    encoded, levels = encode_and_verify(pcm, RATE, profile, mp3, aac, "chapter 1", RATE)
    assert levels == verify(mp3, profile, "chapter 1", RATE)  # the same samples as decoding the file
    assert encoded.mp3_frames == codec.count_mp3_frames(mp3) and encoded.aac_frames == codec.count_adts_frames(aac)


def test_ffmpeg_pipeline_shows_the_failing_side(tmp_path: Path) -> None:
    from narration.audio.ffpipe import ffmpeg_pipeline
    from narration.errors import FFmpegError

    with pytest.raises(FFmpegError, match="test run failed"):
        ffmpeg_pipeline(["-f", "f32le", "-i", "pipe:0", "-c:a", "no-such-codec", "-f", "mp3", "pipe:1"],
                        ["-f", "mp3", "-i", "pipe:0", "-f", "null", "-"], b"\0" * 4000, tmp_path, what="test run")
