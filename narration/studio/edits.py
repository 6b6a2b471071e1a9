"""Edits made in the studio page, written into the scripts: one block (or one lexicon line) changed,
every other byte of the file kept.

A script is cut into its blocks exactly as :func:`narration.model.parse_script` cuts it, but with
each block's span in the file, so a section (found by its id) can be replaced in place. A file is
written only if it is still the version the page was shown (its sha256): a script changed on disk
since then is not overwritten, the page is told to reload (:class:`StaleEdit`).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from narration import fsutil
from narration.errors import InputError
from narration.model import _HEADING, _SCRIPT_NAME, section_ids
from narration.text.lexicon import LEXICON_TOML

BlockKind = Literal["title", "heading", "paragraph"]

MAX_TEXT_CHARS = 20_000  # one edit: a paragraph, not a book
MAX_WORD_CHARS = 100
_NEWLINE = r"(?:\r\n|\r(?!\n)|\n)"
_SEPARATOR = re.compile(rf"{_NEWLINE}\s*{_NEWLINE}")  # parse_script's blank line, in any line ends
_TABLE = re.compile(r"^\s*\[")
_WORDS_TABLE = re.compile(r"^\s*\[\s*words\s*\]\s*(?:#.*)?$")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


class EditError(InputError):
    """An edit that cannot be applied (the page shows the message)."""


class StaleEdit(EditError):
    """The file changed on disk since the page loaded it."""


class PathRefused(EditError):
    """An edit naming a file that is not a script or the lexicon of this book."""


@dataclass(frozen=True)
class Block:
    """A block of a script: where it is in the file, and its text as the model reads it."""

    start: int  # index in the file's text
    end: int
    kind: BlockKind
    text: str
    id: str  # section id ("" for the title)


def version(data: bytes) -> str:
    """The version of a file's content the page is shown (and must send back with an edit)."""
    return hashlib.sha256(data).hexdigest()


def _normalise(block: str) -> str:
    return "\n".join(line.rstrip() for line in block.lstrip("\ufeff").strip("\r\n").splitlines()).strip()


def script_blocks(raw: str) -> list[Block]:
    """The file's blocks with their spans (the title, headings and paragraphs of parse_script)."""
    spans, position = [], 0
    for match in _SEPARATOR.finditer(raw):
        spans.append((position, match.start()))
        position = match.end()
    spans.append((position, len(raw)))
    found: list[tuple[int, int, BlockKind, str]] = []
    for start, end in spans:
        while start < end and raw[start] in "\r\n":
            start += 1
        while end > start and raw[end - 1] in "\r\n":
            end -= 1
        text = _normalise(raw[start:end])
        if not text:
            continue
        heading = _HEADING.match(text) if "\n" not in text else None
        if heading and len(heading.group(1)) == 1 and not found:
            found.append((start, end, "title", heading.group(2).strip()))
        elif heading:
            found.append((start, end, "heading", heading.group(2).strip()))
        else:
            found.append((start, end, "paragraph", text))
    sections = [f for f in found if f[2] != "title"]
    ids = iter(section_ids([f[3] for f in sections]))
    return [Block(s, e, k, t, "" if k == "title" else next(ids)) for s, e, k, t in found]


