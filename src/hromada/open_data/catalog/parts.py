"""Version files kept as content-addressed, compressed parts: what did not change is not
written again.

A text file of a version (CSV, JSON, JSON Lines, GeoJSON and the row manifest) is cut into
parts between rows. ``VersionWriter`` ends a part after a row whose key hashes to a
multiple of ``PART_ROWS`` (or once a part holds ``PART_BYTES``), so the cuts depend on the
rows, not on their positions: a row changed, added or removed changes the part it falls
in, and no other. Each part is compressed on its own, as raw deflate ended by a full flush
(parts inflate independently, and laid end to end they are one deflate stream), and kept
once per dataset as ``parts/<sha256 of its text>``. A version's folder lists each file's
parts (``data.csv.parts``); a part already in the store is neither compressed nor written.

A file is read back by inflating its parts in order; a byte range starts at the part that
holds its first byte. It is sent gzip-encoded with no compression work at all: a 10-byte
header, the stored parts as they are, an empty final block and the trailer (the CRC-32 and
length of the whole file, computed when it was written): one gzip member of known length.

Parts no version lists any more are removed by ``collect``, which the retention policy
runs after it prunes. A publish holds the store's lock shared from its first part to its
commit, and ``collect`` takes it exclusively or does nothing: a part a publish found in
the store cannot go before that publish's version lists it.
"""

from __future__ import annotations

import bisect
import contextlib
import fcntl
import hashlib
import io
import os
import struct
import uuid
import zlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import msgspec

# A part ends after a row whose key's CRC-32 is a multiple of this (about this many rows a
# part), or once one of its files holds PART_BYTES of text (a bound on memory).
PART_ROWS = 4096
PART_BYTES = 8 << 20
LISTING = ".parts"
STORE = "parts"
_LOCK = ".lock"
# zlib's level 3 compresses about three times as fast as its default 6, to a part about a
# quarter larger (0.13 of the text against 0.105, appeal-like rows): publishing is the
# cost paid for every version, the difference in size is small.
_LEVEL = 3
# Parts compressed at once, per file being written: a bound on the text held in memory.
_PENDING_PARTS = 2
_COMPRESSORS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hromada-parts")
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no time, unknown OS
_FINAL_BLOCK = b"\x03\x00"  # an empty, final, fixed-Huffman block: ends the deflate stream


class Listing(msgspec.Struct, array_like=True):
    """One file of a version: its whole size, sha256 and CRC-32, and its parts in order as
    (sha256 of the text, text length, compressed length)."""

    size: int
    sha256: str
    crc32: int
    parts: list[tuple[str, int, int]]

    @property
    def gzip_size(self) -> int:
        return len(_GZIP_HEADER) + sum(p[2] for p in self.parts) + len(_FINAL_BLOCK) + 8


def store_of(dataset_root: Path) -> Path:
    return dataset_root / STORE


def _part_path(store: Path, digest: str) -> Path:
    return store / digest[:2] / digest


def listing_path(folder: Path, name: str) -> Path:
    return folder / (name + LISTING)


def read_listing(folder: Path, name: str) -> Listing | None:
    path = listing_path(folder, name)
    if not path.is_file():
        return None
    return msgspec.json.decode(path.read_bytes(), type=Listing)


@dataclass
class Written:
    """What writing the parts of one version cost: parts made, parts found in the store."""

    new: int = 0
    reused: int = 0
    new_bytes: int = 0


class PartedWriter:
    """One file written as parts: ``write`` text, ``cut`` between rows, ``close`` lists it."""

    def __init__(self, store: Path, folder: Path, name: str, tally: Written) -> None:
        self._store = store
        self._listing = listing_path(folder, name)
        self._tally = tally
        self._chunks: list[bytes] = []
        self.pending = 0
        self._hash = hashlib.sha256()
        self._crc = 0
        self.size = 0
        self._parts: list[tuple[str, int, int]] = []
        self._pending: list[tuple[int, Future[int]]] = []

    def write(self, data: bytes) -> None:
        # Only kept here: a part is hashed once, when it is cut (a call per row costs more).
        self._chunks.append(data)
        self.pending += len(data)

    def cut(self) -> None:
        if not self.pending:
            return
        text = b"".join(self._chunks)
        self._chunks.clear()
        self.pending = 0
        self._hash.update(text)
        self._crc = zlib.crc32(text, self._crc)
        self.size += len(text)
        digest = hashlib.sha256(text).hexdigest()
        path = _part_path(self._store, digest)
        if path.is_file():
            self._tally.reused += 1
            self._parts.append((digest, len(text), path.stat().st_size))
            return
        # zlib lets go of the GIL: parts compress on another core while rows are formatted.
        while len(self._pending) >= _PENDING_PARTS:
            self._settle(self._pending.pop(0))
        self._parts.append((digest, len(text), -1))
        self._pending.append((len(self._parts) - 1, _COMPRESSORS.submit(_store_part, path, text)))

    def _settle(self, pending: tuple[int, Future[int]]) -> None:
        index, future = pending
        packed = future.result()
        digest, length, _ = self._parts[index]
        self._parts[index] = (digest, length, packed)
        self._tally.new += 1
        self._tally.new_bytes += packed

    def close(self) -> Listing:
        self.cut()
        while self._pending:
            self._settle(self._pending.pop(0))
        listing = Listing(self.size, self._hash.hexdigest(), self._crc, self._parts)
        self._listing.write_bytes(msgspec.json.encode(listing))
        return listing

    def abort(self) -> None:
        """Wait for the parts being stored (a part is whole or absent either way)."""
        for _, future in self._pending:
            with contextlib.suppress(Exception):
                future.result()
        self._pending.clear()


