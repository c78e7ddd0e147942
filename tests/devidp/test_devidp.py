"""The development identity provider: demo and test mode only, a real OIDC provider."""

from __future__ import annotations

import httpx
import pytest

from hromada.auth.identity import birth_date_from_rnokpp, rnokpp_checksum_ok
from hromada.config import Settings, SettingsError
from hromada.devidp import start_dev_idp
from hromada.devidp.app import DevIdp
from hromada.devidp.people import demo_people


@pytest.mark.parametrize("environment", ["production", "development"])
def test_it_refuses_to_start_outside_demo_and_test(environment: str) -> None:
    settings = Settings(environment=environment)  # type: ignore[arg-type]
    with pytest.raises(SettingsError, match="only in demo and test mode"):
        start_dev_idp(settings, redirect_base="http://127.0.0.1:9")
    with pytest.raises(SettingsError, match="only in demo and test mode"):
        DevIdp(settings, "http://127.0.0.1:1", "http://127.0.0.1:9")


def test_discovery_and_jwks_are_published(dev_idp) -> None:
    issuer = dev_idp.idp.issuers["city"]
    meta = httpx.get(issuer.url + "/.well-known/openid-configuration").json()
    assert meta["issuer"] == issuer.url
    assert meta["code_challenge_methods_supported"] == ["S256"]
    keys = httpx.get(meta["jwks_uri"]).json()["keys"]
    assert keys and all("d" not in k for k in keys)  # public halves only
    assert {k["kid"] for k in keys} >= {issuer.signing_key.kid}


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"client_id": "stranger"}, "invalid_client"),
        ({"redirect_uri": "https://evil.example/cb"}, "invalid"),
        ({"code_challenge": None}, "code_challenge"),
        ({"nonce": None}, "nonce"),
        ({"response_type": "token"}, "unsupported_response_type"),
    ],
)
def test_bad_authorization_requests_are_refused(dev_idp, params, error) -> None:
    issuer = dev_idp.idp.issuers["city"]
    good = {
        "response_type": "code",
        "client_id": "hromada-demo",
        "redirect_uri": "http://127.0.0.1:9/auth/callback/dev-city",
        "scope": "openid profile",
        "state": "s",
        "nonce": "n",
        "code_challenge": "a" * 43,
        "code_challenge_method": "S256",
    }
    query = {k: v for k, v in {**good, **params}.items() if v is not None}
    response = httpx.get(issuer.url + "/authorize", params=query)
    assert response.status_code in (302, 400)
    text = response.text + response.headers.get("location", "")
    assert error in text


def test_userinfo_needs_a_valid_token(dev_idp) -> None:
    issuer = dev_idp.idp.issuers["city"]
    assert httpx.get(issuer.url + "/userinfo").status_code == 401
    bad = httpx.get(issuer.url + "/userinfo", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_demo_people_are_consistent() -> None:
    people = demo_people(1551)
    assert len({p.key for p in people}) == len(people)
    for person in people:
        assert rnokpp_checksum_ok(person.tax_id)
        assert birth_date_from_rnokpp(person.tax_id) == person.birth_date
    both = [p for p in people if {"city", "bank"} <= set(p.subjects)]
    assert both and all(p.subjects["city"] != p.subjects["bank"] for p in both)
    roles = {r for p in people for r in p.roles}
    assert roles == {"moderator", "official", "admin"}


def test_commands_beside_the_demo_know_its_providers() -> None:
    from hromada.devidp.app import demo_provider_configs
    from hromada.oidc_providers import parse_providers

    settings = Settings(environment="demo", port=8123)
    idp = DevIdp(settings, "http://127.0.0.1:8124", "http://127.0.0.1:8123")
    served = {p.name: p.issuer for p in idp.providers()}
    known = {p.name: p.issuer for p in parse_providers(demo_provider_configs(settings))}
    assert known == served
