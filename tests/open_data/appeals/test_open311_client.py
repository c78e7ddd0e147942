"""Open311 read by a third-party client: ``georeport`` from PyPI, against a live server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from georeport import GeoReport

from hromada.app import create_app
from hromada.config import Settings
from hromada.open_data.appeals.open311 import REQUEST_FIELDS


@pytest.fixture
def live(loaded: tuple[Settings, Any]) -> Iterator[str]:
    settings = loaded[0].replace(rate_limit_anonymous=100_000)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), log_level="warning", access_log=False, lifespan="on")
    )
    thread = threading.Thread(target=lambda: server.run(sockets=[sock]), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_client_reads_services_and_requests(live: str, output_format: str) -> None:
    client = GeoReport(f"{live}/open311/v2", output_format=output_format)
    services = client.get_service_list()
    assert len(services) == 4
    codes = {s["service_code"] for s in services}
    requests = client.get_service_requests()
    # The last 90 days by default: the fixture's appeals are all inside it.
    assert len(requests) == 90
    for request in requests:
        assert set(request) == set(REQUEST_FIELDS)
        assert request["status"] in ("open", "closed")
        assert request["service_code"] in codes
    closed = client.get_service_requests(status="closed")
    assert closed and all(r["status"] == "closed" for r in closed)
    one = client.get_service_request(requests[0]["service_request_id"])
    assert one["service_request_id"] == requests[0]["service_request_id"]
    code = services[0]["service_code"]
    by_code = client.get_service_requests(service_code=code)
    assert by_code and all(r["service_code"] == code for r in by_code)
