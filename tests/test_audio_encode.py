"""Encoding a unit in-process (LAME for MP3, libavcodec for AAC), read back by ffmpeg: both codecs put
the audio at the same sample, frames are counted exactly, the level survives, failures are clean
errors, the levels are checked against the profile, episodes carry their tags."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from audio_support import decode
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from narration.audio import codec, loudness
from narration.audio.cover import generate_cover
from narration.audio.encode import AacEncode, decode_mp3, encode_aac, encode_mp3
from narration.audio.levels import Levels, problems
from narration.audio.profiles import get_profile
from narration.audio.tags import Tags, id3_tags, render_id3, write_mp3
from narration.errors import AudioError, FFmpegError

RATES = [(22050, 64, 576), (44100, 192, 1152)]  # Hz, MP3 kbps (podcast, acx), samples per MP3 frame


def impulse(length: int, at: int) -> np.ndarray:
    samples = np.zeros(length, dtype=np.float32)
    samples[at] = 0.5
    return samples


def tone(rate: int, seconds: float, hz: float = 440.0, amplitude: float = 0.25) -> np.ndarray:
    return (amplitude * np.sin(2 * np.pi * hz * np.arange(round(rate * seconds)) / rate)).astype(np.float32)


def adts(encoded: AacEncode) -> bytes:
    """The raw access units with an ADTS header each (from the AudioSpecificConfig), for ffmpeg to read."""
    config = encoded.config
    kind, rate_index, channels = config[0] >> 3, ((config[0] & 7) << 1) | (config[1] >> 7), (config[1] >> 3) & 15
    out, position = bytearray(), 0
    for size in encoded.sizes:
        length = size + 7
        out += bytes(
            [
                0xFF,
                0xF1,  # MPEG-4, no CRC
                ((kind - 1) << 6) | (rate_index << 2) | (channels >> 2),
                ((channels & 3) << 6) | (length >> 11),
                (length >> 3) & 0xFF,
                ((length & 7) << 5) | 0x1F,
                0xFC,
            ]
        )
        out += encoded.data[position : position + size]
        position += size
    assert position == len(encoded.data)
    return bytes(out)


def write_encodes(folder: Path, samples: np.ndarray, rate: int, kbps: int, aac_frames: int) -> tuple[Path, Path]:
    mp3, aac = folder / f"u{rate}.mp3", folder / f"u{rate}.aac"
    mp3.write_bytes(encode_mp3(samples, rate, kbps))
    aac.write_bytes(adts(encode_aac(samples, rate, kbps, aac_frames)))
    return mp3, aac


@pytest.mark.parametrize(("rate", "kbps", "frame"), RATES)
def test_mp3_and_aac_decode_to_whole_frames_with_the_audio_at_the_same_sample(
    tmp_path: Path, rate: int, kbps: int, frame: int
) -> None:
    at = 5000
    mp3, aac = write_encodes(tmp_path, impulse(rate + 123, at), rate, kbps, 30)
    frames = codec.count_mp3_frames(mp3.read_bytes())
    assert codec.mp3_frame_samples(rate) == frame
    decoded_mp3, decoded_aac = decode(mp3, rate), decode(aac, rate)
    assert len(decoded_mp3) == frames * frame >= rate + 123
    assert len(decoded_aac) == 30 * codec.AAC_FRAME
    for decoded in (decoded_mp3, decoded_aac):
        assert abs(int(np.argmax(np.abs(decoded))) - (codec.MP3_DELAY + at)) <= 1


@pytest.mark.parametrize(("rate", "kbps", "frame"), RATES)
def test_the_level_survives_lame(tmp_path: Path, rate: int, kbps: int, frame: int) -> None:
    source = tone(rate, 2.0)
    mp3, aac = write_encodes(tmp_path, source, rate, kbps, 2 * rate // codec.AAC_FRAME + 4)
    expected = loudness.rms_db(source[rate // 4 : -rate // 4])
    for path in (mp3, aac):
        decoded = decode(path, rate)[codec.MP3_DELAY :][rate // 4 : 2 * rate - rate // 4]
        assert loudness.rms_db(decoded) == pytest.approx(expected, abs=0.1), path.name


def test_decoding_in_process_gives_what_ffmpeg_gives(tmp_path: Path) -> None:
    source = tone(22050, 0.5, hz=300)
    mp3 = tmp_path / "t.mp3"
    mp3.write_bytes(encode_mp3(source, 22050, 64))
    ours, theirs = decode_mp3(mp3.read_bytes(), 22050), decode(mp3, 22050)
    assert len(ours) == len(theirs) and np.max(np.abs(ours - theirs)) < 1e-4


@pytest.mark.parametrize(("rate", "kbps", "frame"), RATES)
def test_frame_counting_counts_mpeg1_and_mpeg2_frames(tmp_path: Path, rate: int, kbps: int, frame: int) -> None:
    data = encode_mp3(tone(rate, 1.3), rate, kbps)
    version = (int.from_bytes(data[:4], "big") >> 19) & 3
    assert version == (3 if rate == 44100 else 2)  # MPEG-1 at 44.1 kHz, MPEG-2 at 22.05 kHz
    (tmp_path / "t.mp3").write_bytes(data)
    assert codec.count_mp3_frames(data) * frame == len(decode(tmp_path / "t.mp3", rate))


def test_frame_counting_rejects_a_damaged_stream() -> None:
    data = encode_mp3(impulse(22050, 10), 22050, 64)
    codec.count_mp3_frames(data)
    with pytest.raises(AudioError, match="c.mp3: not a clean MP3 stream at byte"):
        codec.count_mp3_frames(data[:1000] + b"\0" * 50 + data[1050:], "c.mp3")
    with pytest.raises(AudioError, match="not a clean"):
        codec.count_mp3_frames(data[:-10])  # cut inside the last frame
    with pytest.raises(AudioError, match="not a clean MP3 stream at byte 0"):
        codec.count_mp3_frames(render_id3(id3_tags(Tags("t", "a", "b"), None)) + data)  # raw frames only
    for damaged in (data[:-10], b"\0" * 1000):
        with pytest.raises(AudioError, match="not a clean MP3 stream|cannot decode"):
            decode_mp3(damaged, 22050)


@pytest.mark.parametrize("frames", [3, 10, 57])
def test_encode_aac_gives_exactly_the_frames_asked_for(tmp_path: Path, frames: int) -> None:
    encoded = encode_aac(tone(22050, 1.0), 22050, 64, frames)  # 1 s is 22 frames: cut short or padded
    assert len(encoded.sizes) == frames and sum(encoded.sizes) == len(encoded.data)
    (tmp_path / "t.aac").write_bytes(adts(encoded))
    assert len(decode(tmp_path / "t.aac", 22050)) == frames * codec.AAC_FRAME


def test_a_libavcodec_failure_is_an_ffmpeg_error_with_its_message() -> None:
    with pytest.raises(FFmpegError, match=r"AAC at 12345 Hz, 64 kbps: .*Invalid argument"):
        encode_aac(tone(12345, 0.2), 12345, 64, 5)


def test_problems_lists_every_acx_rule_broken() -> None:
    levels = Levels(loudness=-20, true_peak=-1, sample_peak=-1.5, rms=-25, noise_floor=-50, head=0.2, tail=6.0)
    found = problems(levels, get_profile("acx"))
    assert len(found) == 6, found
    for rule in ("true peak", "peak -1.5", "RMS -25.0", "noise floor", "head room tone", "tail room tone"):
        assert any(rule in p for p in found), rule
    good = Levels(loudness=-19, true_peak=-3.5, sample_peak=-3.6, rms=-20, noise_floor=-70, head=0.7, tail=2.0)
    assert problems(good, get_profile("acx")) == []
    assert problems(good, get_profile("podcast")) == ["loudness -19.0 LUFS, target -16 ± 1"]


def test_an_episode_is_a_tag_followed_by_the_frames(tmp_path: Path) -> None:
    frames = encode_mp3(impulse(22050, 10), 22050, 64)
    (tmp_path / "c.mp3").write_bytes(frames)
    cover = generate_cover("Title", "Author", tmp_path / "cover.jpg")
    tags = Tags(title='Chapter <1> & "more"', album="Book", artist="Author", track="1/4")
    write_mp3(tmp_path / "episode.mp3", render_id3(id3_tags(tags, cover)), [tmp_path / "c.mp3"])
    read = ID3(tmp_path / "episode.mp3")
    assert read.version == (2, 3, 0)
    assert str(read["TIT2"]) == 'Chapter <1> & "more"' and str(read["TRCK"]) == "1/4"
    assert str(read["TCON"]) == "Audiobook"
    assert read.getall("APIC")[0].data == (tmp_path / "cover.jpg").read_bytes()
    episode = (tmp_path / "episode.mp3").read_bytes()
    assert episode.endswith(frames) and len(episode) == len(render_id3(id3_tags(tags, cover))) + len(frames)
    assert len(decode(tmp_path / "episode.mp3", 22050)) == codec.count_mp3_frames(frames) * 576
    assert MP3(tmp_path / "episode.mp3").info.sample_rate == 22050
