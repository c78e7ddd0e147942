"""The DCAT-AP 3 catalogue checked with pyshacl against SEMIC's own DCAT-AP 3.0.1 shapes.

The shapes (``shapes/dcat-ap-3.0.1``, CC-BY 4.0, see its README) are the release's
``dcat-ap-SHACL.ttl`` and its range shapes ``ranges.ttl``, loaded together as they are
meant to be. Validation runs with no inference: every class a range shape asks for must
be stated in the published graph, since a harvester does not reason either.
"""

from __future__ import annotations

import email.message
from pathlib import Path

import httpx
import pytest
from pyshacl import validate
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH

from hromada.config import Settings

SHAPES = Path(__file__).parent / "shapes" / "dcat-ap-3.0.1"
RELEASE = "https://semiceu.github.io/DCAT-AP/releases/3.0.1#"
# ranges.ttl of 3.0.1 still lists five property shapes of 3.0.0 (``sh:class rdfs:Resource``
# on dct:relation, dct:isReferencedBy, dcat:accessURL, dcat:downloadURL and a relationship's
# dct:relation) that 3.0.1 dropped and defines nowhere; SEMICeu/DCAT-AP issue 448 reports the
# same kind of dangling name in dcat-ap-SHACL.ttl. A SHACL engine refuses a shapes graph that
# names a shape it cannot find, so those five links (and only those) go.
UNDEFINED_IN_3_0_1 = {
    URIRef(RELEASE + name)
    for name in (
        "dcat:DatasetShape/4918ff7a6c1c4b0eea6403dca4b992b87ee1f4ab",
        "dcat:DatasetShape/95c69c99a1e3ade043911b51b942f206dea0e68d",
        "dcat:DistributionShape/653804840386e33525b3d39d205c174780be414b",
        "dcat:DistributionShape/a07d6e7a0a1790b89a1ce7ff602cbbd9ea835282",
        "dcat:RelationshipShape/b7aa98e1befa5130659568aa62e7f38575dc17c1",
    )
}
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
DCATAP = Namespace("http://data.europa.eu/r5r/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
PARSERS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}
MEDIA = {"ttl": "text/turtle", "rdf": "application/rdf+xml", "jsonld": "application/ld+json"}


@pytest.fixture(scope="module")
def shapes() -> Graph:
    graph = Graph()
    for name in ("dcat-ap-SHACL.ttl", "ranges.ttl"):
        graph.parse(SHAPES / name, format="turtle")
    dangling = {o for o in graph.objects(None, SH.property) if (o, SH.path, None) not in graph}
    assert dangling == UNDEFINED_IN_3_0_1  # nothing else is patched
    for shape in dangling:
        graph.remove((None, SH.property, shape))
    assert len(set(graph.subjects(SH.targetClass, None))) >= 30
    return graph


def _check(data: Graph, shapes: Graph) -> tuple[bool, Graph, str]:
    conforms, report, text = validate(data, shacl_graph=shapes, inference="none")
    assert isinstance(report, Graph) and isinstance(text, str)
    return bool(conforms), report, text


def _get(url: str, fmt: str) -> Graph:
    response = httpx.get(url)
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.content, format=PARSERS[fmt])


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld"])
def test_the_catalogue_conforms_to_dcat_ap_3_0_1(
    published: Settings, live_server, shapes: Graph, fmt: str
) -> None:
    base = live_server.url
    for url in (f"{base}/catalog.{fmt}", f"{base}/catalog.{fmt}?page=2&per_page=1"):
        data = _get(url, fmt)
        assert len(set(data.subjects(RDF.type, DCAT.Dataset))) >= 1
        assert len(set(data.subjects(RDF.type, DCAT.Distribution))) >= 5
        conforms, _, text = _check(data, shapes)
        assert conforms, f"{url}\n{text[:6000]}"


def test_the_shapes_catch_what_the_issue_reported(
    published: Settings, live_server, shapes: Graph
) -> None:
    """The check can fail: each old fault, put back into the real graph, is a violation."""
    base = live_server.url
    good = _get(f"{base}/catalog.ttl", "ttl")
    catalog = URIRef(f"{base}/catalog")
    buildings = URIRef(f"{base}/api/v1/datasets/buildings")

    def violations(graph: Graph) -> set[tuple[str, str]]:
        conforms, report, _ = _check(graph, shapes)
        assert not conforms
        return {
            (str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultPath)))
            for r in report.subjects(RDF.type, SH.ValidationResult)
            if report.value(r, SH.resultSeverity) == SH.Violation
        }

    # The legal basis as a literal, where DCAT-AP wants an eli:LegalResource.
    legal = Graph() + good
    legal.add((buildings, DCATAP.applicableLegislation, Literal("Закон України")))
    assert (str(buildings), str(DCATAP.applicableLegislation)) in violations(legal)

    # An untyped licence, landing page, media type, catalogue homepage.
    for subject, prop, cls in (
        (buildings, DCAT.distribution, None),
        (buildings, DCAT.landingPage, FOAF.Document),
        (catalog, FOAF.homepage, FOAF.Document),
        (buildings, DCT.conformsTo, DCT.Standard),
    ):
        if cls is None:  # a distribution's licence
            dist = good.value(subject, prop)
            subject, prop, cls = dist, DCT.license, DCT.LicenseDocument
        untyped = Graph() + good
        untyped.remove((untyped.value(subject, prop), RDF.type, cls))
        assert (str(subject), str(prop)) in violations(untyped), (subject, prop)

    # A catalogue without its mandatory title.
    no_title = Graph() + good
    no_title.remove((catalog, DCT.title, None))
    assert (str(catalog), str(DCT.title)) in violations(no_title)


