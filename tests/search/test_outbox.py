"""The outbox and the indexer: changes reach the index with their transaction, none lost."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path

import pytest

from hromada import db
from hromada.config import Settings
from hromada.errors import Unavailable
from hromada.open_data.registries.kinds import REGISTRIES
from hromada.open_data.registries.tables import Street
from hromada.search.embedded import EmbeddedBackend
from hromada.search.indexer import IndexerLock, drain_all, drain_once, enqueue_rebuild
from hromada.search.outbox import enqueue, pending
from hromada.search.port import Document, SearchQuery
from hromada.search.registry import document_types
from hromada.search.registry import settings as index_settings
from hromada.search.tables import SearchOutbox

from .conftest import make_registry  # type: ignore[import-not-found]


@pytest.fixture
async def index(clean_db: Settings, tmp_path: Path) -> AsyncIterator[EmbeddedBackend]:
    backend = EmbeddedBackend(tmp_path / "search", index_settings())
    await backend.configure(index_settings())
    yield backend
    await backend.close()


async def indexed(backend: EmbeddedBackend, doc_type: str) -> set[str]:
    result = await backend.search(SearchQuery(types=(doc_type,), limit=1000))
    return {h.id for h in result.hits}


async def test_an_outbox_row_commits_and_rolls_back_with_its_transaction(
    clean_db: Settings,
) -> None:
    await make_registry()

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with db.write_transaction():
            await enqueue("street", ["st-1"])
            raise Boom
    assert await pending() == 0
    async with db.write_transaction():
        await enqueue("street", ["st-1", "st-1", "st-2"])
    assert await pending() == 2  # duplicates in one call collapse


async def test_enqueue_refuses_an_unknown_type(clean_db: Settings) -> None:
    with pytest.raises(Exception, match="no document type"):
        await enqueue("nonsense", ["1"])


async def test_draining_indexes_current_state_and_is_idempotent(
    index: EmbeddedBackend,
) -> None:
    await make_registry()
    await enqueue("street", ["st-1", "st-2"])
    assert await drain_once(index) == 2
    assert await pending() == 0
    assert await indexed(index, "street") == {"st-1", "st-2"}
    # The same rows again (a retry after a crash) change nothing.
    await enqueue("street", ["st-1", "st-2"])
    await drain_all(index)
    assert await index.count() == 2
    hit = (await index.search(SearchQuery(q="сумська"))).hits[0]
    assert hit.fields["district"] == "kyivskyi"
    assert hit.highlights["title"] == "вулиця <em>Сумська</em>"


async def test_a_row_gone_from_the_database_leaves_the_index(index: EmbeddedBackend) -> None:
    await make_registry()
    await enqueue("street", ["st-1", "st-2", "st-3"])
    await drain_all(index)
    async with db.write_transaction():
        await Street.delete().where(Street.code == "st-2")
        await enqueue("street", ["st-2"], "delete")
    await drain_all(index)
    assert await indexed(index, "street") == {"st-1", "st-3"}


class FailingEngine:
    """Wraps a real engine and refuses writes while ``down`` (an unreachable engine)."""

    def __init__(self, inner: EmbeddedBackend) -> None:
        self.inner = inner
        self.down = True

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    async def upsert(self, docs: Sequence[Document], *, wait: bool = False) -> None:
        if self.down:
            raise Unavailable("engine down")
        await self.inner.upsert(docs, wait=wait)


async def test_rows_stay_while_the_engine_fails_and_go_once_it_works(
    index: EmbeddedBackend,
) -> None:
    await make_registry()
    await enqueue("street", ["st-1"])
    engine = FailingEngine(index)
    with pytest.raises(Unavailable):
        await drain_once(engine)  # type: ignore[arg-type]
    rows = await SearchOutbox.select(SearchOutbox.attempts, SearchOutbox.last_error)
    assert rows == [{"attempts": 1, "last_error": "Unavailable: engine down"}]
    engine.down = False
    assert await drain_once(engine) == 1  # type: ignore[arg-type]
    assert await indexed(index, "street") == {"st-1"}


async def test_rebuild_purges_stale_documents(index: EmbeddedBackend) -> None:
    made = await make_registry()
    await index.upsert(
        [{"uid": "street-ghost", "type": "street", "id": "ghost", "title": "вулиця Привид"}]
    )
    queued = await enqueue_rebuild(document_types())
    assert queued == sum(len(v) for v in made.values()) + len(document_types())
    await drain_all(index)
    for doc_type, ids in made.items():
        assert await indexed(index, doc_type) == set(ids)
    assert await indexed(index, "street") == {"st-1", "st-2", "st-3"}


# Every document type says how to make public and non-public records of its own; the
# test below fails for a type that is missing here.
PrivacyCase = Callable[[], Awaitable[tuple[set[str], set[str]]]]


async def _registry_case(doc_type: str) -> tuple[set[str], set[str]]:
    """Every registry record is public."""
    made = await make_registry()
    return set(made[doc_type]), set()


async def _appeal_case() -> tuple[set[str], set[str]]:
    """Appeals through their one write path, the import: some confidential."""
    import csv
    import io

    from hromada.open_data.appeals import service as appeals
    from hromada.open_data.appeals.districts import KYIV_DISTRICTS, load_built_in
    from hromada.open_data.appeals.formats import COLUMNS
    from hromada.open_data.appeals.tables import Appeal

    await load_built_in("kyiv")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    for i in range(12):
        writer.writerow(
            {
                "id": f"P-{i}",
                "received_at": f"2026-01-{i + 1:02d}T09:00:00+00:00",
                "category": "Відсутність опалення",
                "district": KYIV_DISTRICTS[i % 3][1],
                "text": f"Немає опалення, телефон +380 67 123 45 6{i % 10}",
                "status": "registered",
                "confidential": "так" if i % 4 == 0 else "ні",
            }
        )
    report = await appeals.import_file(io.BytesIO(out.getvalue().encode()))
    assert report.applied, report
    rows = await Appeal.select(Appeal.id, Appeal.confidential)
    public = {str(r["id"]) for r in rows if not r["confidential"]}
    private = {str(r["id"]) for r in rows if r["confidential"]}
    assert len(private) == 3
    return public, private


async def _declared_case(doc_type: str) -> tuple[set[str], set[str]]:
    """Every record of a declared registry is public (its personal fields never reach the
    document: tests/open_data/registries/test_declared.py checks the documents)."""
    from hromada.demo.city import generate_city
    from hromada.demo.parts import DemoContext
    from hromada.open_data.registries.demo import RegistriesDemo
    from hromada.open_data.registries.tables import RegistryRecord

    city = generate_city(1551, streets=15, buildings=80)
    await RegistriesDemo().populate(DemoContext(settings=Settings(environment="test"), city=city))
    keys = await RegistryRecord.select(RegistryRecord.key).where(
        RegistryRecord.registry == doc_type
    )
    assert keys
    return {r["key"] for r in keys}, set()


async def _dataset_case() -> tuple[set[str], set[str]]:
    """A dataset is public from its first version on; a declared dataset never published
    (no rows yet, or not published yet) is not in the index."""
    import tempfile

    from hromada.demo.city import generate_city
    from hromada.demo.parts import DemoContext
    from hromada.open_data.catalog.service import publish
    from hromada.open_data.registries.demo import RegistriesDemo

    settings = Settings(environment="test", data_dir=Path(tempfile.mkdtemp()))
    city = generate_city(1551, streets=15, buildings=80)
    await RegistriesDemo().populate_places(DemoContext(settings=settings, city=city))
    for slug in ("districts", "streets"):
        assert (await publish(settings, slug)).created
    return {"districts", "streets"}, {"buildings", "petitions"}


async def _project_case() -> tuple[set[str], set[str]]:
    """Budget projects in every status: a hidden one (abuse) is out of public view."""
    import datetime as dt

    from hromada.participation.budgeting import service

    now = dt.datetime.now(dt.UTC)
    statuses = ("submitted", "approved", "rejected", "appealed", "hidden")
    await service.create_cycle(
        slug="pb-case",
        title="Бюджет участі",
        rule="greedy",
        opens=now + dt.timedelta(days=1),
        closes=now + dt.timedelta(days=2),
        pools=[
            {
                "slug": "city",
                "title": "Місто",
                "budget": 1000,
                "projects": [
                    {"code": f"C-{s}", "title": f"Проєкт {s}", "cost": 10, "status": s}
                    for s in statuses
                ],
            }
        ],
    )
    return {f"C-{s}" for s in statuses[:-1]}, {"C-hidden"}


async def _petition_case() -> tuple[set[str], set[str]]:
    """Petitions in every stored status: drafts and those in moderation are their
    author's alone until published."""
    import datetime as dt

    from hromada.auth.tables import Resident
    from hromada.participation.petitions.tables import Petition

    now = dt.datetime.now(dt.UTC)
    author = await Resident.insert(
        Resident(person_key="petition-case", display_name="Коваленко Олена",
                 created_at=now, last_login_at=now)
    ).returning(Resident.id)  # fmt: skip
    made: dict[str, str] = {}
    for status in ("draft", "moderation", "open", "answered", "rejected"):
        row = await Petition.insert(
            Petition(title=f"Петиція {status}", text="Текст петиції.", addressee="Рада",
                     author=author[0]["id"], status=status, threshold=10, created_at=now)
        ).returning(Petition.id)  # fmt: skip
        made[status] = str(row[0]["id"])
    public = {made[s] for s in ("open", "answered", "rejected")}
    return public, {made["draft"], made["moderation"]}


