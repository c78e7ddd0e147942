"""Retention: which versions keep their files, and removing the files of the others.

A version's files are the bulk of the data directory (every version is a full copy
in every format). ``prune`` removes the files of old versions and keeps their rows:
the number, date, row count, change counts and each file's SHA-256 stay listed, so a
citation can still be checked, and every URL of a pruned version answers 410 with
the same file of the latest version (``Version.check_available``). Never pruned: the
latest version (the next publish diffs against it), and a pinned version unless the
caller says so (``include_pinned``), since a pinned version is one somebody cites.

The row is marked first, in the publisher's lock, and the files are removed after the
commit: a crash in between leaves files nobody serves, which the next prune sweeps.
A download already streaming keeps its open file (POSIX unlink semantics).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import logging
import shutil
from dataclasses import dataclass

from hromada import db
from hromada.config import Settings
from hromada.errors import InvalidInput
from hromada.open_data.catalog import parts
from hromada.open_data.catalog.registry import get_dataset
from hromada.open_data.catalog.service import (
    Version,
    datasets_root,
    version_dir,
    version_from_row,
)
from hromada.open_data.catalog.tables import DatasetVersion

log = logging.getLogger("hromada.catalog")


@dataclass(frozen=True)
class Pruned:
    slug: str
    number: int
    bytes: int  # what removing its files freed (or would free, in a dry run)


def _file_bytes(version: Version) -> int:
    return sum(int(info.get("bytes", 0)) for info in version.files.values())


async def prune(
    settings: Settings,
    slug: str,
    *,
    keep: int,
    older_than: datetime.timedelta | None = None,
    include_pinned: bool = False,
    dry_run: bool = False,
) -> list[Pruned]:
    """Remove the files of ``slug``'s versions beyond the newest ``keep`` (at least 1),
    only those older than ``older_than`` when it is given; returns what was pruned."""
    get_dataset(settings, slug)
    if keep < 1:
        raise InvalidInput("keep at least one version: the latest is never pruned")
    cutoff = datetime.datetime.now(datetime.UTC) - older_than if older_than is not None else None
    pruned: list[Pruned] = []
    async with db.write_transaction():
        # The publisher's lock: no version is committed (and diffed) while rows change here.
        await db.advisory_xact_lock(f"hromada-catalog:{slug}")
        rows = (
            await DatasetVersion.select()
            .where(DatasetVersion.slug == slug)
            .order_by(DatasetVersion.number, ascending=False)
        )
        for version in [version_from_row(row) for row in rows][keep:]:
            if version.pruned_at is not None or (version.pinned and not include_pinned):
                continue
            if cutoff is not None and version.created_at >= cutoff:
                continue
            pruned.insert(0, Pruned(slug, version.number, _file_bytes(version)))  # oldest first
        if pruned and not dry_run:
            now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
            await DatasetVersion.update({DatasetVersion.pruned_at: now}).where(
                (DatasetVersion.slug == slug)
                & DatasetVersion.number.is_in([p.number for p in pruned])
            )
    if not dry_run:
        await sweep(settings, slug)
        for item in pruned:
            log.info("pruned %s version %s (%s bytes)", slug, item.number, item.bytes)
    return pruned


async def apply_policy(settings: Settings, slug: str) -> list[Pruned]:
    """Prune ``slug`` as HROMADA_KEEP_VERSIONS says (nothing when it is 0): run after
    every publish that made a version, so the policy holds without a scheduler."""
    if not settings.keep_versions:
        return []
    return await prune(settings, slug, keep=settings.keep_versions)


async def sweep(settings: Settings, slug: str) -> list[int]:
    """Remove the files left of ``slug``'s pruned versions (idempotent), then the parts
    no remaining version lists; the numbers of the versions whose files went."""
    rows = await DatasetVersion.select(DatasetVersion.number).where(
        (DatasetVersion.slug == slug) & DatasetVersion.pruned_at.is_not_null()
    )
    removed = []
    for row in rows:
        directory = version_dir(settings, slug, row["number"])
        if directory.exists():
            await asyncio.to_thread(shutil.rmtree, directory, True)
            removed.append(row["number"])
    collected = await asyncio.to_thread(parts.collect, datasets_root(settings) / slug)
    if collected is None:
        log.info("%s: a publish is writing; unlisted parts wait for the next prune", slug)
    elif collected:
        log.info("%s: removed %s parts no version lists", slug, collected)
    return removed


async def pin(settings: Settings, slug: str, number: int, *, pinned: bool = True) -> Version:
    """Pin (or unpin) a version: a pinned version outlives every prune that is not told
    to include pinned versions. A pruned version cannot be pinned back to life."""
    get_dataset(settings, slug)
    async with db.write_transaction():
        await db.advisory_xact_lock(f"hromada-catalog:{slug}")
        rows = await DatasetVersion.select().where(
            (DatasetVersion.slug == slug) & (DatasetVersion.number == number)
        )
        if not rows:
            raise InvalidInput(f"dataset {slug!r} has no version {number}")
        version = version_from_row(rows[0])
        if pinned and version.pruned_at is not None:
            raise InvalidInput(
                f"version {number} of {slug!r} was pruned on {version.pruned_at:%Y-%m-%d}: "
                "its files are gone, there is nothing left to keep"
            )
        await DatasetVersion.update({DatasetVersion.pinned: pinned}).where(
            (DatasetVersion.slug == slug) & (DatasetVersion.number == number)
        )
    return dataclasses.replace(version, pinned=pinned)
