"""Petition types as settings: their own threshold, period, co-sponsors, withdrawal,
eligibility and signer names; over real HTTP with real logins."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import httpx
import pytest
from tests.auth.conftest import Live, make_live

from hromada.config import Settings, SettingsError

TYPES = {
    "city": {},
    "youth": {
        "title_uk": "Молодіжна петиція",
        "title_en": "Youth petition",
        "threshold": 3,
        "days": 30,
        "cosponsors": 2,
        "withdrawal": True,
        "signer_name": "initials",
    },
    "senior": {"title_en": "Senior petition", "min_age": 50, "allow_idps": False},
}
TEXT = (
    "Просимо облаштувати велосипедну доріжку вздовж проспекту Науки від метро до парку, "
    "з освітленням і безпечними переходами."
)


def _new(kind: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"title": "Велодоріжка на проспекті Науки", "text": TEXT}
    if kind is not None:
        body["kind"] = kind
    return body


@pytest.fixture(scope="module")
def typed_servers(settings: Settings) -> Iterator[Live]:
    yield from make_live(settings.replace(petition_types=json.dumps(TYPES), petition_open_drafts=5))


@pytest.fixture
def live(typed_servers: Live, city: Settings) -> Live:
    typed_servers.reset()
    return typed_servers


def _session(live: Live, subject: str) -> tuple[httpx.Client, dict[str, str]]:
    client = live.client()
    live.login(client, "dev-city", subject)
    return client, {"X-CSRF-Token": live.csrf(client)}


def _submitted(live: Live, kind: str, author: str = "c-olena-1001") -> int:
    client, csrf = _session(live, author)
    with closing(client):
        created = client.post("/api/v1/petitions", json=_new(kind), headers=csrf)
        assert created.status_code == 201, created.text
        number = int(created.json()["id"])
        assert client.post(f"/api/v1/petitions/{number}/submit", headers=csrf).status_code == 200
    return number


def _publish(live: Live, number: int) -> dict[str, Any]:
    natalia, staff = _session(live, "c-natalia-1007")
    with closing(natalia):
        done = natalia.post(
            f"/api/v1/petitions/{number}/moderation", json={"decision": "publish"}, headers=staff
        )
        assert done.status_code == 200, done.text
        return dict(done.json())


def _sign(live: Live, subject: str, number: int) -> httpx.Response:
    client, csrf = _session(live, subject)
    with closing(client):
        return client.post(f"/api/v1/petitions/{number}/signatures", headers=csrf)


def test_the_types_are_listed_with_their_rules(live: Live) -> None:
    with live.client() as anonymous:
        types = anonymous.get("/api/v1/petitions/types").json()
    assert [t["name"] for t in types] == ["city", "youth", "senior"]
    youth = types[1]
    assert (youth["threshold"], youth["days"], youth["cosponsors"], youth["withdrawal"]) == (
        3,
        30,
        2,
        True,
    )
    assert types[0]["threshold"] == live.settings.petition_threshold
    assert types[0]["cosponsors"] == 0 and not types[0]["withdrawal"]
    assert types[2]["min_age"] == 50 and not types[2]["allow_idps"]


def test_co_sponsors_take_a_petition_to_moderation(live: Live) -> None:
    number = _submitted(live, "youth")
    with live.client() as anonymous:
        seen = anonymous.get(f"/api/v1/petitions/{number}").json()
        assert seen["state"] == "cosponsoring" and seen["cosponsors_needed"] == 2
        assert seen["kind"] == "youth" and seen["threshold"] == 3
        listed = anonymous.get("/api/v1/petitions").json()["items"]
        assert number not in [p["id"] for p in listed], "reachable by its link, not listed"
    own = _sign(live, "c-olena-1001", number)
    assert own.status_code == 409 and "author" in own.json()["detail"]
    first = _sign(live, "c-taras-1002", number)
    assert first.status_code == 200 and first.json()["signed"]
    assert not _sign(live, "c-taras-1002", number).json()["signed"], "once"
    natalia, _staff = _session(live, "c-natalia-1007")
    with closing(natalia):
        assert natalia.get("/api/v1/petitions/moderation").json()["items"] == []
    assert _sign(live, "c-iryna-1003", number).json()["signed"]
    olena, _csrf = _session(live, "c-olena-1001")
    with closing(olena), live.client() as anonymous:
        now = olena.get(f"/api/v1/petitions/{number}").json()
        assert now["state"] == "moderation" and now["moderation_due"]
        assert anonymous.get(f"/api/v1/petitions/{number}").status_code == 404
    taras, _csrf = _session(live, "c-taras-1002")
    with closing(taras), live.client() as anonymous:
        assert taras.get(f"/api/v1/petitions/{number}").json()["state"] == "moderation", (
            "a co-sponsor follows it into moderation"
        )
        trail = anonymous.get("/api/v1/audit", params={"subject": f"petition:{number}"})
        actions = [(e["action"], e["actor"]) for e in trail.json()["items"]]
        assert actions == [("cosponsoring", "author"), ("submitted", "system")]
    late = _sign(live, "c-svitlana-1006", number)
    assert late.status_code == 404, "in moderation it is its author's and staff's alone"
    published = _publish(live, number)
    assert published["state"] == "open" and published["signatures"] == 2
    opened = dt.datetime.fromisoformat(published["opened_at"])
    closes = dt.datetime.fromisoformat(published["closes_at"])
    assert closes - opened == dt.timedelta(days=30)
    with live.client() as anonymous:
        signers = anonymous.get(f"/api/v1/petitions/{number}/signatures").json()["items"]
        assert [s["name"] for s in signers] == ["Т. Б.", "І. М."], "the type's name style"
    assert _sign(live, "c-svitlana-1006", number).json()["signed"]
    with live.client() as anonymous:
        assert anonymous.get(f"/api/v1/petitions/{number}").json()["state"] == (
            "under_consideration"
        )


def test_concurrent_co_sponsors_send_it_to_moderation_once(live: Live) -> None:
    number = _submitted(live, "youth")
    backers = ["c-taras-1002", "c-iryna-1003", "c-svitlana-1006"]
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda s: _sign(live, s, number), backers))
    assert all(a.status_code in (200, 404, 409) for a in answers), [a.text for a in answers]
    assert sum(a.status_code == 200 for a in answers) >= 2
    with live.client() as anonymous:
        trail = anonymous.get("/api/v1/audit", params={"subject": f"petition:{number}"})
        submitted = [e for e in trail.json()["items"] if e["action"] == "submitted"]
        assert len(submitted) == 1
    olena, _csrf = _session(live, "c-olena-1001")
    with closing(olena):
        assert olena.get(f"/api/v1/petitions/{number}").json()["state"] == "moderation"


def test_a_signature_is_withdrawn_only_where_the_type_allows(live: Live) -> None:
    youth = _submitted(live, "youth")
    for backer in ("c-taras-1002", "c-iryna-1003"):
        assert _sign(live, backer, youth).status_code == 200
    _publish(live, youth)
    taras, csrf = _session(live, "c-taras-1002")
    with closing(taras):
        gone = taras.delete(f"/api/v1/petitions/{youth}/signatures", headers=csrf)
        assert gone.status_code == 204
        assert taras.get(f"/api/v1/petitions/{youth}").json()["signatures"] == 1
        again = taras.delete(f"/api/v1/petitions/{youth}/signatures", headers=csrf)
        assert again.status_code == 204, "nothing left to withdraw is not an error"
        no_csrf = taras.delete(f"/api/v1/petitions/{youth}/signatures")
        assert no_csrf.status_code == 403
    city = _submitted(live, "city")
    _publish(live, city)
    assert _sign(live, "c-taras-1002", city).status_code == 200
    taras, csrf = _session(live, "c-taras-1002")
    with closing(taras):
        final = taras.delete(f"/api/v1/petitions/{city}/signatures", headers=csrf)
        assert final.status_code == 409 and "final" in final.json()["detail"]
    # At its threshold a youth petition's signatures are final too.
    for backer in ("c-taras-1002", "c-svitlana-1006"):
        assert _sign(live, backer, youth).status_code == 200
    iryna, csrf = _session(live, "c-iryna-1003")
    with closing(iryna):
        assert iryna.get(f"/api/v1/petitions/{youth}").json()["state"] == "under_consideration"
        late = iryna.delete(f"/api/v1/petitions/{youth}/signatures", headers=csrf)
        assert late.status_code == 409
    with live.client() as anonymous:
        assert anonymous.delete(f"/api/v1/petitions/{youth}/signatures").status_code in (401, 403)


def test_a_type_may_narrow_who_takes_part(live: Live) -> None:
    olena, csrf = _session(live, "c-olena-1001")  # 41 years old
    with closing(olena):
        refused = olena.post("/api/v1/petitions", json=_new("senior"), headers=csrf)
        assert refused.status_code == 403 and "under 50" in refused.json()["detail"]
        unknown = olena.post("/api/v1/petitions", json=_new("nope"), headers=csrf)
        assert unknown.status_code == 422 and unknown.json()["errors"][0]["name"] == "kind"
        default = olena.post("/api/v1/petitions", json=_new(None), headers=csrf).json()
        assert default["kind"] == "city" and default["cosponsors_needed"] == 0
    senior = _submitted(live, "senior", author="c-taras-1002")  # 54 years old
    _publish(live, senior)
    displaced = _sign(live, "c-svitlana-1006", senior)  # 58, internally displaced
    assert displaced.status_code == 403, displaced.text
    assert "displaced" in displaced.json()["detail"]
    assert _sign(live, "c-natalia-1007", senior).status_code == 403  # 38


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{", "not JSON"),
        ("[]", "expected an object"),
        ('{"Bad Name": {}}', "type name"),
        ('{"x": {"threshhold": 5}}', "unknown key 'threshhold'"),
        ('{"x": {"threshold": 0}}', "threshold must be"),
        ('{"x": {"threshold": "5"}}', "threshold must be"),
        ('{"x": {"withdrawal": "yes"}}', "withdrawal must be true or false"),
        ('{"x": {"min_age": 12}}', "narrow who takes part"),
        ('{"x": {"signer_name": "surname"}}', "signer_name must be"),
        ('{"x": {"title_uk": ""}}', "titles"),
    ],
)
def test_bad_types_are_refused_at_start(raw: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"HROMADA_PETITION_TYPES": raw}, env_file=None)


def test_idps_cannot_be_let_in_by_a_type() -> None:
    with pytest.raises(SettingsError, match="narrow who takes part"):
        Settings.from_env(
            {
                "HROMADA_ELIGIBILITY_ALLOW_IDPS": "false",
                "HROMADA_PETITION_TYPES": '{"x": {"allow_idps": true}}',
            },
            env_file=None,
        )


def test_the_portal_offers_the_types_and_the_co_sponsor_button(live: Live) -> None:
    olena, headers = _session(live, "c-olena-1001")
    with closing(olena):
        form = olena.get("/petitions/new", params={"lang": "en"}).text
        assert '<select id="kind" name="kind">' in form and "Youth petition" in form
        made = olena.post(
            "/petitions/new",
            data={"csrf_token": headers["X-CSRF-Token"], "kind": "youth", **_new(None)},
        )
        assert made.status_code == 303, made.text
        number = int(made.headers["location"].rsplit("/", 1)[1])
        bad = olena.post(
            "/petitions/new",
            data={"csrf_token": headers["X-CSRF-Token"], "kind": "nope", **_new(None)},
        )
        assert bad.status_code == 422 and "no petition type" in bad.text
    with live.client() as anonymous:
        page = anonymous.get(f"/petitions/{number}", params={"lang": "en"}).text
        assert "Gathering co-sponsors" in page and "2 co-sponsors must back" in page
    taras, headers = _session(live, "c-taras-1002")
    with closing(taras):
        page = taras.get(f"/petitions/{number}", params={"lang": "en"}).text
        assert "Back it as a co-sponsor" in page
        backed = taras.post(
            f"/petitions/{number}/sign", data={"csrf_token": headers["X-CSRF-Token"]}
        )
        assert backed.status_code == 303
        after = taras.get(backed.headers["location"], params={"lang": "en"})
        assert after.status_code == 200 and "1 have so far" in after.text