async def _tender_case() -> tuple[set[str], set[str]]:
    """Every stored tender is public in ProZorro itself; its winners are not in the
    document (tests/open_data/procurement/test_search.py looks for an entrepreneur's name
    and code in every hit)."""
    from hromada.open_data.procurement.importing import import_file

    from ..open_data.procurement.test_procurement import MAX, city_tenders, envelope

    report = await import_file(envelope(*city_tenders()), max_bytes=MAX)
    return {f"{n:032x}" for n in range(1, report.inserted + 1)}, set()


async def _budget_line_case() -> tuple[set[str], set[str]]:
    """A budget's execution is public as a whole: every line is a document."""
    from hromada.open_data.budget.importing import import_export

    from ..open_data.budget.test_budget import GOOD, HEADER

    await import_export(f"{HEADER}\n{GOOD}".encode())
    return {"2055400000-expense-2024-2111"}, set()


async def _sensor_case() -> tuple[set[str], set[str]]:
    """Sensors hold nothing personal: active and retired ones are all public."""
    from hromada.open_data.sensors import service
    from hromada.open_data.sensors.schemas import SensorIn

    made = await service.register(SensorIn(code="noise-777", kind="noise", title="Шум"))
    await service.register(SensorIn(code="pm10-001", kind="pm10", title="Пил"))
    await service.retire(made.sensor.id)
    return {"noise-777", "pm10-001"}, set()


