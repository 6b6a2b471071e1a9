"""What was said against what was heard: normalisation, word alignment, word error rate.

Both sides go through the same small ``str -> str`` steps (:func:`normalise`): lower case,
typographic marks and dashes made plain, ``%``/``&`` as words, punctuation dropped. Numbers are the
one thing the two sides write differently (the spoken form says "nineteen seventeen", the
recogniser writes "1917"), so a token with digits becomes words, reading it the way the other side
does when it can (year, cardinal, ordinal, decimal, money, time of day: :func:`number_readings`).
Words are compared in a canonical spelling (apostrophes dropped, British endings as American
ones, a few abbreviations spelled out), and a word heard as two (``post script``) or two heard
as one (``cannot``) count as a match. What it will not do: guess homophones (``their``/``there``)
or names the recogniser spells its own way; those count as errors.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from num2words import num2words

from narration.check.data import CURRENCIES, EQUIVALENT, SPELLING

StepKind = Literal["ok", "sub", "del", "ins"]

_DASHES = re.compile(r"[\u2010-\u2015\u2212/_]|(?<=\w)-(?=\w)|\s-+\s|--+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'", "\u201c": '"', "\u201d": '"'})
_PUNCT = re.compile(r"(?<!\d)[.,:](?!\d)|[.,:](?=\s|$)|[^\w\s'.,:$£€¥¢%]")
_NUMBER_SIGNS = re.compile(r"(?<=\d)\s*%")
_EDGE_APOSTROPHES = re.compile(r"(?<!\w)'|'(?!\w)")
_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"^(?P<cur>[$£€¥])?(?P<num>\d[\d,]*(?:\.\d+)?)(?P<suffix>st|nd|rd|th|s|'s|¢|%)?$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
SPLIT_MIN_LETTERS = 8  # a word this long may be heard as two or three words that sound like it
SPLIT_LIKENESS = 0.7  # difflib ratio of the word and the words run together
SPLIT_BAND = 6  # joins are looked for this many words either side of the diagonal


# --- normalisation: small str -> str steps --------------------------------------------------


def plain_marks(text: str) -> str:
    """NFKC, lower case, curly quotes straight; dashes and slashes between words become spaces."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_QUOTES)
    return _DASHES.sub(" ", text)


def signs_to_words(text: str) -> str:
    """``45%`` -> ``45 percent``, ``per cent`` -> ``percent``, ``&`` -> ``and``."""
    text = _NUMBER_SIGNS.sub(" percent", text)
    return re.sub(r"\bper cent\b", "percent", text).replace("&", " and ")


def drop_punctuation(text: str) -> str:
    """Punctuation out, except what belongs to a number (``4.50``, ``1,000``, ``10:30``, ``$``)."""
    text = _PUNCT.sub(" ", text)
    return " ".join(_EDGE_APOSTROPHES.sub("", text).split())


def normalise(text: str) -> str:
    return drop_punctuation(signs_to_words(plain_marks(text)))


def canonical(word: str) -> str:
    """The spelling words are compared in: no apostrophes, American endings, abbreviations spelled out."""
    word = EQUIVALENT.get(word, word).replace("'", "")
    for pattern, replacement in SPELLING:
        word = pattern.sub(replacement, word)
    return word


# --- numbers --------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return normalise(text).split()


def _cardinal(number: int) -> list[list[str]]:
    said = _words(num2words(number))
    readings = [said, [w for w in said if w != "and"]]
    if 1100 <= number <= 2099:
        readings.insert(0, _words(num2words(number, to="year")))
    return readings


def _decimal(text: str) -> list[list[str]]:
    whole, _, fraction = text.partition(".")
    head = _words(num2words(int(whole)))
    digits = [w for d in fraction for w in _words(num2words(int(d)))]
    return [[*head, "point", *digits], [*head, "point", *_words(num2words(int(fraction)))]]


def _money(currency: str, number: str) -> list[list[str]]:
    major, minor = CURRENCIES[currency]
    whole, _, cents = number.partition(".")
    amount = _words(num2words(int(whole)))
    if not cents or int(cents) == 0:  # the bare amount last: "$3 million" heard for "three million"
        return [[*amount, major], [*amount, major.rstrip("s")], amount]
    small = _words(num2words(int(cents)))
    return [[*amount, major, *small, minor], [*amount, major, "and", *small, minor], [*amount, major, *small]]


def _time_of_day(hours: int, minutes: int) -> list[list[str]]:
    head = _words(num2words(hours))
    tail = [] if minutes == 0 else _words(num2words(minutes, to="year" if minutes < 10 else "cardinal"))
    return [[*head, *tail], [*head, "o'clock"]]


_SUFFIX_WORD = {"%": "percent", "¢": "cents"}


def _integer(value: int, suffix: str | None) -> list[list[str]]:
    if suffix in ("st", "nd", "rd", "th"):
        return [_words(num2words(value, to="ordinal"))]
    readings = _cardinal(value)
    if suffix in ("s", "'s"):  # decades: 1920s -> nineteen twenties
        return [[*r[:-1], re.sub(r"y$", "ie", r[-1]) + "s"] for r in readings]
    if suffix in _SUFFIX_WORD:
        return [[*r, _SUFFIX_WORD[suffix]] for r in readings]
    return readings


def number_readings(token: str) -> list[list[str]]:
    """The ways a token with digits may be said, most likely first (``[[token]]`` when unknown)."""
    if time := _TIME.match(token):
        return _time_of_day(int(time.group(1)), int(time.group(2)))
    match = _NUMBER.match(token)
    if match is None:
        return [[token]]
    number, currency = match.group("num").replace(",", ""), match.group("cur")
    if currency:
        return _money(currency, number)
    if "." in number:
        return _decimal(number)
    return _integer(int(number), match.group("suffix"))


