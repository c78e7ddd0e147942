"""The relying-party side of login: OpenID Connect by issuer URL, and ID.GOV.UA.

``OidcProvider`` finds the provider's endpoints by discovery, sends the
browser there with PKCE (S256), ``state`` and ``nonce`` (authlib's
``AsyncOAuth2Client``), exchanges the code, and checks the ID token with
joserfc: signature against the provider's JWKS (fetched again when a token
names a key id it does not know: key rotation), ``alg`` from an allow-list
(never ``none`` or HMAC), ``iss``, ``aud`` (and ``azp``), ``exp``, ``iat`` and
``nonce``. ``IdGovUaProvider`` speaks ID.GOV.UA's plain OAuth2 mode: the token
response carries ``user_id`` and a separate user-info call returns the fields
asked for.
"""

from __future__ import annotations

import logging
import time
import warnings
from typing import Any, Protocol, runtime_checkable

import authlib.deprecate  # noqa: F401 - sets its own "always" filter on import
import httpx
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from hromada.auth.identity import Identity, normalise_tax_id, parse_birth_date, parse_email
from hromada.errors import Unauthenticated, Unavailable
from hromada.oidc_providers import ProviderConfig

with warnings.catch_warnings():
    # authlib 1.9 announces a move to "httpx2"; the httpx client works as it is.
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import AsyncOAuth2Client

log = logging.getLogger("hromada.auth")
# httpx logs every URL at INFO, query strings included (ID.GOV.UA sends its
# secret and codes there), httpcore every header at DEBUG (client secrets in
# Authorization), authlib every token at DEBUG: keep them quiet whatever the
# root level is.
for _name in ("httpx", "httpcore", "authlib"):
    logging.getLogger(_name).setLevel(logging.WARNING)

ALLOWED_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA")
LEEWAY = 60  # seconds of clock skew accepted
MAX_TOKEN_AGE = 600  # an ID token issued longer ago than this is not fresh
METADATA_TTL = 3600
JWKS_REFETCH_AFTER = 10  # at most one forced JWKS refetch per this many seconds
HTTP_TIMEOUT = 10.0


class LoginFailed(Unauthenticated):
    title = "Login failed"


@runtime_checkable
class Provider(Protocol):
    config: ProviderConfig

    async def start(self, redirect_uri: str, state: str, nonce: str, code_verifier: str) -> str: ...

    async def finish(
        self, code: str, redirect_uri: str, nonce: str, code_verifier: str
    ) -> Identity: ...


