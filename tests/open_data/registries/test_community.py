"""Setting the community from the KATOTTG codifier: districts and settlements in the
registry, boundaries from GeoJSON, and a fresh install that then accepts a city's appeals.

The codifier is the copy shipped in the package; the boundaries are the real UN OCHA
outlines of Ivano-Frankivsk hromada (../shared/data, CC BY 4.0).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tests.open_data.appeals.conftest import make_rows, to_csv

from hromada import db
from hromada.cli import main
from hromada.config import Settings
from hromada.errors import InvalidInput
from hromada.open_data.appeals import service as appeals
from hromada.open_data.registries import community as communities
from hromada.open_data.registries import service as registries
from hromada.open_data.registries.tables import Community, District, Settlement

KHARKIV_CITY = "UA63120270010096107"
KHARKIV = "UA63120270000028556"
IVANO_FRANKIVSK = "UA26040190000081578"
OCHA = "ivano-frankivsk_pb_ifrc-ua/pb-kurs_if_hromada_communities_ocha.geojson"


@pytest.fixture(scope="module")
def codifier() -> communities.Codifier:
    return communities.read_codifier()


@pytest.mark.parametrize("query", [KHARKIV_CITY, KHARKIV, "Харків", "харківська міська громада"])
def test_kharkiv_by_code_or_name(codifier: communities.Codifier, query: str) -> None:
    found = communities.find_community(codifier, query)
    assert found.code == KHARKIV
    planned = communities.plan(codifier, found)
    assert (planned.oblast, planned.raion) == ("Харківська", "Харківський")
    assert not planned.districts_are_settlements
    assert sorted(d.name_uk for d in planned.districts) == sorted(
        [
            "Індустріальний", "Київський", "Салтівський", "Немишлянський", "Новобаварський",
            "Основ’янський", "Слобідський", "Холодногірський", "Шевченківський",
        ]
    )  # fmt: skip
    assert {d.code for d in planned.districts} >= {"saltivskyi", "kholodnohirskyi"}


def test_kyiv_has_ten_districts(codifier: communities.Codifier) -> None:
    planned = communities.plan(codifier, communities.find_community(codifier, "Київ"))
    assert planned.community.code == "UA80000000000093317"
    assert len(planned.districts) == 10
    assert "Solomianskyi" in {d.name_en for d in planned.districts}


def test_a_community_without_city_districts_gets_its_settlements(
    codifier: communities.Codifier,
) -> None:
    planned = communities.plan(codifier, communities.find_community(codifier, IVANO_FRANKIVSK))
    assert planned.districts_are_settlements
    assert len(planned.districts) == len(planned.settlements) == 19
    assert "Вовчинець" in {d.name_uk for d in planned.districts}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("Михайлівка", "give the code"),  # many villages of that name
        ("UA63000000000041885", "oblast or a raion"),
        ("UA99999999999999999", "not in the KATOTTG codifier"),
        ("Атлантида", "no community or town"),
    ],
)
def test_unclear_or_unknown_communities_are_refused(
    codifier: communities.Codifier, query: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        communities.find_community(codifier, query)


def test_a_codifier_in_another_layout_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("code,name\nUA1,X\n")
    with pytest.raises(InvalidInput, match="not a KATOTTG codifier"):
        communities.read_codifier(other)


@pytest.mark.parametrize("name", ["Вовчинець", "Хриплин"])
def test_transliteration_is_the_official_one(name: str) -> None:
    assert (
        communities.transliterate(name) == {"Вовчинець": "Vovchynets", "Хриплин": "Khryplyn"}[name]
    )
    assert communities.transliterate("Згурівка") == "Zghurivka"
    assert communities.transliterate("Яготин") == "Yahotyn"


def _kharkiv_appeals() -> bytes:
    names = ["Салтівський", "Холодногірський район", "Основ'янський", "Салтовский"]
    rows = make_rows(12)
    for i, row in enumerate(rows):
        row["district"] = names[i % len(names)]
    return to_csv(rows)


async def test_a_fresh_install_accepts_kharkiv_appeals_after_city_set(
    clean_db: Settings, codifier: communities.Codifier
) -> None:
    refused = await appeals.import_file(io.BytesIO(_kharkiv_appeals()))
    assert not refused.applied
    assert any("district" in str(e).lower() for e in refused.errors)

    planned = communities.plan(codifier, communities.find_community(codifier, KHARKIV_CITY))
    applied = await communities.apply(planned)
    assert (applied.districts_added, applied.settlements) == (9, 1)

    report = await appeals.import_file(io.BytesIO(_kharkiv_appeals()))
    assert report.applied, report.errors
    assert report.imported == 12
    listed = {d.code: d for d in await registries.list_districts()}
    assert len(listed) == 9
    assert listed["saltivskyi"].lat is None  # no boundary yet: no invented centre
    assert (await communities.current() or {})["katottg"] == KHARKIV


async def test_setting_again_updates_and_keeps_districts_in_use(
    clean_db: Settings, codifier: communities.Codifier
) -> None:
    kharkiv = communities.plan(codifier, communities.find_community(codifier, KHARKIV))
    await communities.apply(kharkiv)
    again = await communities.apply(kharkiv)
    assert (again.districts_added, again.districts_updated) == (0, 9)
    await appeals.import_file(io.BytesIO(_kharkiv_appeals()))
    kyiv = communities.plan(codifier, communities.find_community(codifier, "Київ"))
    moved = await communities.apply(kyiv)
    assert "saltivskyi" in moved.districts_kept  # appeals refer to it: not deleted
    assert await Community.count() == 1
    assert await Settlement.count() == 1


async def test_boundaries_give_outlines_and_centres(
    clean_db: Settings, codifier: communities.Codifier, shared_data: Path
) -> None:
    planned = communities.plan(codifier, communities.find_community(codifier, IVANO_FRANKIVSK))
    outlines = communities.read_boundaries(shared_data / OCHA, planned.districts)
    assert len(outlines) == 19
    await communities.apply(planned, outlines)
    centre = next(d for d in await registries.list_districts() if d.name_uk == "Івано-Франківськ")
    assert centre.lat is not None and centre.lon is not None
    assert 48.85 < centre.lat < 48.97 and 24.65 < centre.lon < 24.8
    stored = await District.select(District.boundary).where(District.code == "vovchynets")
    assert json.loads(stored[0]["boundary"])["type"] == "MultiPolygon"


def _feature(name: str, ring: list[list[float]]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"name": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


SQUARE = [[24.7, 48.9], [24.8, 48.9], [24.8, 48.95], [24.7, 48.9]]
POINT = {"type": "Point", "coordinates": [24.7, 48.9]}


@pytest.mark.parametrize(
    ("features", "message"),
    [
        ([_feature("Хриплин", [[lat, lon] for lon, lat in SQUARE])], "swapped"),
        ([_feature("Атлантида", SQUARE)], "names no district"),
        ([_feature("Хриплин", SQUARE[:2])], "at least four"),
        ([_feature("Хриплин", [SQUARE[0]] * 4)], "no area"),
        (
            [{"type": "Feature", "properties": {"name": "Хриплин"}, "geometry": POINT}],
            "not a Polygon",
        ),
    ],
)
def test_bad_boundaries_are_refused_whole(
    codifier: communities.Codifier, tmp_path: Path, features: list[Any], message: str
) -> None:
    planned = communities.plan(codifier, communities.find_community(codifier, IVANO_FRANKIVSK))
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    with pytest.raises(InvalidInput) as refused:
        communities.read_boundaries(path, planned.districts)
    assert message in json.dumps(refused.value.errors, ensure_ascii=False)


def test_city_set_command(
    empty_database_url: str,
    base_settings: Settings,
    tmp_path: Path,
    monkeypatch: Any,
    shared_data: Path,
) -> None:
    monkeypatch.setenv("HROMADA_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("HROMADA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HROMADA_DATABASE_POOL_SIZE", "0")
    runner = CliRunner()
    try:
        missing = runner.invoke(main, ["city", "show"])
        assert missing.exit_code != 0
        done = runner.invoke(
            main, ["city", "set", IVANO_FRANKIVSK, "--boundaries", str(shared_data / OCHA)]
        )
        assert done.exit_code == 0, done.output
        assert "19 settlement(s)" in done.output and "19 with an outline" in done.output
        shown = runner.invoke(main, ["city", "show"])
        assert "Івано-Франківська" in shown.output
        ambiguous = runner.invoke(main, ["city", "set", "Михайлівка"])
        assert ambiguous.exit_code != 0 and "give the code" in ambiguous.output
    finally:
        db.use_database(base_settings)
