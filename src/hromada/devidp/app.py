"""The development identity provider's HTTP side and how it is started.

It is a separate Litestar app on its own port (never mounted in hromada),
served by uvicorn in a background thread of the demo (or of a test).
"""

from __future__ import annotations

import html
import os
import secrets
import socket
import threading
import time
from typing import Any
from urllib.parse import urlencode

import uvicorn
from authlib.oauth2.rfc6749 import OAuth2Error
from litestar import Litestar, Request, Response, get, post, route
from litestar.params import FromPath

from hromada.config import Settings, SettingsError
from hromada.devidp.idgovua import IdGovUaStandIn
from hromada.devidp.people import DemoPerson, demo_people
from hromada.devidp.server import DevIssuer, FormRequest
from hromada.oidc_providers import ProviderConfig, dump_providers

CLIENT_ID = "hromada-demo"
ISSUERS = {"city": "Міський ID (розробка)", "bank": "Банк ID (розробка)"}
PROVIDER_NAMES = {"city": "dev-city", "bank": "dev-bank", "idgovua": "dev-idgovua"}


def refuse_outside_demo(settings: Settings) -> None:
    if settings.environment not in ("demo", "test"):
        raise SettingsError(
            "the development identity provider runs only in demo and test mode "
            f"(HROMADA_ENVIRONMENT is {settings.environment!r})"
        )


_STYLE = """
body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem} .warn{background:#fff3cd;padding:.5rem 1rem;border-radius:.4rem}
form{margin:.4rem 0} button{width:100%;text-align:left;padding:.6rem .8rem;font-size:1rem;
border:1px solid #bbb;border-radius:.4rem;background:#f7f7f7;cursor:pointer}
button:hover{background:#e8f0ff} small{color:#555}
"""


def _page(title: str, body: str, status: int = 200) -> Response[str]:
    document = (
        f"<!doctype html><html lang='uk'><head><meta charset='utf-8'><title>{html.escape(title)}"
        f"</title><style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
        "<p class='warn'>Development identity provider: demo people, not real accounts. "
        "It runs only in demo and test mode.</p>"
        f"{body}</body></html>"
    )
    return Response(content=document, media_type="text/html", status_code=status)


def _picker(people: list[tuple[str, DemoPerson]], hidden: dict[str, str], action: str) -> str:
    fields = "".join(
        f"<input type='hidden' name='{html.escape(k)}' value='{html.escape(v)}'>"
        for k, v in hidden.items()
    )
    out = ["<p>Choose who logs in:</p>"]
    for subject, person in people:
        out.append(
            f"<form method='post' action='{html.escape(action)}'>{fields}"
            f"<input type='hidden' name='person' value='{html.escape(subject)}'>"
            f"<button type='submit'><b>{html.escape(person.name)}</b><br>"
            f"<small>{html.escape(person.note)}</small></button></form>"
        )
    return "".join(out)


def _oauth_response(result: tuple[int, Any, Any]) -> Response[Any]:
    status, body, headers = result
    headers = dict(headers or [])
    headers.pop("Content-Type", None)
    if isinstance(body, dict):
        return Response(content=body, status_code=status, headers=headers)
    return Response(
        content=body or "", status_code=status, headers=headers, media_type="text/plain"
    )


