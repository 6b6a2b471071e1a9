"""The AI disclosure: one sentence saying the narration is a synthetic voice.

Apple asks that synthetic narration be disclosed in the audio and in the metadata: the sentence
goes into the feed's descriptions, the audio files' comment tags and the EPUB's metadata, and is
spoken once at the start of the audiobook (``book.toml`` ``[disclosure] speak``, default on). Its
text is ``[disclosure] text``, else the default below in the book's language (English when none is
known for it, with a warning).
"""

from __future__ import annotations

import functools
import logging

from narration.config import BookConfig

log = logging.getLogger(__name__)

DEFAULT_TEXTS = {
    "en": "This audiobook is read by a synthetic, computer-generated voice.",
    "fr": "Ce livre audio est lu par une voix de synthèse, générée par ordinateur.",
    "de": "Dieses Hörbuch wird von einer synthetischen, computergenerierten Stimme gelesen.",
    "es": "Este audiolibro está narrado por una voz sintética, generada por ordenador.",
    "it": "Questo audiolibro è letto da una voce sintetica, generata al computer.",
    "pt": "Este audiolivro é narrado por uma voz sintética, gerada por computador.",
    "nl": "Dit luisterboek wordt voorgelezen door een synthetische, computergegenereerde stem.",
    "pl": "Ten audiobook czyta syntetyczny, wygenerowany komputerowo głos.",
    "ru": "Эту аудиокнигу читает синтезированный компьютерный голос.",
    "sv": "Den här ljudboken läses av en syntetisk, datorgenererad röst.",
}


def base_language(language: str) -> str:
    """``"en-GB"`` -> ``"en"``."""
    return language.replace("_", "-").split("-")[0].lower()


@functools.lru_cache(maxsize=8)
def _default(language: str) -> str:
    text = DEFAULT_TEXTS.get(base_language(language))
    if text is None:
        log.warning("no AI disclosure sentence known in %r: using English (set [disclosure] text)", language)
        return DEFAULT_TEXTS["en"]
    return text


def disclosure_text(config: BookConfig) -> str:
    """The disclosure sentence of the book (``[disclosure] text``, else the default in its language)."""
    given = (config.disclosure.text or "").strip()
    return given or _default(config.language)


def spoken_disclosure(config: BookConfig) -> str | None:
    """What to say at the start of the audiobook; None when ``[disclosure] speak = false``."""
    return disclosure_text(config) if config.disclosure.speak else None
