"""Every ID-token check, against real keys published by the development provider."""

from __future__ import annotations

import base64
import json
import time

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from hromada.auth.oidc import LoginFailed, OidcProvider


def _provider(dev_idp, name: str = "city") -> tuple[OidcProvider, object]:
    config = next(p for p in dev_idp.idp.providers() if p.name == f"dev-{name}")
    return OidcProvider(config), dev_idp.idp.issuers[name]


def _claims(issuer, **changes):
    now = int(time.time())
    claims = {
        "iss": issuer.url,
        "sub": "c-olena-1001",
        "aud": "hromada-demo",
        "iat": now,
        "exp": now + 300,
        "nonce": "n-1",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(issuer, claims, key=None, header=None) -> str:
    key = key or issuer.signing_key
    return jwt.encode(header or {"alg": "RS256", "kid": key.kid}, claims, key, algorithms=["RS256"])


async def test_a_good_token_passes(dev_idp) -> None:
    provider, issuer = _provider(dev_idp)
    claims = await provider.verify_id_token(_sign(issuer, _claims(issuer)), "n-1")
    assert claims["sub"] == "c-olena-1001"


async def test_bad_signature_is_refused(dev_idp) -> None:
    provider, issuer = _provider(dev_idp)
    impostor = RSAKey.generate_key(2048, parameters={"kid": issuer.signing_key.kid})
    with pytest.raises(LoginFailed, match="signature"):
        await provider.verify_id_token(_sign(issuer, _claims(issuer), key=impostor), "n-1")


async def test_tampered_payload_is_refused(dev_idp) -> None:
    provider, issuer = _provider(dev_idp)
    head, payload, sig = _sign(issuer, _claims(issuer)).split(".")
    forged = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged["sub"] = "c-oksana-1009"
    payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    with pytest.raises(LoginFailed, match="signature"):
        await provider.verify_id_token(f"{head}.{payload}.{sig}", "n-1")


async def test_alg_none_is_refused(dev_idp) -> None:
    provider, issuer = _provider(dev_idp)

    def b64(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    token = f"{b64({'alg': 'none'})}.{b64(_claims(issuer))}."
    with pytest.raises(LoginFailed, match="none"):
        await provider.verify_id_token(token, "n-1")


async def test_hmac_with_a_public_key_is_refused(dev_idp) -> None:
    # The classic confusion: HS256 "signed" with bytes anyone can download.
    provider, issuer = _provider(dev_idp)
    key = OctKey.import_key(b"x" * 32)
    token = jwt.encode({"alg": "HS256"}, _claims(issuer), key, algorithms=["HS256"])
    with pytest.raises(LoginFailed, match="HS256"):
        await provider.verify_id_token(token, "n-1")


# Times are offsets from when the test runs, not from when it was collected: a
# slow full run can reach this test minutes after collection.
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"iss": "https://evil.example"}, "iss"),
        ({"aud": "someone-else"}, "aud"),
        ({"exp": -3600, "iat": -7200}, "expired"),
        ({"iat": 3600}, "future"),
        ({"iat": -3000, "exp": 300}, "too long ago"),
        ({"nonce": "an-old-nonce"}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"exp": None}, "exp"),
        ({"sub": None}, "sub"),
        ({"aud": ["hromada-demo", "other"]}, "azp"),
    ],
)
async def test_claims_are_checked(dev_idp, changes, message) -> None:
    now = int(time.time())
    changes = {
        k: now + v if k in ("iat", "exp") and isinstance(v, int) else v for k, v in changes.items()
    }
    provider, issuer = _provider(dev_idp)
    with pytest.raises(LoginFailed, match=message):
        await provider.verify_id_token(_sign(issuer, _claims(issuer, **changes)), "n-1")


async def test_garbage_is_refused(dev_idp) -> None:
    provider, _ = _provider(dev_idp)
    for value in ("", "a.b", "not a token", "....", "e30.e30.e30"):
        with pytest.raises(LoginFailed):
            await provider.verify_id_token(value, "n-1")


async def test_rotated_keys_are_fetched_again(dev_idp, monkeypatch) -> None:
    from hromada.auth import oidc

    monkeypatch.setattr(oidc, "JWKS_REFETCH_AFTER", 0)
    provider, issuer = _provider(dev_idp, "bank")
    await provider.keys()  # cached before the rotation
    issuer.rotate_key()
    claims = await provider.verify_id_token(_sign(issuer, _claims(issuer)), "n-1")
    assert claims["iss"] == issuer.url


async def test_a_key_the_provider_never_published_is_refused(dev_idp) -> None:
    provider, issuer = _provider(dev_idp)
    stranger = RSAKey.generate_key(2048, parameters={"kid": "not-published"})
    with pytest.raises(LoginFailed, match="does not publish"):
        await provider.verify_id_token(_sign(issuer, _claims(issuer), key=stranger), "n-1")
