"""Finding petitions: filters on the list, words through the search index, and the
likely duplicates a new petition is shown before it is submitted (both engines, the
embedded search engine)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hromada.auth.tables import Resident
from hromada.config import Settings
from hromada.errors import InvalidInput
from hromada.participation.petitions import service
from hromada.participation.petitions.schemas import Answer, Moderation, NewPetition
from hromada.participation.petitions.service import PetitionFilters
from hromada.participation.petitions.tables import PetitionSignature
from hromada.search import registry as search_registry
from hromada.search.embedded import EmbeddedBackend
from hromada.search.indexer import drain_all
from hromada.search.port import SearchBackend

WHY = (
    " Просимо міську раду доручити профільному департаменту підготувати проєкт і "
    "передбачити кошти в бюджеті наступного року."
)


async def _residents(n: int) -> list[int]:
    now = dt.datetime.now(dt.UTC)
    rows = await Resident.insert(
        *[
            Resident(
                person_key=f"list-test-{i}",
                display_name=f"Мельник Ірина{i}",
                district_code="saltivskyi",
                in_community=True,
                created_at=now,
                last_login_at=now,
            )
            for i in range(n)
        ]
    ).returning(Resident.id)
    return [int(r["id"]) for r in rows]


async def _published(settings: Settings, author: int, title: str, **kw: str) -> int:
    made = await service.create(settings, author, NewPetition(title=title, text=title + WHY, **kw))
    await service.submit(settings, author, made.id)
    await service.moderate(settings, made.id, Moderation(decision="publish"), staff_id=None)
    return made.id


@pytest.fixture
async def petitions(
    city: Settings, tmp_path: Path
) -> tuple[Settings, dict[str, int], SearchBackend]:
    settings = city.replace(petition_threshold=2, petition_open_drafts=10)
    people = await _residents(6)
    ids = {
        "bike": await _published(settings, people[0], "Велодоріжка на проспекті Науки"),
        "light": await _published(
            settings, people[1], "Освітлення пішохідних переходів біля шкіл",
            addressee="Департамент інфраструктури",
        ),
        "trees": await _published(settings, people[2], "Захистити дерева в парку Горького"),
    }  # fmt: skip
    made = await service.create(
        settings,
        people[3],
        NewPetition(title="Реклама нашого кафе на площі", text="Реклама нашого кафе." + WHY),
    )
    await service.submit(settings, people[3], made.id)
    await service.moderate(
        settings, made.id, Moderation(decision="reject", code="advertising"), staff_id=None
    )
    ids["advert"] = made.id
    for signer in people[4:]:
        await service.sign(settings, signer, ids["light"])
        await service.sign(settings, signer, ids["trees"])
    saved = Answer(kind="supported", text="Дерева буде збережено, проєкт змінено.")
    await service.answer(settings, ids["trees"], saved, staff_id=None)
    backend = EmbeddedBackend(tmp_path / "index", search_registry.settings())
    await backend.configure(search_registry.settings())
    await drain_all(backend)
    await backend.flush()
    yield settings, ids, backend
    await backend.close()


async def _listed(settings: Settings, backend: SearchBackend, **kw: object) -> list[int]:
    page = await service.list_petitions(
        settings,
        PetitionFilters(**kw),
        limit=50,
        cursor=None,
        search=backend,  # type: ignore[arg-type]
    )
    return [p.id for p in page.items]


async def test_filters(petitions: tuple[Settings, dict[str, int], SearchBackend]) -> None:
    settings, ids, backend = petitions
    assert await _listed(settings, backend) == sorted(ids.values(), reverse=True)
    assert await _listed(settings, backend, addressee="департамент ІНФРАСТРУКТУРИ") == [
        ids["light"]
    ]
    assert set(await _listed(settings, backend, reached=True)) == {ids["light"], ids["trees"]}
    assert set(await _listed(settings, backend, reached=False)) == {ids["bike"], ids["advert"]}
    assert await _listed(settings, backend, overdue=True) == []
    # The threshold was reached a month ago: the answer is overdue.
    month_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    await PetitionSignature.update({PetitionSignature.signed_at: month_ago}).where(
        PetitionSignature.petition == ids["light"]
    )
    assert await _listed(settings, backend, overdue=True) == [ids["light"]]
    assert ids["light"] not in await _listed(settings, backend, overdue=False)


async def test_words_find_petitions_through_search(
    petitions: tuple[Settings, dict[str, int], SearchBackend],
) -> None:
    settings, ids, backend = petitions
    assert await _listed(settings, backend, q="велодоріжку") == [ids["bike"]]  # inflected
    assert await _listed(settings, backend, q="дерева", status="answered") == [ids["trees"]]
    assert await _listed(settings, backend, q="дерева", status="open") == []
    assert await _listed(settings, backend, q="кафе") == [ids["advert"]]  # refused: public too
    with pytest.raises(InvalidInput, match="q combines with status and district only"):
        await _listed(settings, backend, q="дерева", reached=True)


async def test_likely_duplicates_before_submitting(
    petitions: tuple[Settings, dict[str, int], SearchBackend],
) -> None:
    settings, ids, backend = petitions
    found = await service.similar(settings, backend, title="Велодоріжки на проспекті Науки")
    assert [p.id for p in found] == [ids["bike"]]
    # Only open petitions: the answered one is not offered to sign.
    assert await service.similar(settings, backend, title="дерева в парку") == []
    with pytest.raises(InvalidInput):
        await service.similar(settings, backend, title=" a ")


PETITION_DATASETS = ("petitions", "petition-answers", "petition-signatures-by-district")


@pytest.fixture
async def published_petitions(
    petitions: tuple[Settings, dict[str, int], SearchBackend],
) -> tuple[Settings, dict[str, int]]:
    from hromada.open_data.catalog.service import publish

    settings, ids, _ = petitions
    for slug in PETITION_DATASETS:
        assert (await publish(settings, slug)).created
    return settings, ids


def test_the_petition_datasets_pass_frictionless(
    published_petitions: tuple[Settings, dict[str, int]], tmp_path: Path
) -> None:
    from frictionless import Resource, Schema
    from litestar.testing import TestClient

    from hromada.app import create_app

    settings, ids = published_petitions
    with TestClient(create_app(settings)) as client:
        for slug in PETITION_DATASETS:
            package = client.get(f"/api/v1/datasets/{slug}/datapackage.json").json()
            resource = package["resources"][0]
            data = client.get(resource["path"])
            assert data.status_code == 200, data.text
            path = tmp_path / f"{slug}.csv"
            path.write_bytes(data.content)
            report = Resource(
                path=path.name,
                basepath=str(tmp_path),
                schema=Schema.from_descriptor(resource["schema"]),
            ).validate()
            assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
            rows = Resource(
                path=path.name,
                basepath=str(tmp_path),
                schema=Schema.from_descriptor(resource["schema"]),
            ).read_rows()
            if slug == "petition-answers":
                assert [r["id"] for r in rows] == [ids["trees"]]
                assert rows[0]["answer_kind"] == "supported" and rows[0]["signatures"] == 2
            if slug == "petition-signatures-by-district":
                assert {(r["petition"], r["district"], r["signatures"]) for r in rows} == {
                    (ids["light"], "saltivskyi", 2),
                    (ids["trees"], "saltivskyi", 2),
                }
            if slug == "petitions":
                assert {r["id"] for r in rows} == set(ids.values())


def test_graphql_takes_the_same_filters(
    petitions: tuple[Settings, dict[str, int], SearchBackend],
) -> None:
    from litestar.testing import TestClient

    from hromada.app import create_app

    settings, ids, _ = petitions
    query = """query($reached: Boolean, $to: String) {
        petitions(reached: $reached, addressee: $to) { items { id state } } }"""
    with TestClient(create_app(settings)) as client:

        def listed(**variables: object) -> list[int]:
            answer = client.post("/graphql", json={"query": query, "variables": variables})
            assert "errors" not in answer.json(), answer.text
            return [p["id"] for p in answer.json()["data"]["petitions"]["items"]]

        assert set(listed(reached=True)) == {ids["light"], ids["trees"]}
        assert listed(to="ДЕПАРТАМЕНТ інфраструктури") == [ids["light"]]
        assert set(listed()) == set(ids.values())
