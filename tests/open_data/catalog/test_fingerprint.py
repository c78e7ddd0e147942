"""A publish with nothing new decides so from a fingerprint, without reading a row.

The appeals dataset declares one (``appeals.queries.public_rows_fingerprint``): the write
counts of its tables (``db.write_counts``, kept by triggers) and how many appeals the clock
has made overdue. Every case that must not be missed is here: a write of any kind, a
no-op write, an upgrade of the code, and time passing over a deadline.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest

from hromada import db
from hromada.config import Settings
from hromada.open_data.appeals import queries
from hromada.open_data.appeals import service as appeals
from hromada.open_data.appeals.districts import KYIV_DISTRICTS, load_built_in
from hromada.open_data.appeals.formats import COLUMNS
from hromada.open_data.appeals.tables import Appeal, AppealCategory
from hromada.open_data.catalog import service


def _csv(count: int, *, deadline: str = "", text: str = "Немає опалення") -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    for i in range(count):
        writer.writerow(
            {
                "id": f"F-{i}",
                "received_at": f"2026-01-{i + 1:02d}T09:00:00+00:00",
                "deadline_at": deadline,
                "category": "Відсутність опалення",
                "district": KYIV_DISTRICTS[i % 3][1],
                "text": text,
                "status": "registered",
            }
        )
    return out.getvalue().encode()


@pytest.fixture
async def appeals_city(clean_db: Settings) -> Settings:
    await load_built_in("kyiv")
    report = await appeals.import_file(io.BytesIO(_csv(8)))
    assert report.applied, report
    return clean_db


def _refuse_reading(patch: pytest.MonkeyPatch) -> None:
    """From here on, a publish that reads a row (to hash it, or to write it) fails."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the publish read the rows")

    patch.setattr(service, "_content_sha256", refuse)
    patch.setattr(service, "_write", refuse)


async def test_write_counts_grow_with_every_kind_of_write(clean_db: Settings) -> None:
    await db.write_counts(("appeal_category",))  # its triggers exist from here on
    start = await db.write_counts(("appeal_category",))
    assert start is not None
    assert await db.write_counts(("appeal_category",)) == start  # no write, same answer

    await AppealCategory.insert(AppealCategory(code="c1", name="Ліфт"))
    inserted = await db.write_counts(("appeal_category",))
    await AppealCategory.update({AppealCategory.group_name: "Житло"}).where(
        AppealCategory.code == "c1"
    )
    updated = await db.write_counts(("appeal_category",))
    await AppealCategory.delete().where(AppealCategory.code == "c1")
    deleted = await db.write_counts(("appeal_category",))
    assert inserted is not None and updated is not None and deleted is not None
    values = [c["appeal_category"] for c in (start, inserted, updated, deleted)]
    assert values == sorted(set(values)), values  # strictly growing


async def test_a_table_that_lost_its_triggers_gets_them_back(clean_db: Settings) -> None:
    await db.write_counts(("appeal_category",))
    engine = db.current_engine()
    if db.dialect() == "postgres":
        await engine.run_ddl("DROP TRIGGER hromada_count_appeal_category ON appeal_category")
    else:
        for event in ("insert", "update", "delete"):
            await engine.run_ddl(f"DROP TRIGGER hromada_count_appeal_category_{event}")
    # Writes made while no trigger counted them cannot be vouched for: no answer.
    await AppealCategory.insert(AppealCategory(code="c2", name="Сміття"))
    assert await db.write_counts(("appeal_category",)) is None
    before = await db.write_counts(("appeal_category",))
    await AppealCategory.delete().where(AppealCategory.code == "c2")
    after = await db.write_counts(("appeal_category",))
    assert before is not None and after is not None and after != before


async def test_write_counts_refuse_what_is_not_a_table_name(clean_db: Settings) -> None:
    with pytest.raises(ValueError, match="not a table name"):
        await db.write_counts(("appeal; DROP TABLE appeal",))


