"""The city index: indicators and values imported all or nothing, the index computed by the
published method (checked against hand-computed figures, and recomputed from the published
datasets by an independent reading of the method), and every bad input refused."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from hromada import db
from hromada.cli import main
from hromada.config import Settings
from hromada.errors import FileRefused, InvalidInput
from hromada.open_data.appeals.districts import load_built_in
from hromada.open_data.catalog import service as catalog
from hromada.open_data.indicators import service
from hromada.open_data.indicators.importing import import_indicators
from hromada.open_data.indicators.tables import Indicator, IndicatorValue
from hromada.open_data.registries.tables import District

HEADER = "code,title_uk,title_en,unit,direction,periodicity,worst,best,weight,source\n"
DEFINITIONS = (
    HEADER
    + "air,Забруднення повітря,Air pollution,мкг/м³,lower,year,100,20,2,ЦГО\n"
    + "parks,Площа парків,Park area,га,higher,year,0,50,1,\n"
    + "buses,Нові автобуси,New buses,шт,higher,year,0,10,0,\n"
    + "heat,Будинки з опаленням,Heated homes,%,higher,month,0,100,1.0,\n"
).encode()


def _values(district: str) -> bytes:
    return (
        "indicator,period,district,value\n"
        "air,2025,,60\n"
        "parks,2025,,40\n"
        "buses,2025,,5\n"
        "air,2024,,10\n"
        f"parks,2025,{district},25\n"
        "heat,2025-03,,33.333\n"
    ).encode()


@pytest.fixture
async def city(clean_db: Settings) -> tuple[Settings, str]:
    await load_built_in("kyiv")
    district = (await District.select(District.code).order_by(District.code).limit(1))[0]["code"]
    report = await import_indicators(DEFINITIONS, _values(district))
    assert (report.definitions, report.values) == (4, 6)
    return clean_db, district


async def test_the_index_follows_the_method_by_hand(city: tuple[Settings, str]) -> None:
    _, district = city
    page = await service.city_index(period=None, district=None, limit=100, cursor=None)
    by_place = {(i.period, i.district): i for i in page.items}
    # 2025: air scores 100×(60−100)/(20−100) = 50, parks 100×40/50 = 80, buses weigh 0:
    # (2×50 + 1×80) / 3 = 60.
    assert by_place[("2025", "")].index == "60.00"
    assert by_place[("2025", "")].indicators == ["air", "parks"]
    assert by_place[("2025", "")].indicators_total == 2
    # 2024: air at 10 is better than best, held at 100; parks has no value there.
    assert by_place[("2024", "")].index == "100.00"
    assert by_place[("2024", "")].indicators_counted == 1
    # A district: parks 25 scores 50.
    assert by_place[("2025", district)].index == "50.00"
    # A month: 33.333 scores 33.333, rounded half-even to two decimals.
    assert by_place[("2025-03", "")].index == "33.33"
    assert [(i.period, i.district) for i in page.items] == sorted(by_place)


async def test_pages_of_the_index_join_up(city: tuple[Settings, str]) -> None:
    seen = []
    cursor = None
    while True:
        page = await service.city_index(period=None, district=None, limit=1, cursor=cursor)
        seen += [(i.period, i.district) for i in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    whole = await service.city_index(period=None, district=None, limit=100, cursor=None)
    assert seen == [(i.period, i.district) for i in whole.items] and len(seen) == 4
    one = await service.city_index(period="2025", district="", limit=10, cursor=None)
    assert [i.index for i in one.items] == ["60.00"]


async def test_anyone_recomputes_the_index_from_the_published_data(
    city: tuple[Settings, str],
) -> None:
    """The published datasets and the method are enough: an independent reading of the
    method over the downloaded CSVs gives the published index."""
    settings, _ = city
    for slug in ("indicators", "indicator-values", "city-index"):
        assert (await catalog.publish(settings, slug)).created

    def rows(slug: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(files[slug])))

    files = {}
    for slug in ("indicators", "indicator-values", "city-index"):
        found = await catalog.get_version(settings, slug, None)
        files[slug] = catalog.version_file(settings, found, "csv").read_bytes().decode()
    indicators = {r["code"]: r for r in rows("indicators")}
    places: dict[tuple[str, str], list[tuple[Fraction, Fraction]]] = {}
    for value in rows("indicator-values"):
        spec = indicators[value["indicator"]]
        worst, best = Fraction(spec["worst"]), Fraction(spec["best"])
        score = 100 * (Fraction(value["value"]) - worst) / (best - worst)
        score = min(Fraction(100), max(Fraction(0), score))
        weight = Fraction(spec["weight"])
        if weight:
            places.setdefault((value["period"], value["district"]), []).append((weight, score))
    published = {(r["period"], r["district"]): r["index"] for r in rows("city-index")}
    assert set(published) == set(places)
    for place, scored in places.items():
        mean = sum(w * s for w, s in scored) / sum(w for w, _ in scored)
        assert Decimal(published[place]) == Decimal(round(mean * 100)).scaleb(-2), place


async def test_method_and_rest(city: tuple[Settings, str]) -> None:
    settings, district = city
    from hromada.app import create_app

    with TestClient(create_app(settings)) as client:
        listed = client.get("/api/v1/indicators?limit=2").json()
        assert [i["code"] for i in listed["items"]] == ["air", "buses"] and listed["total"] == 4
        rest = client.get(f"/api/v1/indicators?limit=2&cursor={listed['next_cursor']}").json()
        assert [i["code"] for i in rest["items"]] == ["heat", "parks"]
        assert rest["next_cursor"] is None
        air = client.get("/api/v1/indicators/air").json()
        assert (air["worst"], air["best"], air["weight"], air["direction"]) == (
            "100",
            "20",
            "2",
            "lower",
        )
        values = client.get("/api/v1/indicators/parks/values").json()["items"]
        assert [(v["period"], v["district"], v["value"]) for v in values] == [
            ("2025", "", "40"),
            ("2025", district, "25"),
        ]
        city_only = client.get("/api/v1/indicators/parks/values?district=").json()["items"]
        assert [v["value"] for v in city_only] == ["40"]
        index = client.get("/api/v1/city-index?period=2025&district=").json()
        assert index["items"][0]["index"] == "60.00"
        method = client.get("/api/v1/city-index/method").json()
        assert "best - worst" in method["score"]
        assert {i["code"]: i["weight"] for i in method["indicators"]}["heat"] == "1"
        # What no client should send: clear errors, never a 500.
        assert client.get("/api/v1/indicators/nope").status_code == 404
        assert client.get("/api/v1/indicators/nope/values").status_code == 404
        for bad in ("period=2025-13", "period=x" * 3, "cursor=forged", "limit=0", "limit=101"):
            answer = client.get(f"/api/v1/city-index?{bad}")
            assert answer.status_code in (400, 422), (bad, answer.text)
        assert client.get("/api/v1/indicators?cursor=%5B%22a%22%5D").status_code in (400, 422)


async def test_importing_again_replaces_and_changes_nothing_twice(
    city: tuple[Settings, str],
) -> None:
    _, district = city
    again = await import_indicators(DEFINITIONS, _values(district))
    assert (again.definitions, again.values) == (4, 6)
    assert await Indicator.count() == 4 and await IndicatorValue.count() == 6
    changed = _values(district).replace(b"air,2025,,60", b"air,2025,,40")
    await import_indicators(None, changed)
    page = await service.city_index(period="2025", district="", limit=10, cursor=None)
    # air 40 scores 75: (2×75 + 80) / 3 = 76.666… → 76.67.
    assert page.items[0].index == "76.67"
    assert await IndicatorValue.count() == 6


BAD_DEFINITIONS = [
    (HEADER.replace(",source", "") + "a,А,A,u,higher,year,0,1,1\n", "missing source"),
    (HEADER.replace("\n", ",extra\n") + "a,А,A,u,higher,year,0,1,1,,x\n", "unknown extra"),
    (HEADER + "a,А,A,u,higher,year,0,1,1,\na,Б,B,u,higher,year,0,1,1,\n", "twice"),
    (HEADER + "A B,А,A,u,higher,year,0,1,1,\n", "code"),
    (HEADER + "a,,A,u,higher,year,0,1,1,\n", "title_uk"),
    (HEADER + "a,А,A,u,up,year,0,1,1,\n", "direction"),
    (HEADER + "a,А,A,u,higher,week,0,1,1,\n", "periodicity"),
    (HEADER + "a,А,A,u,higher,year,5,1,1,\n", "best must be above"),
    (HEADER + "a,А,A,u,lower,year,1,5,1,\n", "best must be below"),
    (HEADER + "a,А,A,u,higher,year,0,1,-1,\n", "not negative"),
    (HEADER + "a,А,A,u,higher,year,0,NaN,1,\n", "decimal"),
    (HEADER + "a,А,A,u,higher,year,0,1e400,1,\n", "decimal"),
    (HEADER + "a,А,A,u,higher,year,0,1,один,\n", "decimal"),
    (HEADER + "a,А,A,u,higher,year,0,1\n", "number of cells"),
]


@pytest.mark.parametrize(("text", "message"), BAD_DEFINITIONS)
async def test_bad_definitions_write_nothing(clean_db: Settings, text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        await import_indicators(text.encode(), None)
    assert message in refused.value.detail or any(
        message in str(e) for e in refused.value.errors
    ), (refused.value.detail, refused.value.errors)
    assert await Indicator.count() == 0


async def test_bad_files_are_refused(clean_db: Settings) -> None:
    with pytest.raises(FileRefused):
        await import_indicators(b"\xff\xfe" + HEADER.encode("utf-16-le"), None)
    with pytest.raises(FileRefused):
        await import_indicators(HEADER.encode() + b"a\x00,b\n", None)
    assert await Indicator.count() == 0


async def test_bad_values_write_nothing(city: tuple[Settings, str]) -> None:
    assert city
    before = await IndicatorValue.count()
    cases = [
        ("nope,2025,,1", "no indicator"),
        ("air,2025-03,,1", "a year like 2025"),
        ("heat,2025,,1", "a month like 2025-03"),
        ("heat,2025-13,,1", "a month like"),
        ("air,2026,nowhere,1", "no district"),
        ("air,2026,,", "a decimal number"),
        ("air,2026,,Infinity", "a decimal number"),
        ("air,2026,,1\nair,2026,,2", "twice in the file"),
    ]
    for line, message in cases:
        data = f"indicator,period,district,value\nparks,2030,,1\n{line}\n".encode()
        with pytest.raises(InvalidInput) as refused:
            await import_indicators(None, data)
        assert any(message in e["message"] for e in refused.value.errors), (line, refused.value)
        assert await IndicatorValue.count() == before, line
    # Definitions and values in one import: a bad value leaves the definitions unwritten too.
    with pytest.raises(InvalidInput):
        await import_indicators(
            (HEADER + "new,Н,N,u,higher,year,0,1,1,\n").encode(),
            b"indicator,period,district,value\nnew,2025,,x\n",
        )
    assert not await Indicator.exists().where(Indicator.code == "new")


async def test_an_indicator_with_values_keeps_its_periodicity(city: tuple[Settings, str]) -> None:
    changed = DEFINITIONS.replace(b"higher,year,0,50,1", b"higher,month,0,50,1")
    with pytest.raises(InvalidInput, match="periodicity cannot change"):
        await import_indicators(changed, None)
    parks = await Indicator.select(Indicator.periodicity).where(Indicator.code == "parks")
    assert parks[0]["periodicity"] == "year"


def test_the_command_line(
    empty_database_url: str, base_settings: Settings, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("HROMADA_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("HROMADA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HROMADA_DATABASE_POOL_SIZE", "0")
    definitions = tmp_path / "definitions.csv"
    definitions.write_bytes(DEFINITIONS)
    values = tmp_path / "values.csv"
    values.write_bytes(b"indicator,period,district,value\nair,2025,,60\nparks,2025,,40\n")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"indicator,period,district,value\nair,twenty,,1\n")
    runner = CliRunner()
    try:
        assert runner.invoke(main, ["import", "indicators"]).exit_code == 2
        done = runner.invoke(
            main,
            ["import", "indicators", "--definitions", str(definitions), "--values", str(values)],
        )
        assert done.exit_code == 0, done.output
        assert "4 indicator(s) defined, 2 value(s) imported" in done.output
        refused = runner.invoke(main, ["import", "indicators", "--values", str(bad)])
        assert refused.exit_code == 1 and "line 2: period: a year like 2025" in refused.output
        listed = runner.invoke(main, ["versions", "list", "city-index"])
        assert listed.exit_code == 0 and "1" in listed.output, listed.output
    finally:
        db.use_database(base_settings)


async def test_graphql_gives_the_same_index(city: tuple[Settings, str]) -> None:
    settings, _ = city
    from hromada.app import create_app

    query = """{ cityIndicators(first: 2) { items { code worst best } nextCursor }
      indicatorValues(code: "parks") { items { period district value } }
      cityIndex(period: "2025", district: "") { items { index indicators indicatorsTotal } } }"""
    with TestClient(create_app(settings)) as client:
        body = client.post("/graphql", json={"query": query}).json()
    assert "errors" not in body, body
    data = body["data"]
    assert [i["code"] for i in data["cityIndicators"]["items"]] == ["air", "buses"]
    assert data["cityIndex"]["items"] == [
        {"index": "60.00", "indicators": ["air", "parks"], "indicatorsTotal": 2}
    ]
    assert [v["value"] for v in data["indicatorValues"]["items"]] == ["40", "25"]
    with TestClient(create_app(settings)) as client:
        bad = client.post(
            "/graphql", json={"query": '{ cityIndex(period: "2025-13") { items { index } } }'}
        ).json()
    assert bad["errors"] and "period" in bad["errors"][0]["message"]


async def test_the_demo_city_has_a_full_index(clean_db: Settings) -> None:
    from hromada.demo.city import generate_city
    from hromada.demo.parts import DemoContext
    from hromada.open_data.indicators.demo import IndicatorsDemo
    from hromada.open_data.registries.demo import RegistriesDemo

    city = generate_city(clean_db.demo_seed, streets=5, buildings=0)
    ctx = DemoContext(settings=clean_db, city=city)
    await RegistriesDemo().populate_places(ctx)
    await IndicatorsDemo().populate(ctx)
    assert await Indicator.count() == 120
    page = await service.city_index(period=None, district="", limit=100, cursor=None)
    yearly = [i for i in page.items if len(i.period) == 4]
    assert len(yearly) == 5 and all(i.index is not None for i in yearly)
    assert all(i.indicators_counted == i.indicators_total == 108 for i in yearly)
