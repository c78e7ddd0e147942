"""``create_app(settings)``: the one place where the application is put together."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import AsyncIterator
from typing import Any

from litestar import Litestar, Request, Response
from litestar.config.compression import CompressionConfig
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.exceptions import HTTPException, NotFoundException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Contact, License
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from litestar.types import Receive, Scope, Send

from hromada import db, domains
from hromada.api import docs
from hromada.api.access import access_middleware
from hromada.api.conditional import conditional_middleware
from hromada.api.errors import EXCEPTION_HANDLERS, document_problems
from hromada.api.health import HealthController
from hromada.auth.runtime import AuthRuntime
from hromada.config import Settings
from hromada.graphql.schema import graphql_controller
from hromada.jobs import runtime as jobs_runtime
from hromada.logs import configure_logging, request_id_middleware
from hromada.paging import configure_cursor_key
from hromada.search import runtime as search_runtime
from hromada.web import pages as web_pages
from hromada.web.render import environment as web_templates

API_VERSION = "1.0.0"

DESCRIPTION = """Open data and participation platform of a Ukrainian city.

Lists answer `{"items": [...], "next_cursor": ...}`; pass `next_cursor` back as
`cursor` for the next page. Errors are RFC 9457 `application/problem+json`.
"""


def route_handlers(settings: Settings) -> list[Any]:
    """Health, every domain's REST controllers (its ``rest`` modules' ``ROUTES``), GraphQL,
    and the portal's pages."""
    handlers: list[Any] = [HealthController, docs.vendor_router()]
    for domain in domains.DOMAINS:
        for module in domain.rest:
            handlers.extend(importlib.import_module(module).ROUTES)
    graphql = graphql_controller(settings)
    if settings.is_development:
        # strawberry's GraphiQL page with its scripts and styles served from the package, not unpkg.
        graphql.graphql_ide_html = docs.graphiql_html()  # type: ignore[attr-defined]
    handlers.append(graphql)
    handlers.append(web_pages.router())
    return handlers


# Paths of the machine interfaces: a miss there is problem+json (or CKAN's, Open311's shape).
_MACHINE_PATHS = ("/api/", "/graphql", "/open311/", "/datastore/", "/schema", "/auth/", "/static/")


def _not_found(request: Request[Any, Any, Any], exc: NotFoundException) -> Response[Any]:
    """A browser that follows a dead link to the portal gets the portal's page, in its
    language; a client of the API gets the API's answer."""
    path = request.url.path
    wants_html = "text/html" in request.headers.get("accept", "")
    if wants_html and not path.startswith(_MACHINE_PATHS):
        return web_pages.error_page(request, exc)
    return EXCEPTION_HANDLERS[HTTPException](request, exc)


class HromadaApp(Litestar):
    """Litestar with the request id and access control wrapped around everything.

    Litestar's own middleware runs only for matched routes, so the request id,
    the principal, CSRF checks and rate limits (``api.access``) are attached
    one level further out: 404s and 405s get them too. ``HEAD`` on every GET
    route and ETags on JSON (``api.conditional``) sit just outside routing.
    """

    _outer: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # type: ignore[override]
        if scope["type"] == "http":
            if self._outer is None:
                inner: Any = conditional_middleware(super().__call__)
                runtime = self.state.get("auth")
                if runtime is not None:
                    inner = access_middleware(inner, runtime)
                self._outer = request_id_middleware(inner)
            await self._outer(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    domains.compose()
    configure_logging(settings.log_level, settings.effective_log_format)
    auth = AuthRuntime(settings)  # refuses to start without an identity secret in production
    # Every process of one installation signs and accepts the same cursors.
    configure_cursor_key(auth.secret)
    engine = db.use_database(settings)
    state: dict[str, Any] = {"settings": settings, "readiness_checks": {}, "auth": auth}
    if settings.redis_url:  # sessions and rate limits live there: not ready without it
        state["readiness_checks"]["redis"] = auth.redis_check
    search_lifespan = search_runtime.install(settings, state)
    jobs_lifespan = jobs_runtime.install(settings, state, domains.jobs())

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await db.start(engine, settings.database_pool_size)
        await auth.start()
        try:
            yield
        finally:
            await auth.stop()
            await db.stop(engine)

    return HromadaApp(
        route_handlers=route_handlers(settings),
        exception_handlers={**EXCEPTION_HANDLERS, NotFoundException: _not_found},
        cors_config=CORSConfig(
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "HEAD", "OPTIONS"],
            expose_headers=[
                "X-Request-ID",
                "ETag",
                "Link",
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
                "Retry-After",
            ],
        ),
        # zlib's default level 6, not Litestar's 9: for a page of 500 appeals (350 kB of
        # JSON) level 9 took 8.3 ms and level 6 4.1 ms, for a body 5% larger.
        compression_config=CompressionConfig(
            backend="gzip",
            gzip_compress_level=6,
            minimum_size=500,
            exclude_opt_key="skip_compression",
        ),
        openapi_config=OpenAPIConfig(
            title="hromada API",
            version=API_VERSION,
            description=DESCRIPTION,
            contact=Contact(name="hromada"),
            license=License(name="MIT", identifier="MIT"),
            path="/schema",
            render_plugins=docs.render_plugins(),
        ),
        lifespan=[lifespan, search_lifespan, jobs_lifespan],
        template_config=TemplateConfig(
            instance=JinjaTemplateEngine.from_environment(web_templates())
        ),
        # The OpenAPI document lists the problem+json answers every operation really sends.
        on_startup=[lambda app: document_problems(app.openapi_schema)],
        state=State(state),
        debug=False,
        # Logging is configured once, by configure_logging: no second queue handler.
        logging_config=None,
    )


def app_from_env() -> Litestar:
    """Factory for uvicorn (``hromada.app:app_from_env``), one call per worker process."""
    return create_app(Settings.from_env())
