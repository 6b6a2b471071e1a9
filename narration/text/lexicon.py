"""The pronunciation lexicon, ``scripts/lexicon.toml``: word -> respelling, applied last.

::

    [words]
    Trotsky = "Trotskee"          # a key with capitals matches only that spelling
    "soviet" = "SOH-vee-et"       # an all-lower-case key matches any capitalisation
    "Ten Days" = "Tenn Days"      # several words are fine

Top-level keys (without ``[words]``) work too. Keys match whole words of the *spoken* form (after
abbreviations, numerals and dates are expanded), so changing an entry changes the normalised text,
and so the cache key, only of the sentences that contain the word.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from narration.errors import ConfigError

LEXICON_TOML = "lexicon.toml"


def load_lexicon(scripts_dir: Path) -> dict[str, str]:
    """Read ``<scripts_dir>/lexicon.toml``; ``{}`` when there is none; :class:`ConfigError` when it
    cannot be read or an entry is not ``word = "respelling"``."""
    path = Path(scripts_dir) / LEXICON_TOML
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f'{path}: not valid TOML ({exc}); write entries as  word = "respelling"') from exc
    return _entries(document, path)


def _entries(document: dict[str, Any], path: Path) -> dict[str, str]:
    from narration.text.spoken_marks import normalise_characters  # only a book with a lexicon needs it

    pairs = list(document.items())
    words = document.get("words")
    if isinstance(words, dict):
        pairs = [(k, v) for k, v in pairs if k != "words"] + list(words.items())
    entries: dict[str, str] = {}
    for word, respelling in pairs:
        if not isinstance(respelling, str):
            raise ConfigError(
                f'{path}: the entry {word!r} must be a respelling in quotes, like  {word} = "..."'
                f" (found {type(respelling).__name__})"
            )
        if not word.strip() or not respelling.strip():
            raise ConfigError(f"{path}: the entry {word!r} = {respelling!r} has an empty word or respelling")
        entries[normalise_characters(word.strip())] = respelling.strip()
    return entries


def apply_lexicon(text: str, lexicon: Mapping[str, str] | None) -> str:
    """Replace whole words by their respelling: a key with capitals matches that exact spelling, an
    all-lower-case key matches any capitalisation; the longest key wins."""
    if not lexicon:
        return text
    pattern, exact, folded = _compile(tuple(sorted(lexicon.items())))
    return pattern.sub(lambda m: exact.get(m.group()) or folded[m.group().lower()], text)


@lru_cache(maxsize=16)
def _compile(entries: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], dict[str, str], dict[str, str]]:
    exact = {word: spelling for word, spelling in entries if word != word.lower()}
    folded = {word: spelling for word, spelling in entries if word == word.lower()}
    words = sorted((word for word, _ in entries), key=len, reverse=True)
    alternatives = [re.escape(w) if w in exact else f"(?i:{re.escape(w)})" for w in words]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)"), exact, folded
