"""The catalogue in DCAT-AP 3, as JSON-LD, Turtle and RDF/XML, paged with Hydra.

A small triple builder and three serialisers: no RDF library is needed at
runtime (the tests parse the output back with rdflib and validate it with
pyshacl against SEMIC's DCAT-AP 3.0.1 shapes). One page holds up to
``per_page`` datasets with their distributions, publisher and contact point;
the page's ``hydra:PartialCollectionView`` links the first, previous, next and
last pages. The catalogue's and the publishers' own IRIs answer too
(:func:`publisher_document`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

from hromada.config import Settings
from hromada.open_data.catalog import service, urls
from hromada.open_data.catalog.formats import CKAN_FORMATS, MEDIA_TYPES
from hromada.open_data.catalog.model import THEME_TITLES, Dataset, Licence, Organisation
from hromada.open_data.catalog.registry import all_datasets

PREFIXES = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "spdx": "http://spdx.org/rdf/terms#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "adms": "http://www.w3.org/ns/adms#",
    "locn": "http://www.w3.org/ns/locn#",
    "dcatap": "http://data.europa.eu/r5r/",
    "eli": "http://data.europa.eu/eli/ontology#",
}
EU = "http://publications.europa.eu/resource/authority/"
FILE_TYPES = {
    "csv": "CSV",
    "json": "JSON",
    "jsonl": "JSON_LINES",
    "geojson": "GEOJSON",
    "xlsx": "XLSX",
    "parquet": "PARQUET",
}
IANA = "https://www.iana.org/assignments/media-types/"
ADMS_LICENCE_TYPES = {"CC-BY-4.0": "Attribution", "CC0-1.0": "PublicDomain"}
MEDIA = {"ttl": "text/turtle", "rdf": "application/rdf+xml", "jsonld": "application/ld+json"}
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class IRI:
    value: str


@dataclass(frozen=True)
class BNode:
    id: str


@dataclass(frozen=True)
class Lit:
    value: str
    datatype: str | None = None  # a prefixed name such as "xsd:date"
    lang: str | None = None


Term = IRI | BNode | Lit
Node = IRI | BNode


class Graph:
    def __init__(self) -> None:
        self.triples: list[tuple[Node, str, Term]] = []
        self._seen: set[tuple[Node, str, Term]] = set()
        self._bnodes = 0

    def bnode(self) -> BNode:
        self._bnodes += 1
        return BNode(f"b{self._bnodes}")

    def add(self, s: Node, p: str, o: Term | str | None) -> None:
        if o is None or o == "":
            return
        triple = (s, p, Lit(o) if isinstance(o, str) else o)
        if triple not in self._seen:  # a licence or a vocabulary term typed once
            self._seen.add(triple)
            self.triples.append(triple)

    def typed(self, iri: str, *classes: str) -> IRI:
        """An IRI with its classes: DCAT-AP's range shapes check ``sh:class`` on every
        value, and nothing else in the graph says what a vocabulary term is."""
        node = IRI(iri)
        for cls in classes:
            self.add(node, "rdf:type", IRI(cls))
        return node

    # --------------------------------------------------------------------------------
    def serialise(self, fmt: str) -> str | bytes | dict[str, Any]:
        """``fmt`` is a key of :data:`MEDIA`: Turtle text, RDF/XML bytes or JSON-LD."""
        if fmt == "ttl":
            return self.turtle()
        if fmt == "rdf":
            return self.rdfxml()
        return self.jsonld()

    def turtle(self) -> str:
        lines = [f"@prefix {k}: <{v}> ." for k, v in PREFIXES.items()]
        lines.append("")
        for subject, pairs in self._grouped().items():
            body = " ;\n    ".join(
                f"{'a' if p == 'rdf:type' else p} {self._ttl(o)}" for p, o in pairs
            )
            lines.append(f"{self._ttl(subject)}\n    {body} .\n")
        return "\n".join(lines)

    def _ttl(self, term: Term) -> str:
        if isinstance(term, IRI):
            if ":" in term.value and term.value.split(":", 1)[0] in PREFIXES:
                return term.value
            return "<" + _escape_iri(term.value) + ">"
        if isinstance(term, BNode):
            return f"_:{term.id}"
        text = (
            term.value.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
            .replace("\t", "\\t")
        )
        if term.lang:
            return f'"{text}"@{term.lang}'
        if term.datatype:
            return f'"{text}"^^{term.datatype}'
        return f'"{text}"'

    def rdfxml(self) -> bytes:
        """RDF/XML (what older harvesters, such as ckanext-dcat's default, read)."""
        for prefix, namespace in PREFIXES.items():
            ET.register_namespace(prefix, namespace)
        rdf = PREFIXES["rdf"]
        top = ET.Element(f"{{{rdf}}}RDF")
        for subject, pairs in self._grouped().items():
            node = ET.SubElement(top, f"{{{rdf}}}Description")
            if isinstance(subject, BNode):
                node.set(f"{{{rdf}}}nodeID", subject.id)
            else:
                node.set(f"{{{rdf}}}about", self._expand(subject.value))
            for p, o in pairs:
                prefix, _, local = p.partition(":")
                element = ET.SubElement(node, f"{{{PREFIXES[prefix]}}}{local}")
                if isinstance(o, BNode):
                    element.set(f"{{{rdf}}}nodeID", o.id)
                elif isinstance(o, IRI):
                    element.set(f"{{{rdf}}}resource", self._expand(o.value))
                else:
                    element.text = o.value
                    if o.lang:
                        element.set("{http://www.w3.org/XML/1998/namespace}lang", o.lang)
                    elif o.datatype:
                        element.set(f"{{{rdf}}}datatype", self._expand(o.datatype))
        return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")

    @staticmethod
    def _expand(value: str) -> str:
        prefix, sep, local = value.partition(":")
        if sep and prefix in PREFIXES:
            return PREFIXES[prefix] + local
        return value

    def jsonld(self) -> dict[str, Any]:
        nodes = []
        for subject, pairs in self._grouped().items():
            node: dict[str, Any] = {"@id": self._id(subject)}
            for p, o in pairs:
                if p == "rdf:type":
                    assert isinstance(o, IRI)
                    node.setdefault("@type", []).append(o.value)
                    continue
                node.setdefault(p, []).append(self._json_term(o))
            nodes.append(node)
        return {"@context": dict(PREFIXES), "@graph": nodes}

    def _id(self, node: Node) -> str:
        return f"_:{node.id}" if isinstance(node, BNode) else node.value

    def _json_term(self, term: Term) -> dict[str, Any]:
        if isinstance(term, IRI | BNode):
            return {"@id": self._id(term)}
        out: dict[str, Any] = {"@value": term.value}
        if term.lang:
            out["@language"] = term.lang
        elif term.datatype:
            out["@type"] = term.datatype
        return out

    def _grouped(self) -> dict[Node, list[tuple[str, Term]]]:
        grouped: dict[Node, list[tuple[str, Term]]] = {}
        for s, p, o in self.triples:
            grouped.setdefault(s, []).append((p, o))
        return grouped


def _escape_iri(value: str) -> str:
    return "".join(f"%{ord(c):02X}" if c in ' <>"{}|^`\\' or ord(c) < 0x21 else c for c in value)


def _time(moment: datetime.datetime) -> Lit:
    text = moment.astimezone(datetime.UTC).replace(microsecond=0).isoformat()
    return Lit(text.replace("+00:00", "Z"), "xsd:dateTime")


def _licence(g: Graph, licence: Licence) -> IRI:
    node = g.typed(licence.url, "dct:LicenseDocument")
    g.add(node, "dct:title", Lit(licence.title, lang="en"))
    kind = ADMS_LICENCE_TYPES.get(licence.id)
    if kind:  # what the licence lets a user do, in ADMS's licence-type vocabulary
        concept = g.typed(f"http://purl.org/adms/licencetype/{kind}", "skos:Concept")
        g.add(concept, "skos:prefLabel", Lit(kind, lang="en"))
        g.add(node, "dct:type", concept)
    return node


def _day(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).date().isoformat()


def _organisation(g: Graph, base: str, org: Organisation) -> IRI:
    node = IRI(urls.organisation(base, org.slug))
    g.add(node, "rdf:type", IRI("foaf:Organization"))
    g.add(node, "rdf:type", IRI("foaf:Agent"))
    g.add(node, "foaf:name", Lit(org.name.uk, lang="uk"))
    g.add(node, "foaf:name", Lit(org.name.en, lang="en"))
    g.add(node, "dct:identifier", org.edrpou)
    g.add(node, "skos:notation", Lit(org.edrpou, "xsd:string"))
    # A city council is a local authority (ADMS publisher type).
    kind = g.typed("http://purl.org/adms/publishertype/LocalAuthority", "skos:Concept")
    g.add(kind, "skos:prefLabel", Lit("Local Authority", lang="en"))
    g.add(node, "dct:type", kind)
    if org.email:
        g.add(node, "foaf:mbox", IRI(f"mailto:{org.email}"))
    return node


def _dataset(
    g: Graph,
    base: str,
    dataset: Dataset,
    latest: service.Version,
    first: service.Version,
    *,
    kept_for_ever: bool,
) -> IRI:
    node = IRI(urls.dataset(base, dataset.slug))
    g.add(node, "rdf:type", IRI("dcat:Dataset"))
    g.add(node, "dct:identifier", dataset.slug)
    g.add(node, "dct:title", Lit(dataset.title.uk, lang="uk"))
    g.add(node, "dct:title", Lit(dataset.title.en, lang="en"))
    g.add(node, "dct:description", Lit(dataset.description.uk, lang="uk"))
    g.add(node, "dct:description", Lit(dataset.description.en, lang="en"))
    for keyword in dataset.keywords:
        g.add(node, "dcat:keyword", Lit(keyword, lang="uk"))
    for theme in dataset.themes:
        concept = g.typed(f"{EU}data-theme/{theme}", "skos:Concept")
        uk, en = THEME_TITLES.get(theme.upper(), (theme, theme))
        g.add(concept, "skos:prefLabel", Lit(uk, lang="uk"))
        g.add(concept, "skos:prefLabel", Lit(en, lang="en"))
        g.add(node, "dcat:theme", concept)
    g.add(node, "dct:publisher", _organisation(g, base, dataset.publisher))
    language = "UKR" if dataset.language == "uk" else "ENG"
    g.add(node, "dct:language", g.typed(f"{EU}language/{language}", "dct:LinguisticSystem"))
    g.add(
        node,
        "dct:accrualPeriodicity",
        g.typed(f"{EU}frequency/{dataset.frequency.eu}", "dct:Frequency"),
    )
    g.add(node, "dct:issued", _time(first.created_at))
    g.add(node, "dct:modified", _time(latest.created_at))
    g.add(node, "dcat:version", str(latest.number))
    g.add(node, "dcat:landingPage", g.typed(urls.dataset(base, dataset.slug), "foaf:Document"))
    schema = g.typed(urls.datapackage(base, dataset.slug), "dct:Standard")
    g.add(schema, "dct:title", Lit("Frictionless Data Package (Table Schema)", lang="en"))
    g.add(node, "dct:conformsTo", schema)
    if dataset.legal_basis:
        # The legal basis is legislation (DCAT-AP 3: dcatap:applicableLegislation, an IRI of
        # an eli:LegalResource); Ukrainian acts have no ELI, so the IRI is the dataset's own
        # and the act is named by its title.
        law = g.typed(f"{urls.dataset(base, dataset.slug)}#legal-basis", "eli:LegalResource")
        g.add(law, "dct:title", Lit(dataset.legal_basis, lang="uk"))
        g.add(node, "dcatap:applicableLegislation", law)
    if dataset.purpose:
        g.add(node, "dct:provenance", _provenance(g, dataset.purpose))

    contact = g.bnode()
    g.add(contact, "rdf:type", IRI("vcard:Organization"))
    g.add(contact, "rdf:type", IRI("vcard:Kind"))
    g.add(contact, "vcard:fn", dataset.responsible_person or dataset.publisher.name.uk)
    if dataset.contact_email:
        g.add(contact, "vcard:hasEmail", IRI(f"mailto:{dataset.contact_email}"))
    g.add(node, "dcat:contactPoint", contact)

    coverage = dataset.coverage
    place = g.bnode()
    g.add(place, "rdf:type", IRI("dct:Location"))
    g.add(place, "skos:notation", Lit(coverage.katottg, "xsd:string"))
    g.add(place, "skos:prefLabel", Lit(coverage.place.uk, lang="uk"))
    g.add(place, "skos:prefLabel", Lit(coverage.place.en, lang="en"))
    g.add(place, "locn:geographicName", Lit(coverage.place.uk, lang="uk"))
    g.add(node, "dct:spatial", place)
    # The period the data covers: as declared, or else the days the published versions
    # span (each version is the register as it stood on the day it was published).
    start = coverage.start or _day(first.created_at)
    end = coverage.end or (None if coverage.start else _day(latest.created_at))
    period = g.bnode()
    g.add(period, "rdf:type", IRI("dct:PeriodOfTime"))
    g.add(period, "dcat:startDate", Lit(start, "xsd:date"))
    if end:
        g.add(period, "dcat:endDate", Lit(end, "xsd:date"))
    g.add(node, "dct:temporal", period)

    for fmt in dataset.formats:
        info = latest.files.get(fmt)
        if info is None:
            continue
        dist = IRI(f"{urls.dataset(base, dataset.slug)}#{fmt}")
        g.add(node, "dcat:distribution", dist)
        g.add(dist, "rdf:type", IRI("dcat:Distribution"))
        g.add(dist, "dct:title", Lit(f"{dataset.title.uk} ({CKAN_FORMATS[fmt]})", lang="uk"))
        g.add(
            dist,
            "dct:description",
            Lit(
                f"{dataset.title.uk}: увесь набір, версія {latest.number}, "
                f"{CKAN_FORMATS[fmt]} ({latest.row_count} рядків)",
                lang="uk",
            ),
        )
        g.add(
            dist,
            "dct:description",
            Lit(
                f"{dataset.title.en}: the whole dataset, version {latest.number}, "
                f"{CKAN_FORMATS[fmt]} ({latest.row_count} rows)",
                lang="en",
            ),
        )
        g.add(dist, "dcat:accessURL", IRI(urls.dataset(base, dataset.slug)))
        download = urls.download(base, dataset.slug, latest.number, fmt)
        g.add(dist, "dcat:downloadURL", IRI(download))
        g.add(dist, "dcat:mediaType", g.typed(f"{IANA}{MEDIA_TYPES[fmt]}", "dct:MediaType"))
        g.add(
            dist,
            "dct:format",
            g.typed(f"{EU}file-type/{FILE_TYPES[fmt]}", "dct:MediaTypeOrExtent"),
        )
        g.add(dist, "dcat:byteSize", Lit(str(info["bytes"]), "xsd:nonNegativeInteger"))
        g.add(dist, "dct:license", _licence(g, dataset.licence))
        # A numbered version's files never change; they stay for ever unless a retention
        # policy (HROMADA_KEEP_VERSIONS) removes old versions: then only "available".
        level = "stable" if kept_for_ever else "available"
        availability = g.typed(f"{EU}planned-availability/{level.upper()}", "skos:Concept")
        g.add(availability, "skos:prefLabel", Lit(level, lang="en"))
        g.add(dist, "dcatap:availability", availability)
        g.add(dist, "dct:modified", _time(latest.created_at))
        checksum = g.bnode()
        g.add(checksum, "rdf:type", IRI("spdx:Checksum"))
        g.add(
            checksum,
            "spdx:algorithm",
            g.typed("http://spdx.org/rdf/terms#checksumAlgorithm_sha256", "spdx:ChecksumAlgorithm"),
        )
        g.add(checksum, "spdx:checksumValue", Lit(info["sha256"], "xsd:hexBinary"))
        g.add(dist, "spdx:checksum", checksum)
    return node


def _provenance(g: Graph, text: str) -> BNode:
    node = g.bnode()
    g.add(node, "rdf:type", IRI("dct:ProvenanceStatement"))
    g.add(node, "rdf:value", Lit(text, lang="uk"))
    return node


async def catalog_graph(
    settings: Settings, base: str, page: int, per_page: int
) -> tuple[Graph, int, int]:
    latest = await service.latest_versions()
    first = await service.first_versions()
    published = [d for d in all_datasets(settings) if d.slug in latest]
    pages = max(1, -(-len(published) // per_page))
    g = Graph()
    catalog = IRI(urls.catalog_iri(base))
    g.add(catalog, "rdf:type", IRI("dcat:Catalog"))
    g.add(catalog, "dct:title", Lit(f"Відкриті дані: {settings.city_name_uk}", lang="uk"))
    g.add(catalog, "dct:title", Lit(f"Open data: {settings.city_name_en}", lang="en"))
    g.add(
        catalog,
        "dct:description",
        Lit(f"Набори відкритих даних міста {settings.city_name_uk}", lang="uk"),
    )
    g.add(catalog, "foaf:homepage", g.typed(f"{base}/", "foaf:Document"))
    g.add(catalog, "dct:language", g.typed(f"{EU}language/UKR", "dct:LinguisticSystem"))
    themes = g.typed(f"{EU}data-theme", "skos:ConceptScheme")
    g.add(themes, "dct:title", Lit("Data theme", lang="en"))
    g.add(catalog, "dcat:themeTaxonomy", themes)
    if latest:
        g.add(catalog, "dct:modified", _time(max(v.created_at for v in latest.values())))
    if first:
        g.add(catalog, "dct:issued", _time(min(v.created_at for v in first.values())))
    if published:
        g.add(catalog, "dct:publisher", _organisation(g, base, published[0].publisher))
        # DCAT-AP recommends the catalogue's own licence and place: those of its datasets.
        g.add(catalog, "dct:license", _licence(g, published[0].licence))
        place = published[0].coverage.place
        city = g.bnode()
        g.add(city, "rdf:type", IRI("dct:Location"))
        g.add(city, "skos:prefLabel", Lit(place.uk, lang="uk"))
        g.add(city, "skos:prefLabel", Lit(place.en, lang="en"))
        g.add(catalog, "dct:spatial", city)
    for dataset in published[(page - 1) * per_page : page * per_page]:
        newest = latest[dataset.slug]
        oldest = first.get(dataset.slug) or newest
        node = _dataset(g, base, dataset, newest, oldest, kept_for_ever=not settings.keep_versions)
        g.add(catalog, "dcat:dataset", node)
    return g, pages, len(published)


async def catalog_page(
    settings: Settings, base: str, fmt: str, page: int, per_page: int
) -> tuple[str | bytes | dict[str, Any], int]:
    """One page of the catalogue (Turtle text, RDF/XML bytes or a JSON-LD document) and the
    number of pages."""
    graph, pages, total = await catalog_graph(settings, base, page, per_page)
    suffix = f"&per_page={per_page}" if per_page != MAX_PER_PAGE else ""

    def link(n: int) -> IRI:
        return IRI(urls.catalog(base, fmt, n) + suffix)

    view = link(page)
    catalog = IRI(urls.catalog_iri(base))
    graph.add(catalog, "hydra:view", view)
    graph.add(view, "rdf:type", IRI("hydra:PartialCollectionView"))
    graph.add(view, "hydra:first", link(1))
    graph.add(view, "hydra:last", link(pages))
    if page > 1:
        graph.add(view, "hydra:previous", link(min(page - 1, pages)))
    if page < pages:
        graph.add(view, "hydra:next", link(page + 1))
    graph.add(catalog, "hydra:totalItems", Lit(str(total), "xsd:integer"))
    return graph.serialise(fmt), pages


def publisher_document(
    settings: Settings, base: str, slug: str, fmt: str
) -> str | bytes | dict[str, Any] | None:
    """What a publisher's IRI answers: the agent (name, EDRPOU, ADMS publisher type, e-mail)
    and the datasets it publishes; None for a slug that publishes none."""
    datasets = [d for d in all_datasets(settings) if d.publisher.slug == slug]
    if not datasets:
        return None
    g = Graph()
    node = _organisation(g, base, datasets[0].publisher)
    for dataset in datasets:
        g.add(IRI(urls.dataset(base, dataset.slug)), "dct:publisher", node)
    g.add(node, "foaf:page", g.typed(urls.catalog(base, "ttl"), "foaf:Document"))
    return g.serialise(fmt)
