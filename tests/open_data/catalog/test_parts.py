"""Versions kept as content-addressed, compressed parts (``catalog.parts``).

What a change of one row costs (one part per file), that a parted file reads back byte for
byte as the plain file the same rows give, that its stored gzip form is one valid gzip
member that real clients (httpx, curl, Python's gzip) decode, that byte ranges are served
from the middle of a part, and that a prune collects exactly the parts no version lists.
"""

from __future__ import annotations

import gzip
import hashlib
import random
import shutil
import subprocess
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hromada.config import Settings
from hromada.open_data.catalog import parts, retention, service
from hromada.open_data.catalog.formats import MANIFEST, VersionWriter, file_name
from hromada.open_data.catalog.model import (
    Dataset,
    Field,
    Frequency,
    Point,
    TableSchema,
    Text,
)
from hromada.open_data.catalog.registry import city_of
from hromada.open_data.registries.tables import Building

TEXT_FILES = ("csv", "json", "jsonl", "geojson")
ROWS = 30_000


def _dataset(settings: Settings, rows: list[dict[str, Any]]) -> Dataset:
    async def source() -> AsyncIterator[dict[str, Any]]:
        for row in rows:
            yield row

    city = city_of(settings)
    return Dataset(
        slug="synthetic",
        title=Text("Т", "T"),
        description=Text("О", "D"),
        publisher=city.council,
        coverage=city.coverage(),
        frequency=Frequency.DAILY,
        schema=TableSchema(
            fields=(
                Field("id", "integer", required=True),
                Field("name", "string"),
                Field("lat", "number"),
                Field("lon", "number"),
            ),
            primary_key=("id",),
        ),
        rows=source,
        point=Point("lat", "lon"),
    )


def _rows(count: int) -> list[dict[str, Any]]:
    rng = random.Random(5)
    return [
        {
            "id": i,
            "name": f"вулиця {rng.randrange(10**6)}, «лапки», кома",
            "lat": 50 + i / 1e6,
            "lon": 30.5,
        }
        for i in range(count)
    ]


def _write(settings: Settings, rows: list[dict[str, Any]], folder: Path, store: Path | None) -> Any:
    folder.mkdir(parents=True)
    writer = VersionWriter(_dataset(settings, rows), folder, store=store)
    for row in rows:
        writer.add(row)
    return writer.close()


