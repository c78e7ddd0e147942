"""ProZorro tenders on both engines: files of API JSON in each accepted shape, every
malformed, oversized, duplicate or hostile file refused with nothing written, re-imports
where the newer dateModified wins, savings by the written rule, individual entrepreneurs
never published, and the same answers over REST, GraphQL and the dataset."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from hromada.config import Settings
from hromada.errors import FileRefused, InvalidInput, TooLarge
from hromada.open_data.procurement.importing import import_file
from hromada.open_data.procurement.tables import Tender, TenderWinner

MAX = 10 * 1024 * 1024
CITY = "04059243"  # a procuring entity (a city council's department)
SCHOOL = "21085673"
FOP_CODE = "3012345678"  # an individual entrepreneur's РНОКПП: must never be published
FOP_NAME = "ФОП Петренко Петро Петрович"


def tender(
    n: int,
    *,
    status: str = "complete",
    expected: Any = 100_000,
    contract: Any = 90_000.5,
    entity: str = CITY,
    supplier: tuple[str, str, str] = ("UA-EDR", "36425142", "ТОВ «Будмайстер»"),
    modified: str = "2024-03-20T10:00:00+02:00",
    created: str = "2024-03-14T09:00:00+02:00",
    cpv: str = "45450000-6",
    currency: str = "UAH",
    title: str = "Капітальний ремонт покрівлі школи",
) -> dict[str, Any]:
    """A tender as ``GET /tenders/{id}`` of the public API gives it (the fields hromada
    reads, plus some it does not)."""
    scheme, code, name = supplier
    party = {"name": name, "identifier": {"scheme": scheme, "id": code, "legalName": name}}
    awards = [
        {"id": f"a{n}", "status": "unsuccessful", "value": {"amount": 1, "currency": "UAH"},
         "suppliers": [party]},
        {"id": f"b{n}", "status": "active", "date": "2024-03-18T12:00:00+02:00",
         "value": {"amount": contract, "currency": currency, "valueAddedTaxIncluded": True},
         "suppliers": [party]},
    ] if contract is not None else []  # fmt: skip
    signed = {"id": f"c{n}", "awardID": f"b{n}", "status": "active",
              "value": {"amount": contract, "currency": currency}}  # fmt: skip
    contracts = [signed] if contract is not None and status == "complete" else []
    return {
        "id": f"{n:032x}",
        "tenderID": f"UA-2024-03-14-{n:06d}-a",
        "title": title,
        "status": status,
        "procurementMethodType": "belowThreshold",
        "procuringEntity": {
            "name": "Управління освіти",
            "kind": "general",
            "identifier": {"scheme": "UA-EDR", "id": entity, "legalName": "Управління освіти"},
        },
        "value": {"amount": expected, "currency": currency, "valueAddedTaxIncluded": True},
        "items": [
            {"description": "Ремонт", "classification": {"scheme": "ДК021", "id": cpv}},
            {"description": "Інше", "classification": {"scheme": "ДКПП", "id": "x"}},
        ],
        "awards": awards,
        "contracts": contracts,
        "tenderPeriod": {
            "startDate": "2024-03-14T09:00:00+02:00",
            "endDate": "2024-03-17T18:00:00+02:00",
        },
        "dateCreated": created,
        "date": "2024-03-19T10:00:00+02:00",
        "dateModified": modified,
    }


def envelope(*tenders: dict[str, Any]) -> bytes:
    return json.dumps({"data": list(tenders)}, ensure_ascii=False).encode()


def city_tenders() -> list[dict[str, Any]]:
    return [
        tender(1),  # complete, 100,000.00 expected, 90,000.50 contracted: 9,999.50 saved
        tender(2, supplier=("UA-EDR", FOP_CODE, FOP_NAME), contract=80_000),  # a ФОП won
        tender(3, status="active.tendering", contract=None, cpv="33600000-6"),
        tender(4, entity=SCHOOL, expected=50_000, contract=55_000.25,  # an overrun: saves 0
               created="2023-12-31T23:30:00+02:00"),  # Kyiv time: still 2023
        tender(5, entity=SCHOOL, currency="EUR", expected=1000, contract=900),  # not UAH
    ]  # fmt: skip


@pytest.fixture
async def imported(clean_db: Settings) -> Settings:
    report = await import_file(envelope(*city_tenders()), max_bytes=MAX)
    assert (report.read, report.inserted, report.updated, report.unchanged) == (5, 5, 0, 0)
    assert report.publish_job is not None
    return clean_db


async def test_tenders_savings_and_winners_are_stored(imported: Settings) -> None:
    rows = {r["id"][-1]: r for r in await Tender.select().order_by(Tender.id)}
    assert rows["1"]["tender_id"] == "UA-2024-03-14-000001-a"
    assert (rows["1"]["expected_amount"], rows["1"]["awarded_amount"]) == (10_000_000, 9_000_050)
    assert rows["1"]["savings"] == 999_950 and rows["1"]["cpv"] == "45450000-6"
    assert rows["2"]["savings"] == 2_000_000
    assert rows["3"]["savings"] is None and rows["3"]["awarded_amount"] is None
    assert rows["4"]["savings"] == 0 and rows["4"]["year"] == 2023
    assert rows["5"]["savings"] is None, "EUR is not compared"
    winners = await TenderWinner.select().order_by(TenderWinner.tender)
    assert [(w["kind"], w["edrpou"]) for w in winners][:2] == [
        ("legal_entity", "36425142"),
        ("individual_entrepreneur", None),
    ]
    assert winners[1]["name"] is None
    assert FOP_CODE not in json.dumps(winners, default=str) + json.dumps(rows, default=str)


def test_the_api_lists_filters_and_pages(imported: Settings) -> None:
    from hromada.app import create_app

    with TestClient(create_app(imported)) as client:
        first = client.get("/api/v1/procurement/tenders", params={"limit": 2}).json()
        assert len(first["items"]) == 2 and first["next_cursor"]
        rest = client.get(
            "/api/v1/procurement/tenders", params={"limit": 10, "cursor": first["next_cursor"]}
        ).json()
        assert [t["id"][-1] for t in first["items"] + rest["items"]] == list("12345")
        one = first["items"][0]
        assert one["expected_value"] == "100000.00" and one["awarded_value"] == "90000.50"
        assert one["savings"] == "9999.50" and one["savings_pct"] == "10.0"
        assert one["winners"] == [
            {"kind": "legal_entity", "edrpou": "36425142", "name": "ТОВ «Будмайстер»",
             "amount": "90000.50", "currency": "UAH", "date": "2024-03-18T10:00:00Z"}
        ]  # fmt: skip
        assert one["date_created"] == "2024-03-14T07:00:00Z"
        fop = first["items"][1]["winners"]
        assert fop[0]["kind"] == "individual_entrepreneur" and fop[0]["name"] is None

        def ids(**params: Any) -> list[str]:
            answer = client.get("/api/v1/procurement/tenders", params=params)
            assert answer.status_code == 200, answer.text
            return [t["id"][-1] for t in answer.json()["items"]]

        assert ids(entity=SCHOOL) == ["4", "5"]
        assert ids(year=2023) == ["4"]
        assert ids(status="active.tendering") == ["3"]
        assert ids(cpv="336") == ["3"] and ids(cpv="45450000") == ["1", "2", "4", "5"]
        for bad in ({"entity": "123"}, {"status": "won"}, {"cpv": "45-"}, {"year": 1900},
                    {"cursor": "forged"}, {"limit": 501}):  # fmt: skip
            answer = client.get("/api/v1/procurement/tenders", params=bad)
            assert answer.status_code in (400, 422), bad
            assert answer.headers["content-type"].startswith("application/problem+json")
        by_id = client.get(f"/api/v1/procurement/tenders/{1:032x}").json()
        by_number = client.get("/api/v1/procurement/tenders/UA-2024-03-14-000001-a").json()
        assert by_id == by_number == one
        assert by_id["url"] == f"/api/v1/procurement/tenders/{1:032x}"
        for missing in (f"{9:032x}", "UA-2024-03-14-000009-a", "..%2F..%2Fetc", "x" * 500):
            assert client.get(f"/api/v1/procurement/tenders/{missing}").status_code == 404
        everything = client.get("/api/v1/procurement/tenders", params={"limit": 500}).text
        assert FOP_CODE not in everything and "Петренко" not in everything


def test_savings_per_entity_and_year(imported: Settings) -> None:
    from hromada.app import create_app

    with TestClient(create_app(imported)) as client:
        entity = client.get("/api/v1/procurement/savings", params={"group": "entity"}).json()
        assert "never negative" in entity["rule"]
        assert entity["items"] == [
            {"key": CITY, "entity_name": "Управління освіти", "tenders": 2,
             "expected_value": "200000.00", "awarded_value": "170000.50",
             "savings": "29999.50", "savings_pct": "15.0"},
            {"key": SCHOOL, "entity_name": "Управління освіти", "tenders": 1,
             "expected_value": "50000.00", "awarded_value": "55000.25", "savings": "0.00",
             "savings_pct": "0.0"},
        ]  # fmt: skip
        years = client.get("/api/v1/procurement/savings", params={"group": "year"}).json()
        assert [(i["key"], i["tenders"], i["savings"]) for i in years["items"]] == [
            ("2023", 1, "0.00"),
            ("2024", 2, "29999.50"),
        ]
        paged = client.get("/api/v1/procurement/savings", params={"group": "year", "limit": 1})
        following = client.get(
            "/api/v1/procurement/savings",
            params={"group": "year", "limit": 1, "cursor": paged.json()["next_cursor"]},
        ).json()
        assert [i["key"] for i in following["items"]] == ["2024"]
        only = client.get(
            "/api/v1/procurement/savings", params={"group": "entity", "year": 2024}
        ).json()
        assert [i["key"] for i in only["items"]] == [CITY]
        bad = client.get("/api/v1/procurement/savings", params={"group": "supplier"})
        assert bad.status_code in (400, 422)


def test_graphql_gives_the_same_tenders(imported: Settings) -> None:
    from hromada.app import create_app

    query = f"""{{ procurementTenders(entity: "{SCHOOL}", first: 1) {{
                 items {{ tenderId savings winners {{ kind edrpou name }} }} nextCursor }}
               procurementTender(id: "UA-2024-03-14-000002-a") {{
                 id awardedValue winners {{ kind edrpou name amount }} }}
               missing: procurementTender(id: "{9:032x}") {{ id }}
               procurementSavings(group: "year") {{ rule items {{ key savings }} }} }}"""
    with TestClient(create_app(imported)) as client:
        answer = client.post("/graphql", json={"query": query}).json()
        rest = client.get(
            "/api/v1/procurement/tenders", params={"entity": SCHOOL, "limit": 1}
        ).json()
    data = answer["data"]
    assert data["procurementTenders"]["nextCursor"] == rest["next_cursor"]
    assert data["procurementTenders"]["items"][0]["savings"] == rest["items"][0]["savings"]
    assert data["procurementTender"]["winners"] == [
        {"kind": "individual_entrepreneur", "edrpou": None, "name": None, "amount": "80000.00"}
    ]
    assert data["missing"] is None
    assert [i["key"] for i in data["procurementSavings"]["items"]] == ["2023", "2024"]


async def test_each_shape_of_the_file_imports(clean_db: Settings) -> None:
    one = json.dumps({"data": tender(1)}).encode()
    assert (await import_file(one, max_bytes=MAX)).inserted == 1
    lines = "\n".join(
        [json.dumps(tender(2)), "", json.dumps({"data": tender(3)}), json.dumps(tender(1))]
    )
    report = await import_file(lines.encode(), max_bytes=MAX)
    assert (report.read, report.inserted, report.unchanged) == (3, 2, 1)
    assert await Tender.count() == 3


async def test_reimport_is_idempotent_and_the_newer_copy_wins(imported: Settings) -> None:
    again = await import_file(envelope(*city_tenders()), max_bytes=MAX)
    assert (again.inserted, again.updated, again.unchanged, again.publish_job) == (0, 0, 5, None)
    newer = tender(1, contract=70_000, supplier=("UA-EDR", "40000000", "ТОВ «Інший»"),
                   modified="2024-04-01T10:00:00+03:00")  # fmt: skip
    older = tender(2, contract=1, modified="2024-01-01T10:00:00+02:00")
    report = await import_file(envelope(newer, older), max_bytes=MAX)
    assert (report.updated, report.unchanged) == (1, 1)
    row = await Tender.select().where(Tender.id == f"{1:032x}").first()
    assert row is not None and (row["awarded_amount"], row["savings"]) == (7_000_000, 3_000_000)
    winners = await TenderWinner.select().where(TenderWinner.tender == f"{1:032x}")
    assert [w["edrpou"] for w in winners] == ["40000000"], "winners replaced, not added"
    kept = await Tender.select().where(Tender.id == f"{2:032x}").first()
    assert kept is not None and kept["awarded_amount"] == 8_000_000, "the older copy lost"
    assert await Tender.count() == 5 and await TenderWinner.count() == 4


def _broken(path: str, value: Any, n: int = 2) -> dict[str, Any]:
    record = copy.deepcopy(tender(n))
    *parents, last = path.split(".")
    target: Any = record
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if value is _DELETE:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return record


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        ("id", _DELETE, "id", "missing"),
        ("id", "G" * 32, "id", "32 lowercase hexadecimal"),
        ("id", "../../admin", "id", "32 lowercase hexadecimal"),
        ("tenderID", "UA-2024-3-14-1-a", "tenderID", "UA-YYYY-MM-DD-NNNNNN-x"),
        ("title", "", "title", "non-empty"),
        ("title", "x" * 3000, "title", "longer than"),
        ("status", "won", "status", "not a ProZorro tender status"),
        ("procuringEntity.identifier.id", "1234567", "procuringEntity.identifier.id", "8 digits"),
        ("procuringEntity.identifier.id", "12345678a", "procuringEntity.identifier.id",
         "8 digits"),
        ("value.amount", -5, "value.amount", "must not be negative"),
        ("value.amount", "100", "value.amount", "must be a number"),
        ("value.amount", True, "value.amount", "must be a number"),
        ("value.amount", 1e20, "value.amount", "not an amount"),
        ("value.amount", 1.005, "value.amount", "more than two decimals"),
        ("value.currency", "XYZ", "value.currency", "not one of UAH"),
        ("items.0.classification.id", "4545000-6", "items[0].classification.id", "NNNNNNNN-N"),
        ("awards.1.value.amount", -1, "value.amount", "must not be negative"),
        ("awards.1.suppliers.0.identifier.id", "123", "awards[1].suppliers[0].identifier.id",
         "8 digits"),
        ("awards.1.suppliers", [], "awards[1].suppliers", "names its supplier"),
        ("dateModified", "yesterday", "dateModified", "yesterday"),
        ("dateModified", "0001-01-01T00:00:00+14:00", "dateModified", "out of range"),
        ("contracts.0.value.currency", "UA", "value.currency", "not one of"),
        ("awards", {"a": 1}, "awards", "must be a list"),
    ],
)  # fmt: skip
async def test_a_bad_tender_is_refused_naming_record_and_field(
    imported: Settings, path: str, value: Any, field: str, message: str
) -> None:
    before = await Tender.select().order_by(Tender.id)
    bad = _broken(path, value)
    data = envelope(tender(6), bad)
    with pytest.raises(InvalidInput) as refused:
        await import_file(data, max_bytes=MAX)
    [error] = refused.value.errors
    assert error["where"].startswith("record 2"), error
    assert error["name"] == field and message in error["message"], error
    assert await Tender.select().order_by(Tender.id) == before, "nothing written"
    assert await Tender.count() == 5


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (b"", FileRefused, "empty"),
        (b"\xff\xfe{}", FileRefused, "not UTF-8"),
        (b'{"tenders": []}', FileRefused, "not ProZorro API JSON"),
        (b"[1, 2]", FileRefused, "not ProZorro API JSON"),
        (b'{"data": "x"}', FileRefused, "not ProZorro API JSON"),
        (b'{"data": []}', InvalidInput, "no tenders"),
        (b'{"data": [' * 5000 + b"]" * 5000 + b"}", FileRefused, "nested"),
        (json.dumps({"data": [tender(1), tender(1)]}).encode(), InvalidInput, "problem"),
        (b'{"id": 1}\nnot json\n', FileRefused, "not JSON"),
        (b'{"data": [7, null]}', InvalidInput, "problem"),
    ],
)
async def test_a_bad_file_is_refused_with_nothing_written(
    clean_db: Settings, data: bytes, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        await import_file(data, max_bytes=MAX)
    assert await Tender.count() == 0 and await TenderWinner.count() == 0


async def test_duplicates_and_bounds(imported: Settings) -> None:
    twice = envelope(tender(7), tender(7, modified="2025-01-01T00:00:00+00:00"))
    with pytest.raises(InvalidInput) as refused:
        await import_file(twice, max_bytes=MAX)
    assert refused.value.errors == [
        {"where": f"record 2 ({7:032x})", "name": "id", "message": "the same tender as record 1"}
    ]
    clash = tender(8)
    clash["tenderID"] = "UA-2024-03-14-000001-a"  # the stored tender 1's number
    with pytest.raises(InvalidInput, match="belongs to another tender"):
        await import_file(envelope(clash), max_bytes=MAX)
    with pytest.raises(TooLarge):
        await import_file(envelope(tender(9)), max_bytes=1024)
    many = b"\n".join(json.dumps(tender(10 + i)).encode() for i in range(60))
    with pytest.raises(InvalidInput) as lines:
        await import_file(many.replace(b'"UAH"', b'"XXX"'), max_bytes=MAX)
    assert len(lines.value.errors) == 50 and lines.value.errors[0]["where"].startswith("line 1 (")
    assert await Tender.count() == 5


@pytest.fixture
async def published(imported: Settings) -> Settings:
    from hromada.open_data.catalog.service import publish

    assert (await publish(imported, "procurement-tenders")).created
    return imported


def test_the_dataset_publishes_without_personal_data(published: Settings, tmp_path: Path) -> None:
    from frictionless import Resource, Schema

    from hromada.app import create_app

    with TestClient(create_app(published)) as client:
        package = client.get("/api/v1/datasets/procurement-tenders/datapackage.json").json()
        resource = package["resources"][0]
        csv = client.get(resource["path"]).content
        assert FOP_CODE.encode() not in csv and "Петренко".encode() not in csv
        assert b"9999.5" in csv and b"36425142" in csv
        (tmp_path / "tenders.csv").write_bytes(csv)
        table = Resource(
            path="tenders.csv", basepath=str(tmp_path),
            schema=Schema.from_descriptor(resource["schema"]),
        )  # fmt: skip
        report = table.validate()
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
        assert report.tasks[0].stats["rows"] == 5


async def test_the_demo_city_has_thousands_of_tenders(clean_db: Settings) -> None:
    import datetime as dt

    from hromada.demo.city import generate_city
    from hromada.demo.parts import DemoContext
    from hromada.open_data.procurement.demo import TENDERS, ProcurementDemo
    from hromada.open_data.procurement.service import tender as one_tender

    ctx = DemoContext(settings=clean_db, city=generate_city(clean_db.demo_seed, streets=5))
    await ProcurementDemo().populate(ctx)
    assert await Tender.count() == TENDERS
    kinds = {r["kind"] for r in await TenderWinner.select(TenderWinner.kind)}
    assert kinds == {"legal_entity", "individual_entrepreneur"}
    assert await TenderWinner.count().where(
        (TenderWinner.kind == "individual_entrepreneur") & TenderWinner.name.is_not_null()
    ) == 0  # fmt: skip
    saved = await Tender.select(Tender.savings).where(Tender.savings.is_not_null())
    assert len(saved) > TENDERS // 2 and all(r["savings"] > 0 for r in saved)
    # The participatory budget's demo milestones name these tenders.
    linked = await one_tender(f"UA-{dt.date.today().year}-01-15-000000-a")
    assert linked.title.startswith("Реалізація проєкту бюджету участі")
