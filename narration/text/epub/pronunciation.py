"""EPUB 3 pronunciation hints -> ``scripts/lexicon.toml`` (see :mod:`narration.text.lexicon`).

* A PLS lexicon's ``<alias>`` (a respelling) becomes an entry: every engine can say a respelling.
* Phonemes (a PLS ``<phoneme>``, an ``ssml:ph`` attribute) cannot be given to an engine through
  ``lexicon.toml``, which holds respellings: they are reported, and written into the file as
  comments beside the word, for a respelling to be filled in by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import tomli_w
from lxml import etree

from narration.text.epub.content import PronunciationHint, local


@dataclass(frozen=True)
class Pronunciations:
    entries: dict[str, str]  # word -> respelling
    phonemes: tuple[PronunciationHint, ...]  # not usable as respellings

    @property
    def empty(self) -> bool:
        return not self.entries and not self.phonemes


def pls_hints(root: etree._Element) -> tuple[dict[str, str], list[PronunciationHint]]:
    """Entries (aliases) and phoneme hints of a PLS document."""
    alphabet = root.get("alphabet") or "ipa"
    entries: dict[str, str] = {}
    phonemes: list[PronunciationHint] = []
    for lexeme in (el for el in root.iter() if local(el.tag) == "lexeme"):
        words = [" ".join("".join(g.itertext()).split()) for g in lexeme if local(g.tag) == "grapheme"]
        alias = next((" ".join("".join(a.itertext()).split()) for a in lexeme if local(a.tag) == "alias"), "")
        phoneme = next((p for p in lexeme if local(p.tag) == "phoneme"), None)
        for word in filter(None, words):
            if alias:
                entries[word] = alias
            elif phoneme is not None:
                text = " ".join("".join(phoneme.itertext()).split())
                phonemes.append(PronunciationHint(word, text, phoneme.get("alphabet") or alphabet))
    return entries, phonemes


def collect(entries: dict[str, str], hints: list[PronunciationHint]) -> Pronunciations:
    unique: dict[str, PronunciationHint] = {}
    for hint in hints:
        if hint.word and hint.word not in entries:
            unique.setdefault(hint.word, hint)
    return Pronunciations(dict(entries), tuple(unique.values()))


def render_lexicon(found: Pronunciations) -> str:
    text = "# Pronunciations from the EPUB (see README: scripts/lexicon.toml)\n"
    text += tomli_w.dumps({"words": found.entries}) if found.entries else "[words]\n"
    for hint in found.phonemes:
        text += f"# {tomli_w.dumps({hint.word: ''}).strip()}  # {hint.alphabet}: {hint.phonemes}\n"
    return text


def report_lines(found: Pronunciations, engine: str) -> list[str]:
    lines = []
    if found.entries:
        lines.append(f"{len(found.entries)} pronunciation respellings written to lexicon.toml")
    if found.phonemes:
        words = ", ".join(f"{h.word} /{h.phonemes}/" for h in found.phonemes[:5])
        more = f" and {len(found.phonemes) - 5} more" if len(found.phonemes) > 5 else ""
        lines.append(
            f"{len(found.phonemes)} pronunciation hints given as phonemes are not used ({engine} is given "
            f"respellings, not phonemes): {words}{more}; they are in lexicon.toml as comments, to respell by hand"
        )
    return lines
