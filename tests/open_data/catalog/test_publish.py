from __future__ import annotations

import csv
import hashlib
import io
import json

import msgspec
import openpyxl
import pytest

from hromada.config import Settings
from hromada.errors import NotFound
from hromada.open_data.catalog import parts, service
from hromada.open_data.catalog.formats import SchemaMismatch, VersionWriter
from hromada.open_data.catalog.model import Dataset, Field, Frequency, TableSchema, Text
from hromada.open_data.catalog.registry import all_datasets, city_of, get_dataset
from hromada.open_data.registries.tables import Building


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_every_registry_is_a_dataset(small_city: Settings) -> None:
    slugs = [d.slug for d in all_datasets(small_city)]
    assert {"districts", "streets", "buildings"} <= set(slugs)
    formats = get_dataset(small_city, "buildings").formats
    assert formats == ["csv", "json", "geojson", "jsonl", "xlsx", "parquet"]
    assert "geojson" not in get_dataset(small_city, "streets").formats
    with pytest.raises(NotFound):
        get_dataset(small_city, "nope")


async def test_publish_makes_a_version_only_when_content_changes(small_city: Settings) -> None:
    first = await service.publish(small_city, "buildings")
    assert first.created and first.version is not None
    assert first.version.number == 1
    assert first.version.row_count == 80
    assert first.version.changes.rows_added == 80

    # Unchanged is decided from the rows' content hash before any file is written:
    # a writer that refuses to start shows none is.
    def no_writing(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged publish wrote files")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(service, "VersionWriter", no_writing)
        again = await service.publish(small_city, "buildings")
    assert not again.created
    assert again.version is not None and again.version.number == 1

    # One building changes, one goes, one comes.
    ids = [r["id"] for r in await Building.select(Building.id).order_by(Building.id)]
    await Building.update({Building.floors: 99}).where(Building.id == ids[3])
    await Building.delete().where(Building.id == ids[10])
    template = (await Building.select().where(Building.id == ids[0]))[0]
    template.pop("id")
    await Building.insert(Building(**{**template, "number": "777"}))

    second = await service.publish(small_city, "buildings")
    assert second.created and second.version is not None
    assert second.version.number == 2
    assert second.version.row_count == 80
    c = second.version.changes
    assert (c.rows_added, c.rows_changed, c.rows_removed) == (1, 1, 1)

    # Version 1 is intact and still what its row says.
    v1 = await service.get_version(small_city, "buildings", 1)
    for fmt, info in v1.files.items():
        assert sha(service.version_file(small_city, v1, fmt)) == info["sha256"]
    latest = await service.get_version(small_city, "buildings", None)
    assert latest.number == 2
    assert latest.files["csv"]["sha256"] != v1.files["csv"]["sha256"]

    since = await service.changes_since(
        small_city, "buildings", "1", limit=10, cursor=None, base_url=""
    )
    assert [v.number for v in since.items] == [2]


async def test_files_agree_with_each_other(small_city: Settings) -> None:
    await service.publish(small_city, "buildings")
    version = await service.get_version(small_city, "buildings", None)
    text = lambda fmt: service.version_file(small_city, version, fmt).read_bytes().decode()  # noqa: E731
    jsonl = [json.loads(line) for line in text("jsonl").splitlines()]
    assert json.loads(text("json")) == jsonl
    rows = list(csv.DictReader(io.StringIO(text("csv"))))
    assert len(rows) == len(jsonl) == 80
    assert rows[0]["id"] == str(jsonl[0]["id"])
    geo = json.loads(text("geojson"))
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 80
    feature = geo["features"][0]
    assert feature["geometry"]["coordinates"] == [jsonl[0]["lon"], jsonl[0]["lat"]]
    xlsx = service.version_file(small_city, version, "xlsx").read_bytes()
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True).active
    cells = list(sheet.iter_rows(values_only=True))
    assert list(cells[0]) == list(jsonl[0].keys())
    assert len(cells) == 81
    assert cells[1][0] == jsonl[0]["id"]


async def test_same_content_gives_the_same_bytes(small_city: Settings, tmp_path) -> None:
    dataset = get_dataset(small_city, "streets")
    hashes = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        writer = VersionWriter(dataset, tmp_path / name)
        async for row in dataset.rows():
            writer.add(row)
        result = writer.close()
        hashes.append({fmt: f.sha256 for fmt, f in result.files.items()})
    assert hashes[0] == hashes[1]


def _toy(rows: list[dict]) -> Dataset:
    async def source():
        for row in rows:
            yield row

    city = city_of(Settings())
    return Dataset(
        slug="toy",
        title=Text("Т", "T"),
        description=Text("Т", "T"),
        publisher=city.council,
        coverage=city.coverage(),
        frequency=Frequency.DAILY,
        schema=TableSchema(
            fields=(Field("id", "integer"), Field("name", "string")), primary_key=("id",)
        ),
        rows=source,
    )


