"""Atomic writes that leave an unchanged file alone (a rebuild keeps its date and its ETag)."""

from __future__ import annotations

import logging
from pathlib import Path

from narration import fsutil
from narration.errors import PublishError

log = logging.getLogger(__name__)


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` atomically unless it already holds exactly that; True if written."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    try:
        fsutil.write_bytes(path, data)
    except OSError as exc:
        raise PublishError(f"cannot write {path}: {exc.strerror or exc}") from exc
    log.debug("wrote %s", path)
    return True