def test_recommended_properties_are_published(published: Settings, live_server) -> None:
    base = live_server.url
    graph = _get(f"{base}/catalog.ttl", "ttl")
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 3
    for dataset in datasets:
        period = graph.value(dataset, DCT.temporal)
        assert (period, RDF.type, DCT.PeriodOfTime) in graph
        start, end = graph.value(period, DCAT.startDate), graph.value(period, DCAT.endDate)
        assert isinstance(start, Literal) and start.datatype == XSD_DATE
        assert isinstance(end, Literal) and end.datatype == XSD_DATE
        assert start.toPython() <= end.toPython()
        place = graph.value(dataset, DCT.spatial)
        assert (place, RDF.type, DCT.Location) in graph
        publisher = graph.value(dataset, DCT.publisher)
        assert graph.value(publisher, DCT.type) == URIRef(
            "http://purl.org/adms/publishertype/LocalAuthority"
        )
        for dist in graph.objects(dataset, DCAT.distribution):
            assert graph.value(dist, DCATAP.availability) == URIRef(
                "http://publications.europa.eu/resource/authority/planned-availability/STABLE"
            )
            assert len(set(graph.objects(dist, DCT.description))) == 2
            licence = graph.value(dist, DCT.license)
            assert graph.value(licence, DCT.type) == URIRef(
                "http://purl.org/adms/licencetype/Attribution"
            )
        assert graph.value(dataset, DCT.source) is None


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld"])
def test_content_type_names_one_charset_at_most(published: Settings, live_server, fmt: str) -> None:
    response = httpx.get(f"{live_server.url}/catalog.{fmt}")
    header = email.message.Message()
    header["content-type"] = response.headers["content-type"]
    assert header.get_content_type() == MEDIA[fmt]
    charsets = [k for k, _ in header.get_params()[1:] if k.lower() == "charset"]
    assert len(charsets) == (1 if fmt == "ttl" else 0), response.headers["content-type"]
    if charsets:
        assert header.get_param("charset") == "utf-8"
    assert response.headers["content-type"].lower().count("charset") == len(charsets)


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "ttl"),
        ("application/rdf+xml", "rdf"),
        ("application/ld+json", "jsonld"),
        ("text/turtle;q=0.5, application/rdf+xml;q=0.9", "rdf"),
        ("*/*", "jsonld"),
        ("text/html", "jsonld"),
        ("q=;;, ,", "jsonld"),
        ("text/turtle;q=1e999", "jsonld"),
    ],
)
def test_the_catalogue_iri_dereferences(
    published: Settings, live_server, accept: str, fmt: str
) -> None:
    base = live_server.url
    response = httpx.get(f"{base}/catalog", headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["location"] == f"{base}/catalog.{fmt}"
    assert "accept" in response.headers["vary"].lower()
    graph = _get(response.headers["location"], fmt)
    assert (URIRef(f"{base}/catalog"), RDF.type, DCAT.Catalog) in graph


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld"])
def test_the_publisher_iri_dereferences(
    published: Settings, live_server, shapes: Graph, fmt: str
) -> None:
    base = live_server.url
    catalogue = _get(f"{base}/catalog.{fmt}", fmt)
    publisher = catalogue.value(URIRef(f"{base}/catalog"), DCT.publisher)
    assert publisher == URIRef(f"{base}/organisations/city-council")

    response = httpx.get(str(publisher), headers={"Accept": MEDIA[fmt]})
    assert response.status_code == 303
    assert response.headers["location"] == f"{publisher}.{fmt}"
    document = httpx.get(response.headers["location"])
    assert document.headers["content-type"].split(";")[0] == MEDIA[fmt]
    graph = Graph().parse(data=document.content, format=PARSERS[fmt])
    assert (publisher, RDF.type, FOAF.Agent) in graph
    names = {n.language for n in graph.objects(publisher, FOAF.name)}
    assert names == {"uk", "en"}
    assert str(graph.value(publisher, DCT.type)).endswith("/publishertype/LocalAuthority")
    published_by = set(graph.subjects(DCT.publisher, publisher))
    assert URIRef(f"{base}/api/v1/datasets/buildings") in published_by
    conforms, _, text = _check(graph, shapes)
    assert conforms, text[:4000]


@pytest.mark.parametrize(
    "path",
    ["/organisations/nobody", "/organisations/nobody.ttl", "/organisations/city-council.xml"],
)
def test_an_unknown_publisher_is_a_clear_404(published: Settings, live_server, path: str) -> None:
    response = httpx.get(f"{live_server.url}{path}", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
