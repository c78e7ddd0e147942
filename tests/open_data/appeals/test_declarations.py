"""Every shape of an appeal and of its filters follows the one declaration in
``schemas.py``: REST (items and query parameters, as OpenAPI documents them),
GraphQL (the ``Appeal`` type and the filter input, by introspection), the
dataset's columns, the service's SQL select, Open311's parameters and CKAN's
column filters."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from hromada.app import create_app
from hromada.config import Settings
from hromada.open_data.appeals import datasets, open311, queries
from hromada.open_data.appeals.schemas import PUBLIC_COLUMNS, AppealFilters, AppealOut
from hromada.open_data.catalog import service as catalog
from hromada.open_data.catalog.registry import city_of
from hromada.shapes import declared_fields

PUBLIC = declared_fields(AppealOut)
FILTERS = declared_fields(AppealFilters)
FILTER_NAMES = [f.name for f in FILTERS]

# What a declared Python type is called in GraphQL, in a Table Schema, and in OpenAPI.
GRAPHQL_TYPE = {int: "Int", str: "String", float: "Float", bool: "Boolean", dt.datetime: "DateTime"}
TABLE_TYPE = {
    int: "integer",
    str: "string",
    float: "number",
    bool: "boolean",
    dt.datetime: "datetime",
}


@pytest.fixture
def api(loaded: tuple[Settings, list[dict[str, Any]]]) -> Iterator[TestClient[Litestar]]:
    settings = loaded[0].replace(rate_limit_anonymous=100_000)
    with TestClient(create_app(settings)) as client:
        yield client


def test_the_declaration_has_the_21_public_fields_and_the_10_filters() -> None:
    assert len(PUBLIC) == 21
    assert len(FILTERS) == 10
    assert tuple(f.name for f in PUBLIC) == PUBLIC_COLUMNS


def test_the_dataset_columns_follow_the_declaration(settings: Settings) -> None:
    dataset = next(d for d in datasets.datasets(city_of(settings)) if d.slug == "appeals")
    columns = dataset.schema.fields
    assert [c.name for c in columns] == list(PUBLIC_COLUMNS)
    for column, field in zip(columns, PUBLIC, strict=True):
        assert column.type == TABLE_TYPE[field.base], column.name
        assert column.title == field.extra["title"]
        assert column.required == field.extra["required"]


def test_the_sql_select_reads_every_stored_public_field() -> None:
    selected = queries.SELECTED
    stored = [f.name for f in PUBLIC if f.extra["sql"]]
    computed = [f.name for f in PUBLIC if not f.extra["sql"]]
    assert list(selected) == stored
    assert computed == ["closed", "overdue"]


def _graphql_type(client: TestClient[Litestar], name: str) -> dict[str, Any]:
    query = """query($name: String!) { __type(name: $name) {
        fields { name type { kind name ofType { kind name ofType { kind name } } } }
        inputFields { name type { kind name ofType { kind name ofType { kind name } } } }
    } }"""
    body = client.post("/graphql", json={"query": query, "variables": {"name": name}}).json()
    assert "errors" not in body, body
    return body["data"]["__type"]


def _spell(field_type: dict[str, Any]) -> str:
    """An introspected GraphQL type as SDL: ``String!``, ``[String!]``, ``Int``."""
    if field_type["kind"] == "NON_NULL":
        return _spell(field_type["ofType"]) + "!"
    if field_type["kind"] == "LIST":
        return "[" + _spell(field_type["ofType"]) + "]"
    return str(field_type["name"])


def test_the_graphql_appeal_type_follows_the_declaration(api: TestClient[Litestar]) -> None:
    fields = {f["name"]: _spell(f["type"]) for f in _graphql_type(api, "Appeal")["fields"]}
    expected = {_camel(f.name): GRAPHQL_TYPE[f.base] + ("" if f.optional else "!") for f in PUBLIC}
    # GraphQL answers the district as the relation to the registry's district.
    expected["district"] = "District"
    assert fields == expected


def test_the_graphql_filter_input_follows_the_declaration(api: TestClient[Litestar]) -> None:
    fields = {
        f["name"]: _spell(f["type"]) for f in _graphql_type(api, "AppealFilter")["inputFields"]
    }
    expected = {
        _camel(f.name): f"[{GRAPHQL_TYPE[f.base]}!]" if f.is_list else GRAPHQL_TYPE[f.base]
        for f in FILTERS
    }
    assert fields == expected


def test_rest_items_follow_the_declaration(api: TestClient[Litestar]) -> None:
    page = api.get("/api/v1/appeals", params={"limit": 5}).json()
    assert page["items"]
    for item in page["items"]:
        assert list(item) == list(PUBLIC_COLUMNS)
    one = api.get(f"/api/v1/appeals/{page['items'][0]['id']}").json()
    assert list(one) == list(PUBLIC_COLUMNS)


def test_rest_query_parameters_follow_the_declaration(api: TestClient[Litestar]) -> None:
    document = api.get("/schema/openapi.json").json()
    for path in ("/api/v1/appeals", "/api/v1/appeals/stats"):
        parameters = {p["name"]: p for p in document["paths"][path]["get"]["parameters"]}
        for field in FILTERS:
            parameter = parameters[field.name]
            assert parameter["in"] == "query"
            assert parameter.get("description") == field.description, (path, field.name)
            wire = "boolean" if field.base is bool else "string"
            types = {s.get("type") for s in parameter["schema"].get("oneOf", [parameter["schema"]])}
            assert wire in types, (path, field.name, parameter["schema"])
    item = document["components"]["schemas"]["AppealOut"]
    assert list(item["properties"]) == list(PUBLIC_COLUMNS)


def test_open311_parameters_map_onto_declared_filters() -> None:
    assert set(open311.FILTER_OF_PARAMETER.values()) <= set(FILTER_NAMES)


async def test_ckan_column_filters_select_what_the_declared_filters_select(
    loaded: tuple[Settings, list[dict[str, Any]]],
) -> None:
    """A filter's declared column is a public field, and filtering the published
    dataset on it through CKAN's datastore_search gives the rows the REST filter gives."""
    settings = loaded[0].replace(rate_limit_anonymous=100_000)
    await catalog.publish(settings, "appeals")
    try:
        with TestClient(create_app(settings)) as client:
            package = _ckan(client, "package_show", id="appeals")
            rid = next(r["id"] for r in package["resources"] if r["format"] == "CSV")
            everything = _walk(client)
            checked = 0
            for field in FILTERS:
                column = field.extra["column"]
                if column is None:
                    continue
                assert column in PUBLIC_COLUMNS, field.name
                value = next(i[column] for i in everything if i[column])
                rest = {str(i["id"]) for i in _walk(client, **{field.name: value})}
                ckan = _ckan(
                    client, "datastore_search", resource_id=rid, filters={column: value}, limit=1000
                )
                assert rest and {str(r["id"]) for r in ckan["records"]} == rest, field.name
                checked += 1
            assert checked == 5
    finally:
        shutil.rmtree(catalog.datasets_root(settings), ignore_errors=True)


def _ckan(client: TestClient[Litestar], action: str, **params: Any) -> Any:
    response = client.post(f"/api/3/action/{action}", json=params)
    assert response.status_code == 200, response.text
    return response.json()["result"]


def _walk(client: TestClient[Litestar], **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        body = client.get(
            "/api/v1/appeals", params={**params, "limit": 100, "cursor": cursor or ""}
        ).json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if not cursor:
            return items


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
