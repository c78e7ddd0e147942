from __future__ import annotations

import asyncio
import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest

from hromada.config import Settings
from hromada.errors import FileRefused
from hromada.open_data.appeals import formats, service
from hromada.open_data.appeals.schemas import AppealFilters
from hromada.open_data.appeals.tables import Appeal, AppealCategory

UKRAINIAN_HEADER = (
    "номер;дата надходження;канал;категорія;район;адреса;текст;статус;виконавець;"
    "термін;дата виконання;конфіденційне;широта;довгота;відповідь"
)


async def _import(data: bytes, **kw: object) -> service.ImportReport:
    return await service.import_file(io.BytesIO(data), **kw)  # type: ignore[arg-type]


async def _all_rows() -> list[dict]:
    return await Appeal.select().order_by(Appeal.source_id).run()


async def test_csv_import_anonymises_and_strips_confidential(samples: Any, kyiv: Settings) -> None:
    rows = samples.make_rows(60)
    report = await _import(samples.to_csv(rows))
    assert report.applied, report.errors
    assert (report.imported, report.updated, report.rejected) == (60, 0, 0)
    stored = await _all_rows()
    assert len(stored) == 60
    dump = json.dumps(stored, default=str, ensure_ascii=False)
    for value in samples.personal_values():
        assert value not in dump, value
    confidential = [r for r in stored if r["confidential"]]
    assert len(confidential) == 6
    for row in confidential:
        assert row["text"] is None and row["answer"] is None and row["street"] is None
        assert row["lat"] is None and row["lon"] is None
        assert row["source_id"].startswith("c-")  # the export's id is not kept
        assert row["district"] is not None and row["category"] is not None
    public = [r for r in stored if not r["confidential"]]
    assert all(r["street"] == "вул. Хрещатик" for r in public)
    assert all("[ТЕЛЕФОН]" in r["text"] or "[EMAIL]" in r["text"] for r in public)
    # Categories make the service catalogue.
    assert await AppealCategory.count().run() == 4


@pytest.mark.parametrize("variant", ["semicolon-bom", "jsonl", "ukrainian-header", "gzip"])
async def test_other_spellings_of_the_same_file(samples: Any, kyiv: Settings, variant: str) -> None:
    rows = samples.make_rows(20)
    if variant == "semicolon-bom":
        data = samples.to_csv(rows, delimiter=";", bom=True)
    elif variant == "jsonl":
        data = samples.to_jsonl(rows)
    elif variant == "gzip":
        data = gzip.compress(samples.to_csv(rows))
    else:
        body = samples.to_csv(rows, delimiter=";").decode().split("\r\n", 1)[1]
        data = (UKRAINIAN_HEADER + "\r\n" + body).encode()
    report = await _import(data)
    assert report.applied and report.imported == 20, report.errors
    assert report.format == ("jsonl" if variant == "jsonl" else "csv")


async def test_values_in_every_accepted_spelling(samples: Any, kyiv: Settings) -> None:
    rows = samples.make_rows(4)
    rows[0]["received_at"] = "05.01.2026 10:30"
    rows[0]["confidential"] = "1"
    rows[1]["confidential"] = "FALSE"
    rows[1]["district"] = "оболонский р-н"
    rows[2]["district"] = "Солом`янський район"
    rows[3]["district"] = "СОЛОМʼЯНСЬКИЙ"
    rows[3]["status"] = "Виконано"
    rows[3]["resolved_at"] = "07.01.2026 10:30"
    report = await _import(samples.to_csv(rows))
    assert report.applied, report.errors
    stored = {r["executor"]: r for r in await _all_rows()}
    assert len(stored) == 1  # same executor
    by_status = await Appeal.select(Appeal.status, Appeal.district.code).run()
    codes = sorted(r["district.code"] for r in by_status)
    assert codes.count("kyiv-solomianskyi") == 2
    assert "kyiv-obolonskyi" in codes


async def test_bad_rows_are_all_reported_and_nothing_is_written(
    samples: Any, kyiv: Settings
) -> None:
    rows = samples.make_rows(30)
    rows[2]["received_at"] = "31.02.2026 10:00"
    rows[5]["district"] = "Атлантида"
    rows[7]["id"] = ""
    rows[9]["id"] = rows[8]["id"]
    rows[11]["confidential"] = "можливо"
    rows[13]["lat"] = "north"
    report = await _import(samples.to_csv(rows))
    assert not report.applied
    assert report.imported == 0 and report.rejected == 6
    found = {(e.line, e.column) for e in report.errors}
    # Line 1 is the header: row i is on line i + 2.
    assert found == {
        (4, "received_at"),
        (7, "district"),
        (9, "id"),
        (11, "id"),
        (13, "confidential"),
        (15, "lat"),
    }
    assert any("duplicate id" in e.reason for e in report.errors)
    assert any("unknown district" in e.reason for e in report.errors)
    assert await Appeal.count().run() == 0
    assert await AppealCategory.count().run() == 0