@pytest.mark.parametrize(
    "rows",
    [
        [{"id": 2, "name": "b"}, {"id": 1, "name": "a"}],  # out of order
        [{"id": 1, "name": "a"}, {"id": 1, "name": "b"}],  # duplicate key
        [{"id": None, "name": "a"}],  # empty key
        [{"id": "x", "name": "a"}],  # wrong type
    ],
)
async def test_a_query_that_breaks_its_declaration_is_refused(rows, tmp_path) -> None:
    dataset = _toy(rows)
    writer = VersionWriter(dataset, tmp_path)
    with pytest.raises(SchemaMismatch):
        async for row in dataset.rows():
            writer.add(row)
    writer.abort()


def test_hostile_text_is_written_safely(tmp_path) -> None:
    nasty = 'a,"b"\n\x00\x1f<x>&</x> =1+2 ʼ'
    dataset = _toy([{"id": 1, "name": nasty}])
    writer = VersionWriter(dataset, tmp_path)
    writer.add({"id": 1, "name": nasty})
    writer.close()
    row = next(csv.DictReader(io.StringIO((tmp_path / "data.csv").read_text())))
    assert row["name"] == nasty
    assert msgspec.json.decode((tmp_path / "data.jsonl").read_bytes())["name"] == nasty
    sheet = openpyxl.load_workbook(tmp_path / "data.xlsx").active
    assert sheet.cell(2, 2).value == 'a,"b"\n<x>&</x> =1+2 ʼ'


async def test_unknown_dataset_and_version(small_city: Settings) -> None:
    with pytest.raises(NotFound):
        await service.publish(small_city, "nope")
    with pytest.raises(NotFound):
        await service.get_version(small_city, "buildings", None)
    await service.publish(small_city, "districts")
    with pytest.raises(NotFound):
        await service.get_version(small_city, "districts", 2)


async def test_concurrent_publishes_make_one_version(small_city: Settings) -> None:
    import asyncio

    results = await asyncio.gather(*[service.publish(small_city, "streets") for _ in range(4)])
    created = [r for r in results if r.created]
    assert len(created) == 1
    assert {r.version.number for r in results if r.version} == {1}
    versions = await service.list_versions(
        small_city, "streets", limit=10, cursor=None, base_url=""
    )
    assert [v.number for v in versions.items] == [1]
    # No temporary directory is left behind, and every stored part is one version 1 lists.
    root = service.datasets_root(small_city) / "streets"
    assert sorted(p.name for p in root.iterdir()) == ["1", "parts"]
    assert parts.collect(root) == 0


async def test_a_crashed_publish_leaves_nothing_visible(
    small_city: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = get_dataset(small_city, "districts")

    async def broken():
        yield {"code": "a", "name_uk": "А", "name_en": "A", "lat": 1.0, "lon": 2.0}
        raise RuntimeError("the database went away")

    import dataclasses

    from hromada.open_data.catalog import registry

    patched = dataclasses.replace(dataset, rows=broken)
    monkeypatch.setattr(
        registry,
        "get_dataset",
        lambda settings, slug: patched if slug == "districts" else get_dataset(settings, slug),
    )
    monkeypatch.setattr(service, "get_dataset", registry.get_dataset)
    with pytest.raises(RuntimeError):
        await service.publish(small_city, "districts")
    with pytest.raises(NotFound):
        await service.get_version(small_city, "districts", None)
    root = service.datasets_root(small_city) / "districts"
    assert [p.name for p in root.iterdir()] == ["parts"]
    # Any part it stored before the crash is listed by no version: collected.
    assert parts.collect(root) is not None
    assert [p for p in (root / "parts").rglob("*") if p.is_file() and p.name != ".lock"] == []


async def test_the_next_publish_removes_what_a_killed_publish_left(small_city: Settings) -> None:
    """A publish killed mid-way (a full disk, a killed worker) leaves its working folder;
    the next publish removes it, but never the folder of a publish still running."""
    import fcntl
    import os
    import time

    root = service.datasets_root(small_city) / "streets"
    root.mkdir(parents=True)
    # Killed: its lock file is there, and nobody holds it.
    dead = root / ".tmp-dead"
    (dead / "data.csv").parent.mkdir()
    (dead / "data.csv").write_bytes(b"x" * 1000)
    (root / ".tmp-dead.writing").touch()
    # Killed before it made its lock file, or an older publish: no lock at all.
    older = root / ".tmp-older"
    older.mkdir()
    # Running in another process: its lock is held.
    running = root / ".tmp-running"
    running.mkdir()
    held = (root / ".tmp-running.writing").open("w")
    fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
    # A lock file whose folder is gone, an hour old.
    orphan = root / ".tmp-orphan.writing"
    orphan.touch()
    os.utime(orphan, (time.time() - 2 * service.ORPHAN_LOCK_AGE,) * 2)
    try:
        result = await service.publish(small_city, "streets")
        assert result.created
        names = sorted(p.name for p in root.iterdir())
        assert names == [".tmp-running", ".tmp-running.writing", "1", "parts"]
    finally:
        held.close()
    # Once its process is gone, the next publish removes that one too.
    assert not (await service.publish(small_city, "streets")).created
    assert sorted(p.name for p in root.iterdir()) == ["1", "parts"]