def _claim(claims: dict[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _roles(claims: dict[str, Any], path: str) -> list[str]:
    if not path:
        return []
    value = _claim(claims, path)
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list):
        return []
    return [str(v) for v in value]


def _address(value: Any) -> str | None:
    if isinstance(value, dict):  # OIDC address claim
        value = value.get("formatted") or ", ".join(
            str(value[k])
            for k in ("street_address", "locality", "region", "country")
            if value.get(k)
        )
    return value if isinstance(value, str) and value.strip() else None


class OidcProvider:
    def __init__(self, config: ProviderConfig) -> None:
        self.config = config
        self.issuer = config.issuer.rstrip("/")
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None
        self._keys_at = 0.0

    # -- discovery and keys ------------------------------------------------
    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
                response = await http.get(url)
        except httpx.HTTPError as exc:
            raise Unavailable(
                f"identity provider {self.config.name!r} cannot be reached ({type(exc).__name__})"
            ) from None
        if response.status_code != 200:
            raise Unavailable(
                f"identity provider {self.config.name!r} answered {response.status_code}"
            )
        try:
            data = response.json()
        except ValueError:
            raise Unavailable(
                f"identity provider {self.config.name!r} sent something that is not JSON"
            ) from None
        if not isinstance(data, dict):
            raise Unavailable(f"identity provider {self.config.name!r} sent unexpected JSON")
        return data

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None or time.monotonic() - self._metadata_at > METADATA_TTL:
            data = await self._get_json(self.issuer + "/.well-known/openid-configuration")
            if str(data.get("issuer", "")).rstrip("/") != self.issuer:
                raise Unavailable(
                    f"identity provider {self.config.name!r}: discovery names another issuer"
                )
            for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(data.get(name), str):
                    raise Unavailable(
                        f"identity provider {self.config.name!r}: discovery lacks {name}"
                    )
            self._metadata, self._metadata_at = data, time.monotonic()
        return self._metadata

    async def keys(self, *, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh:
            meta = await self.metadata()
            data = await self._get_json(meta["jwks_uri"])
            try:
                self._keys = KeySet.import_key_set(data)  # type: ignore[arg-type]
            except (JoseError, ValueError, TypeError, KeyError):
                raise Unavailable(
                    f"identity provider {self.config.name!r}: its JWKS cannot be read"
                ) from None
            self._keys_at = time.monotonic()
        return self._keys

    async def _key_for(self, kid: str | None, alg: str) -> Any:
        keys = await self.keys()
        found = [k for k in keys.keys if kid is None or k.kid == kid]
        if not found and time.monotonic() - self._keys_at > JWKS_REFETCH_AFTER:
            # An unknown key id: the provider may have rotated its keys.
            keys = await self.keys(refresh=True)
            found = [k for k in keys.keys if kid is None or k.kid == kid]
        if not found:
            raise LoginFailed("ID token is signed with a key the provider does not publish")
        if kid is None and len(found) > 1:
            raise LoginFailed("ID token names no key id and the provider publishes several")
        return found[0]

    # -- the flow ------------------------------------------------------------
    def _client(self, redirect_uri: str, meta: dict[str, Any]) -> AsyncOAuth2Client:
        methods = meta.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        method = (
            "client_secret_basic"
            if "client_secret_basic" in methods or not self.config.client_secret
            else "client_secret_post"
        )
        if not self.config.client_secret:
            method = "none"
        return AsyncOAuth2Client(
            client_id=self.config.client_id,
            client_secret=self.config.client_secret or None,
            token_endpoint_auth_method=method,
            scope=self.config.scope
            if "openid" in self.config.scope
            else "openid " + self.config.scope,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            timeout=HTTP_TIMEOUT,
        )

    async def start(self, redirect_uri: str, state: str, nonce: str, code_verifier: str) -> str:
        meta = await self.metadata()
        async with self._client(redirect_uri, meta) as client:
            url, _ = client.create_authorization_url(
                meta["authorization_endpoint"],
                state=state,
                code_verifier=code_verifier,
                nonce=nonce,
            )
        return str(url)

    async def finish(
        self, code: str, redirect_uri: str, nonce: str, code_verifier: str
    ) -> Identity:
        meta = await self.metadata()
        async with self._client(redirect_uri, meta) as client:
            try:
                token = await client.fetch_token(
                    meta["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=code_verifier,
                )
            except httpx.HTTPError as exc:
                raise Unavailable(
                    f"identity provider {self.config.name!r} cannot be reached "
                    f"({type(exc).__name__})"
                ) from None
            except Exception as exc:  # authlib's OAuthError and friends
                error = getattr(exc, "error", type(exc).__name__)
                raise LoginFailed(f"the provider refused the code ({error})") from None
            id_token = token.get("id_token")
            if not isinstance(id_token, str):
                raise LoginFailed("the provider sent no ID token")
            claims = await self.verify_id_token(id_token, nonce)
            userinfo_url = meta.get("userinfo_endpoint")
            if isinstance(userinfo_url, str):
                claims = {**await self._userinfo(client, userinfo_url, claims["sub"]), **claims}
        return self.identity(claims)

    async def _userinfo(self, client: AsyncOAuth2Client, url: str, subject: str) -> dict[str, Any]:
        try:
            response = await client.get(url)
        except httpx.HTTPError:
            raise Unavailable(f"identity provider {self.config.name!r}: user info failed") from None
        if response.status_code != 200:
            raise LoginFailed(f"the provider's user info answered {response.status_code}")
        try:
            data = response.json()
        except ValueError:
            raise LoginFailed("the provider's user info is not JSON") from None
        if not isinstance(data, dict) or data.get("sub") != subject:
            # OIDC Core 5.3.2: the sub of user info must be the ID token's.
            raise LoginFailed("the provider's user info is about someone else")
        return data

    async def verify_id_token(self, value: str, nonce: str) -> dict[str, Any]:
        """The ID token's claims if every check passes; ``LoginFailed`` says which did not."""
        try:
            header = jws.extract_compact(value.encode()).protected
        except (JoseError, ValueError, TypeError):
            raise LoginFailed("ID token is not a JWS") from None
        alg = header.get("alg")
        if alg not in ALLOWED_ALGS:
            raise LoginFailed(f"ID token algorithm {alg!r} is not accepted")
        key = await self._key_for(header.get("kid"), alg)
        try:
            token = jwt.decode(value, key, algorithms=[alg])
        except JoseError as exc:
            raise LoginFailed(f"ID token signature is not valid ({exc.error})") from None
        except (ValueError, TypeError):
            raise LoginFailed("ID token cannot be read") from None
        claims: dict[str, Any] = dict(token.claims)
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            iss={"essential": True, "value": self.issuer},
            sub={"essential": True},
            aud={"essential": True, "value": self.config.client_id},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise LoginFailed(f"ID token rejected: {exc.description or exc.error}") from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.config.client_id:
            raise LoginFailed("ID token rejected: several audiences and azp is not this client")
        if (
            not isinstance(claims["iat"], int | float)
            or claims["iat"] < time.time() - MAX_TOKEN_AGE
        ):
            raise LoginFailed("ID token rejected: issued too long ago")
        if not isinstance(claims["sub"], str) or not claims["sub"]:
            raise LoginFailed("ID token rejected: no subject")
        return claims

    def identity(self, claims: dict[str, Any]) -> Identity:
        name = claims.get("name") or " ".join(
            str(claims[k]) for k in ("family_name", "given_name") if claims.get(k)
        )
        raw_tax = _claim(claims, self.config.tax_id_claim) if self.config.tax_id_claim else None
        return Identity(
            provider=self.config.name,
            issuer=self.issuer,
            subject=str(claims["sub"]),
            display_name=str(name or "").strip()[:300],
            tax_id=normalise_tax_id(raw_tax) if isinstance(raw_tax, str) else None,
            birth_date=parse_birth_date(claims.get("birthdate")),
            address=_address(claims.get("address")),
            idp_address=_address(claims.get("idp_address")),
            roles=_roles(claims, self.config.roles_claim),
            email=parse_email(claims.get("email"), claims.get("email_verified", True)),
        )


IDGOVUA_FIELDS = "lastname,givenname,middlename,drfocode,email,phone,address,unzr"


class IdGovUaProvider:
    """ID.GOV.UA (ІСЕІ) in its plain OAuth2 mode.

    The documented endpoints, relative to the base URL in ``issuer``:
    ``/?response_type=code&client_id&auth_type&state&redirect_uri`` (the
    login page), ``/get-access-token`` (code -> access_token and user_id),
    ``/get-user-info?access_token&user_id&fields`` and ``/get-user-logout``.
    It has no PKCE and no ID token: the code travels back only to the
    registered redirect URI, and ``state`` binds it to this browser. Contracts
    that require signed and encrypted envelopes go through a broker
    (Keycloak) and the generic ``oidc`` kind instead; see the README.
    """

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config
        self.base = config.issuer.rstrip("/")

    async def start(self, redirect_uri: str, state: str, nonce: str, code_verifier: str) -> str:
        query = httpx.QueryParams(
            {
                "response_type": "code",
                "client_id": self.config.client_id,
                "auth_type": self.config.auth_type,
                "state": state,
                "redirect_uri": redirect_uri,
            }
        )
        return f"{self.base}/?{query}"

    async def _call(self, http: httpx.AsyncClient, path: str, params: dict[str, str]) -> Any:
        try:
            response = await http.post(self.base + path, params=params)
        except httpx.HTTPError as exc:
            raise Unavailable(
                f"identity provider {self.config.name!r} cannot be reached ({type(exc).__name__})"
            ) from None
        try:
            data = response.json()
        except ValueError:
            raise LoginFailed(f"ID.GOV.UA {path} did not answer JSON") from None
        if response.status_code != 200 or not isinstance(data, dict):
            raise LoginFailed(f"ID.GOV.UA {path} answered {response.status_code}")
        error = data.get("error")
        if error not in (None, "", "0", 0):
            raise LoginFailed(f"ID.GOV.UA {path} refused ({error})")
        return data

    async def finish(
        self, code: str, redirect_uri: str, nonce: str, code_verifier: str
    ) -> Identity:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
            token = await self._call(
                http,
                "/get-access-token",
                {
                    "grant_type": "authorization_code",
                    "client_id": self.config.client_id,
                    "client_secret": self.config.client_secret,
                    "code": code,
                },
            )
            access_token, user_id = token.get("access_token"), token.get("user_id")
            if not access_token or not user_id:
                raise LoginFailed("ID.GOV.UA sent no access_token or user_id")
            info = await self._call(
                http,
                "/get-user-info",
                {
                    "access_token": str(access_token),
                    "user_id": str(user_id),
                    "fields": IDGOVUA_FIELDS,
                },
            )
            if "encryptedUserInfo" in info:
                raise LoginFailed(
                    "ID.GOV.UA sent an encrypted envelope: put a broker in front (see README)"
                )
            try:  # the provider asks to end its session once the data is fetched
                await http.post(
                    self.base + "/get-user-logout",
                    params={"access_token": str(access_token), "user_id": str(user_id)},
                )
            except httpx.HTTPError:
                log.warning("ID.GOV.UA logout call failed (not needed for the login)")
        return self.identity(info, str(user_id))

    def identity(self, info: dict[str, Any], user_id: str) -> Identity:
        name = " ".join(str(info[k]) for k in ("lastname", "givenname") if info.get(k))
        raw_tax = info.get("drfocode") or info.get("edrpoucode")
        subject = str(info.get("unzr") or user_id)
        return Identity(
            provider=self.config.name,
            issuer=self.base,
            subject=subject,
            display_name=name[:300],
            tax_id=normalise_tax_id(raw_tax) if isinstance(raw_tax, str) else None,
            address=_address(info.get("address")),
            email=parse_email(info.get("email")),
        )


def make_provider(config: ProviderConfig) -> Provider:
    return IdGovUaProvider(config) if config.kind == "idgovua" else OidcProvider(config)
