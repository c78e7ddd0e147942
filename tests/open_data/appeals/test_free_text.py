"""Every free-text field goes through the anonymiser before it is written, by construction.

A field of ``AppealRow`` is free text unless ``importers.NOT_FREE_TEXT`` declares it otherwise;
the writer reads free text only through ``scrub_free_text``. Checked through the store and the
real HTTP transports (REST, stats by executor, Open311's ``agency_responsible``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from typing import Any

import pytest
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings
from hromada.open_data.appeals import formats, service
from hromada.open_data.appeals.anonymise import get_anonymiser
from hromada.open_data.appeals.importers import (
    FREE_TEXT_FIELDS,
    NOT_FREE_TEXT,
    AppealRow,
    scrub_free_text,
)
from hromada.open_data.appeals.tables import Appeal

FOREMAN = "Гнатюк Степан Ілліч"
MOBILE = "+380 97 765 43 21"
PERSONAL = (FOREMAN, MOBILE, "Гнатюк", "765 43 21", "Ivan Hrebeniuk", "lida at ukr dot net")


def _row(**changes: Any) -> AppealRow:
    values: dict[str, Any] = {
        "line": 2,
        "source_id": "F-1",
        "received_at": dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC),
        "deadline_at": None,
        "resolved_at": None,
        "channel": "сайт",
        "category": "Ліфти",
        "category_group": None,
        "district_id": None,
        "address": "вул. Хрещатик, 5, кв. 7 (Ivan Hrebeniuk)",
        "text": f"Пише Ivan Hrebeniuk, пошта lida at ukr dot net, тел. {MOBILE}",
        "answer": f"Виконав майстер {FOREMAN}, {MOBILE}",
        "status": "registered",
        "executor": f"{FOREMAN} {MOBILE}",
        "confidential": False,
        "lat": None,
        "lon": None,
    }
    values.update(changes)
    return AppealRow(**values)


def test_every_field_is_free_text_unless_declared() -> None:
    names = {f.name for f in dataclasses.fields(AppealRow)}
    assert names >= NOT_FREE_TEXT  # no stale declaration
    assert set(FREE_TEXT_FIELDS) == names - NOT_FREE_TEXT
    assert {"text", "answer", "address", "executor"} <= set(FREE_TEXT_FIELDS)


@pytest.mark.parametrize("confidential", [False, True])
def test_prepared_rows_hold_no_personal_value(confidential: bool) -> None:
    row = _row(confidential=confidential)
    free = scrub_free_text(row, get_anonymiser())
    assert set(free) == set(FREE_TEXT_FIELDS)
    (prepared,) = service.prepare_rows([row], get_anonymiser())
    dump = json.dumps(prepared, default=str, ensure_ascii=False)
    for value in PERSONAL:
        assert value not in dump, (value, dump)
    assert prepared["executor"] == "[ПІБ] [ТЕЛЕФОН]"
    if not confidential:
        assert prepared["street"] == "вул. Хрещатик ([ПІБ])"


async def test_executor_and_free_text_are_scrubbed_in_every_output(
    samples: Any, kyiv: Settings
) -> None:
    rows = samples.make_rows(12, confidential_every=4)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for i, row in enumerate(rows):
        row["received_at"] = (now - dt.timedelta(days=5, hours=i)).isoformat()
        row["deadline_at"] = ""
        row["resolved_at"] = ""
        row["answer"] = ""
        row["status"] = "registered"
        # A foreman's name and mobile instead of an organisation; every sixth a real one.
        row["executor"] = 'КП "Житло-сервіс"' if i % 6 == 0 else f"{FOREMAN} {MOBILE}"
        row["text"] += " Пише Ivan Hrebeniuk, lida at ukr dot net."
    report = await service.import_file(io.BytesIO(samples.to_csv(rows)))
    assert report.applied, report.errors
    stored = json.dumps(await Appeal.select().run(), default=str, ensure_ascii=False)
    for value in PERSONAL:
        assert value not in stored, value
    settings = kyiv.replace(rate_limit_anonymous=100_000)
    with TestClient(create_app(settings)) as client:
        listed = client.get("/api/v1/appeals", params={"limit": 100})
        assert listed.status_code == 200, listed.text
        executors = {i["executor"] for i in listed.json()["items"]}
        assert executors == {'КП "Житло-сервіс"', "[ПІБ] [ТЕЛЕФОН]"}
        stats = client.get("/api/v1/appeals/stats", params={"group_by": "executor"})
        assert stats.status_code == 200, stats.text
        open311 = client.get("/open311/v2/requests.json", params={"page_size": 100})
        assert open311.status_code == 200, open311.text
        agencies = {r.get("agency_responsible") for r in open311.json()}
        assert agencies <= {'КП "Житло-сервіс"', "[ПІБ] [ТЕЛЕФОН]"}
        assert "[ПІБ] [ТЕЛЕФОН]" in agencies
        for response in (listed, stats, open311):
            for value in PERSONAL:
                assert value not in response.text, (value, response.url)


@pytest.mark.parametrize("workers", [1, 2])
async def test_the_import_learns_the_registry_streets(
    samples: Any, kyiv: Settings, workers: int
) -> None:
    """A street of the city's registry is never taken for a person, even without "вул.";
    the anonymiser processes of a big import learn it too."""
    from hromada.open_data.registries.tables import District, Street

    district = await District.select(District.id).first().run()
    assert district is not None
    await Street.insert(
        Street(code="s-pchilky", kind="вулиця", name="Олени Пчілки", district=district["id"])
    ).run()
    rows = samples.make_rows(2, confidential_every=100)
    rows[0]["text"] = "Не вивозять сміття на Олени Пчілки, пише Ганна Олексюк."
    rows[1]["text"] = "Яма на пров. 3-тя Антоновича біля зупинки."
    fmt, records = formats.read(io.BytesIO(samples.to_csv(rows)))
    report = await service.import_records(records, fmt=fmt, workers=workers)
    assert report.applied, report.errors
    texts = sorted(r["text"] for r in await Appeal.select(Appeal.text).run())
    assert texts == [
        "Не вивозять сміття на Олени Пчілки, пише [ПІБ].",
        "Яма на пров. 3-тя Антоновича біля зупинки.",
    ]
