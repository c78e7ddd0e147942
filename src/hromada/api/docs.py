"""API documentation pages that work offline: Scalar, Swagger UI and GraphiQL from vendored files.

The files in ``static/vendor`` are pinned npm releases (see its README); nothing here loads from
a CDN, so an intranet install shows its docs and a CDN's ``@latest`` cannot change them under us.
"""

from __future__ import annotations

import re
from pathlib import Path

from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.router import Router
from litestar.static_files import create_static_files_router
from strawberry.http.ides import get_graphql_ide_html

VENDOR_DIR = Path(__file__).parent / "static" / "vendor"
VENDOR_PATH = "/static/vendor"
# The files never change under a given URL: a new version is a new directory name in the README and
# a new deploy, so browsers may keep them for a year.
_CACHE_SECONDS = 365 * 24 * 3600


def vendor_router() -> Router:
    return create_static_files_router(
        path=VENDOR_PATH,
        directories=[VENDOR_DIR],
        cache_control=CacheControlHeader(public=True, max_age=_CACHE_SECONDS, immutable=True),
        include_in_schema=False,
        name="vendor",
    )


def render_plugins() -> list[ScalarRenderPlugin | SwaggerRenderPlugin]:
    # favicon="" drops Litestar's default icon, which is fetched from a CDN.
    return [
        ScalarRenderPlugin(
            js_url=f"{VENDOR_PATH}/scalar/standalone.js",
            css_url=f"{VENDOR_PATH}/scalar/style.css",
            favicon="",
        ),
        SwaggerRenderPlugin(
            path="/swagger",
            js_url=f"{VENDOR_PATH}/swagger-ui/swagger-ui-bundle.js",
            css_url=f"{VENDOR_PATH}/swagger-ui/swagger-ui.css",
            standalone_preset_js_url=f"{VENDOR_PATH}/swagger-ui/swagger-ui-standalone-preset.js",
            favicon="",
        ),
    ]


# strawberry's page names unpkg URLs; each maps to the vendored copy of the same file and version
# (the page's integrity hashes still hold, the bytes are the same).
_GRAPHIQL_FILES = {
    "https://unpkg.com/react@18.2.0/umd/react.production.min.js": "react/react.production.min.js",
    "https://unpkg.com/react-dom@18.2.0/umd/react-dom.production.min.js": (
        "react-dom/react-dom.production.min.js"
    ),
    "https://unpkg.com/js-cookie@3.0.5/dist/js.cookie.min.js": "js-cookie/js.cookie.min.js",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.css": "graphiql/graphiql.min.css",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.js": "graphiql/graphiql.min.js",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/style.css": (
        "graphiql-plugin-explorer/style.css"
    ),
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": (
        "graphiql-plugin-explorer/index.umd.js"
    ),
}


def graphiql_html() -> str:
    html = get_graphql_ide_html("graphiql")
    for remote, local in _GRAPHIQL_FILES.items():
        html = html.replace(remote, f"{VENDOR_PATH}/{local}")
    leftover = re.findall(r"""(?:src|href)="(https?://[^"]+)""", html)
    if leftover:
        # strawberry moved to other versions: vendor them (static/vendor/README.md) rather than
        # silently serve a page that needs the internet.
        raise RuntimeError(f"GraphiQL page still loads from the internet: {leftover}")
    return html
