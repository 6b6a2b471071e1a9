"""Verdicts on clips, and their cache.

What is expensive is listening: the cache keeps, per clip key, what the recogniser heard and the
checksum of the audio it heard (``<cache_dir>/check/heard-<recogniser>.json``, one file per
recogniser identity). The verdict
itself (score, problems, flagged or not) is derived from the heard text and the clip's spoken
sentences on every run, in milliseconds, so changing the rules needs no new listening and a
second run transcribes only clips it has not heard yet. A clip's key changes with its audio's
input (text, voice, take), and a clip whose audio was replaced under the same key (its checksum
differs) is heard again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from narration import fsutil
from narration.check import DEFAULT_MAX_WER
from narration.check.align import Score, Step, score
from narration.errors import CacheError

log = logging.getLogger(__name__)

STORE_VERSION = 1
MOSTLY_WRONG = 0.8  # a clip with this WER is "mostly something else", its gaps not listed
NOTED_GAP = 2  # runs of missing or extra words this long are named in the problems


@dataclass(frozen=True)
class Rules:
    """When a clip is flagged: a high word error rate, or a run of missing or extra words.

    ``max_wer``: flagged above this word error rate, when at least ``min_errors`` words are wrong
    (a one-word title misheard is not a finding). ``max_gap``: flagged when this many consecutive
    words are missing (dropped, cut short) or extra (repeated, another clip's words), whatever
    the rate.
    """

    max_wer: float = DEFAULT_MAX_WER
    min_errors: int = 2
    max_gap: int = 3


@dataclass(frozen=True)
class Verdict:
    said: str  # the spoken form the engine received
    heard: str  # what the recogniser heard
    score: Score
    flagged: bool
    problems: tuple[str, ...]

    @property
    def wer(self) -> float:
        return self.score.wer


def judge(said: str, heard: str, rules: Rules | None = None) -> Verdict:
    """Score what was heard against what was said and decide whether the clip is flagged."""
    rules = rules or Rules()
    result = score(said, heard)
    runs = list(gaps(result.steps))
    longest = max((len(words) for _, words, _ in runs), default=0)
    high = result.wer > rules.max_wer and result.errors >= rules.min_errors
    flagged = high or longest >= rules.max_gap
    return Verdict(said, heard, result, flagged, describe(result, runs) if flagged else ())


def gaps(steps: tuple[Step, ...]) -> Iterable[tuple[str, list[str], int]]:
    """Runs of consecutive missing ("del") or extra ("ins") words: (kind, words, index of the run's end)."""
    kind, words = "", []
    for index, step in enumerate((*steps, Step("ok"))):
        if step.kind == kind:
            words.append(step.expected or step.heard)
            continue
        if words:
            yield kind, words, index
        kind, words = (step.kind, [step.expected or step.heard]) if step.kind in ("del", "ins") else ("", [])


def describe(result: Score, runs: list[tuple[str, list[str], int]]) -> tuple[str, ...]:
    """Short notes on what is wrong, for the report."""
    if result.wer >= MOSTLY_WRONG:
        return ("mostly something else",)
    notes = [f"{result.errors} of {result.words} words differ"]
    for kind, words, end in runs:
        if len(words) < NOTED_GAP:
            continue
        text = " ".join(words)
        if kind == "del":
            notes.append(f'cut short: "{text}" missing at the end' if end == len(result.steps) else f'missing "{text}"')
            continue
        said_before = [s.expected for s in result.steps[: end - len(words)] if s.expected]
        said_after = [s.expected for s in result.steps[end:] if s.expected]
        repeated = text in (" ".join(said_before[-len(words) :]), " ".join(said_after[: len(words)]))
        notes.append(f'repeated "{text}"' if repeated else f'extra "{text}"')
    return tuple(notes)


class HeardStore:
    """What the recogniser heard, by clip key and the clip's checksum, for one recogniser identity."""

    def __init__(self, folder: Path, identity: str) -> None:
        self.identity = identity
        self.path = Path(folder) / f"heard-{fsutil.digest(identity)[:12]}.json"
        self.heard: dict[str, tuple[str, str]] = self._load()  # key -> (sha256 of the clip, text)
        self._dirty = False

    def _load(self) -> dict[str, tuple[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("%s cannot be read (%s); clips will be heard again", self.path, exc)
            return {}
        if not isinstance(data, dict) or data.get("recogniser") != self.identity:
            return {}
        heard = data.get("heard")
        if not isinstance(heard, dict):
            return {}
        return {str(k): (str(v[0]), str(v[1])) for k, v in heard.items() if isinstance(v, list) and len(v) == 2}

    def get(self, key: str, sha256: str | None) -> str | None:
        """What was heard in the clip ``key`` with this checksum (None: not heard yet)."""
        found = self.heard.get(key)
        return found[1] if found is not None and found[0] == (sha256 or "") else None

    def put(self, key: str, sha256: str | None, text: str) -> None:
        self.heard[key] = (sha256 or "", text)
        self._dirty = True

    def drop(self, keys: Iterable[str]) -> None:
        for key in keys:
            if self.heard.pop(key, None) is not None:
                self._dirty = True

    def save(self) -> None:
        if not self._dirty:
            return
        heard = {key: list(entry) for key, entry in self.heard.items()}
        data = {"version": STORE_VERSION, "recogniser": self.identity, "heard": heard}
        try:
            fsutil.write_text(self.path, json.dumps(data, ensure_ascii=False), durable=False)
        except OSError as exc:
            raise CacheError(f"cannot write the check cache {self.path}: {exc.strerror or exc}") from exc
        self._dirty = False
