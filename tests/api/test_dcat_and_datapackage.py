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
    graph.parse(
        data=response.content, format={"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}[fmt]
    )
    return graph


@pytest.mark.parametrize("fmt", ["jsonld", "ttl", "rdf"])
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


def test_the_three_serialisations_are_one_graph(published: Settings, live_server) -> None:
    from rdflib.compare import isomorphic

    graphs = [_graph(f"{live_server.url}/catalog.{fmt}", fmt) for fmt in ("ttl", "jsonld", "rdf")]
    for graph in graphs:  # the paging view names each serialisation's own URL
        for triple in list(graph):
            if any("/catalog." in str(term) for term in triple):
                graph.remove(triple)
    assert len(graphs[0]) > 100
    assert isomorphic(graphs[0], graphs[1]) and isomorphic(graphs[0], graphs[2])
    turtle = httpx.get(f"{live_server.url}/catalog.ttl")
    assert turtle.headers["content-type"] == "text/turtle; charset=utf-8"
    assert (
        httpx.get(f"{live_server.url}/catalog.rdf")
        .headers["content-type"]
        .startswith("application/rdf+xml")
    )


DCATAP = Namespace("http://data.europa.eu/r5r/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")


def test_dcat_ap_3_ranges_legislation_and_recommended_properties(
    published: Settings, live_server
) -> None:
    """What DCAT-AP 3.0.1's range shapes ask of every value, checked value by value."""
    base = live_server.url
    graph = _graph(f"{base}/catalog.ttl", "ttl")
    catalog = URIRef(f"{base}/catalog")
    buildings = URIRef(f"{base}/api/v1/datasets/buildings")

    def typed(node, cls) -> bool:
        return (node, RDF.type, cls) in graph

    assert typed(graph.value(catalog, FOAF.homepage), FOAF.Document)
    assert typed(graph.value(catalog, DCAT.themeTaxonomy), SKOS.ConceptScheme)
    assert typed(graph.value(catalog, DCT.language), DCT.LinguisticSystem)
    # The legal basis is legislation, not dct:source (which DCAT-AP keeps for datasets).
    assert graph.value(buildings, DCT.source) is None
    law = graph.value(buildings, DCATAP.applicableLegislation)
    assert isinstance(law, URIRef) and typed(law, ELI.LegalResource)
    assert graph.value(law, DCT.title) is not None
    assert typed(graph.value(buildings, DCAT.landingPage), FOAF.Document)
    assert typed(graph.value(buildings, DCT.conformsTo), DCT.Standard)
    assert typed(graph.value(buildings, DCT.accrualPeriodicity), DCT.Frequency)
    assert typed(graph.value(buildings, DCT.language), DCT.LinguisticSystem)
    assert typed(graph.value(buildings, DCAT.contactPoint), VCARD.Kind)
    for theme in graph.objects(buildings, DCAT.theme):
        assert typed(theme, SKOS.Concept) and graph.value(theme, SKOS.prefLabel) is not None
    publisher = graph.value(buildings, DCT.publisher)
    assert typed(publisher, FOAF.Agent)
    assert str(graph.value(publisher, DCT.type)).endswith("/publishertype/LocalAuthority")
    assert graph.value(buildings, DCT.spatial) is not None
    for dist in graph.objects(buildings, DCAT.distribution):
        assert typed(graph.value(dist, DCT.license), DCT.LicenseDocument)
        assert typed(graph.value(dist, DCAT.mediaType), DCT.MediaType)
        assert typed(graph.value(dist, DCT.format), DCT.MediaTypeOrExtent)
        assert {d.language for d in graph.objects(dist, DCT.description)} == {"uk", "en"}
        assert str(graph.value(dist, DCATAP.availability)).endswith("/STABLE")
        checksum = graph.value(dist, SPDX.checksum)
        assert typed(graph.value(checksum, SPDX.algorithm), SPDX.ChecksumAlgorithm)
    parquet = URIRef(f"{base}/api/v1/datasets/buildings#parquet")
    assert str(graph.value(parquet, DCAT.mediaType)).endswith("application/vnd.apache.parquet")


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
