"""Atomic file writes: write a temporary file beside the target, then rename it into place.

A write is *durable* by default: flushed to disk (``fsync``) before the rename, so it survives a
power cut, not only a killed process. :func:`relaxed` turns that off for the writes made in its
``with`` block (in this thread or task, and in the threads it hands :func:`carry`-wrapped work to):
the studio's outputs are rewritten every few seconds and can all be made again from the caches,
so it writes them without waiting for the disk. Atomicity stays: a killed process never leaves a
half file, whichever way it was written.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TypeVar

T = TypeVar("T")

# Whether writes that do not say otherwise are flushed to disk; set only by relaxed(), for its block.
_DURABLE: contextvars.ContextVar[bool] = contextvars.ContextVar("narration_durable_writes", default=True)


@contextlib.contextmanager
def relaxed() -> Iterator[None]:
    """Within the block, atomic writes that do not pass ``durable`` skip the ``fsync``."""
    token = _DURABLE.set(False)
    try:
        yield
    finally:
        _DURABLE.reset(token)


def durable_default() -> bool:
    """Whether an atomic write that does not say otherwise is flushed to disk here."""
    return _DURABLE.get()


def carry(function: Callable[..., T]) -> Callable[..., T]:
    """``function`` bound to the calling context (e.g. :func:`relaxed`), for another thread."""
    context = contextvars.copy_context()

    def run(*args: object, **kwargs: object) -> T:
        return context.run(function, *args, **kwargs)

    return run


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
def atomic_open(
    target: Path, mode: str = "w", encoding: str | None = "utf-8", *, durable: bool | None = None
) -> Iterator[IO]:
    """Open a temp file for writing; it replaces ``target`` only if the block succeeds.

    ``durable``: flush it to disk before the rename (survives a power cut, not only a killed
    process); None: unless in a :func:`relaxed` block. Cache entries that are checked when read and
    cheap to make again skip that.
    """
    if "b" in mode:
        encoding = None
    with atomic_path(target) as tmp, open(tmp, mode, encoding=encoding) as handle:
        yield handle
        handle.flush()
        if durable if durable is not None else _DURABLE.get():
            os.fsync(handle.fileno())


def write_text(target: Path, text: str, *, durable: bool | None = None) -> None:
    with atomic_open(target, "w", durable=durable) as handle:
        handle.write(text)


def write_bytes(target: Path, data: bytes, *, durable: bool | None = None) -> None:
    with atomic_open(target, "wb", durable=durable) as handle:
        handle.write(data)


def append_file(out: IO[bytes], source: Path | str, limit: int | None = None) -> int:
    """Append ``source`` (at most ``limit`` bytes of it) to ``out``, a binary file open for writing
    at its end; the bytes copied. Copied in the kernel where it can be (``copy_file_range``: the
    data never passes through this process), else through a buffer."""
    with open(source, "rb", buffering=0) as handle:
        out.flush()
        copied, whole = _copy_range(handle.fileno(), out.fileno(), limit)
        out.seek(0, os.SEEK_END)  # the kernel moved the file's offset: keep the buffered writer in step
        if not whole:  # no in-kernel copy between these files: the rest through a buffer
            handle.seek(copied)
            while limit is None or copied < limit:
                block = handle.read(COPY_BLOCK if limit is None else min(COPY_BLOCK, limit - copied))
                if not block:
                    break
                out.write(block)
                copied += len(block)
    return copied


COPY_BLOCK = 1 << 20
_RANGE_BLOCK = 1 << 30


def _copy_range(source: int, target: int, limit: int | None) -> tuple[int, bool]:
    """``copy_file_range`` from the current offsets until the end of ``source`` or ``limit`` bytes;
    the bytes copied and whether that is all (False: not supported here, the caller goes on)."""
    copy = getattr(os, "copy_file_range", None)  # Linux only
    if copy is None:
        return 0, False
    copied = 0
    try:
        while limit is None or copied < limit:
            count = copy(source, target, _RANGE_BLOCK if limit is None else min(_RANGE_BLOCK, limit - copied))
            if count == 0:
                break
            copied += count
    except OSError:  # e.g. between two file systems on an old kernel
        return copied, False
    return copied, True


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