class DevIdp:
    """The provider's state: issuers, the ID.GOV.UA stand-in, the client hromada uses."""

    def __init__(self, settings: Settings, base_url: str, redirect_base: str) -> None:
        refuse_outside_demo(settings)
        self.settings = settings
        self.base_url = base_url.rstrip("/")
        self.people = demo_people(settings.demo_seed)
        self.client_secret = secrets.token_urlsafe(24)
        self.issuers = {
            name: DevIssuer(name, f"{self.base_url}/{name}", self.people) for name in ISSUERS
        }
        self.idgovua = IdGovUaStandIn(f"{self.base_url}/idgovua", self.people)
        redirect_base = redirect_base.rstrip("/")
        for name, issuer in self.issuers.items():
            issuer.register_client(
                CLIENT_ID,
                self.client_secret,
                [f"{redirect_base}/auth/callback/{PROVIDER_NAMES[name]}"],
            )
        self.idgovua.register_client(
            CLIENT_ID, self.client_secret, [f"{redirect_base}/auth/callback/dev-idgovua"]
        )

    def providers(self) -> list[ProviderConfig]:
        configs = [
            ProviderConfig(
                name=PROVIDER_NAMES[name],
                display_name=label,
                kind="oidc",
                issuer=self.issuers[name].url,
                client_id=CLIENT_ID,
                client_secret=self.client_secret,
                roles_claim="hromada_roles",
                scope="openid profile address",
            )
            for name, label in ISSUERS.items()
        ]
        configs.append(
            ProviderConfig(
                name=PROVIDER_NAMES["idgovua"],
                display_name="ID.GOV.UA (локальна заміна)",
                kind="idgovua",
                issuer=self.idgovua.url,
                client_id=CLIENT_ID,
                client_secret=self.client_secret,
            )
        )
        return configs

    def providers_json(self) -> str:
        return dump_providers(self.providers())

    # -- the HTTP app ----------------------------------------------------------
    def asgi(self) -> Litestar:
        idp = self

        def issuer_of(name: str) -> DevIssuer:
            from litestar.exceptions import NotFoundException

            if name not in idp.issuers:
                raise NotFoundException(f"no issuer {name!r}")
            return idp.issuers[name]

        async def oauth_request(request: Request[Any, Any, Any]) -> FormRequest:
            form: dict[str, str] = {}
            if request.method == "POST":
                form = {k: str(v) for k, v in (await request.form()).items()}
            query = {k: str(v) for k, v in request.query_params.items()}
            return FormRequest(request.method, str(request.url), request.headers, query, form)

        @get("/")
        async def index() -> Response[str]:
            items = "".join(
                f"<li><a href='{html.escape(i.url)}/.well-known/openid-configuration'>"
                f"{html.escape(ISSUERS[n])}</a> — {len(i.people)} people</li>"
                for n, i in idp.issuers.items()
            )
            return _page("hromada development identity provider", f"<ul>{items}</ul>")

        @get("/{issuer:str}/.well-known/openid-configuration")
        async def discovery(issuer: FromPath[str]) -> dict[str, Any]:
            return issuer_of(issuer).metadata()

        @get("/{issuer:str}/jwks")
        async def jwks(issuer: FromPath[str]) -> dict[str, Any]:
            return issuer_of(issuer).jwks()

        @route("/{issuer:str}/authorize", http_method=["GET", "POST"], status_code=200)
        async def authorize(
            request: Request[Any, Any, Any], issuer: FromPath[str]
        ) -> Response[Any]:
            dev = issuer_of(issuer)
            oauth = await oauth_request(request)
            subject = oauth.form.get("person") if request.method == "POST" else None
            person = dev.people.get(subject) if subject else None
            try:
                grant = dev.server.get_consent_grant(request=oauth, end_user=person)
            except OAuth2Error as error:
                return _page(
                    "Login request refused",
                    f"<p>{html.escape(error.error)}: {html.escape(error.description or '')}</p>",
                    status=400,
                )
            if person is None:
                params = {k: v for k, v in oauth.payload.data.items() if k != "person"}
                people = sorted(dev.people.items(), key=lambda item: item[1].key)
                return _page(
                    ISSUERS[issuer],
                    _picker(people, params, f"{dev.url}/authorize"),
                )
            return _oauth_response(
                dev.server.create_authorization_response(oauth, grant_user=person, grant=grant)
            )

        @post("/{issuer:str}/token", status_code=200)
        async def token(request: Request[Any, Any, Any], issuer: FromPath[str]) -> Response[Any]:
            dev = issuer_of(issuer)
            return _oauth_response(dev.server.create_token_response(await oauth_request(request)))

        @route("/{issuer:str}/userinfo", http_method=["GET", "POST"], status_code=200)
        async def userinfo(request: Request[Any, Any, Any], issuer: FromPath[str]) -> Response[Any]:
            dev = issuer_of(issuer)
            try:
                return Response(content=dev.userinfo(await oauth_request(request)))
            except OAuth2Error as error:
                return Response(
                    content={"error": error.error},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )

        # -- the ID.GOV.UA stand-in ------------------------------------------------
        @route("/idgovua/", http_method=["GET", "POST"], status_code=200)
        async def idgovua_login(request: Request[Any, Any, Any]) -> Response[Any]:
            oauth = await oauth_request(request)
            params = {k: v for k, v in oauth.payload.data.items() if k != "person"}
            error = idp.idgovua.check_login_request(params)
            if error:
                return _page("ID.GOV.UA (stand-in): request refused", f"<p>{error}</p>", 400)
            subject = oauth.form.get("person")
            if subject and subject in idp.idgovua.people:
                code = idp.idgovua.issue_code(params, subject)
                back = {"code": code, "state": params.get("state", "")}
                location = params["redirect_uri"] + "?" + urlencode(back)
                return Response(content="", status_code=302, headers={"Location": location})
            people = sorted(idp.idgovua.people.items(), key=lambda item: item[1].key)
            return _page(
                "ID.GOV.UA (локальна заміна)", _picker(people, params, idp.idgovua.url + "/")
            )

        async def idgovua_params(request: Request[Any, Any, Any]) -> dict[str, str]:
            oauth = await oauth_request(request)
            return dict(oauth.payload.data)

        @route("/idgovua/get-access-token", http_method=["GET", "POST"], status_code=200)
        async def idgovua_token(request: Request[Any, Any, Any]) -> dict[str, Any]:
            return idp.idgovua.access_token(await idgovua_params(request))

        @route("/idgovua/get-user-info", http_method=["GET", "POST"], status_code=200)
        async def idgovua_user(request: Request[Any, Any, Any]) -> dict[str, Any]:
            return idp.idgovua.user_info(await idgovua_params(request))

        @route("/idgovua/get-user-logout", http_method=["GET", "POST"], status_code=200)
        async def idgovua_logout(request: Request[Any, Any, Any]) -> dict[str, Any]:
            return idp.idgovua.logout(await idgovua_params(request))

        return Litestar(
            route_handlers=[
                index,
                idgovua_login,
                idgovua_token,
                idgovua_user,
                idgovua_logout,
                discovery,
                jwks,
                authorize,
                token,
                userinfo,
            ],
            openapi_config=None,
            debug=False,
            # The process's logging is hromada's (logs.configure_logging), not a second setup.
            logging_config=None,
        )