async def test_bad_rows_do_not_touch_earlier_data(samples: Any, kyiv: Settings) -> None:
    rows = samples.make_rows(20)
    assert (await _import(samples.to_csv(rows))).applied
    before = await _all_rows()
    changed = samples.make_rows(20)
    for row in changed:
        row["status"] = "resolved"
        row["resolved_at"] = "2026-12-01T00:00:00+00:00"
    changed[19]["received_at"] = "not a date"
    report = await _import(samples.to_csv(changed))
    assert not report.applied
    assert await _all_rows() == before


async def test_allow_rejects_imports_the_good_rows(samples: Any, kyiv: Settings) -> None:
    rows = samples.make_rows(10)
    rows[4]["district"] = "Нарнія"
    report = await _import(samples.to_csv(rows), allow_rejects=True)
    assert report.applied and report.imported == 9 and report.rejected == 1
    assert await Appeal.count().run() == 9


async def test_reimport_is_idempotent_and_updates(samples: Any, kyiv: Settings) -> None:
    rows = samples.make_rows(25)
    first = await _import(samples.to_csv(rows))
    assert first.imported == 25
    again = await _import(samples.to_csv(rows))
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 25)
    rows[0]["status"] = "resolved"
    rows[0]["resolved_at"] = "2026-01-06T08:00:00+00:00"
    rows[0]["answer"] = "Опалення відновлено."
    rows[3]["status"] = "rejected"  # a confidential one: updated under its hashed id
    newer = await _import(samples.to_csv(rows))
    assert (newer.imported, newer.updated, newer.unchanged) == (0, 2, 23)
    assert await Appeal.count().run() == 25
    updated = await Appeal.select().where(Appeal.source_id == "T-00000").first().run()
    assert updated is not None
    assert updated["status"] == "resolved" and updated["answer"] == "Опалення відновлено."
    assert updated["resolution_hours"] == 24.0


async def test_confidentiality_change_replaces_the_row(samples: Any, kyiv: Settings) -> None:
    rows = samples.make_rows(5)
    rows[0]["confidential"] = "ні"
    await _import(samples.to_csv(rows))
    rows[0]["confidential"] = "так"
    report = await _import(samples.to_csv(rows))
    assert report.updated == 1 and report.imported == 0
    assert await Appeal.count().where(Appeal.source_id == "T-00000").run() == 0
    assert await Appeal.count().run() == 5


async def test_concurrent_imports_of_the_same_file(samples: Any, kyiv: Settings) -> None:
    data = samples.to_csv(samples.make_rows(40))
    reports = await asyncio.gather(*[_import(data) for _ in range(4)])
    assert sum(r.imported for r in reports) == 40
    assert sum(r.unchanged for r in reports) == 120
    assert await Appeal.count().run() == 40


# ---------------------------------------------------------------------------
# Files that are not what they claim


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty"),
        (bytes(range(256)) * 100, "binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "binary"),
        (b"id,received_at\n" + b"\xff\xfe broken", "UTF-8"),
        (b"name,age,city\nIvan,30,Kyiv\n", "not an appeals header"),
        (b"id;foo;bar\n1;2;3\n", "missing received_at"),
        (b"x" * (formats.MAX_RECORD_CHARS + 10), "longer than"),
        (b'{"hello": "world"}\n', "not an appeals header"),
        (b'[{"Id": 1, "foo": "bar"}]', "not a Kyiv 1551 API record"),
    ],
)
async def test_files_that_are_not_appeals_are_refused(
    kyiv: Settings, data: bytes, fragment: str
) -> None:
    with pytest.raises(FileRefused, match=fragment):
        await _import(data)
    assert await Appeal.count().run() == 0


async def test_a_huge_line_is_refused_in_bounded_memory(samples: Any, kyiv: Settings) -> None:
    """A stream of 200 MB without a newline is refused after reading one capped line."""

    class Endless(io.RawIOBase):
        def __init__(self) -> None:
            self.served = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
            if self.served > 200 * 1024 * 1024:
                return 0
            buffer[:] = b"a" * len(buffer)
            self.served += len(buffer)
            return len(buffer)

    source = Endless()
    with pytest.raises(FileRefused, match="longer than"):
        await service.import_file(io.BufferedReader(source))
    assert source.served < 10 * formats.MAX_RECORD_CHARS


