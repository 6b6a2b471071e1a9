"""``out_dir/.build.json``: the last build's :class:`BuildResult`, so ``publish`` and ``serve`` can
reload it without building again.

Paths inside ``out_dir`` are stored relative to it (a moved output folder still loads), cues as
``[start, end, text]``, blocks as ``[kind, cues]`` (absent in older manifests: no blocks). Written
atomically, and only when its content changes.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from narration import fsutil
from narration.audio.types import Block, BuildResult, ChapterOutput, Cue
from narration.errors import AudioError
from narration.paths import recorded_path

MANIFEST = ".build.json"
VERSION = 1
_CHAPTER_FIELDS = dataclasses.fields(ChapterOutput)


def manifest_path(out_dir: Path) -> Path:
    return Path(out_dir) / MANIFEST


def _chapter(chapter: ChapterOutput, out_dir: Path) -> dict[str, Any]:
    data = {f.name: getattr(chapter, f.name) for f in _CHAPTER_FIELDS}  # asdict would copy every cue first
    data["episode"] = recorded_path(chapter.episode, out_dir)
    data["cues"] = [[c.start, c.end, c.text] for c in chapter.cues]
    data["blocks"] = [[b.kind, b.cues] for b in chapter.blocks]
    return data


def to_json(result: BuildResult) -> str:
    out_dir = Path(result.out_dir)
    data: dict[str, Any] = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    data.update(
        version=VERSION,
        out_dir=".",
        m4b=recorded_path(result.m4b, out_dir),
        mp3=recorded_path(result.mp3, out_dir),
        cover=recorded_path(result.cover, out_dir),
        chapters=[_chapter(c, out_dir) for c in result.chapters],
    )
    return json.dumps(data, ensure_ascii=False, indent=1)


def save_manifest(result: BuildResult) -> Path:
    """Write ``.build.json`` in ``result.out_dir`` (atomically, only if it changed)."""
    path = manifest_path(result.out_dir)
    text = to_json(result)
    try:
        unchanged = path.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        unchanged = False
    if not unchanged:
        fsutil.write_text(path, text)
    return path


def _path(value: str, out_dir: Path) -> Path:
    return Path(value) if Path(value).is_absolute() else out_dir / value


def from_json(text: str, out_dir: Path) -> BuildResult:
    data = json.loads(text)
    if not isinstance(data, dict) or data.pop("version", None) != VERSION:
        raise ValueError("not a build manifest of this version of narration")
    chapters = []
    for chapter in data["chapters"]:
        chapter = dict(chapter, episode=_path(chapter["episode"], out_dir))
        chapter["cues"] = tuple(Cue(float(s), float(e), str(t)) for s, e, t in chapter["cues"])
        chapter["blocks"] = tuple(Block(str(k), int(n)) for k, n in chapter.get("blocks", ()))
        chapters.append(ChapterOutput(**chapter))
    files = {name: _path(data[name], out_dir) for name in ("m4b", "mp3", "cover")}
    return BuildResult(**{**data, **files, "out_dir": out_dir, "chapters": tuple(chapters)})


def load_manifest(out_dir: Path) -> BuildResult:
    """The result the last build saved in ``out_dir``; :class:`AudioError` when there is none."""
    out_dir = Path(out_dir)
    path = manifest_path(out_dir)
    try:
        return from_json(path.read_text(encoding="utf-8"), out_dir)
    except FileNotFoundError as exc:
        raise AudioError(f"{out_dir} holds no finished build ({MANIFEST} is missing): run `narration build`") from exc
    except (OSError, ValueError) as exc:
        raise AudioError(f"{path} cannot be read ({exc}): run `narration build` again") from exc
    except (KeyError, TypeError) as exc:
        raise AudioError(f"{path} is damaged ({exc!r}): run `narration build` again") from exc
