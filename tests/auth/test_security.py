"""Attacks on login, sessions and keys, over real HTTP between hromada and the provider."""

from __future__ import annotations

import logging

import httpx
import pytest

from hromada import db


def _no_session(response: httpx.Response) -> None:
    assert not any(
        c.startswith("hromada_session=") and not c.startswith("hromada_session=;")
        for c in response.headers.get_list("set-cookie")
    )


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("bad_signature", "signature"),
        ("alg_none", "none"),
        ("wrong_iss", "iss"),
        ("wrong_aud", "aud"),
        ("expired", "expired"),
    ],
)
def test_a_bad_id_token_from_the_provider_is_refused(live, fault: str, message: str) -> None:
    live.issuer("city").faults.add(fault)
    with live.client() as client:
        trip = live.login(client, "dev-city", "c-taras-1002")
        assert trip.callback.status_code == 401, trip.callback.text
        assert trip.callback.headers["content-type"] == "application/problem+json"
        assert message in trip.callback.json()["detail"]
        _no_session(trip.callback)
        assert client.get("/api/v1/me").status_code == 401


def test_a_replayed_id_token_fails_on_its_nonce(live) -> None:
    with live.client() as first:
        assert live.login(first, "dev-city", "c-olena-1001").callback.status_code == 302
    live.issuer("city").faults.add("replay")  # the provider hands out Olena's old token again
    with live.client() as second:
        trip = live.login(second, "dev-city", "c-taras-1002")
    assert trip.callback.status_code == 401
    assert "nonce" in trip.callback.json()["detail"]


def test_state_mismatch_is_refused(live) -> None:
    with live.client() as client:
        trip = live.login(client, "dev-city", "c-taras-1002", finish=False)
        forged = trip.callback_url.replace("state=", "state=x")
        response = client.get(forged)
        assert response.status_code == 401
        assert "state" in response.json()["detail"]
        no_state = client.get(trip.callback_url.split("&state=")[0])
        assert no_state.status_code == 401


def test_a_callback_from_another_browser_is_refused(live) -> None:
    with live.client() as victim:
        trip = live.login(victim, "dev-city", "c-taras-1002", finish=False)
    with live.client() as attacker:  # no login cookie: login CSRF / stolen callback URL
        response = attacker.get(trip.callback_url)
    assert response.status_code == 401
    assert "another browser" in response.json()["detail"]


def test_an_authorization_code_works_once(live) -> None:
    with live.client() as client:
        trip = live.login(client, "dev-city", "c-taras-1002")
        assert trip.callback.status_code == 302
        again = client.get(trip.callback_url)  # same code, same state
        assert again.status_code == 401
        # A fresh login (new state) carrying the old code: the provider refuses the code.
        fresh = live.login(client, "dev-city", "c-taras-1002", finish=False)
        old_code = trip.callback_url.split("code=")[1].split("&")[0]
        new_code = fresh.callback_url.split("code=")[1].split("&")[0]
        reused = client.get(fresh.callback_url.replace(new_code, old_code))
        assert reused.status_code == 401
        assert "refused the code" in reused.json()["detail"]


def test_the_provider_checks_pkce_and_the_client_secret(live) -> None:
    issuer = live.issuer("city")
    with live.client() as client:
        trip = live.login(client, "dev-city", "c-taras-1002", finish=False)
    code = trip.callback_url.split("code=")[1].split("&")[0]
    redirect_uri = trip.callback_url.split("?")[0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    secret = live.idp.idp.client_secret
    no_verifier = httpx.post(f"{issuer.url}/token", data=form, auth=("hromada-demo", secret))
    assert no_verifier.status_code == 400 and "code_verifier" in no_verifier.text
    wrong = httpx.post(
        f"{issuer.url}/token",
        data={**form, "code_verifier": "x" * 64},
        auth=("hromada-demo", secret),
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    bad_client = httpx.post(
        f"{issuer.url}/token", data={**form, "code_verifier": "x" * 64}, auth=("hromada-demo", "no")
    )
    assert bad_client.status_code == 401 and bad_client.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/ok\r\nSet-Cookie: x=1",
    ],
)
def test_next_never_leaves_the_site(live, target: str) -> None:
    with live.client() as client:
        trip = live.login(client, "dev-city", "c-taras-1002", next_url=target)
    assert trip.callback.headers["location"] == "/api/v1/me"


def test_csrf_is_required_on_cookie_writes(live) -> None:
    with live.client() as client:
        live.login(client, "dev-city", "c-taras-1002")
        token = live.csrf(client)
        assert client.post("/api/v1/me/api-keys", json={"name": "x"}).status_code == 403
        wrong = client.post(
            "/api/v1/me/api-keys", json={"name": "x"}, headers={"X-CSRF-Token": "0" * 64}
        )
        assert wrong.status_code == 403
        foreign = client.post(
            "/api/v1/me/api-keys",
            json={"name": "x"},
            headers={"X-CSRF-Token": token, "Origin": "https://evil.example"},
        )
        assert foreign.status_code == 403
        assert client.post("/auth/logout").status_code == 403
        assert client.get("/api/v1/me").status_code == 200  # still logged in
        ok = client.post(
            "/api/v1/me/api-keys",
            json={"name": "x"},
            headers={"X-CSRF-Token": token, "Origin": live.url},
        )
        assert ok.status_code == 201, ok.text