async def test_a_huge_json_record_is_refused(samples: Any, kyiv: Settings) -> None:
    data = (
        b'[{"receivedDateTime": "2025-01-01T00:00Z", "content": "'
        + b"a" * (formats.MAX_RECORD_CHARS + 5)
        + b'"}]'
    )
    with pytest.raises(FileRefused, match="longer than"):
        await _import(data, fmt="kyiv1551-api")


async def test_hostile_values_are_stored_as_text(samples: Any, kyiv: Settings) -> None:
    rows = samples.make_rows(6)
    rows[0]["text"] = "'; DROP TABLE appeal; -- " + "x" * 20
    rows[1]["category"] = "Robert'); DELETE FROM appeal_category;--"
    rows[2]["text"] = "Довгий текст. " * 700  # ~10k characters
    rows[3]["executor"] = "<script>alert(1)</script>"
    rows[4]["text"] = "\x07\x1b[31mcontrol\x00 characters"
    report = await _import(samples.to_csv(rows))
    assert report.applied, report.errors
    assert await Appeal.count().run() == 6
    stored = {r["source_id"]: r for r in await _all_rows()}
    assert "DROP TABLE" in stored["T-00000"]["text"]
    assert len(stored["T-00002"]["text"]) > 9000
    assert "\x1b" not in stored["T-00004"]["text"]


async def test_too_long_text_is_a_bad_row(samples: Any, kyiv: Settings) -> None:
    rows = samples.make_rows(2)
    rows[1]["text"] = "а" * 25_000
    report = await _import(samples.to_csv(rows))
    assert not report.applied
    assert [(e.line, e.column) for e in report.errors] == [(3, "text")]


async def test_json_lines_with_a_broken_line(samples: Any, kyiv: Settings) -> None:
    data = (
        samples.to_jsonl(samples.make_rows(3))
        + b'{"id": "T-9", "received_at": \n'
        + samples.to_jsonl(samples.make_rows(1, seed=2))
    )
    report = await _import(data, fmt="jsonl")
    assert not report.applied
    assert [e.line for e in report.errors][:1] == [4]


# ---------------------------------------------------------------------------
# Real Kyiv 1551 data


async def test_kyiv_1551_api_records(samples: Any, kyiv: Settings, shared_data: Path) -> None:
    path = shared_data / "kyiv1551_api_karta-kyiv" / "appeals_api_sample_6records.json"
    with path.open("rb") as handle:
        report = await service.import_file(handle)
    assert report.format == "kyiv1551-api"
    assert report.applied and report.imported == 6, report.errors
    stored = {r["source_id"]: r for r in await _all_rows()}
    first = stored["5-539036/2"]
    assert first["street"] == "вул. Роздільна"  # the house number is dropped
    assert first["status"] == "closed"
    # "(Солом`янська РДА)" in the organisation names the district.
    district = await Appeal.select(Appeal.district.code).where(Appeal.id == first["id"]).run()
    assert district[0]["district.code"] == "kyiv-solomianskyi"
    assert stored["6-895373/1"]["street"] is None  # "null" as a string
    assert stored["6-895373/1"]["executor"] == 'АТ "Київгаз"'  # trailing space gone
    with path.open("rb") as handle:
        again = await service.import_file(handle)
    assert again.unchanged == 6


async def test_kyiv_1551_api_as_json_lines(samples: Any, kyiv: Settings, shared_data: Path) -> None:
    path = shared_data / "kyiv1551_api_karta-kyiv" / "appeals_api_sample_6records.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
    report = await _import(data)
    assert report.format == "kyiv1551-api" and report.imported == 6


async def test_kyiv_1551_portal_sample(samples: Any, kyiv: Settings, shared_data: Path) -> None:
    path = shared_data / "kyiv1551_lang-uk_2015" / "kyiv1551_2015_sample5000.csv"
    with path.open("rb") as handle:
        report = await service.import_file(handle)
    assert report.format == "kyiv1551-2015"
    assert report.applied, report.errors[:5]
    # 13 records appear twice, whole, in the sample: they are read once.
    assert (report.read, report.imported, report.repeated) == (5000, 4987, 13)
    page = await service.list_appeals(AppealFilters(), limit=200)
    assert len(page.items) == 200
    officials = [a.executor for a in page.items if a.executor and "[" in a.executor]
    assert officials == []  # "[Прізвище Ім'я По батькові]" of the official is dropped
    assert all(a.lat is None or round(a.lat, 3) != a.lat for a in page.items[:50])
