"""Live servers for the login tests: hromada under uvicorn and the development
identity provider, each on a free port, talking real HTTP to each other."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
import uvicorn

from hromada.config import Settings
from hromada.devidp import start_dev_idp
from hromada.devidp.app import RunningDevIdp


class LiveServer:
    def __init__(self, app: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.app = app
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    def start(self, app: Any) -> None:
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=lambda: self.server.run(sockets=[self.sock]),
            daemon=True,  # type: ignore[union-attr]
        )
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert self.thread.is_alive(), "hromada did not start"
            assert time.monotonic() < deadline, "hromada did not start in time"
            time.sleep(0.02)

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
            assert self.thread is not None
            self.thread.join(timeout=20)
        self.sock.close()


@dataclass
class Live:
    url: str
    settings: Settings
    idp: RunningDevIdp
    app: Any = None

    def reset(self) -> None:
        """Between tests: no faults, fresh counters (the database is emptied by clean_db)."""
        for issuer in self.idp.idp.issuers.values():
            issuer.faults.clear()
            issuer.last_id_token = None
        runtime = self.app.state["auth"]
        if not runtime.settings.redis_url:
            from hromada.auth.ratelimit import Limiter

            runtime.limiter = Limiter.memory()

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=20)

    def login(self, client: httpx.Client, provider: str, subject: str, **kw: Any) -> Trip:
        return login(client, provider, subject, **kw)

    def csrf(self, client: httpx.Client) -> str:
        return csrf_of(client)

    def issuer(self, name: str) -> Any:
        return self.idp.idp.issuers[name]


def make_live(settings: Settings) -> Iterator[Live]:
    from hromada.app import create_app

    server = LiveServer(None)
    idp = start_dev_idp(settings, redirect_base=server.url)
    # The search indexer is not what these tests are about; two apps on one SQLite file
    # with two indexers only add lock waits.
    live_settings = settings.replace(
        oidc_providers=idp.idp.providers_json(),
        search_indexer="off",
        # A day-long rate-limit window: no rollover in the middle of a test.
        rate_limit_window=86400,
    )
    app = create_app(live_settings)
    try:
        server.start(app)
        yield Live(url=server.url, settings=live_settings, idp=idp, app=app)
    finally:
        server.stop()
        idp.stop()


async def seed_city(settings: Settings) -> None:
    """Districts and streets of the demo city (no buildings): enough to place addresses."""
    from hromada.demo.city import generate_city
    from hromada.open_data.registries.tables import District, Street

    city = generate_city(settings.demo_seed, buildings=0)
    await District.insert(
        *[
            District(code=d.code, name_uk=d.name_uk, name_en=d.name_en, lat=d.lat, lon=d.lon)
            for d in city.districts
        ]
    )
    ids = {r["code"]: r["id"] for r in await District.select(District.id, District.code)}
    await Street.insert(
        *[
            Street(code=s.code, kind=s.kind, name=s.name, district=ids[s.district])
            for s in city.streets
        ]
    )


@pytest.fixture
async def city(clean_db: Settings) -> Settings:
    await seed_city(clean_db)
    return clean_db


@pytest.fixture
def live_factory() -> Any:
    """make_live, for tests that need servers with settings of their own."""
    return make_live


@pytest.fixture(scope="module")
def live_servers(settings: Settings) -> Iterator[Live]:
    """hromada and the provider, started once per test module."""
    yield from make_live(settings)


@pytest.fixture
def live(live_servers: Live, city: Settings) -> Live:
    live_servers.reset()
    return live_servers


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action"), "fields": {}})
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = a.get("value") or ""


def pick_person(page: str, person_subject: str) -> tuple[str, dict[str, str]]:
    """The form on the provider's page that logs in ``person_subject``."""
    parser = _Forms()
    parser.feed(page)
    for form in parser.forms:
        if form["fields"].get("person") == person_subject:
            return form["action"], form["fields"]
    raise AssertionError(f"{person_subject} is not on the page")


@dataclass
class Trip:
    """Every hop of one login, for tests that tamper with one of them."""

    login: httpx.Response
    authorize_url: str
    callback_url: str
    callback: httpx.Response | None


def login(
    client: httpx.Client,
    provider: str,
    subject: str,
    *,
    next_url: str | None = None,
    finish: bool = True,
) -> Trip:
    params = {"next": next_url} if next_url is not None else {}
    start = client.get(f"/auth/login/{provider}", params=params)
    assert start.status_code == 302, start.text
    authorize_url = start.headers["location"]
    with httpx.Client(follow_redirects=False, timeout=20) as browser_at_idp:
        page = browser_at_idp.get(authorize_url)
        assert page.status_code == 200, page.text
        action, fields = pick_person(page.text, subject)
        chosen = browser_at_idp.post(action, data=fields)
        assert chosen.status_code == 302, chosen.text
    callback_url = chosen.headers["location"]
    assert callback_url.startswith(str(client.base_url)), callback_url
    callback = client.get(callback_url) if finish else None
    return Trip(start, authorize_url, callback_url, callback)


def csrf_of(client: httpx.Client) -> str:
    me = client.get("/api/v1/me")
    assert me.status_code == 200, me.text
    return str(me.json()["csrf_token"])


def code_of(url: str) -> str:
    match = re.search(r"[?&]code=([^&]+)", url)
    assert match
    return match.group(1)
