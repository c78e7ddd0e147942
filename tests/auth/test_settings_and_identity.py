"""Auth settings fail in one line; the identity rules on their own."""

from __future__ import annotations

import datetime as dt

import pytest

from hromada.auth.identity import (
    EligibilityRules,
    Identity,
    eligibility,
    in_community,
    normalise_tax_id,
    rnokpp_with_checksum,
    street_candidates,
)
from hromada.auth.runtime import identity_secret
from hromada.auth.service import safe_next
from hromada.config import Settings, SettingsError
from hromada.oidc_providers import parse_providers


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"HROMADA_IDENTITY_SECRET": "short"}, "HROMADA_IDENTITY_SECRET"),
        ({"HROMADA_RATE_LIMIT_TIERS": "standard"}, "HROMADA_RATE_LIMIT_TIERS"),
        ({"HROMADA_RATE_LIMIT_TIERS": "a=0"}, "HROMADA_RATE_LIMIT_TIERS"),
        ({"HROMADA_ELIGIBILITY_ALLOW_IDPS": "maybe"}, "true or false"),
        ({"HROMADA_SESSION_IDLE_TIMEOUT": "0"}, "HROMADA_SESSION_IDLE_TIMEOUT"),
        ({"HROMADA_OIDC_PROVIDERS": "{nope"}, "HROMADA_OIDC_PROVIDERS"),
        ({"HROMADA_OIDC_PROVIDERS": "[1]"}, "HROMADA_OIDC_PROVIDERS"),
        ({"HROMADA_OIDC_PROVIDERS": '[{"name": "a"}]'}, "HROMADA_OIDC_PROVIDERS"),
        (
            {"HROMADA_OIDC_PROVIDERS": '[{"name":"A B","issuer":"https://x","client_id":"c"}]'},
            "lowercase",
        ),
        (
            {"HROMADA_OIDC_PROVIDERS": '[{"name":"a","issuer":"ftp://x","client_id":"c"}]'},
            "http",
        ),
        (
            {
                "HROMADA_OIDC_PROVIDERS": '[{"name":"a","issuer":"https://x","client_id":"c"},'
                '{"name":"a","issuer":"https://y","client_id":"c"}]'
            },
            "same name",
        ),
        (
            {
                "HROMADA_OIDC_PROVIDERS": '[{"name":"a","issuer":"https://x","client_id":"c",'
                '"kind":"saml"}]'
            },
            "kind",
        ),
    ],
)
def test_bad_auth_settings_are_one_line(env, fragment) -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_env(environ=env, env_file=None)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_good_settings_parse() -> None:
    settings = Settings.from_env(
        environ={
            "HROMADA_ELIGIBILITY_ALLOW_IDPS": "no",
            "HROMADA_RATE_LIMIT_TIERS": "free=10, big=100",
            "HROMADA_OIDC_PROVIDERS": '{"name":"city","issuer":"https://id.example/","client_id":"c"}',
        },
        env_file=None,
    )
    assert settings.eligibility_allow_idps is False
    assert settings.tiers == {"free": 10, "big": 100}
    [provider] = parse_providers(settings.oidc_providers)
    assert (provider.name, provider.kind, provider.label) == ("city", "oidc", "city")


def test_the_identity_secret_is_required_outside_demo_and_test() -> None:
    with pytest.raises(SettingsError, match="HROMADA_IDENTITY_SECRET"):
        identity_secret(Settings(environment="production"))
    with pytest.raises(SettingsError):
        identity_secret(Settings(environment="development"))
    assert identity_secret(Settings(environment="test"))
    assert identity_secret(Settings(identity_secret="z" * 40)) == "z" * 40


def test_tax_numbers_normalise() -> None:
    rnokpp = rnokpp_with_checksum("314150000")
    assert normalise_tax_id(f" {rnokpp[:5]} {rnokpp[5:]} ") == rnokpp
    assert normalise_tax_id("аб 123456") == "АБ123456"
    for bad in ("", "12", "abcdefghij", "12345678901", "1234-5678"):
        assert normalise_tax_id(bad) is None


def test_person_key_is_the_same_across_providers_and_hides_the_number() -> None:
    rnokpp = rnokpp_with_checksum("314150000")
    a = Identity("a", "https://a", "1", "X", tax_id=rnokpp)
    b = Identity("b", "https://b", "zz", "X", tax_id=rnokpp)
    assert a.person_key("s" * 32) == b.person_key("s" * 32)
    assert a.person_key("s" * 32) != a.person_key("t" * 32)
    assert rnokpp not in a.person_key("s" * 32) and rnokpp not in repr(a)
    c = Identity("a", "https://a", "1", "X")
    d = Identity("b", "https://b", "1", "X")
    assert c.person_key("s" * 32) != d.person_key("s" * 32)  # same subject, other issuer


def test_addresses() -> None:
    localities = ("Харків",)
    assert in_community("61000, Харківська обл., м. Харків, вул. Сумська, 1", localities)
    assert not in_community("Харківська обл., м. Мерефа, вул. Харківська, 2", localities)
    assert not in_community(None, localities)
    assert street_candidates("м. Харків, вул. Сумська, 10, кв. 5") == ["Сумська"]
    assert street_candidates("просп. Науки, 4") == ["Науки"]


def test_eligibility_rules() -> None:
    rules = EligibilityRules(min_age=16, allow_idps=False)
    today = dt.date(2026, 6, 1)
    adult = dt.date(1990, 1, 1)
    turns_16_tomorrow = dt.date(2010, 6, 2)
    assert eligibility(
        birth_date=adult, in_community=True, idp_in_community=False, rules=rules, today=today
    ).eligible
    young = eligibility(
        birth_date=turns_16_tomorrow,
        in_community=True,
        idp_in_community=False,
        rules=rules,
        today=today,
    )
    assert not young.eligible and young.age == 15
    idp = eligibility(
        birth_date=adult, in_community=False, idp_in_community=True, rules=rules, today=today
    )
    assert not idp.eligible and idp.residence == "idp"
    unknown = eligibility(
        birth_date=None, in_community=True, idp_in_community=False, rules=rules, today=today
    )
    assert not unknown.eligible and "birth date unknown" in unknown.reasons[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/api/v1/districts", "/api/v1/districts"),
        ("/", "/"),
        (None, "/api/v1/me"),
        ("", "/api/v1/me"),
        ("https://evil.example", "/api/v1/me"),
        ("//evil.example", "/api/v1/me"),
        ("/\\evil.example", "/api/v1/me"),
        ("/x\r\nLocation: https://evil.example", "/api/v1/me"),
        ("/" + "a" * 3000, "/api/v1/me"),
    ],
)
def test_safe_next(value, expected) -> None:
    assert safe_next(value) == expected
