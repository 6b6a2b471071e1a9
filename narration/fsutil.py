"""Atomic file writes: write a temporary file beside the target, then rename it into place."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it is renamed to ``target``.

    Use this for files written by other programs (ffmpeg). On error the temp file is removed
    and ``target`` keeps its previous content.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are meant to be served
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


@contextlib.contextmanager
def atomic_open(target: Path, mode: str = "w", encoding: str | None = "utf-8", *, durable: bool = True) -> Iterator[IO]:
    """Open a temp file for writing; it replaces ``target`` only if the block succeeds.

    ``durable``: flush it to disk before the rename (survives a power cut, not only a killed
    process). Cache entries that are checked when read and cheap to make again can skip that.
    """
    if "b" in mode:
        encoding = None
    with atomic_path(target) as tmp, open(tmp, mode, encoding=encoding) as handle:
        yield handle
        handle.flush()
        if durable:
            os.fsync(handle.fileno())


def write_text(target: Path, text: str, *, durable: bool = True) -> None:
    with atomic_open(target, "w", durable=durable) as handle:
        handle.write(text)


def write_bytes(target: Path, data: bytes, *, durable: bool = True) -> None:
    with atomic_open(target, "wb", durable=durable) as handle:
        handle.write(data)


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def digest(*parts: str | bytes) -> str:
    """A stable hex digest of the given parts (separated, so ("ab","c") != ("a","bc"))."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()