class RunningDevIdp:
    """The provider served by uvicorn in a daemon thread."""

    def __init__(self, idp: DevIdp, sock: socket.socket) -> None:
        self.idp = idp
        self.sock = sock
        config = uvicorn.Config(idp.asgi(), log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=lambda: self.server.run(sockets=[sock]), name="dev-idp", daemon=True
        )

    def start(self) -> RunningDevIdp:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the development identity provider did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


def start_dev_idp(
    settings: Settings, *, redirect_base: str, host: str = "127.0.0.1", port: int = 0
) -> RunningDevIdp:
    """Start the provider on ``host:port`` (0: a free port). Demo and test mode only."""
    refuse_outside_demo(settings)
    # Plain http on a non-loopback demo host is fine here, and only here.
    if host not in ("127.0.0.1", "localhost", "::1"):
        os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    public_host = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104
    base_url = f"http://{public_host}:{sock.getsockname()[1]}"
    idp = DevIdp(settings, base_url, redirect_base)
    return RunningDevIdp(idp, sock).start()


__all__ = ["DevIdp", "RunningDevIdp", "start_dev_idp"]


# Where a running `hromada demo` leaves the providers it serves, in its data directory:
# their issuers carry the port, and a person's key is derived from the issuer, so a
# command run beside the demo must use the very same ones, whatever port it is on.
PROVIDERS_FILE = "demo-providers.json"


def remember_providers(settings: Settings, providers_json: str) -> None:
    (settings.data_dir / PROVIDERS_FILE).write_text(providers_json, encoding="utf-8")


def demo_provider_configs(settings: Settings) -> str:
    """The providers `hromada demo` configures, for commands run beside it (no secrets:
    enough to name a person by PROVIDER:SUBJECT): those the demo in ``data_dir`` last
    served, or those it serves on its default ports when it has not run yet."""
    remembered = settings.data_dir / PROVIDERS_FILE
    if remembered.is_file():
        return remembered.read_text(encoding="utf-8")
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "", "::") else settings.host  # noqa: S104
    base = f"http://{host}:{settings.effective_dev_idp_port}"
    configs = [
        ProviderConfig(name=PROVIDER_NAMES[name], issuer=f"{base}/{name}", client_id=CLIENT_ID)
        for name in ISSUERS
    ]
    configs.append(
        ProviderConfig(
            name=PROVIDER_NAMES["idgovua"],
            kind="idgovua",
            issuer=f"{base}/idgovua",
            client_id=CLIENT_ID,
        )
    )
    return dump_providers(configs)
