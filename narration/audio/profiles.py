"""Mastering profiles: the loudness, peak and format rules a chapter is mastered and verified against.

- ``podcast`` (default): -16 LUFS integrated (BS.1770), true peak at most -1 dBTP.
- ``acx`` (Audible's ACX rules): RMS between -23 and -18 dB, peaks at most -3 dB, noise floor at most
  -60 dB, 0.5-1 s of room tone at the head and 1-5 s at the tail, 44.1 kHz, 192 kbps CBR MP3.

Podcast episodes are encoded mono, constant bit rate, at the voice's own rate (Piper's 22.05 kHz: the
voice holds nothing above 11 kHz, so 44.1 kHz would only double the work); ACX at 44.1 kHz. The
limiter works a little below the profile's peak limit (``ceiling``) so the overshoot of lossy coding
stays inside it; the encoded result is measured again and checked against the limits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from narration.errors import ConfigError

DEFAULT_PROFILE = "podcast"


@dataclass(frozen=True)
class Profile:
    name: str
    summary: str
    loudness_target: float | None  # integrated loudness to reach, LUFS (None: use rms_target)
    loudness_tolerance: float  # LU, allowed deviation of the encoded result
    rms_target: float | None  # RMS level to reach, dBFS (ACX)
    rms_range: tuple[float, float] | None  # allowed RMS of the encoded result, dBFS
    true_peak_max: float  # dBTP, limit of the encoded result
    sample_peak_max: float | None  # dBFS, limit of the encoded result's sample peaks (ACX)
    ceiling: float  # dBTP, where the limiter works (below the limits: headroom for the codec)
    noise_floor_max: float | None  # dBFS RMS of the quietest half second
    room_tone_db: float | None  # RMS level of the room tone laid under the chapter (None: silence)
    head_range: tuple[float, float] | None  # seconds of room tone before the first word
    tail_range: tuple[float, float] | None  # seconds of room tone after the last word
    mp3_kbps: int  # constant bit rate of the episodes and the MP3 audiobook
    aac_kbps: int  # bit rate of the M4B audiobook
    sample_rate: int | None = None  # Hz; None: the voice's own rate (when MP3 can carry it)

    def describe(self) -> str:
        return f"{self.name}: {self.summary}"


PROFILES: dict[str, Profile] = {
    "podcast": Profile(
        name="podcast",
        summary="-16 LUFS integrated, true peak <= -1 dBTP, 64 kbps CBR MP3, 48 kbps AAC",
        loudness_target=-16.0,
        loudness_tolerance=1.0,
        rms_target=None,
        rms_range=None,
        true_peak_max=-1.0,
        sample_peak_max=None,
        ceiling=-2.0,
        noise_floor_max=None,
        room_tone_db=None,
        head_range=None,
        tail_range=None,
        mp3_kbps=64,
        aac_kbps=48,  # AAC-LC at 48 kbps carries mono speech as well as MP3 at 64
    ),
    "acx": Profile(
        name="acx",
        summary="RMS -23..-18 dB, peaks <= -3 dB, noise floor <= -60 dB, room tone 0.5-1 s head and "
        "1-5 s tail, 44.1 kHz, 192 kbps CBR MP3",
        loudness_target=None,
        loudness_tolerance=1.0,
        rms_target=-20.0,
        rms_range=(-23.0, -18.0),
        true_peak_max=-3.0,
        sample_peak_max=-3.0,
        ceiling=-4.0,
        noise_floor_max=-60.0,
        room_tone_db=-72.0,
        head_range=(0.5, 1.0),
        tail_range=(1.0, 5.0),
        mp3_kbps=192,
        aac_kbps=128,
        sample_rate=44100,
    ),
}


def with_rate(profile: Profile, rate: int | None) -> Profile:
    """``profile`` encoding at ``rate`` Hz (``[audio] sample_rate``; None: unchanged)."""
    from narration.audio.codec import MP3_RATES

    if rate is None or rate == profile.sample_rate:
        return profile
    if rate not in MP3_RATES:
        choices = ", ".join(str(r) for r in MP3_RATES)
        raise ConfigError(f"[audio] sample_rate {rate} Hz cannot be carried by MP3: choose one of {choices}")
    if profile.sample_rate is not None:
        raise ConfigError(f"the {profile.name} profile requires {profile.sample_rate} Hz; remove [audio] sample_rate")
    return replace(profile, sample_rate=rate)


def get_profile(name: str | None = None) -> Profile:
    """The profile called ``name`` (``None``: the default, podcast); an unknown name is a ConfigError."""
    key = (name or DEFAULT_PROFILE).strip().lower()
    try:
        return PROFILES[key]
    except KeyError:
        known = ", ".join(PROFILES)
        raise ConfigError(f"unknown audio profile {name!r}: choose one of {known}") from None
