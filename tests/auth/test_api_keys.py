"""API keys: created from a browser session, shown once, listed by prefix, revoked."""

from __future__ import annotations

import pytest

from hromada.auth.tables import ApiKey


def _login(live, client, subject: str = "c-taras-1002") -> dict[str, str]:
    live.login(client, "dev-city", subject)
    return {"X-CSRF-Token": live.csrf(client)}


async def test_create_list_use_revoke(live) -> None:
    with live.client() as client:
        csrf = _login(live, client)
        created = client.post("/api/v1/me/api-keys", json={"name": "my bot"}, headers=csrf)
        assert created.status_code == 201
        body = created.json()
        assert body["key"].startswith(body["prefix"] + "_")
        assert body["tier"] == "standard"
        listed = client.get("/api/v1/me/api-keys").json()["items"]
        assert [k["prefix"] for k in listed] == [body["prefix"]]
        assert "key" not in listed[0] and "key_hash" not in listed[0]
        assert listed[0]["limit_per_window"] == 1000
        stored = await ApiKey.select(ApiKey.key_hash).first()
        assert stored["key_hash"] != body["key"] and len(stored["key_hash"]) == 64
        with live.client() as bot:
            used = bot.get("/api/v1/me", headers={"X-API-Key": body["key"]})
            assert used.status_code == 200
            assert used.json()["authenticated_by"] == "api_key"
            assert used.json()["csrf_token"] is None
            assert used.headers["ratelimit-limit"] == "1000"
            # A key cannot mint or revoke keys, and needs no CSRF token for its own writes.
            minted = bot.post(
                "/api/v1/me/api-keys", json={"name": "x"}, headers={"X-API-Key": body["key"]}
            )
            assert minted.status_code == 403
        client.delete(f"/api/v1/me/api-keys/{body['id']}", headers=csrf)
        again = client.delete(f"/api/v1/me/api-keys/{body['id']}", headers=csrf)
        assert again.status_code == 200  # revoking twice is harmless
        assert client.get("/api/v1/me/api-keys").json()["items"][0]["revoked_at"]


@pytest.mark.parametrize(
    "payload",
    [{}, {"name": ""}, {"name": "x" * 101}, {"name": "a\x00b"}, {"name": 5}, {"name": "a", "x": 1}],
)
def test_bad_key_requests_are_422(live, payload) -> None:
    with live.client() as client:
        csrf = _login(live, client)
        response = client.post("/api/v1/me/api-keys", json=payload, headers=csrf)
        assert response.status_code in (400, 422), response.text
        assert response.headers["content-type"] == "application/problem+json"
        not_json = client.post(
            "/api/v1/me/api-keys",
            content=b"{nope",
            headers={**csrf, "content-type": "application/json"},
        )
        assert not_json.status_code in (400, 422)


def test_someone_elses_key_is_not_found(live) -> None:
    with live.client() as owner, live.client() as other:
        owner_csrf = _login(live, owner, "c-taras-1002")
        other_csrf = _login(live, other, "c-iryna-1003")
        key = owner.post("/api/v1/me/api-keys", json={"name": "a"}, headers=owner_csrf).json()
        stolen = other.delete(f"/api/v1/me/api-keys/{key['id']}", headers=other_csrf)
        assert stolen.status_code == 404
        assert other.get("/api/v1/me/api-keys").json()["items"] == []


def test_keys_per_resident_are_capped(live) -> None:
    with live.client() as client:
        csrf = _login(live, client)
        statuses = [
            client.post("/api/v1/me/api-keys", json={"name": f"k{n}"}, headers=csrf).status_code
            for n in range(21)
        ]
    assert statuses[:20] == [201] * 20
    assert statuses[20] == 409


def test_writes_are_limited_per_address_whoever_writes(live, monkeypatch) -> None:
    runtime = live.app.state["auth"]
    monkeypatch.setattr(
        runtime,
        "settings",
        runtime.settings.replace(rate_limit_writes=3, rate_limit_writes_per_ip=4),
        raising=True,
    )
    statuses = []
    for subject in ("c-olena-1001", "c-taras-1002"):  # two residents, one address
        with live.client() as client:
            live.login(client, "dev-city", subject)
            csrf = {"X-CSRF-Token": live.csrf(client)}
            for n in range(3):
                answer = client.post("/api/v1/me/api-keys", json={"name": f"k{n}"}, headers=csrf)
                statuses.append(answer.status_code)
    # Olena's three, Taras's first: the address's fourth; then the address is spent.
    assert statuses == [201, 201, 201, 201, 429, 429]


def test_anonymous_callers_cannot_manage_keys(live) -> None:
    with live.client() as client:
        assert client.get("/api/v1/me/api-keys").status_code == 401
        assert client.post("/api/v1/me/api-keys", json={"name": "x"}).status_code == 401
        assert client.delete("/api/v1/me/api-keys/1").status_code == 401


def test_writes_are_limited_per_resident(live, monkeypatch) -> None:
    runtime = live.app.state["auth"]
    monkeypatch.setattr(
        runtime, "settings", runtime.settings.replace(rate_limit_writes=3), raising=True
    )
    with live.client() as client:
        csrf = _login(live, client)
        statuses = []
        for n in range(5):
            response = client.post("/api/v1/me/api-keys", json={"name": f"k{n}"}, headers=csrf)
            statuses.append(response.status_code)
        assert statuses == [201, 201, 201, 429, 429]
        assert response.headers["retry-after"]
        assert client.get("/api/v1/me").status_code == 200  # reads go on
