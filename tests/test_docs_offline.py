"""The API docs load nothing from outside the app: an intranet install shows them."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from litestar.testing import TestClient

# Every script and stylesheet a page loads: <script src>, <link href>.
_ASSET = re.compile(
    r"""<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["'][^>]*>""", re.IGNORECASE
)
_INTEGRITY = re.compile(r"""integrity\s*=\s*["']sha384-([^"']+)["']""")


@pytest.mark.parametrize("path", ["/schema", "/schema/swagger", "/graphql"])
def test_docs_page_uses_only_local_assets(client: TestClient, path: str) -> None:
    assert client.app.debug is False
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 200, page.text
    assert "text/html" in page.headers["content-type"]
    tags = [m.group(0) for m in _ASSET.finditer(page.text)]
    urls = [m.group(1) for m in _ASSET.finditer(page.text)]
    remote = [u for u in urls if re.match(r"^(?:https?:)?//", u)]
    assert remote == [], f"{path} loads from outside the app: {remote}"
    assets = [u for u in urls if u.startswith("/static/vendor/")]
    # A page with no scripts would pass the checks above vacuously.
    assert any(u.endswith(".js") for u in assets), urls
    for tag, url in zip(tags, urls, strict=True):
        if url.startswith("data:"):
            continue
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.content, url
        assert "max-age=31536000" in asset.headers["cache-control"], url
        integrity = _INTEGRITY.search(tag)
        if integrity:
            # strawberry's page pins each file by hash: the vendored bytes must be the same file.
            digest = base64.b64encode(hashlib.sha384(asset.content).digest()).decode()
            assert digest == integrity.group(1), url


def test_vendored_assets_are_listed_with_licences() -> None:
    from hromada.api.docs import VENDOR_DIR

    readme = (VENDOR_DIR / "README.md").read_text(encoding="utf-8")
    for directory in sorted(p for p in VENDOR_DIR.iterdir() if p.is_dir()):
        assert f"| {directory.name}/ |" in readme, directory.name
        if directory.name != "graphiql-plugin-explorer":  # ships no LICENSE; MIT per package.json
            assert (directory / "LICENSE").is_file(), directory.name
