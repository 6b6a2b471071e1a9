"""The EPUB's ZIP container, written without passing the audio through this process.

An EPUB is mostly its episodes' MP3s, stored (not compressed). :mod:`zipfile` reads every byte of
them to compute their CRC-32 and writes them through a buffer; here each stored file's CRC is
computed once per version of the file (its size, modification time and inode: the audio stage
rewrites an episode only when it changes, so a studio edit computes one chapter's CRC) and its bytes
are copied by the kernel (:func:`narration.fsutil.append_file`). Text members are deflated as
:mod:`zipfile` deflates them, each distinct text once.

The layout is plain ZIP (no ZIP64, no data descriptors): local header and data for each member in
order, the ``mimetype`` first and stored as the OCF requires, then the central directory. A book
too large for plain ZIP (4 GiB, 65535 members) is written by :mod:`zipfile` instead.
"""

from __future__ import annotations

import functools
import os
import shutil
import struct
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from narration import fsutil

ZIP_TIME = (2000, 1, 1, 0, 0, 0)  # members' dates: fixed, so equal inputs give equal bytes
_DOS_TIME = 0
_DOS_DATE = ((ZIP_TIME[0] - 1980) << 9) | (ZIP_TIME[1] << 5) | ZIP_TIME[2]
_MADE_BY = (3 << 8) | 20  # Unix, ZIP 2.0
_NEEDED = {zipfile.ZIP_STORED: 10, zipfile.ZIP_DEFLATED: 20}
_UTF8_NAME = 0x800
_ATTRIBUTES = 0o644 << 16
_LIMIT = 0xFFFFFFFF
_MAX_ENTRIES = 0xFFFF
COPY_BUFFER = 1 << 20


@dataclass(frozen=True)
class Member:
    """A member of the archive: bytes (deflated, but the ``mimetype``), or a file stored as it is."""

    name: str  # path in the ZIP
    data: bytes | None = None
    source: Path | None = None


@dataclass(frozen=True)
class _Entry:
    name: bytes
    method: int
    crc: int
    compressed: int
    size: int
    offset: int

    @property
    def flags(self) -> int:
        return 0 if self.name.isascii() else _UTF8_NAME


def write_zip(target: Path, members: Sequence[Member]) -> None:
    """Write the archive ``target`` atomically from ``members``, in order."""
    sizes = [len(m.data) if m.data is not None else _stat(m.source).st_size for m in members]
    if len(members) >= _MAX_ENTRIES or sum(sizes) + 1024 * len(members) >= _LIMIT:
        _write_with_zipfile(target, members)
        return
    with fsutil.atomic_path(target) as tmp, open(tmp, "wb") as out:
        entries = [_write_member(out, member) for member in members]
        directory = out.tell()
        for entry in entries:
            out.write(_central_header(entry))
        end = out.tell()
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), end - directory, directory, 0))


def _stat(source: Path | None) -> os.stat_result:
    if source is None:
        raise ValueError("a member needs data or a source file")
    return os.stat(source)


def _write_member(out: IO[bytes], member: Member) -> _Entry:
    offset = out.tell()
    name = member.name.encode("utf-8")
    if member.data is not None:
        stored = member.name == "mimetype"
        method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        body = member.data if stored else _deflate(member.data)
        entry = _Entry(name, method, zlib.crc32(member.data), len(body), len(member.data), offset)
        out.write(_local_header(entry))
        out.write(body)
        return entry
    source = Path(member.source) if member.source is not None else None
    stat = _stat(source)
    entry = _Entry(name, zipfile.ZIP_STORED, file_crc(str(source), stat.st_size, stat.st_mtime_ns, stat.st_ino),
                   stat.st_size, stat.st_size, offset)  # fmt: skip
    out.write(_local_header(entry))
    if source is None or fsutil.append_file(out, source, stat.st_size + 1) != stat.st_size:
        raise OSError(f"{source} changed while the EPUB was written")
    return entry


def _local_header(entry: _Entry) -> bytes:
    return struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, _NEEDED[entry.method], entry.flags, entry.method, _DOS_TIME, _DOS_DATE,
        entry.crc, entry.compressed, entry.size, len(entry.name), 0,
    ) + entry.name  # fmt: skip


def _central_header(entry: _Entry) -> bytes:
    return struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, _MADE_BY, _NEEDED[entry.method], entry.flags, entry.method, _DOS_TIME,
        _DOS_DATE, entry.crc, entry.compressed, entry.size, len(entry.name), 0, 0, 0, 0, _ATTRIBUTES, entry.offset,
    ) + entry.name  # fmt: skip


@functools.lru_cache(maxsize=512)
def _deflate(data: bytes) -> bytes:
    """Raw deflate as :mod:`zipfile` writes it (level 6), memoised: a rebuild deflates only the
    texts that changed."""
    packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


@functools.lru_cache(maxsize=4096)
def file_crc(path: str, size: int, mtime_ns: int, inode: int) -> int:
    """The CRC-32 of a file, memoised by its size, modification time and inode (a rewritten file
    is a new version: the audio stage writes files whole, by rename)."""
    crc = 0
    with open(path, "rb") as handle:
        while block := handle.read(COPY_BUFFER):
            crc = zlib.crc32(block, crc)
    return crc


def _write_with_zipfile(target: Path, members: Sequence[Member]) -> None:
    """A book too large for plain ZIP: :mod:`zipfile` writes the ZIP64 records."""
    with fsutil.atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", allowZip64=True) as archive:
        for member in members:
            info = zipfile.ZipInfo(member.name, ZIP_TIME)
            info.external_attr = _ATTRIBUTES
            if member.data is not None:
                stored = member.name == "mimetype"
                info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
                archive.writestr(info, member.data)
            elif member.source is not None:
                info.compress_type = zipfile.ZIP_STORED
                info.file_size = _stat(member.source).st_size
                with open(member.source, "rb") as source, archive.open(info, "w", force_zip64=True) as out:
                    shutil.copyfileobj(source, out, COPY_BUFFER)
