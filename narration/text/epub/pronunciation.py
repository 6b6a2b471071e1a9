"""EPUB 3 pronunciation hints -> ``scripts/lexicon.toml`` (see :mod:`narration.text.lexicon`).

* A PLS lexicon's ``<alias>`` (a respelling) becomes an entry: every engine can say a respelling.
* Phonemes in IPA (a PLS ``<phoneme>``, an ``ssml:ph`` attribute) become entries for Piper, which
  reads raw phonemes written ``[[ ... ]]`` inside the text: ``tomato = "[[ təˈmɑːtəʊ ]]"``.
* For another engine, or another alphabet (X-SAMPA...), phonemes cannot be given through
  ``lexicon.toml``: they are reported, and written into the file as comments beside the word, for
  a respelling to be filled in by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import tomli_w
from lxml import etree

from narration.text.epub.archive import text_of
from narration.text.epub.content import PronunciationHint, local

PHONEME_ENGINES = {"piper"}  # engines that read [[ IPA ]] in their text
_IPA_NOISE = re.compile(r"[/\[\]]")


@dataclass(frozen=True)
class Pronunciations:
    entries: dict[str, str]  # word -> respelling, or [[ phonemes ]] for Piper
    phonemes: tuple[PronunciationHint, ...]  # not usable by the engine
    engine: str
    phoneme_entries: int = 0  # how many entries are [[ phonemes ]]

    @property
    def empty(self) -> bool:
        return not self.entries and not self.phonemes


def pls_hints(root: etree._Element) -> tuple[dict[str, str], list[PronunciationHint]]:
    """Entries (aliases) and phoneme hints of a PLS document."""
    alphabet = root.get("alphabet") or "ipa"
    entries: dict[str, str] = {}
    phonemes: list[PronunciationHint] = []
    for lexeme in (el for el in root.iter() if local(el.tag) == "lexeme"):
        words = [" ".join(text_of(g).split()) for g in lexeme if local(g.tag) == "grapheme"]
        alias = next((" ".join(text_of(a).split()) for a in lexeme if local(a.tag) == "alias"), "")
        phoneme = next((p for p in lexeme if local(p.tag) == "phoneme"), None)
        for word in filter(None, words):
            if alias:
                entries[word] = alias
            elif phoneme is not None:
                text = " ".join(text_of(phoneme).split())
                phonemes.append(PronunciationHint(word, text, phoneme.get("alphabet") or alphabet))
    return entries, phonemes


def piper_phonemes(hint: PronunciationHint) -> str | None:
    """``[[ ipa ]]`` for Piper, or None when the hint is not IPA."""
    if hint.alphabet.lower() != "ipa":
        return None
    ipa = " ".join(_IPA_NOISE.sub("", hint.phonemes).split())
    return f"[[ {ipa} ]]" if ipa else None


def collect(entries: dict[str, str], hints: list[PronunciationHint], engine: str) -> Pronunciations:
    found = dict(entries)
    unusable: dict[str, PronunciationHint] = {}
    phoneme_entries = 0
    for hint in hints:
        if not hint.word or hint.word in found or hint.word in unusable:
            continue
        raw = piper_phonemes(hint) if engine in PHONEME_ENGINES else None
        if raw:
            found[hint.word] = raw
            phoneme_entries += 1
        else:
            unusable[hint.word] = hint
    return Pronunciations(found, tuple(unusable.values()), engine, phoneme_entries)


def render_lexicon(found: Pronunciations) -> str:
    text = "# Pronunciations from the EPUB (see README: scripts/lexicon.toml)\n"
    if found.phoneme_entries:
        text += "# [[ ... ]] are phonemes, which only Piper reads: with another engine, write respellings instead\n"
    text += tomli_w.dumps({"words": found.entries}) if found.entries else "[words]\n"
    for hint in found.phonemes:
        text += f"# {tomli_w.dumps({hint.word: ''}).strip()}  # {hint.alphabet}: {hint.phonemes}\n"
    return text


def report_lines(found: Pronunciations) -> list[str]:
    lines = []
    respellings = len(found.entries) - found.phoneme_entries
    if respellings:
        lines.append(f"{respellings} pronunciation respellings written to lexicon.toml")
    if found.phoneme_entries:
        lines.append(f"{found.phoneme_entries} pronunciation hints written to lexicon.toml as [[ phonemes ]] for Piper")
    if found.phonemes:
        words = ", ".join(f"{h.word} /{h.phonemes}/" for h in found.phonemes[:5])
        more = f" and {len(found.phonemes) - 5} more" if len(found.phonemes) > 5 else ""
        lines.append(
            f"{len(found.phonemes)} pronunciation hints given as phonemes are not used ({found.engine} cannot be "
            f"given these phonemes): {words}{more}; they are in lexicon.toml as comments, to respell by hand"
        )
    return lines
