"""Save and reload the audio stage's :class:`BuildResult` as ``out_dir/.build.json``.

``narration build`` saves it after the audio stage; ``narration serve`` reloads it to re-render the
feed for the address it is reached at. Paths inside ``out_dir`` are stored relative to it, so a copied
or moved output folder still loads.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from narration import fsutil
from narration.audio.types import BuildResult, ChapterOutput, Cue
from narration.errors import PublishError

MANIFEST = ".build.json"
VERSION = 1


def manifest_path(out_dir: Path) -> Path:
    return Path(out_dir) / MANIFEST


def _store_path(path: Path, out_dir: Path) -> str:
    path = Path(path)
    try:
        return path.resolve().relative_to(out_dir.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def _load_path(value: str, out_dir: Path) -> Path:
    path = Path(value)
    return path if path.is_absolute() else out_dir / path


def _chapter_dict(chapter: ChapterOutput, out_dir: Path) -> dict[str, Any]:
    data = dataclasses.asdict(chapter)
    data["episode"] = _store_path(chapter.episode, out_dir)
    data["cues"] = [[c.start, c.end, c.text] for c in chapter.cues]
    return data


def result_to_dict(result: BuildResult) -> dict[str, Any]:
    out_dir = Path(result.out_dir)
    data = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    data.update(
        version=VERSION,
        out_dir=".",
        m4b=_store_path(result.m4b, out_dir),
        mp3=_store_path(result.mp3, out_dir),
        cover=_store_path(result.cover, out_dir),
        chapters=[_chapter_dict(c, out_dir) for c in result.chapters],
    )
    return data


def _chapter_from(data: dict[str, Any], out_dir: Path) -> ChapterOutput:
    data = dict(data)
    data["episode"] = _load_path(data["episode"], out_dir)
    data["cues"] = tuple(Cue(float(s), float(e), str(t)) for s, e, t in data["cues"])
    return ChapterOutput(**data)


def result_from_dict(data: dict[str, Any], out_dir: Path) -> BuildResult:
    data = dict(data)
    data.pop("version", None)
    data["out_dir"] = out_dir
    for name in ("m4b", "mp3", "cover"):
        data[name] = _load_path(data[name], out_dir)
    data["chapters"] = tuple(_chapter_from(c, out_dir) for c in data["chapters"])
    return BuildResult(**data)


def save_result(result: BuildResult) -> Path:
    """Write ``result`` to ``result.out_dir/.build.json`` atomically; return the path."""
    path = manifest_path(result.out_dir)
    fsutil.write_text(path, json.dumps(result_to_dict(result), ensure_ascii=False, indent=1))
    return path


def load_result(out_dir: Path) -> BuildResult:
    """Reload the result that the last ``narration build`` saved in ``out_dir``."""
    out_dir = Path(out_dir)
    path = manifest_path(out_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PublishError(f"{out_dir} holds no finished build ({MANIFEST} missing): run `narration build`") from exc
    except (OSError, ValueError) as exc:
        raise PublishError(f"{path} cannot be read ({exc}): run `narration build` again") from exc
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise PublishError(f"{path} is from another version of narration: run `narration build` again")
    try:
        return result_from_dict(data, out_dir)
    except (KeyError, TypeError, ValueError) as exc:
        raise PublishError(f"{path} is damaged ({exc!r}): run `narration build` again") from exc