PRIVACY_CASES: dict[str, PrivacyCase] = {
    "tender": _tender_case,
    "budget-line": _budget_line_case,
    "petition": _petition_case,
    "dataset": _dataset_case,
    "project": _project_case,
    "sensor": _sensor_case,
    "appeal": _appeal_case,
    "district": lambda: _registry_case("district"),
    "street": lambda: _registry_case("street"),
    "building": lambda: _registry_case("building"),
    **{r.slug: (lambda slug=r.slug: _declared_case(slug)) for r in REGISTRIES},
}


def test_every_document_type_has_a_privacy_case() -> None:
    assert set(PRIVACY_CASES) == {t.name for t in document_types()}


@pytest.mark.parametrize("doc_type", [t.name for t in document_types()])
async def test_nothing_private_is_ever_indexed(index: EmbeddedBackend, doc_type: str) -> None:
    public, private = await PRIVACY_CASES[doc_type]()
    # Both ways in: the outbox naming every record, and a full rebuild.
    await enqueue(doc_type, sorted(public | private))
    await drain_all(index)
    assert await indexed(index, doc_type) == public
    await enqueue_rebuild([t for t in document_types() if t.name == doc_type])
    await drain_all(index)
    assert await indexed(index, doc_type) == public
    assert not private & await indexed(index, doc_type)


def test_one_indexer_per_directory(tmp_path: Path) -> None:
    first, second = IndexerLock(tmp_path), IndexerLock(tmp_path)
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()


async def test_a_rebuild_replaces_rows_already_queued_for_its_type(
    index: EmbeddedBackend,
) -> None:
    made = await make_registry()
    await enqueue("street", made["street"])
    await enqueue("district", made["district"])
    await enqueue_rebuild([t for t in document_types() if t.name == "street"])
    rows = await SearchOutbox.select(SearchOutbox.doc_type, SearchOutbox.doc_id)
    streets = [r["doc_id"] for r in rows if r["doc_type"] == "street"]
    assert sorted(streets) == sorted(["*", *made["street"]])  # once each
    assert len([r for r in rows if r["doc_type"] == "district"]) == len(made["district"])
