"""One issuer of the development identity provider, built on authlib's server side.

Authorization code flow with PKCE (S256, required), client authentication
(``client_secret_basic`` / ``client_secret_post``), ``nonce`` (required, never
twice), RS256 ID tokens signed with a key published in the JWKS (and
rotatable), a user-info endpoint behind the bearer token. Everything lives in
memory: it is for the demo and the tests only.

``faults`` lets a test make the next ID tokens wrong in one chosen way (bad
signature, ``alg: none``, wrong ``iss`` or ``aud``, expired, or a replay of an
earlier token) to prove that hromada refuses them.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from authlib.common.security import generate_token
from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import OAuth2Request
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6749.resource_protector import ResourceProtector
from authlib.oauth2.rfc6750 import BearerTokenGenerator, BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants import OpenIDCode
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from hromada.devidp.people import DemoPerson

CODE_TTL = 120
_FIRST_KEYS: dict[str, RSAKey] = {}
TOKEN_TTL = 600


@dataclass
class DevClient:
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    client_metadata: dict[str, Any] = field(default_factory=dict)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str) -> str:
        allowed = {"openid", "profile", "email", "address", "phone"}
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(self.client_secret, client_secret or "")

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class DevCode:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    subject: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int
    expires_at: float

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


@dataclass
class DevToken:
    access_token: str
    client_id: str
    subject: str
    scope: str
    expires_at: float

    def check_client(self, client: DevClient) -> bool:
        return client.client_id == self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return int(self.expires_at - time.time())

    def is_expired(self) -> bool:
        return time.time() >= self.expires_at

    def is_revoked(self) -> bool:
        return False


class FormRequest(OAuth2Request):
    """An OAuth2 request made from already-read query and form values."""

    def __init__(
        self, method: str, uri: str, headers: Any, query: dict[str, str], form: dict[str, str]
    ) -> None:
        super().__init__(method, uri, headers=headers)
        self._args, self._form = query, form
        self.payload = BasicOAuth2Payload({**query, **form})

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class DevIssuer:
    """One issuer: its people, clients, codes, tokens and signing keys."""

    def __init__(self, name: str, url: str, people: list[DemoPerson]) -> None:
        self.name = name
        self.url = url.rstrip("/")
        self.people = {p.subjects[name]: p for p in people if name in p.subjects}
        self.clients: dict[str, DevClient] = {}
        self.codes: dict[str, DevCode] = {}
        self.tokens: dict[str, DevToken] = {}
        self.used_nonces: set[tuple[str, str]] = set()
        self.keys: list[RSAKey] = []
        self.faults: set[str] = set()
        self.last_id_token: str | None = None
        self.lock = threading.Lock()
        self.rotate_key()
        self.server = self._build_server()

    # -- keys ------------------------------------------------------------------
    def rotate_key(self) -> str:
        """Sign with a new key from now on; the JWKS keeps the old one published too."""
        if not self.keys and self.name in _FIRST_KEYS:
            # One first key per issuer and process: RSA key generation is slow.
            key = _FIRST_KEYS[self.name]
        else:
            key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(8), "use": "sig"})
            _FIRST_KEYS.setdefault(self.name, key)
        self.keys.append(key)
        self.keys = self.keys[-2:]
        return str(key.kid)

    @property
    def signing_key(self) -> RSAKey:
        return self.keys[-1]

    def jwks(self) -> dict[str, Any]:
        return dict(KeySet(list(self.keys)).as_dict(private=False))

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": self.url + "/authorize",
            "token_endpoint": self.url + "/token",
            "userinfo_endpoint": self.url + "/userinfo",
            "jwks_uri": self.url + "/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email", "address", "phone"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "sub",
                "name",
                "given_name",
                "family_name",
                "birthdate",
                "address",
                "drfocode",
                "idp_address",
                "hromada_roles",
            ],
        }

    def register_client(self, client_id: str, client_secret: str, redirect_uris: list[str]) -> None:
        self.clients[client_id] = DevClient(client_id, client_secret, list(redirect_uris))

    # -- ID tokens -------------------------------------------------------------
    def id_token(
        self, client_id: str, person: DemoPerson, nonce: str | None, auth_time: int
    ) -> str:
        if "replay" in self.faults and self.last_id_token:
            return self.last_id_token
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "sub": person.subjects[self.name],
            "aud": [client_id],
            "iat": now,
            "exp": now + 300,
            "auth_time": auth_time,
            "name": person.name,
        }
        if nonce:
            claims["nonce"] = nonce
        if "wrong_iss" in self.faults:
            claims["iss"] = "https://evil.example"
        if "wrong_aud" in self.faults:
            claims["aud"] = ["someone-else"]
        if "expired" in self.faults:
            claims["iat"], claims["exp"] = now - 7200, now - 3600
        header = {"alg": "RS256", "kid": self.signing_key.kid, "typ": "JWT"}
        if "alg_none" in self.faults:
            value = ".".join(
                [
                    _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode()),
                    _b64(json.dumps(claims).encode()),
                    "",
                ]
            )
        elif "bad_signature" in self.faults:
            impostor = RSAKey.generate_key(2048)
            value = jwt.encode(header, claims, impostor, algorithms=["RS256"])
        else:
            value = jwt.encode(header, claims, self.signing_key, algorithms=["RS256"])
        self.last_id_token = value
        return value

    # -- authlib ------------------------------------------------------------------
    def _build_server(self) -> AuthorizationServer:
        issuer = self

        class Server(AuthorizationServer):
            def query_client(self, client_id: str) -> DevClient | None:
                return issuer.clients.get(client_id)

            def save_token(self, token: dict[str, Any], request: Any) -> None:
                issuer.tokens[token["access_token"]] = DevToken(
                    access_token=token["access_token"],
                    client_id=request.client.client_id,
                    subject=request.user.subjects[issuer.name],
                    scope=token.get("scope", ""),
                    expires_at=time.time() + int(token.get("expires_in", TOKEN_TTL)),
                )

            def create_oauth2_request(self, request: Any) -> Any:
                return request

            def create_json_request(self, request: Any) -> Any:
                return request

            def handle_response(self, status: int, body: Any, headers: Any) -> Any:
                return status, body, headers

            def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
                return None

        class CodeGrant(AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]  # noqa: RUF012

            def save_authorization_code(self, code: str, request: Any) -> None:
                data = request.payload.data
                nonce = data.get("nonce")
                if nonce:
                    issuer.used_nonces.add((request.client.client_id, nonce))
                issuer.codes[code] = DevCode(
                    code=code,
                    client_id=request.client.client_id,
                    redirect_uri=data.get("redirect_uri", ""),
                    scope=request.scope or "",
                    subject=request.user.subjects[issuer.name],
                    nonce=nonce,
                    code_challenge=data.get("code_challenge"),
                    code_challenge_method=data.get("code_challenge_method"),
                    auth_time=int(time.time()),
                    expires_at=time.time() + CODE_TTL,
                )

            def query_authorization_code(self, code: str, client: DevClient) -> DevCode | None:
                found = issuer.codes.get(code)
                if found and found.client_id == client.client_id and found.expires_at > time.time():
                    return found
                return None

            def delete_authorization_code(self, authorization_code: DevCode) -> None:
                issuer.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code: DevCode) -> DemoPerson | None:
                return issuer.people.get(authorization_code.subject)

        class IdToken(OpenIDCode):
            def exists_nonce(self, nonce: str, request: Any) -> bool:
                return (request.payload.client_id, nonce) in issuer.used_nonces

            def encode_id_token(self, token: dict[str, Any], request: Any) -> str:
                code = request.authorization_code
                return issuer.id_token(
                    request.client.client_id, request.user, code.nonce, code.auth_time
                )

            def generate_user_info(self, user: DemoPerson, scope: str) -> dict[str, Any]:
                return {"sub": user.subjects[issuer.name]}

        server = Server(scopes_supported=["openid", "profile", "email", "address", "phone"])
        server.register_token_generator(
            "default",
            BearerTokenGenerator(
                access_token_generator=lambda **kw: generate_token(42),
                expires_generator=lambda client, grant_type: TOKEN_TTL,
            ),
        )
        server.register_grant(
            CodeGrant, [CodeChallenge(required=True), IdToken(require_nonce=True)]
        )
        return server

    def userinfo(self, request: FormRequest) -> dict[str, Any]:
        issuer = self

        class Validator(BearerTokenValidator):
            def authenticate_token(self, token_string: str) -> DevToken | None:
                return issuer.tokens.get(token_string)

        protector = ResourceProtector()
        protector.register_token_validator(Validator())
        token = protector.validate_request(["openid"], request)
        return self.people[token.subject].claims(self.name)
