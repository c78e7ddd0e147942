"""The dataset catalogue in GraphQL: ``datasets``, ``dataset(slug)``, versions, resources."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from hromada.errors import NotFound
from hromada.open_data.catalog import service
from hromada.open_data.catalog.schemas import DatasetOut, VersionOut
from hromada.paging import DEFAULT_LIMIT, check_limit

MAX_FIRST = 100


def _base(info: Info[Any, Any]) -> str:
    settings = info.context.settings
    if settings.public_url:
        return str(settings.public_url).rstrip("/")
    request = getattr(info.context, "request", None)
    return str(request.base_url).rstrip("/") if request is not None else ""


@strawberry.type(description="One download of a version: a format with its URL and sha256")
class Resource:
    format: str
    media_type: str
    url: str
    sha256: str
    bytes: int


@strawberry.type(description="An immutable published version of a dataset")
class DatasetVersion:
    number: int
    created_at: datetime.datetime
    row_count: int
    rows_added: int
    rows_changed: int
    rows_removed: int
    resources: list[Resource]

    @classmethod
    def of(cls, v: VersionOut) -> DatasetVersion:
        return cls(
            number=v.number,
            created_at=v.created_at,
            row_count=v.row_count,
            rows_added=v.changes.rows_added,
            rows_changed=v.changes.rows_changed,
            rows_removed=v.changes.rows_removed,
            resources=[
                Resource(
                    format=f.format,
                    media_type=f.media_type,
                    url=f.url,
                    sha256=f.sha256,
                    bytes=f.bytes,
                )
                for f in v.files
            ],
        )


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class DatasetVersionEdge:
    cursor: str
    node: DatasetVersion


@strawberry.type
class DatasetVersionConnection:
    edges: list[DatasetVersionEdge]
    page_info: PageInfo


@strawberry.type(description="A published dataset of the city")
class Dataset:
    slug: str
    title_uk: str
    title_en: str
    description_uk: str
    description_en: str
    publisher_name: str
    publisher_edrpou: str
    licence: str
    keywords: list[str]
    themes: list[str]
    update_frequency: str
    katottg: str
    formats: list[str]
    datapackage_url: str
    latest_version: DatasetVersion | None
    version_count: int

    @classmethod
    def of(cls, d: DatasetOut) -> Dataset:
        return cls(
            slug=d.slug,
            title_uk=d.title_uk,
            title_en=d.title_en,
            description_uk=d.description_uk,
            description_en=d.description_en,
            publisher_name=d.publisher.name_uk,
            publisher_edrpou=d.publisher.edrpou,
            licence=d.licence,
            keywords=d.keywords,
            themes=d.themes,
            update_frequency=d.update_frequency,
            katottg=d.coverage.katottg,
            formats=d.formats,
            datapackage_url=d.datapackage_url,
            latest_version=DatasetVersion.of(d.latest_version) if d.latest_version else None,
            version_count=d.versions,
        )

    @strawberry.field(description="Versions, newest first (keyset-paged)")
    async def versions(
        self, info: Info[Any, Any], first: int = DEFAULT_LIMIT, after: str | None = None
    ) -> DatasetVersionConnection:
        page = await service.list_versions(
            info.context.settings,
            self.slug,
            limit=check_limit(first, MAX_FIRST),
            cursor=after,
            base_url=_base(info),
        )
        edges = [
            DatasetVersionEdge(cursor=str(v.number), node=DatasetVersion.of(v)) for v in page.items
        ]
        return DatasetVersionConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.next_cursor is not None, end_cursor=page.next_cursor
            ),
        )


@strawberry.type
class DatasetEdge:
    cursor: str
    node: Dataset


@strawberry.type
class DatasetConnection:
    edges: list[DatasetEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class CatalogQuery:
    @strawberry.field(description="The dataset catalogue: search by text, filter, keyset-paged")
    async def datasets(
        self,
        info: Info[Any, Any],
        first: int = DEFAULT_LIMIT,
        after: str | None = None,
        q: str | None = None,
        theme: str | None = None,
        publisher: str | None = None,
        format: str | None = None,
    ) -> DatasetConnection:
        page = await service.list_datasets(
            info.context.settings,
            q=q,
            theme=theme,
            publisher=publisher,
            fmt=format,
            limit=check_limit(first, MAX_FIRST),
            cursor=after,
            base_url=_base(info),
        )
        return DatasetConnection(
            edges=[DatasetEdge(cursor=d.slug, node=Dataset.of(d)) for d in page.items],
            page_info=PageInfo(
                has_next_page=page.next_cursor is not None, end_cursor=page.next_cursor
            ),
            total_count=page.total or 0,
        )

    @strawberry.field(description="One dataset by slug, or null")
    async def dataset(self, info: Info[Any, Any], slug: str) -> Dataset | None:
        try:
            found = await service.get_dataset_out(info.context.settings, slug, _base(info))
        except NotFound:
            return None
        return Dataset.of(found)


# The name the schema looks for (see hromada.graphql.schema).
Query = CatalogQuery
