"""Identity providers as configured in ``HROMADA_OIDC_PROVIDERS``.

A JSON list, one object per provider::

    [{"name": "city", "display_name": "Міський ID", "kind": "oidc",
      "issuer": "https://id.city.example/realms/city",
      "client_id": "hromada", "client_secret": "…",
      "roles_claim": "hromada_roles", "tax_id_claim": "drfocode"}]

``kind`` is ``oidc`` (any OpenID Connect provider, found by discovery from its
issuer) or ``idgovua`` (ID.GOV.UA's plain OAuth2 mode; ``issuer`` is then its
base URL, e.g. ``https://id.gov.ua``).

It is a setting's format, so it sits beside ``config`` rather than in ``auth``:
``config`` checks the setting when it loads, ``auth`` reads it, and neither
imports the other to do so.
"""

from __future__ import annotations

import json
import re
from typing import Literal

import msgspec

ProviderKind = Literal["oidc", "idgovua"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


class ProviderConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str
    issuer: str
    client_id: str
    client_secret: str = ""
    display_name: str = ""
    kind: ProviderKind = "oidc"
    # Claim (dotted path allowed, e.g. "realm_access.roles") listing staff roles.
    roles_claim: str = ""
    # Claim that carries the RNOKPP (tax number), when the provider releases it.
    tax_id_claim: str = "drfocode"
    scope: str = "openid profile"
    # ID.GOV.UA: the ways of logging in offered on its page.
    auth_type: str = "dig_sign,bank_id,diia_id"

    @property
    def label(self) -> str:
        return self.display_name or self.name


class ProvidersError(ValueError):
    """``HROMADA_OIDC_PROVIDERS`` is wrong; ``config`` reports it as a ``SettingsError``."""


def _error(message: str) -> Exception:
    return ProvidersError(f"HROMADA_OIDC_PROVIDERS: {message}")


def parse_providers(raw: str) -> list[ProviderConfig]:
    """Parse and check the providers; a problem is a one-line ``ProvidersError``."""
    if not raw.strip():
        return []
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise _error(f"not valid JSON ({exc.args[0].splitlines()[0]})") from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise _error("expected a JSON list of provider objects")
    providers: list[ProviderConfig] = []
    for index, item in enumerate(data):
        try:
            provider = msgspec.convert(item, ProviderConfig)
        except msgspec.ValidationError as exc:
            raise _error(f"provider #{index + 1}: {exc}") from None
        if not _NAME.match(provider.name):
            raise _error(
                f"provider #{index + 1}: name {provider.name!r} must be lowercase letters, "
                "digits, - or _"
            )
        if not provider.issuer.startswith(("https://", "http://")):
            raise _error(f"provider {provider.name!r}: issuer must be an http(s) URL")
        if not provider.client_id:
            raise _error(f"provider {provider.name!r}: client_id is empty")
        providers.append(provider)
    names = [p.name for p in providers]
    if len(set(names)) != len(names):
        raise _error("two providers have the same name")
    return providers


def dump_providers(providers: list[ProviderConfig]) -> str:
    return msgspec.json.encode(providers).decode()
