from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

from litestar.testing import TestClient
from tests.participation.test_audit import recompute

from hromada import db, domains
from hromada.app import create_app
from hromada.config import Settings
from hromada.demo.build import MARKER, build_demo


async def test_demo_builds_once_and_serves(base_settings: Settings, tmp_path) -> None:
    settings = base_settings.replace(environment="demo", data_dir=tmp_path, database_url="")
    try:
        started = time.perf_counter()
        assert await build_demo(settings, domains.demo_parts()) is True
        assert time.perf_counter() - started < 60
        assert (tmp_path / MARKER).is_file()
        assert await build_demo(settings, domains.demo_parts()) is False  # already there
        with TestClient(create_app(settings)) as client:
            districts = client.get("/api/v1/districts").json()["items"]
            streets = client.get("/api/v1/streets", params={"limit": 500}).json()
            petitions = client.get("/api/v1/petitions", params={"limit": 100}).json()["items"]
            audit = client.get("/api/v1/audit", params={"limit": 500}).json()["items"]
            head = client.get("/api/v1/audit/head").json()
            last_year = dt.date.today().year - 1
            salaries = client.get(
                "/api/v1/budget/execution",
                params={"year": last_year, "code": "2111", "fund": "C", "limit": 20},
            ).json()["items"]
            december = {"budget": "2055400000", "year": last_year, "month": 12}
            branches = {
                fund: client.get("/api/v1/budget/tree", params={**december, "fund": fund}).json()
                for fund in ("C", "S", "T")
            }
            most = max(petitions, key=lambda p: p["signatures"])["id"]
            biggest = client.get(f"/api/v1/petitions/{most}").json()
    finally:
        db.use_database(base_settings)
    assert len(districts) == 9
    assert all(d["buildings"] > 0 for d in districts)
    assert len(streets["items"]) == 400
    assert streets["next_cursor"] is None

    # Five years of budget execution: last year's twelve months add up to December's total.
    assert [line["month"] for line in salaries] == list(range(1, 13))
    months = sum(Decimal(line["fact_month"]) for line in salaries)
    assert months == Decimal(salaries[-1]["fact_to_date"])

    # The total fund is the general and the special together, branch by branch.
    assert [b["prefix"] for b in branches["T"]["items"]] == ["2", "3", "9"]
    totals = {f: sum(Decimal(b["fact_to_date"]) for b in branches[f]["items"]) for f in "CST"}
    assert totals["T"] == totals["C"] + totals["S"] > 0

    # Petitions in every public state, one a few signatures short, answers overdue or not.
    states = {p["state"] for p in petitions}
    assert states == {"open", "under_consideration", "closed", "answered", "rejected"}
    threshold = settings.petition_threshold
    assert any(p["state"] == "open" and threshold * 0.99 <= p["signatures"] < threshold
               for p in petitions)  # fmt: skip
    considered = [p for p in petitions if p["state"] == "under_consideration"]
    assert {p["answer_overdue"] for p in considered} == {True, False}
    answered = [p for p in petitions if p["state"] == "answered"]
    assert {p["answer"]["kind"] for p in answered} == {"supported", "partly", "not_supported"}
    assert all(p["signatures"] >= threshold and p["answer"]["answered_at"] > p[
        "threshold_reached_at"] for p in answered)  # fmt: skip
    assert len(biggest["by_district"]) == 9  # signers from every district
    # Their history is in the audit log, in time order, and it recomputes.
    assert recompute(audit) == head["head_hash"]
    assert [e["at"] for e in audit] == sorted(e["at"] for e in audit)
    assert {e["action"] for e in audit} >= {"submitted", "published", "rejected", "answered"}