def _said_in(reading: list[str], other: str) -> bool:
    """Whether the other side says this reading word for word."""
    return f" {' '.join(canonical(w) for w in reading)} " in other


def resolve_numbers(tokens: Sequence[str], other: Sequence[str]) -> list[str]:
    """``tokens`` with each number read as the ``other`` side says it word for word, if it does,
    else in its most likely reading (the first). Shared words are not a guide: "one thousand nine
    hundred and seventeen" shares more words than "nineteen seventeen" with a clip that says
    "one" and "thousand" elsewhere."""
    joined = f" {' '.join(canonical(w) for w in other)} "
    words: list[str] = []
    for token in tokens:
        if not _DIGIT.search(token):
            words.append(token)
            continue
        readings = number_readings(token)
        words.extend(next((r for r in readings if _said_in(r, joined)), readings[0]))
    return words


# --- alignment ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step of the alignment: a word said and heard (ok), heard as another (sub), missing (del), extra (ins)."""

    kind: StepKind
    expected: str = ""
    heard: str = ""


@dataclass(frozen=True)
class Score:
    """A clip's alignment: reference words, errors (substitutions + deletions + insertions) and the steps."""

    words: int
    errors: int
    steps: tuple[Step, ...]

    @property
    def wer(self) -> float:
        if self.words == 0:
            return 0.0 if self.errors == 0 else 1.0
        return self.errors / self.words


def align_words(expected: Sequence[str], heard: Sequence[str]) -> Score:
    """Minimum-edit alignment of two word lists (Levenshtein over words, compared canonically).

    A word matches two adjacent words on the other side that spell it when joined, at no cost.
    """
    ref = [canonical(w) for w in expected]
    hyp = [canonical(w) for w in heard]
    n, m = len(ref), len(hyp)
    worst = (n + m + 1, 0)
    # cost: (errors, substitutions): of equally short alignments, the one with a missing or an
    # extra word rather than a chain of substitutions ("read the the letter")
    cost = [[worst] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int, StepKind]]] = [[(0, 0, "ok")] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = (0, 0)
    for i in range(n + 1):
        for j in range(m + 1):
            errors, subs = cost[i][j]
            for di, dj, kind in _moves(ref, hyp, i, j):
                a, b = i + di, j + dj
                step = (errors + (kind != "ok"), subs + (kind == "sub"))
                if a <= n and b <= m and step < cost[a][b]:
                    cost[a][b] = step
                    back[a][b] = (di, dj, kind)
    steps: list[Step] = []
    i, j = n, m
    while i or j:
        di, dj, kind = back[i][j]
        steps.append(Step(kind, " ".join(expected[i - di : i]), " ".join(heard[j - dj : j])))
        i, j = i - di, j - dj
    steps.reverse()
    return Score(n, cost[n][m][0], tuple(steps))


def _moves(ref: Sequence[str], hyp: Sequence[str], i: int, j: int) -> list[tuple[int, int, StepKind]]:
    """The steps out of cell (i, j): delete, insert, match or substitute, and the joins: a word
    spelled by two words of the other side is a match; a long word heard as two or three that
    sound like it ("bureaucratized" as "bureau of crowd") is one substitution."""
    n, m = len(ref), len(hyp)
    moves: list[tuple[int, int, StepKind]] = [(1, 0, "del"), (0, 1, "ins")]
    if i >= n or j >= m:
        return moves
    word, heard = ref[i], hyp[j]
    moves.append((1, 1, "ok" if word == heard else "sub"))
    if word == heard or abs(i * m - j * n) > SPLIT_BAND * max(n, m):
        return moves  # a match is never improved on by a join; nor is a cell far off the diagonal
    for k in (2, 3):
        if j + k <= m and (k == 2 or len(word) >= SPLIT_MIN_LETTERS) and _sounds_like(word, "".join(hyp[j : j + k]), k):
            moves.append((1, k, "ok" if word == "".join(hyp[j : j + k]) else "sub"))
        if (
            i + k <= n
            and (k == 2 or len(heard) >= SPLIT_MIN_LETTERS)
            and _sounds_like(heard, "".join(ref[i : i + k]), k)
        ):
            moves.append((k, 1, "ok" if heard == "".join(ref[i : i + k]) else "sub"))
    return moves


def _sounds_like(word: str, joined: str, parts: int) -> bool:
    """Whether ``joined`` (``parts`` words run together) is ``word``, or near it if it is long."""
    if len(word) < SPLIT_MIN_LETTERS:
        return parts == 2 and word == joined
    if word == joined or abs(len(word) - len(joined)) > len(word) // 3:
        return word == joined and parts == 2
    return _likeness(word, joined) >= SPLIT_LIKENESS


@functools.lru_cache(maxsize=65536)
def _likeness(word: str, joined: str) -> float:
    matcher = difflib.SequenceMatcher(None, word, joined, autojunk=False)
    return matcher.ratio() if matcher.quick_ratio() >= SPLIT_LIKENESS else 0.0


def score(said: str, heard: str) -> Score:
    """Normalise both texts, read their numbers alike, and align them word by word."""
    ref_tokens, hyp_tokens = normalise(said).split(), normalise(heard).split()
    ref = resolve_numbers(ref_tokens, hyp_tokens)
    hyp = resolve_numbers(hyp_tokens, ref)
    return align_words(ref, hyp)