def test_session_fixation_is_impossible(live) -> None:
    with live.client() as attacker:
        live.login(attacker, "dev-city", "c-andrii-1005")
        planted = attacker.cookies["hromada_session"]
    for value in (planted, "attacker-chosen-value"):
        with live.client() as victim:
            victim.cookies.set("hromada_session", value, domain="127.0.0.1")
            live.login(victim, "dev-city", "c-taras-1002")
            fresh = victim.cookies["hromada_session"]
            assert fresh not in (planted, "attacker-chosen-value")
            assert victim.get("/api/v1/me").json()["display_name"] == "Бондаренко Тарас"
    with live.client() as attacker:
        attacker.cookies.set("hromada_session", "attacker-chosen-value", domain="127.0.0.1")
        assert attacker.get("/api/v1/me").status_code == 401


def test_a_session_from_before_login_is_ended_by_the_login(live) -> None:
    with live.client() as client:
        live.login(client, "dev-city", "c-andrii-1005")
        before = client.cookies["hromada_session"]
        live.login(client, "dev-city", "c-taras-1002")
    with live.client() as replay:
        replay.cookies.set("hromada_session", before, domain="127.0.0.1")
        assert replay.get("/api/v1/me").status_code == 401


def test_a_session_cannot_be_used_after_logout(live) -> None:
    with live.client() as client:
        live.login(client, "dev-city", "c-taras-1002")
        stolen = client.cookies["hromada_session"]
        token = live.csrf(client)
        assert client.post("/auth/logout", headers={"X-CSRF-Token": token}).status_code == 204
    with live.client() as thief:
        thief.cookies.set("hromada_session", stolen, domain="127.0.0.1")
        assert thief.get("/api/v1/me").status_code == 401
        assert (
            thief.post("/api/v1/me/api-keys", json={"name": "x"}, headers={"X-CSRF-Token": token})
        ).status_code == 401


def test_a_revoked_api_key_stops_working(live) -> None:
    with live.client() as client:
        live.login(client, "dev-city", "c-taras-1002")
        token = live.csrf(client)
        created = client.post(
            "/api/v1/me/api-keys", json={"name": "bot"}, headers={"X-CSRF-Token": token}
        ).json()
        with live.client() as bot:
            ok = bot.get("/api/v1/districts", headers={"X-API-Key": created["key"]})
            assert ok.status_code == 200
            revoked = client.delete(
                f"/api/v1/me/api-keys/{created['id']}", headers={"X-CSRF-Token": token}
            )
            assert revoked.status_code == 200 and revoked.json()["revoked_at"]
            refused = bot.get("/api/v1/districts", headers={"X-API-Key": created["key"]})
            assert refused.status_code == 401
            assert refused.headers["content-type"] == "application/problem+json"


def test_guessing_api_keys_is_rate_limited(live) -> None:
    with live.client() as client:
        live.login(client, "dev-city", "c-taras-1002")
        token = live.csrf(client)
        real = client.post(
            "/api/v1/me/api-keys", json={"name": "bot"}, headers={"X-CSRF-Token": token}
        ).json()["key"]
    statuses = []
    with live.client() as guesser:
        for n in range(30):
            guess = real[:-6] + f"{n:06d}"
            statuses.append(guesser.get("/api/v1/districts", headers={"X-API-Key": guess}))
        codes = [r.status_code for r in statuses]
        assert set(codes) == {401, 429}
        assert codes.index(429) <= 11
        assert all(c == 429 for c in codes[codes.index(429) :])
        last = statuses[-1]
        assert int(last.headers["retry-after"]) >= 1
        # Once over the limit, even the right key is not looked up from this address.
        assert guesser.get("/api/v1/districts", headers={"X-API-Key": real}).status_code == 429


async def test_no_secret_token_or_tax_number_in_logs_or_database(live, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    olena = next(p for p in live.idp.idp.people if p.key == "olena")
    secrets_seen: list[str] = [olena.tax_id, live.idp.idp.client_secret, "Петрівна"]
    with live.client() as client:
        trip = live.login(client, "dev-city", "c-olena-1001")
        secrets_seen.append(trip.callback_url.split("code=")[1].split("&")[0])
        secrets_seen.append(trip.callback_url.split("state=")[1].split("&")[0])
        secrets_seen.append(client.cookies["hromada_session"])
        token = live.csrf(client)
        secrets_seen.append(token)
        key = client.post(
            "/api/v1/me/api-keys", json={"name": "bot"}, headers={"X-CSRF-Token": token}
        ).json()["key"]
        secrets_seen.append(key)
        client.get("/api/v1/districts", headers={"X-API-Key": key})
        live.login(client, "dev-idgovua", "idg-iryna")
        live.login(client, "dev-bank", "b-77f3a2")
    issuer = live.issuer("city")
    secrets_seen += list(issuer.tokens)  # access tokens the provider issued
    secrets_seen.append(issuer.last_id_token)
    secrets_seen += [t for t in live.idp.idp.idgovua.tokens]
    iryna = next(p for p in live.idp.idp.people if p.key == "iryna")
    secrets_seen += [iryna.tax_id, olena.address, iryna.address]

    logged = "\n".join(r.getMessage() for r in caplog.records)
    dump = []
    for table in db.all_tables():
        dump.append(str(await table.select()))
    stored = "\n".join(dump)
    assert "Коваленко Олена" in stored  # the dump is real
    for value in secrets_seen:
        assert value and value not in logged, f"{value[:6]}… leaked into the logs"
        assert value not in stored, f"{value[:6]}… was stored in the database"
