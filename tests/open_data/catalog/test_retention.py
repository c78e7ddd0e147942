"""Retention: old versions' files are pruned, their rows stay, and every URL of a pruned
version answers 410 naming the latest; the latest and pinned versions are kept."""

from __future__ import annotations

import asyncio
import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import AsyncTestClient

from hromada import db
from hromada.app import create_app
from hromada.cli import main
from hromada.config import Settings
from hromada.errors import InvalidInput
from hromada.open_data.catalog import retention, service
from hromada.open_data.catalog.jobs import publish_job
from hromada.open_data.catalog.tables import DatasetVersion
from hromada.open_data.registries.tables import Building

BASE = "/api/v1/datasets/buildings/versions"


async def _change_and_publish(settings: Settings, floors: int) -> int:
    first = (await Building.select(Building.id).order_by(Building.id).limit(1))[0]["id"]
    await Building.update({Building.floors: floors}).where(Building.id == first)
    out = await service.publish(settings, "buildings")
    assert out.created and out.version is not None
    return out.version.number


@pytest.fixture
async def four_versions(small_city: Settings) -> Settings:
    assert (await service.publish(small_city, "buildings")).created
    for floors in (41, 42, 43):
        await _change_and_publish(small_city, floors)
    return small_city


def _on_disk(settings: Settings, number: int) -> bool:
    return service.version_dir(settings, "buildings", number).exists()


async def test_prune_keeps_the_newest_and_the_pinned_and_tombstones_the_rest(
    four_versions: Settings,
) -> None:
    settings = four_versions
    v1 = await service.get_version(settings, "buildings", 1)
    await retention.pin(settings, "buildings", 2)
    planned = await retention.prune(settings, "buildings", keep=2, dry_run=True)
    assert [p.number for p in planned] == [1]
    assert planned[0].bytes == sum(f["bytes"] for f in v1.files.values()) > 0
    assert _on_disk(settings, 1), "a dry run removes nothing"
    assert (await service.get_version(settings, "buildings", 1)).pruned_at is None

    pruned = await retention.prune(settings, "buildings", keep=2)
    assert [p.number for p in pruned] == [1]
    assert not _on_disk(settings, 1)
    assert all(_on_disk(settings, n) for n in (2, 3, 4))
    # Pruning again finds nothing more to do.
    assert await retention.prune(settings, "buildings", keep=2) == []

    async with AsyncTestClient(create_app(settings)) as client:
        listed = (await client.get(BASE)).json()["items"]
        by_number = {v["number"]: v for v in listed}
        assert sorted(by_number) == [1, 2, 3, 4], "a pruned version stays listed"
        assert by_number[1]["pruned_at"] and not by_number[1]["pinned"]
        assert by_number[2]["pinned"] and by_number[2]["pruned_at"] is None
        # Its checksums stay: a citation of version 1 can still be checked.
        assert {f["sha256"] for f in by_number[1]["files"]} == {
            f["sha256"] for f in v1.files.values()
        }
        for name in ("download.csv", "download.parquet", "changes.jsonl", "datapackage.json"):
            gone = await client.get(f"{BASE}/1/{name}")
            assert gone.status_code == 410, (name, gone.text)
            assert gone.headers["content-type"].startswith("application/problem+json")
            body = gone.json()
            assert "retention policy" in body["detail"]
            assert body["successor"] == f"{BASE}/latest/{name}"
            assert gone.headers["link"] == f'<{BASE}/latest/{name}>; rel="latest-version"'
            follow = await client.get(body["successor"])
            assert follow.status_code == 200, name
        assert (await client.get(f"{BASE}/1/rows")).status_code == 410
        assert (await client.get(f"{BASE}/2/download.csv")).status_code == 200
        assert (await client.get(f"{BASE}/1")).json()["pruned_at"], "its metadata answers"
        page = await client.get("/data/buildings", headers={"Accept-Language": "en"})
        assert page.status_code == 200 and "retention policy" in page.text

        graphql = await client.post(
            "/graphql",
            json={
                "query": '{ dataset(slug: "buildings") { versions(first: 10) '
                "{ edges { node { number pinned prunedAt } } } } }"
            },
        )
        nodes = [e["node"] for e in graphql.json()["data"]["dataset"]["versions"]["edges"]]
        assert {n["number"]: (n["pinned"], bool(n["prunedAt"])) for n in nodes} == {
            4: (False, False),
            3: (False, False),
            2: (True, False),
            1: (False, True),
        }


async def test_pinned_versions_go_only_when_asked_and_the_latest_never(
    four_versions: Settings,
) -> None:
    settings = four_versions
    await retention.pin(settings, "buildings", 1)
    assert [p.number for p in await retention.prune(settings, "buildings", keep=1)] == [2, 3]
    assert _on_disk(settings, 1) and _on_disk(settings, 4)
    await retention.pin(settings, "buildings", 1, pinned=False)
    assert [p.number for p in await retention.prune(settings, "buildings", keep=1)] == [1]
    await retention.pin(settings, "buildings", 4)
    gone = await retention.prune(settings, "buildings", keep=1, include_pinned=True)
    assert gone == [], "the latest version is kept whatever is asked"
    assert _on_disk(settings, 4)


