"""The participation audit log: chained, checkable by anyone, and tamper-evident."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hromada import db
from hromada.cli import main
from hromada.config import Settings
from hromada.participation.audit import service
from hromada.participation.audit.tables import AuditEntry


def recompute(entries: list[dict[str, object]]) -> str:
    """The recipe the API documents, written from the description alone."""
    prev = "0" * 64
    for number, entry in enumerate(entries, start=1):
        assert entry["seq"] == number and entry["prev_hash"] == prev
        fields = {k: entry[k] for k in ("seq", "at", "domain", "subject", "action", "actor")}
        fields["detail"] = entry["detail"]
        canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        prev = hashlib.sha256(f"{prev}\n{canonical}".encode()).hexdigest()
        assert entry["entry_hash"] == prev, f"entry {number} does not recompute"
    return prev


async def _append(n: int, subject: str = "petition:1") -> None:
    for i in range(n):
        async with db.write_transaction():
            await service.append(
                domain="petitions",
                subject=subject,
                action=f"step-{i}",
                actor="author",
                detail={"note": "Ґанок і «лапки»", "i": i},
            )


async def test_entries_chain_and_recompute_from_what_is_published(clean_db: Settings) -> None:
    await _append(3)
    await _append(2, subject="cycle:pb-2026")
    page = await service.entries(limit=500, cursor=None)
    published = [json.loads(json.dumps(_plain(e))) for e in page.items]
    assert [e["seq"] for e in published] == [1, 2, 3, 4, 5]
    head = await service.head()
    assert recompute(published) == head.head_hash and head.entries == 5
    assert (await service.verify()).head_hash == head.head_hash
    one = await service.entries(subject="cycle:pb-2026", limit=10, cursor=None)
    assert [e.seq for e in one.items] == [4, 5]
    # Paging walks the same chain.
    first = await service.entries(limit=2, cursor=None)
    rest = await service.entries(limit=10, cursor=first.next_cursor)
    assert [e.seq for e in first.items + rest.items] == [1, 2, 3, 4, 5]


def _plain(entry: service.AuditEntryOut) -> dict[str, object]:
    import msgspec

    return msgspec.to_builtins(entry)  # type: ignore[no-any-return]


@pytest.mark.parametrize("tamper", ["edit", "delete", "reorder"])
async def test_any_change_to_the_stored_log_is_found(clean_db: Settings, tamper: str) -> None:
    await _append(4)
    if tamper == "edit":
        await AuditEntry.update({AuditEntry.detail: '{"i": 99}'}).where(AuditEntry.seq == 2)
        reason = "its content does not match its hash"
    elif tamper == "delete":
        await AuditEntry.delete().where(AuditEntry.seq == 2)
        reason = "an entry is missing"
    else:
        await AuditEntry.update({AuditEntry.action: "step-2"}).where(AuditEntry.seq == 2)
        reason = "its content does not match its hash"
    with pytest.raises(service.BrokenChain, match=reason) as caught:
        await service.verify()
    assert caught.value.seq == (3 if tamper == "delete" else 2)


async def test_entries_are_written_only_with_their_change(clean_db: Settings) -> None:
    with pytest.raises(RuntimeError, match="write transaction"):
        await service.append(domain="petitions", subject="x", action="a", actor="author")
    # A change that fails rolls its entry back with it.
    with pytest.raises(ZeroDivisionError):
        async with db.write_transaction():
            await service.append(domain="petitions", subject="x", action="a", actor="author")
            _ = 1 / 0
    assert (await service.head()).entries == 0


async def test_concurrent_writers_never_fork_the_chain(clean_db: Settings) -> None:
    await asyncio.gather(*[_append(1, subject=f"petition:{i}") for i in range(25)])
    page = await service.entries(limit=500, cursor=None)
    assert [e.seq for e in page.items] == list(range(1, 26))
    assert len({e.prev_hash for e in page.items}) == 25  # each entry has its own predecessor
    await service.verify()


async def test_staff_pseudonyms_are_stable_and_reveal_no_id(clean_db: Settings) -> None:
    first = service.staff_actor(clean_db, "moderator", 7)
    assert first == service.staff_actor(clean_db, "moderator", 7)
    assert first != service.staff_actor(clean_db, "moderator", 8)
    role, pseudonym = first.split(":")
    assert role == "moderator" and len(pseudonym) == 12 and int(pseudonym, 16) >= 0
    # Keyed by the installation's secret: another installation's pseudonyms differ.
    other = clean_db.replace(identity_secret="s" * 40)
    assert service.staff_actor(other, "moderator", 7) != first


def test_the_verify_command(
    empty_database_url: str, base_settings: Settings, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("HROMADA_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("HROMADA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HROMADA_DATABASE_POOL_SIZE", "0")
    runner = CliRunner()
    own = base_settings.replace(database_url=empty_database_url, data_dir=tmp_path)

    async def write_then(sql: str | None) -> None:
        engine = db.use_database(own)
        await db.start(engine, 0)
        try:
            if sql is None:
                await _append(3)
            else:
                await AuditEntry.raw(sql)
        finally:
            await db.stop(engine)

    try:
        unmigrated = runner.invoke(main, ["audit", "verify"])
        assert unmigrated.exit_code != 0 and "run `hromada migrate` first" in unmigrated.output
        assert runner.invoke(main, ["migrate"]).exit_code == 0
        asyncio.run(write_then(None))
        good = runner.invoke(main, ["audit", "verify"])
        assert good.exit_code == 0, good.output
        assert good.output.startswith("3 entries recompute; head ")
        asyncio.run(write_then("UPDATE audit_entry SET actor = 'system' WHERE seq = 2"))
        bad = runner.invoke(main, ["audit", "verify"])
        assert bad.exit_code != 0
        assert "audit entry 2: its content does not match its hash" in bad.output
    finally:
        db.use_database(base_settings)