def _store_part(path: Path, text: bytes) -> int:
    compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
    packed = compressor.compress(text) + compressor.flush(zlib.Z_FULL_FLUSH)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    with open(scratch, "wb") as handle:
        handle.write(packed)
    os.replace(scratch, path)  # whole or absent, also beside a concurrent writer
    return len(packed)


class PartedReader(io.RawIOBase):
    """The text of a parted file, read (and seeked) as one file."""

    def __init__(self, store: Path, listing: Listing) -> None:
        self._store = store
        self._listing = listing
        self._starts: list[int] = []
        offset = 0
        for _, length, _ in listing.parts:
            self._starts.append(offset)
            offset += length
        self._position = 0
        self._part = -1
        self._text = b""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self._position
        elif whence == io.SEEK_END:
            offset += self._listing.size
        self._position = max(0, offset)
        return self._position

    def _load(self, index: int) -> None:
        digest = self._listing.parts[index][0]
        with open(_part_path(self._store, digest), "rb") as handle:
            self._text = zlib.decompressobj(-15).decompress(handle.read())
        self._part = index

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._position >= self._listing.size or not len(buffer):
            return 0
        index = bisect.bisect_right(self._starts, self._position) - 1
        if index != self._part:
            self._load(index)
        within = self._position - self._starts[index]
        chunk = self._text[within : within + len(buffer)]
        buffer[: len(chunk)] = chunk
        self._position += len(chunk)
        return len(chunk)


def open_parted(store: Path, listing: Listing) -> IO[bytes]:
    return io.BufferedReader(PartedReader(store, listing), 1 << 20)


def gzip_chunks(store: Path, listing: Listing) -> Iterator[bytes]:
    """The file as one gzip member, from the stored parts as they are."""
    yield _GZIP_HEADER
    for digest, _, _ in listing.parts:
        yield _part_path(store, digest).read_bytes()
    yield _FINAL_BLOCK + struct.pack("<II", listing.crc32, listing.size & 0xFFFFFFFF)


# ----------------------------------------------------------------------------------------
# The store's lock and its collection


def hold_for_writing(store: Path) -> IO[str]:
    """The store's lock, shared: a publish holds it from its first part to its commit (it
    waits while ``collect`` runs); closing the handle lets it go."""
    store.mkdir(parents=True, exist_ok=True)
    handle = open(store / _LOCK, "a")  # noqa: SIM115 - the publish closes it
    fcntl.flock(handle, fcntl.LOCK_SH)
    return handle


def collect(dataset_root: Path) -> int | None:
    """Remove the parts no version folder under ``dataset_root`` lists; how many went, or
    None when a publish is writing (the next collection takes them)."""
    store = store_of(dataset_root)
    if not store.is_dir():
        return 0
    with open(store / _LOCK, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return None
        listed: set[str] = set()
        for path in dataset_root.glob(f"*/*{LISTING}"):
            if path.parent.name.isdigit():
                listing = msgspec.json.decode(path.read_bytes(), type=Listing)
                listed.update(p[0] for p in listing.parts)
        removed = 0
        for part in store.glob("*/*"):
            if part.name not in listed:
                part.unlink(missing_ok=True)
                removed += 1
        return removed


class StoredFile:
    """One file of a version folder, however it is kept: as parts, or as a plain file (the
    spreadsheet and Parquet files, and every file of a version written before parts)."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder = folder
        self.name = name
        self.listing = read_listing(folder, name)
        self._store = store_of(folder.parent)
        self.path = folder / name

    def exists(self) -> bool:
        return self.listing is not None or self.path.is_file()

    @property
    def size(self) -> int:
        return self.listing.size if self.listing is not None else self.path.stat().st_size

    def open(self) -> IO[bytes]:
        if self.listing is not None:
            return open_parted(self._store, self.listing)
        return open(self.path, "rb", buffering=1 << 20)

    def read_bytes(self) -> bytes:
        with self.open() as handle:
            return handle.read()

    @property
    def gzip_size(self) -> int | None:
        """The length of the file sent gzip-encoded from its parts; None for a plain file."""
        return self.listing.gzip_size if self.listing is not None else None

    def gzip_chunks(self) -> Iterator[bytes]:
        if self.listing is None:
            raise ValueError(f"{self.path} is a plain file: it has no stored gzip form")
        return gzip_chunks(self._store, self.listing)