async def test_include_pinned_is_the_explicit_choice(four_versions: Settings) -> None:
    settings = four_versions
    await retention.pin(settings, "buildings", 3)
    pruned = await retention.prune(settings, "buildings", keep=1, include_pinned=True)
    assert [p.number for p in pruned] == [1, 2, 3]


async def test_older_than_spares_recent_versions(four_versions: Settings) -> None:
    settings = four_versions
    long_ago = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    await DatasetVersion.update({DatasetVersion.created_at: long_ago}).where(
        DatasetVersion.number == 1
    )
    pruned = await retention.prune(
        settings, "buildings", keep=1, older_than=datetime.timedelta(days=30)
    )
    assert [p.number for p in pruned] == [1]
    assert _on_disk(settings, 2) and _on_disk(settings, 3)


async def test_bad_requests_are_refused_clearly(four_versions: Settings) -> None:
    settings = four_versions
    with pytest.raises(InvalidInput, match="keep at least one"):
        await retention.prune(settings, "buildings", keep=0)
    with pytest.raises(InvalidInput, match="no version 9"):
        await retention.pin(settings, "buildings", 9)
    await retention.prune(settings, "buildings", keep=3)
    with pytest.raises(InvalidInput, match="was pruned"):
        await retention.pin(settings, "buildings", 1)
    with pytest.raises(Exception, match="nope"):
        await retention.prune(settings, "nope", keep=1)


async def test_files_left_by_a_crash_after_the_mark_are_swept(four_versions: Settings) -> None:
    settings = four_versions
    # As if the process died between committing the mark and removing the folder.
    await DatasetVersion.update(
        {DatasetVersion.pruned_at: datetime.datetime.now(datetime.UTC)}
    ).where(DatasetVersion.number == 2)
    assert _on_disk(settings, 2)
    assert await retention.sweep(settings, "buildings") == [2]
    assert not _on_disk(settings, 2)
    assert await retention.sweep(settings, "buildings") == []


async def test_the_policy_follows_every_publish_and_diffs_still_work(
    four_versions: Settings,
) -> None:
    settings = four_versions.replace(keep_versions=2)
    first = (await Building.select(Building.id).order_by(Building.id).limit(1))[0]["id"]
    await Building.update({Building.floors: 77}).where(Building.id == first)
    await publish_job(settings, {"slug": "buildings"})
    latest = await service.latest_version("buildings")
    assert latest is not None and latest.number == 5
    assert latest.changes.changed == 1, "the new version diffs against a kept one"
    states = {
        r["number"]: r["pruned_at"] is not None
        for r in await DatasetVersion.select(DatasetVersion.number, DatasetVersion.pruned_at)
    }
    assert states == {1: True, 2: True, 3: True, 4: False, 5: False}
    # An unchanged publish makes no version and prunes nothing more.
    await publish_job(settings, {"slug": "buildings"})
    assert (await service.latest_version("buildings")).number == 5  # type: ignore[union-attr]


async def test_prune_and_publish_at_once_never_lose_the_latest(four_versions: Settings) -> None:
    settings = four_versions
    first = (await Building.select(Building.id).order_by(Building.id).limit(1))[0]["id"]
    await Building.update({Building.floors: 88}).where(Building.id == first)
    published, _pruned = await asyncio.gather(
        service.publish(settings, "buildings"),
        retention.prune(settings, "buildings", keep=1),
    )
    assert published.created
    latest = await service.latest_version("buildings")
    assert latest is not None and latest.pruned_at is None
    assert _on_disk(settings, latest.number)
    stored = service.version_file(settings, latest, "csv")
    assert len(stored.read_bytes()) == latest.files["csv"]["bytes"]


def test_the_command_line(
    empty_database_url: str, base_settings: Settings, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("HROMADA_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("HROMADA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HROMADA_DATABASE_POOL_SIZE", "0")
    monkeypatch.delenv("HROMADA_KEEP_VERSIONS", raising=False)
    runner = CliRunner()
    try:
        unmigrated = runner.invoke(main, ["versions", "prune", "--keep", "1"])
        assert unmigrated.exit_code != 0 and "hromada migrate" in unmigrated.output
        assert runner.invoke(main, ["migrate"]).exit_code == 0
        no_keep = runner.invoke(main, ["versions", "prune"])
        assert no_keep.exit_code == 2 and "--keep N or HROMADA_KEEP_VERSIONS" in no_keep.output
        nothing = runner.invoke(main, ["versions", "prune", "--keep", "1", "--dry-run"])
        assert nothing.exit_code == 0, nothing.output
        assert "would prune 0 version(s)" in nothing.output
        missing = runner.invoke(main, ["versions", "pin", "buildings", "5"])
        assert missing.exit_code == 1 and "has no version 5" in missing.output
        unknown = runner.invoke(main, ["versions", "list", "nope"])
        assert unknown.exit_code == 1 and "nope" in unknown.output
        assert runner.invoke(main, ["versions", "pin", "buildings", "0"]).exit_code == 2
    finally:
        db.use_database(base_settings)
