"""A local STAND-IN for ID.GOV.UA (ІСЕІ) in its plain OAuth2 mode — not the real service.

It follows the service's documented endpoints, so hromada's ``idgovua``
provider kind can be tested without a contract:

* ``GET /?response_type=code&client_id&auth_type&state&redirect_uri`` — the
  login page (here: pick a demo person), back to ``redirect_uri?code&state``;
* ``GET|POST /get-access-token?grant_type=authorization_code&client_id&client_secret&code``
  — ``{access_token, token_type, expires_in, refresh_token, user_id}``;
* ``GET|POST /get-user-info?access_token&user_id&fields`` — the fields asked
  for (``lastname, givenname, middlename, drfocode, email, phone, address,
  unzr``), unencrypted (``cert`` empty);
* ``GET|POST /get-user-logout?access_token&user_id``.

Errors answer ``{"error": ..., "error_description": ...}``. Codes are single
use and short-lived; the client secret is checked.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from hromada.devidp.people import DemoPerson

FIELDS = ("lastname", "givenname", "middlename", "drfocode", "email", "phone", "address", "unzr")


@dataclass
class _Grant:
    subject: str
    client_id: str
    redirect_uri: str
    expires_at: float


class IdGovUaStandIn:
    name = "idgovua"

    def __init__(self, url: str, people: list[DemoPerson]) -> None:
        self.url = url.rstrip("/")
        self.people = {p.subjects[self.name]: p for p in people if self.name in p.subjects}
        self.clients: dict[str, tuple[str, list[str]]] = {}
        self.codes: dict[str, _Grant] = {}
        self.tokens: dict[str, tuple[str, float]] = {}  # access_token -> (user_id, expires)
        self._subjects: dict[str, str] = {}  # user_id -> person

    def register_client(self, client_id: str, client_secret: str, redirect_uris: list[str]) -> None:
        self.clients[client_id] = (client_secret, list(redirect_uris))

    def check_login_request(self, params: dict[str, str]) -> str | None:
        """None if the login page may be shown, else the error."""
        client = self.clients.get(params.get("client_id", ""))
        if params.get("response_type") != "code":
            return "unsupported_response_type"
        if client is None:
            return "invalid_client"
        if params.get("redirect_uri") not in client[1]:
            return "invalid_redirect_uri"
        return None

    def issue_code(self, params: dict[str, str], subject: str) -> str:
        code = secrets.token_urlsafe(24)
        self.codes[code] = _Grant(
            subject, params["client_id"], params["redirect_uri"], time.time() + 120
        )
        return code

    def access_token(self, params: dict[str, str]) -> dict[str, Any]:
        client = self.clients.get(params.get("client_id", ""))
        if params.get("grant_type") != "authorization_code":
            return {"error": "unsupported_grant_type", "error_description": "grant_type"}
        if client is None or not hmac.compare_digest(client[0], params.get("client_secret", "")):
            return {"error": "invalid_client", "error_description": "client_id or client_secret"}
        grant = self.codes.pop(params.get("code", ""), None)
        if (
            grant is None
            or grant.expires_at < time.time()
            or grant.client_id != params["client_id"]
        ):
            return {"error": "invalid_grant", "error_description": "code is not valid"}
        token = secrets.token_hex(20)
        user_id = secrets.token_hex(8)  # the service's user_id is per login
        self.tokens[token] = (user_id, time.time() + 600)
        self._subjects[user_id] = grant.subject
        return {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": 600,
            "refresh_token": secrets.token_hex(20),
            "user_id": user_id,
        }

    def user_info(self, params: dict[str, str]) -> dict[str, Any]:
        found = self.tokens.get(params.get("access_token", ""))
        if found is None or found[1] < time.time() or found[0] != params.get("user_id"):
            return {"error": "invalid_token", "error_description": "access_token or user_id"}
        person = self.people[self._subjects[found[0]]]
        values = {
            "lastname": person.family_name,
            "givenname": person.given_name,
            "middlename": person.middle_name,
            "drfocode": person.tax_id,
            "email": f"{person.key}@example.org",
            "phone": "380000000000",
            "address": person.address,
            "unzr": f"{person.birth_date:%Y%m%d}-{person.serial:05d}",
        }
        wanted = [f.strip() for f in params.get("fields", ",".join(FIELDS)).split(",")]
        return {k: values[k] for k in wanted if k in values}

    def logout(self, params: dict[str, str]) -> dict[str, Any]:
        found = self.tokens.pop(params.get("access_token", ""), None)
        if found is None:
            return {"error": "invalid_token", "error_description": "access_token"}
        return {"error": "0", "error_description": "Дані користувача видалено успішно"}