def replace_text(raw: str, section: str, new: str, *, old: str | None = None, occurrence: int = 0) -> str:
    """The file with section ``section``'s text replaced by ``new`` (or, given ``old``, the
    ``occurrence``-th copy of the sentence ``old`` in it). An empty paragraph removes the block."""
    if len(new) > MAX_TEXT_CHARS:
        raise EditError(f"an edit is limited to {MAX_TEXT_CHARS} characters")
    block = next((b for b in script_blocks(raw) if b.id == section), None)
    if block is None:
        raise StaleEdit("that paragraph is no longer in the script: reload")
    new = "\n".join(line.rstrip() for line in new.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n"))
    text = new if old is None else _replace_sentence(block.text, old, new, occurrence)
    if block.kind != "paragraph" and not text:
        raise EditError("a heading cannot be empty")
    if block.kind != "paragraph" and "\n" in text:
        raise EditError("a heading is one line")
    rendered = _render(raw[block.start : block.end], block.kind, text)
    newline = "\r\n" if "\r\n" in raw else "\n"
    return raw[: block.start] + rendered.replace("\n", newline) + raw[block.end :]


def _replace_sentence(text: str, old: str, new: str, occurrence: int) -> str:
    positions = [m.start() for m in re.finditer(re.escape(old), text)] if old else []
    if not 0 <= occurrence < len(positions):
        raise StaleEdit("that sentence is no longer in the script: reload")
    at = positions[occurrence]
    joined = text[:at] + new + text[at + len(old) :]
    return re.sub(r"[ \t]{2,}", " ", joined).strip() if not new else joined


def _render(original: str, kind: BlockKind, text: str) -> str:
    if kind == "paragraph":
        return text
    prefix = re.match(r"\s*#+\s+", original.lstrip("\ufeff"))
    marker = prefix.group(0).strip() if prefix else ("#" if kind == "title" else "##")
    bom = "\ufeff" if original.startswith("\ufeff") else ""
    return f"{bom}{marker} {text}"


def set_lexicon_entry(raw: str, word: str, say: str) -> str:
    """``lexicon.toml`` with ``word = "say"`` in its ``[words]`` table (an entry for the same word
    replaced, in place); every other line kept."""
    word, say = word.strip(), say.strip()
    if not word or not say or "\n" in word + say or len(word) > MAX_WORD_CHARS or len(say) > MAX_WORD_CHARS * 2:
        raise EditError("a lexicon entry is one word (or a few) and how to say it, on one line")
    key = word if _BARE_KEY.match(word) else json.dumps(word, ensure_ascii=False)
    line = f"{key} = {json.dumps(say, ensure_ascii=False)}"
    lines = raw.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n"
    table = next((i for i, text in enumerate(lines) if _WORDS_TABLE.match(text)), None)
    if table is None:
        lines += (["\n"] if lines else []) + ["[words]\n", line + "\n"]
    else:
        end = next((i for i in range(table + 1, len(lines)) if _TABLE.match(lines[i])), len(lines))
        same = next((i for i in range(table + 1, end) if _entry_key(lines[i]) == word), None)
        if same is not None:
            lines[same] = line + "\n"
        else:
            last = max([i for i in range(table, end) if lines[i].strip()], default=table)
            lines.insert(last + 1, line + "\n")
    result = "".join(lines)
    try:
        tomllib.loads(result)
    except tomllib.TOMLDecodeError as exc:
        raise EditError(f"{LEXICON_TOML} would not be valid TOML after this edit ({exc}): fix it by hand") from exc
    return result


def _entry_key(line: str) -> str | None:
    try:
        document = tomllib.loads(line)
    except tomllib.TOMLDecodeError:
        return None
    return next(iter(document), None) if len(document) == 1 else None


class ScriptEditor:
    """Applies edits to the files of one scripts folder, one at a time."""

    def __init__(self, scripts_dir: Path) -> None:
        self.root = Path(scripts_dir).resolve()
        self._lock = threading.Lock()

    def path(self, name: str) -> Path:
        """The script or lexicon ``name`` names, inside the scripts folder; :class:`EditError` otherwise."""
        if (
            "/" in name
            or "\\" in name
            or name.startswith(".")
            or not (_SCRIPT_NAME.match(name) or name == LEXICON_TOML)
        ):
            raise PathRefused(f"{name!r} is not a chapter script or {LEXICON_TOML} of this book")
        path = (self.root / name).resolve()
        if path.parent != self.root:
            raise PathRefused(f"{name!r} is outside the scripts folder")
        return path

    def edit_section(
        self, name: str, seen: str, section: str, new: str, *, old: str | None = None, occurrence: int = 0
    ) -> str:
        """Replace a section (or one sentence of it) in script ``name`` if it is still at version
        ``seen``; the file's new version."""
        path = self.path(name)
        with self._lock:
            raw = self._read(path, seen)
            return self._write(path, replace_text(raw, section, new, old=old, occurrence=occurrence))

    def set_lexicon(self, word: str, say: str, seen: str | None) -> str:
        """Add or change a lexicon entry (``seen``: the lexicon's version the page had, None: any)."""
        path = self.path(LEXICON_TOML)
        with self._lock:
            raw = self._read(path, seen) if path.exists() else ""
            return self._write(path, set_lexicon_entry(raw, word, say))

    def _read(self, path: Path, seen: str | None) -> str:
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise StaleEdit(f"{path.name} no longer exists: reload") from exc
        if seen is not None and version(data) != seen:
            raise StaleEdit(f"{path.name} was changed on disk since the page loaded it: reload")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EditError(f"{path.name} is not UTF-8 text") from exc

    def _write(self, path: Path, text: str) -> str:
        data = text.encode("utf-8")
        fsutil.write_bytes(path, data)
        return version(data)
