"""The whole redirect flow over real HTTP between hromada and the development provider."""

from __future__ import annotations

import re

import pytest

from hromada.auth.tables import Resident, ResidentLink


def test_providers_are_listed(live) -> None:
    with live.client() as client:
        response = client.get("/auth/providers")
    assert response.status_code == 200
    names = [p["name"] for p in response.json()["items"]]
    assert names == ["dev-city", "dev-bank", "dev-idgovua"]
    assert response.json()["items"][0]["login_url"].endswith("/auth/login/dev-city")


def test_a_demo_resident_logs_in_and_sees_role_and_eligibility(live) -> None:
    with live.client() as client:
        trip = live.login(client, "dev-city", "c-olena-1001")
        assert trip.callback.status_code == 302, trip.callback.text
        assert trip.callback.headers["location"] == "/api/v1/me"
        set_cookie = trip.callback.headers.get_list("set-cookie")
        session_cookie = next(c for c in set_cookie if c.startswith("hromada_session="))
        assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie.replace(
            "Lax", "lax"
        )
        me = client.get("/api/v1/me")
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["display_name"] == "Коваленко Олена"
    assert body["role"] == "resident"
    assert body["district"] == "shevchenkivskyi"
    assert body["eligibility"]["eligible"] is True
    assert body["eligibility"]["residence"] == "registered"
    assert body["providers"] == ["dev-city"]
    assert body["authenticated_by"] == "session"
    assert re.fullmatch(r"[0-9a-f]{64}", body["csrf_token"])


@pytest.mark.parametrize(
    ("subject", "reason"),
    [("c-maksym-1004", "under 16"), ("c-andrii-1005", "not registered in the community")],
)
def test_under_age_and_non_resident_are_not_eligible(live, subject: str, reason: str) -> None:
    with live.client() as client:
        live.login(client, "dev-city", subject)
        body = client.get("/api/v1/me").json()
    assert body["eligibility"]["eligible"] is False
    assert reason in body["eligibility"]["reasons"]


def test_internally_displaced_person_is_eligible_when_allowed(live) -> None:
    with live.client() as client:
        live.login(client, "dev-city", "c-svitlana-1006")
        body = client.get("/api/v1/me").json()
    assert body["eligibility"]["residence"] == "idp"
    assert body["eligibility"]["eligible"] is True
    assert body["district"] == "industrialnyi"


@pytest.mark.parametrize(
    ("subject", "role"),
    [("c-natalia-1007", "moderator"), ("c-petro-1008", "official"), ("c-oksana-1009", "admin")],
)
def test_staff_roles_come_from_the_provider_claim(live, subject: str, role: str) -> None:
    with live.client() as client:
        live.login(client, "dev-city", subject)
        assert client.get("/api/v1/me").json()["role"] == role


async def test_one_person_through_two_providers_is_one_resident(live) -> None:
    with live.client() as first:
        live.login(first, "dev-city", "c-olena-1001")
        city_me = first.get("/api/v1/me").json()
    with live.client() as second:
        live.login(second, "dev-bank", "b-77f3a2")
        bank_me = second.get("/api/v1/me").json()
    assert city_me["id"] == bank_me["id"]
    assert bank_me["providers"] == ["dev-bank", "dev-city"]
    assert await Resident.count() == 1
    assert await ResidentLink.count() == 2


def test_a_provider_without_tax_number_keys_by_subject(live) -> None:
    with live.client() as client:
        live.login(client, "dev-bank", "b-viktor-2a")
        body = client.get("/api/v1/me").json()
    assert body["display_name"] == "Savchenko Viktor"
    assert body["eligibility"]["age"] is not None  # birthdate claim


def test_next_is_followed_when_local(live) -> None:
    with live.client() as client:
        trip = live.login(client, "dev-city", "c-taras-1002", next_url="/api/v1/districts?x=1")
    assert trip.callback.headers["location"] == "/api/v1/districts?x=1"


def test_idgovua_stand_in_logs_in_with_its_user_info(live) -> None:
    with live.client() as client:
        trip = live.login(client, "dev-idgovua", "idg-iryna")
        assert trip.callback.status_code == 302, trip.callback.text
        body = client.get("/api/v1/me").json()
    assert body["display_name"] == "Мельник Ірина"
    assert body["district"] == "kholodnohirskyi"
    # Birth date comes from the RNOKPP, since ID.GOV.UA gives none.
    assert body["birth_date"] == "1999-06-30"
    assert body["eligibility"]["eligible"] is True


def test_logout_ends_the_session(live) -> None:
    with live.client() as client:
        live.login(client, "dev-city", "c-taras-1002")
        token = live.csrf(client)
        out = client.post("/auth/logout", headers={"X-CSRF-Token": token})
        assert out.status_code == 204
        assert client.get("/api/v1/me").status_code == 401