def test_one_changed_row_writes_one_part_per_file(settings: Settings, tmp_path: Path) -> None:
    rows = _rows(ROWS)
    root = tmp_path / "synthetic"
    store = parts.store_of(root)
    first = _write(settings, rows, root / "1", store)
    per_file = len(parts.read_listing(root / "1", file_name("csv")).parts)  # type: ignore[union-attr]
    assert per_file >= 4, "enough rows for several parts"
    assert first.parts.reused == 0

    changed = [dict(r) for r in rows]
    changed[ROWS // 2]["name"] = "перейменовано"
    second = _write(settings, changed, root / "2", store)
    files = len(TEXT_FILES) + 1  # and the manifest
    assert second.parts.new == files, "one new part per file: the one holding the row"
    assert second.parts.reused == files * (per_file - 1)
    assert second.parts.new_bytes < first.parts.new_bytes / 4

    # A row added at the end touches the last part only; one removed, its own part only.
    grown = [*changed, {"id": ROWS, "name": "нова", "lat": 50.0, "lon": 30.0}]
    third = _write(settings, grown, root / "3", store)
    assert third.parts.new == files
    shrunk = [r for r in grown if r["id"] != 17]
    fourth = _write(settings, shrunk, root / "4", store)
    assert fourth.parts.new == files


def test_a_parted_file_reads_back_as_the_plain_file(settings: Settings, tmp_path: Path) -> None:
    rows = _rows(9_000)
    root = tmp_path / "synthetic"
    parted = _write(settings, rows, root / "1", parts.store_of(root))
    plain = _write(settings, rows, tmp_path / "plain", None)
    for fmt in TEXT_FILES:
        whole = (tmp_path / "plain" / file_name(fmt)).read_bytes()
        stored = parts.StoredFile(root / "1", file_name(fmt))
        assert stored.listing is not None and stored.size == len(whole)
        assert stored.read_bytes() == whole
        assert (
            parted.files[fmt].sha256 == plain.files[fmt].sha256 == hashlib.sha256(whole).hexdigest()
        )
        # Any range, across part boundaries too.
        rng = random.Random(fmt)
        with stored.open() as handle:
            for _ in range(40):
                start = rng.randrange(len(whole))
                length = rng.randrange(1, 300_000)
                handle.seek(start)
                assert handle.read(length) == whole[start : start + length]
        # The stored gzip form: one member, decoded by zlib (which stops after one member)
        # and by Python's gzip, of exactly the advertised length.
        packed = b"".join(stored.gzip_chunks())
        assert len(packed) == stored.gzip_size
        inflater = zlib.decompressobj(31)
        assert inflater.decompress(packed) == whole
        assert inflater.eof and inflater.unused_data == b""
        assert gzip.decompress(packed) == whole
    assert (root / "1" / (MANIFEST + parts.LISTING)).is_file()


def test_an_empty_file_is_valid_in_every_form(settings: Settings, tmp_path: Path) -> None:
    root = tmp_path / "synthetic"
    _write(settings, [], root / "1", parts.store_of(root))
    stored = parts.StoredFile(root / "1", file_name("json"))
    assert stored.read_bytes() == b"[]\n"
    assert gzip.decompress(b"".join(stored.gzip_chunks())) == stored.read_bytes()


@pytest.fixture
async def two_versions(small_city: Settings) -> Settings:
    """Buildings published twice, one building changed in between."""
    await service.publish(small_city, "buildings")
    first = (await Building.select(Building.id).order_by(Building.id).limit(1))[0]["id"]
    await Building.update({Building.floors: 77}).where(Building.id == first)
    assert (await service.publish(small_city, "buildings")).created
    return small_city


def test_downloads_are_sent_from_the_stored_parts(two_versions: Settings, client) -> None:
    app_client = client
    url = "/api/v1/datasets/buildings/versions/2/download.csv"
    plain = app_client.get(url, headers={"accept-encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert int(plain.headers["content-length"]) == len(plain.content)
    stored = parts.StoredFile(service.version_dir(two_versions, "buildings", 2), file_name("csv"))
    assert plain.content == stored.read_bytes()

    packed = app_client.get(url, headers={"accept-encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) == stored.gzip_size
    assert packed.content == plain.content  # httpx decoded the one member
    assert packed.headers["etag"] != plain.headers["etag"]

    # A range is of the identity bytes, from the middle of a part.
    ranged = app_client.get(url, headers={"range": "bytes=100-499", "accept-encoding": "gzip"})
    assert ranged.status_code == 206 and ranged.content == plain.content[100:500]

    # A CSV with a BOM is compressed as it streams (the stored form has no BOM).
    bom = app_client.get(url + "?bom=1", headers={"accept-encoding": "gzip"})
    assert bom.content == b"\xef\xbb\xbf" + plain.content


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_decodes_the_stored_gzip(two_versions: Settings, live_server, tmp_path: Path) -> None:
    url = live_server.url + "/api/v1/datasets/buildings/versions/2/download.jsonl"
    whole = httpx.get(url, headers={"accept-encoding": "identity"}).content
    target = tmp_path / "b.jsonl"
    done = subprocess.run(
        ["curl", "-sS", "--fail", "--compressed", "-D", "-", "-o", str(target), url],
        capture_output=True,
        timeout=60,
        check=False,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "content-encoding: gzip" in done.stdout.lower()
    assert target.read_bytes() == whole


async def test_prune_collects_the_parts_no_version_lists(two_versions: Settings) -> None:
    small_city = two_versions
    root = service.datasets_root(small_city) / "buildings"
    store = parts.store_of(root)

    def stored() -> set[str]:
        return {p.name for p in store.rglob("*") if p.is_file() and p.name != ".lock"}

    def listed(number: int) -> set[str]:
        out: set[str] = set()
        folder = root / str(number)
        for path in folder.glob("*" + parts.LISTING):
            listing = parts.read_listing(folder, path.name.removesuffix(parts.LISTING))
            assert listing is not None
            out |= {p[0] for p in listing.parts}
        return out

    one, two = listed(1), listed(2)
    assert stored() == one | two and one - two
    # While a publish writes, nothing is collected (it may be counting on any part).
    held = parts.hold_for_writing(store)
    try:
        assert parts.collect(root) is None
    finally:
        held.close()
    await retention.prune(small_city, "buildings", keep=1)
    assert stored() == two
    latest = await service.get_version(small_city, "buildings", None)
    for fmt in TEXT_FILES:
        stored_file = service.version_file(small_city, latest, fmt)
        assert hashlib.sha256(stored_file.read_bytes()).hexdigest() == latest.files[fmt]["sha256"]
