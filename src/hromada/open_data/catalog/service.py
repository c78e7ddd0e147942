"""Publishing versions and reading the catalogue: the only place the catalogue's queries live.

A version is published in three steps: its files are written into a
temporary directory beside the others (one pass over the service query; the text
files as parts in the dataset's store, ``catalog.parts``, the folder listing them), the
directory is renamed to its number, then the version row is committed. A
version without a row is invisible, a version with a row is complete, and its
files are never written again: a download streams an immutable file whatever
is published meanwhile. A dataset that declares a fingerprint is found unchanged
without reading a row (DESIGN.md, "Versions").
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import fcntl
import hashlib
import importlib.metadata
import logging
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import msgspec

from hromada import db
from hromada.bounds import parse_instant, parse_key_int
from hromada.config import Settings
from hromada.errors import Gone, InvalidInput, NotFound, TooLarge
from hromada.open_data.catalog import parts, search, urls
from hromada.open_data.catalog.formats import (
    CHANGES,
    MEDIA_TYPES,
    Changes,
    ContentHash,
    VersionWriter,
    diff_versions,
    file_name,
)
from hromada.open_data.catalog.model import Dataset, Row
from hromada.open_data.catalog.registry import all_datasets, get_dataset
from hromada.open_data.catalog.schemas import (
    ChangesOut,
    CoverageOut,
    DatasetOut,
    FieldOut,
    FileOut,
    OrganisationOut,
    PublishOut,
    RowChangeOut,
    VersionOut,
)
from hromada.open_data.catalog.tables import DatasetVersion
from hromada.paging import Page, decode_cursor, encode_cursor, make_page
from hromada.search import outbox

log = logging.getLogger("hromada.catalog")

Progress = Callable[[str, int, int], None]
_RELEASE = importlib.metadata.version("hromada")


@dataclass(frozen=True)
class Version:
    """A committed version row."""

    slug: str
    number: int
    created_at: datetime.datetime
    row_count: int
    files: dict[str, dict[str, Any]]
    content_sha256: str
    changes: Changes
    pinned: bool = False
    pruned_at: datetime.datetime | None = None
    fingerprint: str | None = None

    def out(self, base_url: str) -> VersionOut:
        return VersionOut(
            number=self.number,
            created_at=self.created_at,
            row_count=self.row_count,
            changes=ChangesOut(
                rows_added=self.changes.added,
                rows_changed=self.changes.changed,
                rows_removed=self.changes.removed,
            ),
            files=[
                FileOut(
                    format=fmt,
                    media_type=MEDIA_TYPES[fmt],
                    sha256=info["sha256"],
                    bytes=info["bytes"],
                    url=urls.download(base_url, self.slug, self.number, fmt),
                )
                for fmt, info in self.files.items()
            ],
            pinned=self.pinned,
            pruned_at=self.pruned_at,
        )

    def check_available(self, filename: str) -> None:
        """Gone (410) when the retention policy removed this version's files, naming the
        same file of the latest version (``download.csv``, ``changes.jsonl``...)."""
        if self.pruned_at is not None:
            raise Gone(
                f"version {self.number} of {self.slug!r} was removed on "
                f"{self.pruned_at:%Y-%m-%d} under the retention policy; its metadata and "
                "checksums are still listed, and the latest version replaces it",
                successor=urls.version_file("", self.slug, None, filename),
            )


def version_from_row(row: dict[str, Any]) -> Version:
    files = row["files"]
    if isinstance(files, str | bytes):
        files = msgspec.json.decode(files)
    return Version(
        slug=row["slug"],
        number=row["number"],
        created_at=db.instant(row["created_at"]),
        row_count=row["row_count"],
        files=files,
        content_sha256=row["content_sha256"],
        changes=Changes(row["rows_added"], row["rows_changed"], row["rows_removed"]),
        pinned=bool(row.get("pinned")),
        pruned_at=db.instant(row.get("pruned_at")),
        fingerprint=row.get("fingerprint"),
    )


def datasets_root(settings: Settings) -> Path:
    return settings.data_dir / "datasets"


def version_dir(settings: Settings, slug: str, number: int) -> Path:
    return datasets_root(settings) / slug / str(number)


# ----------------------------------------------------------------------------------------
# Reading versions


async def latest_version(slug: str) -> Version | None:
    rows = (
        await DatasetVersion.select()
        .where(DatasetVersion.slug == slug)
        .order_by(DatasetVersion.number, ascending=False)
        .limit(1)
    )
    return version_from_row(rows[0]) if rows else None


async def latest_versions() -> dict[str, Version]:
    rows = await DatasetVersion.raw(
        "SELECT v.* FROM dataset_version v WHERE v.number = "
        "(SELECT MAX(w.number) FROM dataset_version w WHERE w.slug = v.slug)"
    )
    return {r["slug"]: version_from_row(r) for r in rows}


async def first_versions() -> dict[str, Version]:
    rows = await DatasetVersion.select().where(DatasetVersion.number == 1)
    return {r["slug"]: version_from_row(r) for r in rows}


async def version_counts() -> dict[str, int]:
    rows = await DatasetVersion.raw("SELECT slug, COUNT(*) AS n FROM dataset_version GROUP BY slug")
    return {r["slug"]: int(r["n"]) for r in rows}


async def get_version(settings: Settings, slug: str, number: int | None) -> Version:
    """A committed version (the latest when ``number`` is None), or NotFound."""
    get_dataset(settings, slug)
    if number is None:
        found = await latest_version(slug)
        if found is None:
            raise NotFound(f"dataset {slug!r} has no published version yet")
        return found
    rows = await DatasetVersion.select().where(
        (DatasetVersion.slug == slug) & (DatasetVersion.number == number)
    )
    if not rows:
        raise NotFound(f"dataset {slug!r} has no version {number}")
    return version_from_row(rows[0])


async def list_versions(
    settings: Settings, slug: str, *, limit: int, cursor: str | None, base_url: str
) -> Page[VersionOut]:
    """Versions, newest first."""
    get_dataset(settings, slug)
    after = decode_cursor(cursor, 1, (int,))
    query = DatasetVersion.select().where(DatasetVersion.slug == slug)
    if after:
        query = query.where(DatasetVersion.number < int(after[0]))
    rows = await query.order_by(DatasetVersion.number, ascending=False).limit(limit + 1)
    page = make_page([version_from_row(r) for r in rows], limit, lambda v: (v.number,))
    return Page(items=[v.out(base_url) for v in page.items], next_cursor=page.next_cursor)


async def versions_of(
    slugs: list[str],
    *,
    limit: int,
    after: int | None = None,
    before: int | None = None,
    backward: bool = False,
) -> dict[str, list[Version]]:
    """Up to ``limit`` versions of each dataset in one query, newest first.

    ``after``/``before`` are version numbers in that order (``after`` = older
    than, ``before`` = newer than); ``backward`` takes the rows nearest
    ``before`` first (the caller reverses them). Window functions are on both
    engines (SQLite 3.25+).
    """
    slugs = list(dict.fromkeys(slugs))
    if not slugs:
        return {}
    marks = ", ".join("{}" for _ in slugs)
    conditions = [f"slug IN ({marks})"]
    values: list[Any] = list(slugs)
    if after is not None:
        conditions.append("number < {}")
        values.append(after)
    if before is not None:
        conditions.append("number > {}")
        values.append(before)
    order = "ASC" if backward else "DESC"
    rows = await DatasetVersion.raw(
        "SELECT * FROM (SELECT v.*, ROW_NUMBER() OVER "  # noqa: S608 - placeholders only
        f"(PARTITION BY slug ORDER BY number {order}) AS row_in_dataset "
        f"FROM dataset_version v WHERE {' AND '.join(conditions)}) ranked "
        "WHERE row_in_dataset <= {}",
        *values,
        limit,
    )
    rows.sort(key=lambda r: r["number"], reverse=not backward)
    out: dict[str, list[Version]] = {slug: [] for slug in slugs}
    for row in rows:
        out[row["slug"]].append(version_from_row(row))
    return out


def parse_since(since: str | None) -> int | datetime.datetime | None:
    """``since`` is a version number or an ISO-8601 time."""
    if since is None or since == "":
        return None
    if since.isascii() and since.isdigit():
        number = parse_key_int(since)
        if number is None:
            raise InvalidInput(
                "since is not a version number",
                errors=[{"where": "query", "name": "since", "message": "no such version number"}],
            )
        return number
    try:
        return parse_instant(since)
    except ValueError:
        raise InvalidInput(
            "since must be a version number or an ISO-8601 time",
            errors=[{"where": "query", "name": "since", "message": "not a number or a time"}],
        ) from None


async def changes_since(
    settings: Settings,
    slug: str,
    since: str | None,
    *,
    limit: int,
    cursor: str | None,
    base_url: str,
) -> Page[VersionOut]:
    """Versions after ``since`` (a number or a time), oldest first, with their change summaries."""
    get_dataset(settings, slug)
    bound = parse_since(since)
    after = decode_cursor(cursor, 1, (int,))
    query = DatasetVersion.select().where(DatasetVersion.slug == slug)
    if isinstance(bound, int):
        query = query.where(DatasetVersion.number > bound)
    elif isinstance(bound, datetime.datetime):
        query = query.where(DatasetVersion.created_at > bound)
    if after:
        query = query.where(DatasetVersion.number > int(after[0]))
    rows = await query.order_by(DatasetVersion.number).limit(limit + 1)
    page = make_page([version_from_row(r) for r in rows], limit, lambda v: (v.number,))
    return Page(items=[v.out(base_url) for v in page.items], next_cursor=page.next_cursor)


# Change records read per page are bounded by the page size and by bytes (a wide row).
MAX_CHANGES_PAGE_BYTES = 8 << 20


def changes_file(settings: Settings, version: Version) -> Path:
    """The change file of a committed version (``formats.diff_versions``)."""
    version.check_available(CHANGES)
    path = version_dir(settings, version.slug, version.number) / CHANGES
    if not path.is_file():
        raise NotFound(
            f"version {version.number} of {version.slug!r} was published before row changes "
            "were recorded: compare the two versions' files, or wait for the next version"
        )
    return path


def row_changes(
    settings: Settings, version: Version, *, limit: int, cursor: str | None
) -> Page[RowChangeOut]:
    """The rows ``version`` added, changed or removed, in key order, a page at a time.

    The cursor is the byte offset of the next record in the change file (signed, like every
    cursor), so a page costs one seek and at most ``limit`` records, however long the file.
    """
    path = changes_file(settings, version)
    # The cursor names its file: a cursor of another list (signed too) is no offset here.
    scope = ["rows", version.slug, version.number]
    after = decode_cursor(cursor, 4, (str, str, int, int))
    offset = 0
    if after is not None:
        *named, at = after
        if named != scope or type(at) is not int or not 0 <= at <= path.stat().st_size:
            raise InvalidInput(
                "cursor is not one this list issued: pass next_cursor as is",
                errors=[{"where": "query", "name": "cursor", "message": "unreadable cursor"}],
            )
        offset = at
    items: list[RowChangeOut] = []
    read = 0
    with open(path, "rb") as handle:
        handle.seek(offset)
        while len(items) < limit and read < MAX_CHANGES_PAGE_BYTES:
            line = handle.readline()
            if not line:
                break
            read += len(line)
            entry = msgspec.json.decode(line)
            raw = entry.get("line")
            items.append(
                RowChangeOut(
                    op=entry["op"],
                    key=entry["key"],
                    fields=entry.get("fields"),
                    row=msgspec.json.decode(raw) if raw is not None else None,
                )
            )
        position = handle.tell()
        more = bool(handle.readline())
    return Page(items=items, next_cursor=encode_cursor([*scope, position]) if more else None)


def version_file(settings: Settings, version: Version, fmt: str) -> parts.StoredFile:
    """One file of a committed version (kept as parts or whole); NotFound for a format it
    has not."""
    if fmt not in version.files:
        raise NotFound(f"dataset {version.slug!r} has no {fmt} download")
    version.check_available(f"download.{fmt}")
    stored = parts.StoredFile(version_dir(settings, version.slug, version.number), file_name(fmt))
    if not stored.exists():
        raise NotFound(f"the files of {version.slug} version {version.number} are missing")
    return stored


def iter_rows(settings: Settings, version: Version) -> Iterator[dict[str, Any]]:
    """The rows of a version as dicts, read back from its JSON Lines file."""
    stored = version_file(settings, version, "jsonl")
    decoder = msgspec.json.Decoder(dict[str, Any])
    with stored.open() as handle:
        for line in handle:
            yield decoder.decode(line)


# ----------------------------------------------------------------------------------------
# Publishing


async def publish(settings: Settings, slug: str) -> PublishOut:
    """Publish ``slug`` now: a new version if its content changed since the latest one.

    The one entry point for publishing: the CLI, the demo and every import call it.
    """
    dataset = get_dataset(settings, slug)
    root = datasets_root(settings) / slug
    root.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(remove_abandoned, root)
    latest = await latest_version(slug)
    # Asked before any row is read: a write after this is in the rows read, or it makes the
    # next publish's fingerprint differ.
    fingerprint = await _fingerprint(dataset)
    if latest is not None:
        if fingerprint is not None and fingerprint == latest.fingerprint:
            return PublishOut(slug=slug, created=False, version=latest.out(""))
        # Without one, a pass over the rows decides before any file is written. A changed
        # fingerprint means a write, most likely a change: the rows are written at once
        # (parts that did not change are neither compressed nor stored again), and an
        # unchanged result is still found before a version is made.
        if fingerprint is None and await _content_sha256(dataset) == latest.content_sha256:
            return PublishOut(slug=slug, created=False, version=latest.out(""))
    tmp = root / f".tmp-{uuid.uuid4().hex}"
    writing = _hold(tmp)
    tmp.mkdir()
    # Shared with other publishes, never with a collection of unlisted parts (``parts``).
    store_lock = await asyncio.to_thread(parts.hold_for_writing, parts.store_of(root))
    try:
        result = await _write(dataset, tmp)
        if result.rows == 0 and await latest_version(slug) is None:
            # Nothing to publish yet: an empty first version would only be noise.
            return PublishOut(slug=slug, created=False, version=None)
        content = result.files["jsonl"].sha256
        files = {fmt: {"sha256": f.sha256, "bytes": f.bytes} for fmt, f in result.files.items()}
        while True:
            base = await latest_version(slug)
            if base is not None and base.content_sha256 == content:
                await _remember(base, fingerprint)
                return PublishOut(slug=slug, created=False, version=base.out(""))
            old = version_dir(settings, slug, base.number) if base is not None else None
            changes = await asyncio.to_thread(diff_versions, old, tmp, tmp / CHANGES)
            version = await _commit(
                settings, dataset, base, tmp, result.rows, files, content, changes, fingerprint
            )
            if version is not None:
                log.info(
                    "published %s version %s (%s rows; %s new parts, %s kept from before)",
                    slug,
                    version.number,
                    version.rows,
                    result.parts.new,
                    result.parts.reused,
                )
                return PublishOut(
                    slug=slug, created=True, version=version_from_row(version.row).out("")
                )
            # Another publisher committed first: diff against its version and try again.
    finally:
        store_lock.close()
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        _let_go(tmp, writing)


# A publish holds an exclusive lock on ``.tmp-<id>.writing`` beside its working folder
# for as long as it runs; the OS drops it when the process dies. A folder whose lock
# anyone can take was left by a publish that crashed (a full disk, a killed worker):
# the next publish removes it, so crashes do not pile up copies of a dataset.
WRITING = ".writing"
ORPHAN_LOCK_AGE = 3600.0


def _hold(tmp: Path) -> IO[str]:
    handle = tmp.with_name(tmp.name + WRITING).open("w")
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return handle


def _let_go(tmp: Path, handle: IO[str]) -> None:
    tmp.with_name(tmp.name + WRITING).unlink(missing_ok=True)
    handle.close()


def _abandoned(lock: Path) -> IO[str] | None:
    """The lock of a dead publish, now held by the caller; None while its publish runs."""
    try:
        handle = lock.open("a")
    except OSError:
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def remove_abandoned(root: Path) -> list[str]:
    """Remove the working folders of publishes that died; returns their names."""
    removed = []
    for tmp in root.glob(".tmp-*"):
        if tmp.name.endswith(WRITING):
            # A lock whose folder is gone: left by a publish killed between the two.
            if not tmp.with_name(tmp.name.removesuffix(WRITING)).exists():
                with contextlib.suppress(OSError):
                    if time.time() - tmp.stat().st_mtime > ORPHAN_LOCK_AGE:
                        tmp.unlink()
            continue
        lock = tmp.with_name(tmp.name + WRITING)
        # The lock is made before the folder and removed after it: no lock, nobody writes.
        handle = _abandoned(lock) if lock.exists() else None
        if handle is None and lock.exists():
            continue
        try:
            shutil.rmtree(tmp, ignore_errors=True)
            lock.unlink(missing_ok=True)
            removed.append(tmp.name)
            log.warning("removed %s, left by a publish that did not finish", tmp)
        finally:
            if handle is not None:
                handle.close()
    return removed


# A filtered download is written on request: bounded like every answer. A bigger subset is
# refused with the full file's address (already written, and served with ranges).
MAX_SUBSET_ROWS = 250_000


@dataclass(frozen=True)
class Subset:
    path: Path
    sha256: str
    rows: int
    directory: Path  # temporary: remove it once the response has opened the file


async def write_subset(
    settings: Settings, slug: str, rows: AsyncIterator[Row], fmt: str, base_url: str
) -> Subset:
    """The rows a filtered query gives, in one format, written exactly as the dataset's
    files are (same writer: same columns, order and cell forms), into a temporary folder."""
    dataset = get_dataset(settings, slug)
    formats = [f for f in MEDIA_TYPES if f != "geojson" or "geojson" in dataset.formats]
    if fmt not in formats:
        raise InvalidInput(
            f"no download format {fmt[:20]!r}: use {', '.join(formats)}",
            errors=[{"where": "path", "name": "format", "message": "unknown format"}],
        )
    directory = Path(tempfile.mkdtemp(prefix="hromada-subset-"))
    writer = VersionWriter(dataset, directory, frozenset({fmt}))
    try:
        async for row in rows:
            writer.add(row)
            if writer.rows > MAX_SUBSET_ROWS:
                raise TooLarge(
                    f"more than {MAX_SUBSET_ROWS:,} rows match: narrow the filters, or take the "
                    f"whole dataset at {urls.download(base_url, slug, None, fmt)}"
                )
            if writer.rows % 5000 == 0:
                await asyncio.sleep(0)
        result = await asyncio.to_thread(writer.close)
    except BaseException:
        writer.abort()
        shutil.rmtree(directory, ignore_errors=True)
        raise
    info = result.files[fmt]
    return Subset(directory / file_name(fmt), info.sha256, result.rows, directory)


async def _fingerprint(dataset: Dataset) -> str | None:
    """The dataset's declared fingerprint, bound to its schema and to this release of the
    code that writes the files (an upgrade reads every row again, once)."""
    if dataset.fingerprint is None:
        return None
    source = await dataset.fingerprint()
    if source is None:
        return None
    bound = [_RELEASE, dataset.schema.descriptor(), dataset.formats, source]
    return hashlib.sha256(msgspec.json.encode(bound)).hexdigest()


async def _remember(version: Version, fingerprint: str | None) -> None:
    """The rows read at ``fingerprint`` were ``version``'s: the next publish that gets the
    same fingerprint reads none (only the row's bookkeeping changes, never its files)."""
    if fingerprint is None or fingerprint == version.fingerprint:
        return
    async with db.write_transaction():
        await DatasetVersion.update({DatasetVersion.fingerprint: fingerprint}).where(
            (DatasetVersion.slug == version.slug) & (DatasetVersion.number == version.number)
        )


async def _content_sha256(dataset: Dataset) -> str:
    hasher = ContentHash(dataset)
    async for row in dataset.rows():
        hasher.add(row)
        if hasher.rows % 5000 == 0:
            await asyncio.sleep(0)
    return hasher.hexdigest()


async def _write(dataset: Dataset, directory: Path) -> Any:
    writer = VersionWriter(dataset, directory, store=parts.store_of(directory.parent))
    try:
        count = 0
        async for row in dataset.rows():
            writer.add(row)
            count += 1
            if count % 5000 == 0:
                await asyncio.sleep(0)
    except BaseException:
        writer.abort()
        raise
    return await asyncio.to_thread(writer.close)


@dataclass
class _Committed:
    number: int
    rows: int
    row: dict[str, Any]


async def _commit(
    settings: Settings,
    dataset: Dataset,
    base: Version | None,
    tmp: Path,
    rows: int,
    files: dict[str, Any],
    content: str,
    changes: Changes,
    fingerprint: str | None,
) -> _Committed | None:
    slug = dataset.slug
    async with db.write_transaction():
        await db.advisory_xact_lock(f"hromada-catalog:{slug}")
        current = (
            await DatasetVersion.select(DatasetVersion.number)
            .where(DatasetVersion.slug == slug)
            .order_by(DatasetVersion.number, ascending=False)
            .limit(1)
        )
        current_number = current[0]["number"] if current else 0
        if current_number != (base.number if base else 0):
            return None
        number = current_number + 1
        target = version_dir(settings, slug, number)
        if target.exists():
            # Left by a publish that crashed before its row was committed: never visible.
            shutil.rmtree(target)
        os.rename(tmp, target)
        row: dict[str, Any] = {
            "slug": slug,
            "number": number,
            "created_at": datetime.datetime.now(datetime.UTC).replace(microsecond=0),
            "row_count": rows,
            "files": msgspec.json.encode(files).decode(),
            "content_sha256": content,
            "rows_added": changes.added,
            "rows_changed": changes.changed,
            "rows_removed": changes.removed,
            "listing": msgspec.json.encode(search.listing(dataset)).decode(),
            "fingerprint": fingerprint,
        }
        await DatasetVersion.insert(DatasetVersion(**row))
        # Its search document (the listing of the latest version) changes with it.
        await outbox.enqueue(search.DOC_TYPE, [slug])
    return _Committed(number=number, rows=rows, row=row)


async def publish_all(
    settings: Settings, slugs: list[str] | None = None, progress: Progress | None = None
) -> list[PublishOut]:
    wanted = slugs or [d.slug for d in all_datasets(settings)]
    out = []
    for index, slug in enumerate(wanted):
        if progress:
            progress("publish", index, len(wanted))
        out.append(await publish(settings, slug))
    if progress:
        progress("publish", len(wanted), len(wanted))
    return out


# ----------------------------------------------------------------------------------------
# The catalogue


def dataset_out(
    dataset: Dataset, latest: Version | None, versions: int, base_url: str
) -> DatasetOut:
    return DatasetOut(
        slug=dataset.slug,
        title_uk=dataset.title.uk,
        title_en=dataset.title.en,
        description_uk=dataset.description.uk,
        description_en=dataset.description.en,
        publisher=OrganisationOut(
            slug=dataset.publisher.slug,
            name_uk=dataset.publisher.name.uk,
            name_en=dataset.publisher.name.en,
            edrpou=dataset.publisher.edrpou,
        ),
        licence=dataset.licence.id,
        licence_url=dataset.licence.url,
        keywords=list(dataset.keywords),
        themes=list(dataset.themes),
        update_frequency=dataset.frequency.value,
        update_frequency_uk=dataset.frequency.uk,
        coverage=CoverageOut(
            katottg=dataset.coverage.katottg,
            place_uk=dataset.coverage.place.uk,
            place_en=dataset.coverage.place.en,
            start=dataset.coverage.start,
            end=dataset.coverage.end,
        ),
        legal_basis=dataset.legal_basis,
        purpose=dataset.purpose,
        responsible_person=dataset.responsible_person,
        contact_email=dataset.contact_email,
        language=dataset.language,
        formats=dataset.formats,
        schema={
            **dataset.schema.descriptor(),
            "fields": [
                msgspec.to_builtins(FieldOut(f.name, f.type, f.title, f.description))
                for f in dataset.schema.fields
            ],
        },
        latest_version=latest.out(base_url) if latest else None,
        versions=versions,
        datapackage_url=urls.datapackage(base_url, dataset.slug),
    )


def matches_text(dataset: Dataset, q: str) -> bool:
    haystack = " ".join(
        [
            dataset.slug,
            dataset.title.uk,
            dataset.title.en,
            dataset.description.uk,
            dataset.description.en,
            *dataset.keywords,
        ]
    ).casefold()
    return all(word in haystack for word in q.casefold().split())


def _matching(
    settings: Settings, q: str | None, theme: str | None, publisher: str | None, fmt: str | None
) -> list[Dataset]:
    return [
        d
        for d in all_datasets(settings)
        if (not q or matches_text(d, q))
        and (not theme or theme.upper() in d.themes)
        and (not publisher or publisher in (d.publisher.slug, d.publisher.edrpou))
        and (not fmt or fmt.lower() in d.formats)
    ]


async def _outs(datasets: list[Dataset], base_url: str) -> list[DatasetOut]:
    latest = await latest_versions()
    counts = await version_counts()
    return [dataset_out(d, latest.get(d.slug), counts.get(d.slug, 0), base_url) for d in datasets]


async def list_datasets(
    settings: Settings,
    *,
    q: str | None,
    theme: str | None,
    publisher: str | None,
    fmt: str | None,
    limit: int,
    cursor: str | None,
    base_url: str,
) -> Page[DatasetOut]:
    after = decode_cursor(cursor, 1, (str,))
    matching = _matching(settings, q, theme, publisher, fmt)
    chosen = [d for d in matching if after is None or d.slug > str(after[0])]
    page = make_page(chosen[: limit + 1], limit, lambda d: (d.slug,))
    items = await _outs(page.items, base_url)
    return Page(items=items, next_cursor=page.next_cursor, total=len(matching))


async def window_datasets(
    settings: Settings,
    *,
    q: str | None,
    theme: str | None,
    publisher: str | None,
    fmt: str | None,
    limit: int,
    after: str | None,
    before: str | None,
    backward: bool,
    base_url: str,
) -> tuple[list[DatasetOut], int]:
    """Up to ``limit`` datasets by slug between ``after`` and ``before``, nearest first
    (descending when ``backward``), and how many match in all."""
    matching = _matching(settings, q, theme, publisher, fmt)
    chosen = [
        d
        for d in matching
        if (after is None or d.slug > after) and (before is None or d.slug < before)
    ]
    if backward:
        chosen.reverse()
    return await _outs(chosen[:limit], base_url), len(matching)


async def get_dataset_out(settings: Settings, slug: str, base_url: str) -> DatasetOut:
    dataset = get_dataset(settings, slug)
    latest = await latest_version(slug)
    counts = await version_counts()
    return dataset_out(dataset, latest, counts.get(slug, 0), base_url)


def facets(
    settings: Settings, *, q: str | None, theme: str | None, fmt: str | None
) -> dict[str, dict[str, int]]:
    """How many datasets of the current selection have each theme and each format: what a
    reader narrows the catalogue by next (every count honours the other choices)."""
    themes: dict[str, int] = {}
    for dataset in _matching(settings, q, None, None, fmt):
        for name in dataset.themes:
            themes[name] = themes.get(name, 0) + 1
    formats: dict[str, int] = {}
    for dataset in _matching(settings, q, theme, None, None):
        for name in dataset.formats:
            formats[name] = formats.get(name, 0) + 1
    return {"theme": dict(sorted(themes.items())), "format": dict(sorted(formats.items()))}