async def test_an_unchanged_publish_reads_no_row(
    appeals_city: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await service.publish(appeals_city, "appeals")
    assert first.created
    # The first version was published before its tables' writes were counted: the next
    # publish reads the rows once, finds them unchanged and keeps the fingerprint.
    again = await service.publish(appeals_city, "appeals")
    assert not again.created
    with monkeypatch.context() as patch:
        _refuse_reading(patch)
        third = await service.publish(appeals_city, "appeals")
    assert not third.created and third.version is not None
    assert third.version.number == 1


async def test_every_write_is_seen(appeals_city: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    await service.publish(appeals_city, "appeals")
    await service.publish(appeals_city, "appeals")  # the fingerprint is kept from here

    # A write that changes a row: a new version.
    await Appeal.update({Appeal.text: "Немає опалення вже тиждень"}).where(
        Appeal.source_id == "F-2"
    )
    changed = await service.publish(appeals_city, "appeals")
    assert changed.created and changed.version is not None
    assert changed.version.changes.rows_changed == 1

    # A category renamed: a table the rows join to.
    await AppealCategory.update({AppealCategory.name: "Опалення відсутнє"}, force=True)
    renamed = await service.publish(appeals_city, "appeals")
    assert renamed.created and renamed.version is not None
    assert renamed.version.changes.rows_changed == 8

    # A write that changes nothing public: the rows are read once and found the same.
    await Appeal.update({Appeal.status: Appeal.status}, force=True)
    same = await service.publish(appeals_city, "appeals")
    assert not same.created and same.version is not None
    assert same.version.number == renamed.version.number
    with monkeypatch.context() as patch:
        _refuse_reading(patch)
        assert not (await service.publish(appeals_city, "appeals")).created


async def test_a_new_release_reads_the_rows_again(
    appeals_city: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await service.publish(appeals_city, "appeals")
    await service.publish(appeals_city, "appeals")
    read: list[bool] = []
    original = service._write

    async def counting(dataset: object, directory: object) -> object:
        read.append(True)
        return await original(dataset, directory)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "_write", counting)
    await service.publish(appeals_city, "appeals")
    assert read == []
    monkeypatch.setattr(service, "_RELEASE", "99.0")
    assert not (await service.publish(appeals_city, "appeals")).created
    assert read == [True]


async def test_a_deadline_passing_is_a_change(
    clean_db: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await load_built_in("kyiv")
    deadline = "2026-03-01T12:00:00+00:00"
    report = await appeals.import_file(io.BytesIO(_csv(3, deadline=deadline)))
    assert report.applied, report
    before = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    monkeypatch.setattr(queries, "now", lambda: before)
    await service.publish(clean_db, "appeals")
    await service.publish(clean_db, "appeals")

    # No write at all, only the clock: every open appeal is now overdue.
    monkeypatch.setattr(queries, "now", lambda: dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
    later = await service.publish(clean_db, "appeals")
    assert later.created and later.version is not None
    assert later.version.changes.rows_changed == 3


async def test_an_upsert_into_counted_tables_works_and_counts(appeals_city: Settings) -> None:
    """The import writes by upsert: the triggers must not break it (SQLite applies the outer
    statement's conflict policy inside a trigger), and it must count."""
    await service.publish(appeals_city, "appeals")  # the appeals' tables are counted now
    before = await db.write_counts(queries.PUBLIC_ROW_TABLES)
    report = await appeals.import_file(io.BytesIO(_csv(8, text="Досі немає опалення")))
    assert report.applied, report
    after = await db.write_counts(queries.PUBLIC_ROW_TABLES)
    assert before is not None and after is not None
    assert after["appeal"] > before["appeal"]


async def test_registries_are_fingerprinted_by_their_tables(
    small_city: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hromada.open_data.registries.tables import Street

    for slug in ("districts", "streets", "buildings"):
        await service.publish(small_city, slug)
        await service.publish(small_city, slug)
    with monkeypatch.context() as patch:
        _refuse_reading(patch)
        for slug in ("districts", "streets", "buildings"):
            assert not (await service.publish(small_city, slug)).created
    # A street renamed: the streets and the buildings (their rows carry its name) change.
    await Street.update({Street.name: "Нова назва"}).where(
        Street.id == (await Street.select(Street.id).limit(1))[0]["id"]
    )
    assert (await service.publish(small_city, "streets")).created
    assert (await service.publish(small_city, "buildings")).created
    with monkeypatch.context() as patch:
        _refuse_reading(patch)
        assert not (await service.publish(small_city, "districts")).created
