"""E-petitions end to end over real HTTP with real logins through the development
identity provider: write, submit, moderate, sign once, reach the threshold, answer."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
from contextlib import closing
from typing import Any

import httpx
import pytest
from tests.auth.conftest import Live
from tests.participation.test_audit import recompute

from hromada.participation.petitions import rules

TEXT = (
    "Просимо облаштувати велосипедну доріжку вздовж проспекту Науки від метро до парку, "
    "з освітленням і безпечними переходами."
)
NEW = {"title": "Велодоріжка на проспекті Науки", "text": TEXT, "district": "shevchenkivskyi"}


def _session(live: Live, subject: str) -> tuple[httpx.Client, dict[str, str]]:
    client = live.client()
    live.login(client, "dev-city", subject)
    return client, {"X-CSRF-Token": live.csrf(client)}


def _published(live: Live) -> int:
    """A petition by Olena, submitted and published by the moderator; its id."""
    olena, csrf = _session(live, "c-olena-1001")
    with closing(olena):
        created = olena.post("/api/v1/petitions", json=NEW, headers=csrf)
        assert created.status_code == 201, created.text
        petition = created.json()["id"]
        assert olena.post(f"/api/v1/petitions/{petition}/submit", headers=csrf).status_code == 200
    natalia, staff = _session(live, "c-natalia-1007")
    with closing(natalia):
        done = natalia.post(
            f"/api/v1/petitions/{petition}/moderation", json={"decision": "publish"}, headers=staff
        )
        assert done.status_code == 200, done.text
    return int(petition)


def test_the_whole_life_of_a_petition(live: Live) -> None:
    olena, csrf = _session(live, "c-olena-1001")
    anonymous = live.client()
    with closing(olena), anonymous:
        draft = olena.post("/api/v1/petitions", json=NEW, headers=csrf)
        assert draft.status_code == 201, draft.text
        petition = draft.json()
        assert petition["state"] == "draft" and petition["signatures"] == 0
        number = petition["id"]
        assert anonymous.get(f"/api/v1/petitions/{number}").status_code == 404  # not yet public
        trail = anonymous.get("/api/v1/audit", params={"subject": f"petition:{number}"})
        assert trail.json()["items"] == []  # nor does the public log show that it exists
        submitted = olena.post(f"/api/v1/petitions/{number}/submit", headers=csrf).json()
        assert submitted["state"] == "moderation" and submitted["moderation_due"]
        assert number not in [p["id"] for p in anonymous.get("/api/v1/petitions").json()["items"]]

        natalia, staff = _session(live, "c-natalia-1007")
        with closing(natalia):
            queue = natalia.get("/api/v1/petitions/moderation").json()["items"]
            assert [p["id"] for p in queue] == [number]
            no_ground = natalia.post(
                f"/api/v1/petitions/{number}/moderation", json={"decision": "reject"}, headers=staff
            )
            assert no_ground.status_code == 422
            published = natalia.post(
                f"/api/v1/petitions/{number}/moderation",
                json={"decision": "publish"},
                headers=staff,
            ).json()
            assert published["state"] == "open" and published["closes_at"]

        taras, taras_csrf = _session(live, "c-taras-1002")
        with closing(taras):
            first = taras.post(f"/api/v1/petitions/{number}/signatures", headers=taras_csrf)
            assert first.status_code == 200 and first.json()["signed"] is True
            again = taras.post(f"/api/v1/petitions/{number}/signatures", headers=taras_csrf)
            assert again.status_code == 200 and again.json()["signed"] is False
        one = anonymous.get(f"/api/v1/petitions/{number}").json()
        assert (one["signatures"], one["state"]) == (1, "open")
        assert one["by_district"] == [{"district": "saltivskyi", "signatures": 1}]

        iryna, iryna_csrf = _session(live, "c-iryna-1003")
        with closing(iryna):
            assert iryna.post(f"/api/v1/petitions/{number}/signatures", headers=iryna_csrf).json()[
                "signed"
            ]
        reached = anonymous.get(f"/api/v1/petitions/{number}").json()
        assert reached["state"] == "under_consideration"
        assert reached["threshold_reached_at"] and reached["answer_due"]
        assert reached["answer_overdue"] is False

        signers = anonymous.get(f"/api/v1/petitions/{number}/signatures").json()["items"]
        assert [s["name"] for s in signers] == ["Тарас Б.", "Ірина М."]  # shortened, in order

        petro, petro_csrf = _session(live, "c-petro-1008")
        with closing(petro):
            answered = petro.post(
                f"/api/v1/petitions/{number}/answer",
                json={"kind": "partly", "text": "Доріжку буде облаштовано у 2027 році частково."},
                headers=petro_csrf,
            )
            assert answered.status_code == 200, answered.text
        uk = anonymous.get(f"/api/v1/petitions/{number}/uk.json").json()["data"]["attributes"]
        assert uk["signature_count"] == 2 and uk["state"] == "closed"
        assert uk["government_response"]["summary"] == "partly"
        assert uk["response_threshold_reached_at"]
        listed = anonymous.get("/api/v1/petitions", params={"status": "answered"}).json()["items"]
        assert [p["id"] for p in listed] == [number]

        # Every state change is in the public audit log, chained to the one before.
        log = anonymous.get("/api/v1/audit", params={"subject": f"petition:{number}"}).json()
        steps = [(e["action"], e["actor"].split(":")[0]) for e in log["items"]]
        assert steps == [
            ("submitted", "author"),
            ("published", "moderator"),
            ("answered", "official"),
        ]
        assert log["items"][-1]["detail"]["kind"] == "partly"
        everything = anonymous.get("/api/v1/audit", params={"limit": 500}).json()["items"]
        head = anonymous.get("/api/v1/audit/head").json()
        assert recompute(everything) == head["head_hash"]


def test_who_may_do_what(live: Live) -> None:
    number = _published(live)
    with live.client() as anonymous:
        assert anonymous.post(f"/api/v1/petitions/{number}/signatures").status_code == 401
        assert anonymous.get("/api/v1/petitions/moderation").status_code == 401
    maksym, csrf = _session(live, "c-maksym-1004")  # fifteen: not eligible
    with closing(maksym):
        refused = maksym.post(f"/api/v1/petitions/{number}/signatures", headers=csrf)
        assert refused.status_code == 403 and "not eligible" in refused.json()["detail"]
    taras, csrf = _session(live, "c-taras-1002")
    with closing(taras):
        assert taras.post(f"/api/v1/petitions/{number}/signatures").status_code == 403  # no CSRF
        staff_only = taras.post(
            f"/api/v1/petitions/{number}/moderation", json={"decision": "publish"}, headers=csrf
        )
        assert staff_only.status_code == 403
        not_official = taras.post(
            f"/api/v1/petitions/{number}/answer", json={"kind": "supported", "text": "x" * 30},
            headers=csrf,
        )  # fmt: skip
        assert not_official.status_code == 403


def test_a_hundred_concurrent_signatures_of_one_resident_count_once(live: Live) -> None:
    number = _published(live)
    taras, csrf = _session(live, "c-taras-1002")
    with closing(taras), concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(
            pool.map(
                lambda _: taras.post(f"/api/v1/petitions/{number}/signatures", headers=csrf),
                range(100),
            )
        )
        statuses = {a.status_code for a in answers}
        assert statuses <= {200, 429}, statuses  # the write limit may answer; never a 5xx
        assert sum(a.json()["signed"] for a in answers if a.status_code == 200) == 1
        assert taras.get(f"/api/v1/petitions/{number}").json()["signatures"] == 1


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"title": "Коротко"}, "title"),
        ({"text": "Замало тексту."}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"district": "atlantis"}, "district"),
        ({"text": TEXT + " Телефонуйте Петренку Івану Петровичу: +380 67 123 45 67."}, "text"),
    ],
)
def test_bad_petitions_are_refused_and_nothing_is_written(
    live: Live, change: dict[str, Any], name: str
) -> None:
    olena, csrf = _session(live, "c-olena-1001")
    with closing(olena):
        refused = olena.post("/api/v1/petitions", json={**NEW, **change}, headers=csrf)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["name"] == name
        unknown_field = olena.post(
            "/api/v1/petitions", json={**NEW, "status": "open"}, headers=csrf
        )
        assert unknown_field.status_code in (400, 422)
        as_json = {**csrf, "content-type": "application/json"}
        not_json = olena.post("/api/v1/petitions", content=b"{" * 5000, headers=as_json)
        assert 400 <= not_json.status_code < 500
    natalia, _ = _session(live, "c-natalia-1007")
    with closing(natalia):
        assert natalia.get("/api/v1/petitions/moderation").json()["items"] == []


def test_a_flood_of_drafts_is_refused(live: Live) -> None:
    olena, csrf = _session(live, "c-olena-1001")
    with closing(olena):
        for _ in range(2):
            assert olena.post("/api/v1/petitions", json=NEW, headers=csrf).status_code == 201
        third = olena.post("/api/v1/petitions", json=NEW, headers=csrf)
        assert third.status_code == 409, third.text


async def test_signing_closes_at_the_deadline(live: Live) -> None:
    from hromada.participation.petitions.tables import Petition

    number = _published(live)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    await Petition.update({Petition.closes_at: past}).where(Petition.id == number)
    taras, csrf = _session(live, "c-taras-1002")
    with closing(taras):
        late = taras.post(f"/api/v1/petitions/{number}/signatures", headers=csrf)
        assert late.status_code == 409 and "closed" in late.json()["detail"]
        assert taras.get(f"/api/v1/petitions/{number}").json()["state"] == "closed"


def test_graphql_reads_the_same_petitions(live: Live) -> None:
    number = _published(live)
    with live.client() as client:
        rest = client.get(f"/api/v1/petitions/{number}").json()
        answer = client.post(
            "/graphql",
            json={
                "query": "query($id: Int!) { petition(id: $id) { id title state signatures "
                "threshold byDistrict { district signatures } } "
                "petitions(first: 5) { items { id state } nextCursor } }",
                "variables": {"id": number},
            },
        ).json()
        assert "errors" not in answer, answer
        assert answer["data"]["petition"]["title"] == rest["title"]
        assert answer["data"]["petition"]["state"] == rest["state"] == "open"
        assert [p["id"] for p in answer["data"]["petitions"]["items"]] == [number]


SIGN = "mutation($id: Int!) { signPetition(id: $id) { petition signed } }"
MODERATE = (
    "mutation($id: Int!, $publish: Boolean!, $code: String) "
    "{ moderatePetition(id: $id, publish: $publish, code: $code) { id state rejectionCode } }"
)
ANSWER = (
    "mutation($id: Int!, $kind: String!, $text: String!) "
    "{ answerPetition(id: $id, kind: $kind, text: $text) { state answer { kind } } }"
)


def _gql(client: httpx.Client, query: str, headers: dict[str, str], **variables: Any) -> Any:
    answer = client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_graphql_mutations_sign_moderate_and_answer_under_the_same_rules(live: Live) -> None:
    number = _published(live)
    with live.client() as anonymous:
        refused = _gql(anonymous, SIGN, {}, id=number)
        assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    taras, taras_csrf = _session(live, "c-taras-1002")
    with closing(taras):
        no_token = taras.post("/graphql", json={"query": SIGN, "variables": {"id": number}})
        assert no_token.status_code == 403  # a session's POST carries X-CSRF-Token
        first = _gql(taras, SIGN, taras_csrf, id=number)["data"]["signPetition"]
        again = _gql(taras, SIGN, taras_csrf, id=number)["data"]["signPetition"]
        assert (first["signed"], again["signed"]) == (True, False)
        staff_only = _gql(taras, MODERATE, taras_csrf, id=number, publish=True)
        assert staff_only["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    iryna, iryna_csrf = _session(live, "c-iryna-1003")
    with closing(iryna):
        assert _gql(iryna, SIGN, iryna_csrf, id=number)["data"]["signPetition"]["signed"]
    assert live.client().get(f"/api/v1/petitions/{number}").json()["signatures"] == 2

    olena, olena_csrf = _session(live, "c-olena-1001")
    with closing(olena):
        other = olena.post(
            "/api/v1/petitions", json={**NEW, "title": "Лавки в сквері"}, headers=olena_csrf
        )
        second = other.json()["id"]
        assert (
            olena.post(f"/api/v1/petitions/{second}/submit", headers=olena_csrf).status_code == 200
        )
    natalia, staff = _session(live, "c-natalia-1007")
    with closing(natalia):
        no_ground = _gql(natalia, MODERATE, staff, id=second, publish=False)
        assert "code" in no_ground["errors"][0]["message"]
        refused_petition = _gql(
            natalia, MODERATE, staff, id=second, publish=False, code="duplicate"
        )
        assert refused_petition["data"]["moderatePetition"] == {
            "id": second,
            "state": "rejected",
            "rejectionCode": "duplicate",
        }
        twice = _gql(natalia, MODERATE, staff, id=second, publish=True)
        assert "not in moderation" in twice["errors"][0]["message"]
    petro, petro_csrf = _session(live, "c-petro-1008")
    with closing(petro):
        wrong = _gql(petro, ANSWER, petro_csrf, id=number, kind="maybe", text="x" * 30)
        assert "kind must be" in wrong["errors"][0]["message"]
        text = "Доріжку буде облаштовано у 2027 році частково, від метро до парку."
        answered = _gql(petro, ANSWER, petro_csrf, id=number, kind="partly", text=text)
        assert answered["data"]["answerPetition"] == {
            "state": "answered",
            "answer": {"kind": "partly"},
        }
    trail = live.client().get("/api/v1/audit", params={"subject": f"petition:{second}"}).json()
    assert [e["action"] for e in trail["items"]][-1] == "rejected"


def test_working_days_skip_weekends_and_holidays() -> None:
    friday = dt.datetime(2026, 12, 4, 10, 0, tzinfo=rules.KYIV)
    due = rules.add_working_days(friday, 2)
    assert due.astimezone(rules.KYIV).date() == dt.date(2026, 12, 8)  # Mon, Tue
    with_holiday = rules.add_working_days(friday, 2, ["2026-12-07"])
    assert with_holiday.astimezone(rules.KYIV).date() == dt.date(2026, 12, 9)
    assert rules.public_name("Коваленко Олена") == "Олена К."
    assert rules.public_name("Бондаренко Тарас Іванович") == "Тарас Б."
    # The community's statute may choose another style; the patronymic never shows.
    assert rules.public_name("Бондаренко Тарас Іванович", "initials") == "Т. Б."
    assert rules.public_name("Бондаренко Тарас Іванович", "full") == "Тарас Бондаренко"
    assert rules.public_name("Тарас", "full") == "Тарас"
    now = dt.datetime.now(dt.UTC)
    assert rules.state("open", closes_at=now, signatures=5, threshold=5, now=now) == (
        "under_consideration"
    )
    assert rules.state("open", closes_at=now, signatures=4, threshold=5, now=now) == "closed"
