"""Atomic writes: durable by default, relaxed in a block (and in the threads it hands work to), and
files appended in the kernel or through a buffer with the same bytes."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from narration import fsutil


@pytest.fixture
def fsyncs(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = os.fsync

    def counting(fd: int) -> None:
        calls.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fsync", counting)
    return calls


def test_writes_are_durable_unless_relaxed(tmp_path: Path, fsyncs: list[int]) -> None:
    fsutil.write_text(tmp_path / "a.txt", "one")
    assert len(fsyncs) == 1
    with fsutil.relaxed():
        fsutil.write_text(tmp_path / "a.txt", "two")
        fsutil.write_bytes(tmp_path / "b.bin", b"three")
        fsutil.write_text(tmp_path / "c.txt", "four", durable=True)  # asked for: still flushed
    assert len(fsyncs) == 2
    fsutil.write_text(tmp_path / "a.txt", "five")  # the block is over
    assert len(fsyncs) == 3
    assert (tmp_path / "a.txt").read_text() == "five" and (tmp_path / "b.bin").read_bytes() == b"three"


def test_relaxed_reaches_the_threads_given_carried_work(tmp_path: Path, fsyncs: list[int]) -> None:
    def write(name: str) -> None:
        fsutil.write_text(tmp_path / name, name)

    with fsutil.relaxed():
        carried = threading.Thread(target=fsutil.carry(write), args=("carried",))
        plain = threading.Thread(target=write, args=("plain",))  # a new thread starts durable
        for thread in (carried, plain):
            thread.start()
            thread.join()
    assert len(fsyncs) == 1 and (tmp_path / "carried").read_text() == "carried"


def test_a_failed_relaxed_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")

    def killed() -> None:
        with fsutil.atomic_open(target, "wb") as out:
            out.write(b"half")
            raise RuntimeError("killed")

    with fsutil.relaxed(), pytest.raises(RuntimeError):
        killed()
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["out.bin"]


@pytest.mark.parametrize("kernel", [True, False])
def test_append_file_copies_whole_files_or_a_limit(tmp_path: Path, monkeypatch, kernel: bool) -> None:
    if not kernel:

        def unsupported(*args: object) -> int:
            raise OSError(18, "Invalid cross-device link")

        monkeypatch.setattr(os, "copy_file_range", unsupported, raising=False)
    parts = [os.urandom(n) for n in (0, 1, 5000, 3 << 20)]
    for index, data in enumerate(parts):
        (tmp_path / f"{index}.part").write_bytes(data)
    with fsutil.atomic_open(tmp_path / "joined", "wb") as out:
        out.write(b"head")
        copied = [fsutil.append_file(out, tmp_path / f"{index}.part") for index in range(len(parts))]
        assert fsutil.append_file(out, tmp_path / "2.part", limit=100) == 100
        out.write(b"tail")
        assert out.tell() == 4 + sum(map(len, parts)) + 100 + 4
    assert copied == [len(p) for p in parts]
    assert (tmp_path / "joined").read_bytes() == b"head" + b"".join(parts) + parts[2][:100] + b"tail"
