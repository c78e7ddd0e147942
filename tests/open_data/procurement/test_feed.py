"""Reading the ProZorro public API's tender feed, against a stand-in server.

There is no internet here, so these tests start a local stand-in for
``public-api.prozorro.gov.ua/api/2.5``: a real HTTP server (``http.server`` in a thread)
that answers ``GET /tenders?offset=&limit=&descending=`` with pages of ``{id,
dateModified}`` and ``next_page.offset`` and ``GET /tenders/{id}`` with ``{"data":
tender}``, as the API's documentation describes. What the real API does beyond that
(opt_fields, mode=test, rate limits) is not exercised.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from tests.open_data.procurement.test_procurement import tender

from hromada.cli import main
from hromada.config import Settings
from hromada.errors import FileRefused, InvalidInput, Unavailable
from hromada.open_data.procurement.feed import import_feed
from hromada.open_data.procurement.tables import Tender


class StandIn:
    """The tenders the stand-in serves, its requests, and switches for hostile answers."""

    def __init__(self, tenders: list[dict[str, Any]]) -> None:
        self.tenders = tenders  # in modification order; the offset is a position in it
        self.requests: list[str] = []
        self.feed_items: list[Any] | None = None  # replaces the first page's items
        self.body: bytes | None = None  # replaces every tender's answer
        self.stuck = False  # next_page.offset repeats the request's own offset


def _handler(stand_in: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            stand_in.requests.append(self.path)
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/api/2.5/tenders":
                start = int(float(query.get("offset", "0")))
                size = int(query.get("limit", "100"))
                chosen = stand_in.tenders[start : start + size]
                items: Any = [{"id": t["id"], "dateModified": t["dateModified"]} for t in chosen]
                if stand_in.feed_items is not None:
                    items = stand_in.feed_items
                following = start if stand_in.stuck else start + len(chosen)
                page = {
                    "data": items,
                    "next_page": {
                        "offset": f"{following}.0",
                        "path": f"/api/2.5/tenders?offset={following}.0",
                    },
                }
                self._send(200, json.dumps(page).encode())
                return
            for t in stand_in.tenders:
                if url.path == f"/api/2.5/tenders/{t['id']}":
                    body = stand_in.body or json.dumps({"data": t}, ensure_ascii=False).encode()
                    self._send(200, body)
                    return
            self._send(404, b'{"status": "error"}')

    return Handler


@pytest.fixture
def stand_in() -> Iterator[tuple[StandIn, str]]:
    served = StandIn([tender(n) for n in range(1, 8)])
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(served))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served, f"http://127.0.0.1:{server.server_address[1]}/api/2.5"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


async def test_the_feed_is_read_page_by_page_then_tender_by_tender(
    clean_db: Settings, stand_in: tuple[StandIn, str]
) -> None:
    served, api = stand_in
    run = await import_feed(api, limit=5)
    assert (run.report.read, run.report.inserted, run.next_offset) == (5, 5, "5.0")
    assert served.requests[0] == "/api/2.5/tenders?limit=5"
    assert served.requests[1:] == [f"/api/2.5/tenders/{n:032x}" for n in range(1, 6)]
    rest = await import_feed(api, offset=run.next_offset, limit=100, descending=True)
    assert (rest.report.inserted, rest.pages) == (2, 2), "the empty page ends the run"
    assert "descending=1" in served.requests[6] and "offset=5.0" in served.requests[6]
    assert rest.next_offset == "7.0"
    assert await Tender.count() == 7
    again = await import_feed(api, limit=7)
    assert (again.report.unchanged, again.report.inserted) == (7, 0), "re-reading changes nothing"


async def test_hostile_or_broken_feeds_write_nothing(
    clean_db: Settings, stand_in: tuple[StandIn, str]
) -> None:
    served, api = stand_in
    served.feed_items = [{"id": "../../admin"}]
    with pytest.raises(FileRefused, match="not a ProZorro id"):
        await import_feed(api)
    assert served.requests == ["/api/2.5/tenders?limit=100"], "no URL made of a bad id"
    served.feed_items = None
    served.body = b"{" * 100
    with pytest.raises(FileRefused, match="not JSON"):
        await import_feed(api, limit=3)
    bad = tender(1)
    bad["procuringEntity"]["identifier"]["id"] = "123"
    served.body = json.dumps({"data": bad}).encode()
    with pytest.raises(InvalidInput) as refused:
        await import_feed(api, limit=1)
    assert refused.value.errors[0]["where"] == f"{api}/tenders/{1:032x} ({1:032x})"
    served.body = None
    served.stuck = True
    run = await import_feed(api, limit=100)
    assert run.pages == 2 and run.report.read == 7, "a repeated offset ends the run"
    assert await Tender.count() == 7
    for url in ("ftp://example.org/api", "not a url"):
        with pytest.raises(InvalidInput, match="http"):
            await import_feed(url)
    with pytest.raises(InvalidInput, match="limit"):
        await import_feed(api, limit=5000)


async def test_an_unreachable_api_is_a_clear_error(clean_db: Settings) -> None:
    with pytest.raises(Unavailable, match="cannot reach the ProZorro API"):
        await import_feed("http://127.0.0.1:9/api/2.5")
    assert await Tender.count() == 0


def test_the_command_reads_a_file_or_the_feed(
    stand_in: tuple[StandIn, str],
    empty_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _, api = stand_in
    monkeypatch.setenv("HROMADA_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("HROMADA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HROMADA_DATABASE_POOL_SIZE", "0")
    runner = CliRunner()
    neither = runner.invoke(main, ["import", "prozorro"])
    assert neither.exit_code == 2 and "--file PATH or --feed URL" in neither.output
    fed = runner.invoke(main, ["import", "prozorro", "--feed", api, "--limit", "3"])
    assert fed.exit_code == 0, fed.output
    assert "inserted 3" in fed.output and "next offset: 3.0" in fed.output
    file = tmp_path / "tenders.jsonl"
    file.write_text("\n".join(json.dumps(tender(n)) for n in (3, 4)))
    done = runner.invoke(main, ["import", "prozorro", "--file", str(file)])
    assert done.exit_code == 0, done.output
    assert "inserted 1" in done.output and "unchanged 1" in done.output
    file.write_text(json.dumps({"data": [tender(5) | {"value": {"amount": -1}}]}))
    refused = runner.invoke(main, ["import", "prozorro", "--file", str(file)])
    assert refused.exit_code == 1
    assert "record 1" in refused.output and "value.amount: must not be negative" in refused.output
    down = runner.invoke(main, ["import", "prozorro", "--feed", "http://127.0.0.1:9/api/2.5"])
    assert down.exit_code == 1 and "cannot reach the ProZorro API" in down.output
