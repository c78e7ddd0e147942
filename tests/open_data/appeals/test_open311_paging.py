"""Open311: numbered pages with a Link header, service definitions, errors in Open311's shape;
read by the real ``georeport`` client and over the test client."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests as requests_lib
from georeport import GeoReport
from litestar import Litestar
from litestar.testing import TestClient
from tests.conftest import LiveServer

from hromada.app import create_app
from hromada.config import Settings

URL = "/open311/v2/requests.json"


@pytest.fixture
def api(loaded: tuple[Settings, list[dict[str, Any]]]) -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(loaded[0].replace(rate_limit_anonymous=100_000))) as client:
        yield client


def _next(response: httpx.Response) -> str | None:
    match = re.search(r'<([^>]+)>; rel="next"', response.headers.get("link", ""))
    return match.group(1) if match else None


def test_pages_walk_every_request_once_by_the_link_header(api: TestClient[Litestar]) -> None:
    everything = api.get(URL, params={"page_size": 500}).json()
    assert len(everything) == 90
    seen: list[dict[str, Any]] = []
    url: str | None = URL + "?page_size=25"
    pages = 0
    while url is not None:
        response = api.get(url)
        assert response.status_code == 200
        seen.extend(response.json())
        url = _next(response)
        pages += 1
    assert pages == 4 and seen == everything
    # The link pins the date window, so the last 90 days do not move between pages.
    first = api.get(URL, params={"page_size": 25})
    assert "start_date=" in first.headers["link"] and "end_date=" in first.headers["link"]
    assert 'rel="prev"' not in first.headers["link"]
    # page=N as GeoReport clients build it themselves: the same rows.
    second = api.get(URL, params={"page_size": 25, "page": 2})
    assert second.json() == everything[25:50]
    assert 'rel="prev"' in second.headers["link"]
    last = api.get(URL, params={"page_size": 25, "page": 4})
    assert last.json() == everything[75:] and _next(last) is None
    assert api.get(URL, params={"page_size": 25, "page": 9}).json() == []
    # The XML view pages the same way.
    xml = api.get("/open311/v2/requests.xml", params={"page_size": 25, "page": 2})
    ids = [e.findtext("service_request_id") for e in ET.fromstring(xml.content)]
    assert ids == [r["service_request_id"] for r in everything[25:50]]
    assert _next(xml) is not None


def test_pages_over_several_services_and_statuses(api: TestClient[Litestar]) -> None:
    everything = api.get(URL, params={"page_size": 500}).json()
    codes = sorted({r["service_code"] for r in everything})[:2]
    wanted = [r for r in everything if r["service_code"] in codes]
    got: list[dict[str, Any]] = []
    page = 1
    while True:
        response = api.get(
            URL, params={"service_code": ",".join(codes), "page_size": 7, "page": page}
        )
        got.extend(response.json())
        if _next(response) is None:
            break
        page += 1
    assert got == wanted
    closed = api.get(URL, params={"status": "closed", "page_size": 500}).json()
    page_one = api.get(URL, params={"status": "closed", "page_size": 5})
    assert page_one.json() == closed[:5] and _next(page_one) is not None


def test_service_definitions(api: TestClient[Litestar]) -> None:
    services = api.get("/open311/v2/services.json").json()
    code = services[0]["service_code"]
    definition = api.get(f"/open311/v2/services/{code}.json")
    assert definition.status_code == 200
    assert definition.json() == {"service_code": code, "attributes": []}
    xml = ET.fromstring(api.get(f"/open311/v2/services/{code}.xml").content)
    assert xml.tag == "service_definition" and xml.findtext("service_code") == code
    missing = api.get("/open311/v2/services/nothing.json")
    assert missing.status_code == 404
    assert missing.json() == [{"code": 404, "description": missing.json()[0]["description"]}]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        (URL, {"start_date": "2025-01-01T00:00:00Z", "end_date": "2025-06-01T00:00:00Z"}, 400),
        (URL, {"start_date": "yesterday"}, 400),
        (URL, {"start_date": "0001-01-01T00:00:00+14:00"}, 400),
        (URL, {"status": "pending"}, 400),
        (URL, {"page_size": 0}, 400),
        (URL, {"page_size": 100_000}, 400),
        (URL, {"page_size": "many"}, 400),
        (URL, {"page": 0}, 400),
        (URL, {"page": "x"}, 400),
        (URL, {"page": 999_999}, 400),
        (URL, {"service_request_id": "abc"}, 400),
        (URL, {"service_request_id": "³"}, 400),
        (URL, {"service_request_id": ",".join(str(i) for i in range(200))}, 400),
        (URL, {"service_code": "no-such-service"}, 400),
        (URL, {"service_code": ",".join(f"c{i}" for i in range(50))}, 400),
        ("/open311/v2/requests/abc.json", {}, 404),
        ("/open311/v2/requests/³.json", {}, 404),
        ("/open311/v2/requests/99999999.json", {}, 404),
        ("/open311/v2/nothing.json", {}, 404),
    ],
)
def test_errors_are_in_open311_shape(
    api: TestClient[Litestar], path: str, params: dict[str, Any], status: int
) -> None:
    response = api.get(path, params=params)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    assert body[0]["code"] == status and body[0]["description"]
    xml = api.get(path.replace(".json", ".xml"), params=params)
    assert xml.status_code == status
    assert xml.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(xml.content)
    assert root.tag == "errors"
    assert root.findtext("error/code") == str(status) and root.findtext("error/description")


def test_rate_limit_refusals_are_in_open311_shape(loaded: tuple[Settings, Any]) -> None:
    settings = loaded[0].replace(rate_limit_anonymous=2, rate_limit_window=86400)
    with TestClient(create_app(settings)) as client:
        for _ in range(2):
            assert client.get(URL).status_code == 200
        refused = client.get("/open311/v2/requests.xml")
        assert refused.status_code == 429 and refused.headers["retry-after"]
        assert ET.fromstring(refused.content).findtext("error/code") == "429"
        assert client.get(URL).json()[0]["code"] == 429


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_client(loaded: tuple[Settings, Any], output_format: str) -> None:
    settings = loaded[0].replace(rate_limit_anonymous=100_000)
    with LiveServer(create_app(settings)) as server:
        client = GeoReport(f"{server.url}/open311/v2", output_format=output_format)
        code = client.get_service_list()[0]["service_code"]
        definition = client.get_service_definition(code)
        assert definition["service_code"] == code
        with pytest.raises(requests_lib.HTTPError) as missing:
            client.get_service_definition("nothing")
        assert missing.value.response.status_code == 404
        with pytest.raises(requests_lib.HTTPError) as bad:
            client.get_service_requests(status="pending")
        assert bad.value.response.status_code == 400
        # The client reads the first page; the Link header tells it (and us) there is more.
        first = requests_lib.get(
            f"{server.url}/open311/v2/requests.{output_format}", params={"page_size": 30}
        )
        assert 'rel="next"' in first.headers["link"]
        assert len(client.get_service_requests()) == 90
