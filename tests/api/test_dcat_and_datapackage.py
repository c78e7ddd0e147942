"""DCAT-AP catalogue parsed back with rdflib; Data Packages validated by the real frictionless."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from frictionless import validate
from rdflib import RDF, Graph, Namespace, URIRef

from hromada.config import Settings

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")


def _graph(url: str, fmt: str) -> Graph:
    response = httpx.get(url)
    assert response.status_code == 200, response.text
    graph = Graph()
    graph.parse(data=response.text, format={"ttl": "turtle", "jsonld": "json-ld"}[fmt])
    return graph


@pytest.mark.parametrize("fmt", ["jsonld", "ttl"])
def test_dcat_catalogue_parses_and_pages(published: Settings, live_server, fmt: str) -> None:
    base = live_server.url
    graph = _graph(f"{base}/catalog.{fmt}", fmt)
    catalog = URIRef(f"{base}/catalog")
    assert (catalog, RDF.type, DCAT.Catalog) in graph
    datasets = set(graph.objects(catalog, DCAT.dataset))
    assert len(datasets) == 3
    buildings = URIRef(f"{base}/api/v1/datasets/buildings")
    assert (buildings, RDF.type, DCAT.Dataset) in graph
    titles = {t.language: str(t) for t in graph.objects(buildings, DCT.title)}
    assert titles == {"uk": "Реєстр будівель", "en": "Building register"}
    for prop in (
        DCT.publisher,
        DCAT.contactPoint,
        DCT.spatial,
        DCT.accrualPeriodicity,
        DCT.issued,
        DCT.modified,
    ):
        assert graph.value(buildings, prop) is not None, prop
    distributions = list(graph.objects(buildings, DCAT.distribution))
    assert len(distributions) == 6
    for dist in distributions:
        assert graph.value(dist, DCT.license) == URIRef(
            "https://creativecommons.org/licenses/by/4.0/"
        )
        assert graph.value(dist, DCAT.downloadURL) is not None
        checksum = graph.value(dist, SPDX.checksum)
        assert len(str(graph.value(checksum, SPDX.checksumValue))) == 64
    freq = graph.value(buildings, DCT.accrualPeriodicity)
    assert str(freq).endswith("/frequency/IRREG")
    spatial = graph.value(buildings, DCT.spatial)
    notation = graph.value(spatial, URIRef("http://www.w3.org/2004/02/skos/core#notation"))
    assert str(notation) == "UA63120270010096107"

    # Pages of one dataset each, walked by hydra:next.
    url, seen = f"{base}/catalog.{fmt}?page=1&per_page=1", []
    while url:
        page = _graph(url, fmt)
        seen.extend(page.objects(catalog, DCAT.dataset))
        view = page.value(catalog, HYDRA.view)
        assert page.value(view, HYDRA.first) is not None
        nxt = page.value(view, HYDRA.next)
        url = str(nxt) if nxt is not None else ""
    assert set(seen) == datasets and len(seen) == 3
    assert httpx.get(f"{base}/catalog.{fmt}?page=9").status_code == 404
    assert httpx.get(f"{base}/catalog.{fmt}?page=0").status_code == 422


def test_every_datapackage_and_its_csv_pass_frictionless(published: Settings, live_server) -> None:
    for slug in ("buildings", "districts", "streets"):
        for path in ("datapackage.json", "versions/1/datapackage.json"):
            url = f"{live_server.url}/api/v1/datasets/{slug}/{path}"
            descriptor = httpx.get(url).json()
            resource = descriptor["resources"][0]
            assert resource["format"] == "csv" and resource["schema"]["primaryKey"]
            report = validate(url)
            assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
            assert report.tasks[0].stats["rows"] > 0


def test_frictionless_command_line(published: Settings, live_server) -> None:
    cli = Path(sys.executable).with_name("frictionless")
    url = f"{live_server.url}/api/v1/datasets/buildings/datapackage.json"
    result = subprocess.run(
        [str(cli), "validate", url], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
