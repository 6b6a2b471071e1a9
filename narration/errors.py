"""Domain errors. The CLI turns every :class:`NarrationError` into a clean message and exit code 1."""

from __future__ import annotations


class NarrationError(Exception):
    """Base class of every error narration reports to its user."""


class InputError(NarrationError):
    """The input text (a source file or a script) cannot be used."""


class ConfigError(NarrationError):
    """``book.toml`` or an option has a bad value."""


class ScriptsExistError(NarrationError):
    """``split`` would overwrite chapter scripts that already exist."""


class EngineError(NarrationError):
    """A TTS engine is unknown, unavailable or failed."""


class VoiceError(EngineError):
    """A voice is unknown or is not a usable model."""


class NetworkError(EngineError):
    """An online engine could not reach its service."""


class CacheError(NarrationError):
    """The clip cache cannot be read or written."""


class AudioError(NarrationError):
    """Mastering or encoding failed."""


class LevelsError(AudioError):
    """An encoded chapter breaks its loudness profile.

    ``peak_overshoot`` (dB) is how far its peaks went over the profile's limits, 0 when only other
    rules were broken: the build retries such a chapter with more headroom for the codec.
    """

    def __init__(self, message: str, peak_overshoot: float = 0.0) -> None:
        super().__init__(message)
        self.peak_overshoot = peak_overshoot


class FFmpegError(AudioError):
    """ffmpeg is missing or failed; the message carries the tail of its output."""


class CoverError(NarrationError):
    """The cover image cannot be used."""


class PublishError(NarrationError):
    """The feed, transcripts or site cannot be written."""


class ServeError(NarrationError):
    """The local server cannot start."""


class LockError(NarrationError):
    """Another run holds the book's lock (and this one was told not to wait, or gave up)."""


class ClusterError(NarrationError):
    """A Dask cluster cannot be reached, has no usable worker, or lost its connection."""
