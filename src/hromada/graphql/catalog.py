"""The dataset catalogue in GraphQL: ``datasets``, ``dataset(slug)``, versions, resources."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from hromada.errors import NotFound
from hromada.graphql.connections import Node, PageInfo, cut, global_id, window
from hromada.open_data.catalog import service
from hromada.open_data.catalog.schemas import DatasetOut, VersionOut

__all__ = ["CatalogQuery", "Dataset", "DatasetVersion", "PageInfo"]

MAX_FIRST = 100


def base_url(info: Info[Any, Any]) -> str:
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
class DatasetVersion(Node):
    dataset_slug: str
    number: int
    created_at: datetime.datetime
    row_count: int
    rows_added: int
    rows_changed: int
    rows_removed: int
    resources: list[Resource]
    pinned: bool = strawberry.field(description="Kept by the retention policy whatever its age")
    pruned_at: datetime.datetime | None = strawberry.field(
        description="When the retention policy removed its files (its URLs then answer 410)"
    )

    @classmethod
    def of(cls, slug: str, v: VersionOut) -> DatasetVersion:
        return cls(
            id=global_id("DatasetVersion", f"{slug}:{v.number}"),
            dataset_slug=slug,
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
            pinned=v.pinned,
            pruned_at=v.pruned_at,
        )


@strawberry.type
class DatasetVersionEdge:
    cursor: str
    node: DatasetVersion


@strawberry.type
class DatasetVersionConnection:
    edges: list[DatasetVersionEdge]
    page_info: PageInfo


@strawberry.type(description="A published dataset of the city")
class Dataset(Node):
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
            id=global_id("Dataset", d.slug),
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
            latest_version=(
                DatasetVersion.of(d.slug, d.latest_version) if d.latest_version else None
            ),
            version_count=d.versions,
        )

    @strawberry.field(
        description="Versions, newest first: `first`/`after` go to older ones, "
        "`last`/`before` to newer ones"
    )
    async def versions(
        self,
        info: Info[Any, Any],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> DatasetVersionConnection:
        w = window(
            first=first, after=after, last=last, before=before, maximum=MAX_FIRST, key=(int,)
        )
        rows = await info.context.loaders.dataset_versions.load((self.slug, w))
        page = cut(rows, w, lambda v: (v.number,))
        base = base_url(info)
        return DatasetVersionConnection(
            edges=[
                DatasetVersionEdge(cursor=c, node=DatasetVersion.of(self.slug, v.out(base)))
                for v, c in zip(page.items, page.cursors, strict=True)
            ],
            page_info=page.page_info,
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
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        q: str | None = None,
        theme: str | None = None,
        publisher: str | None = None,
        format: str | None = None,
    ) -> DatasetConnection:
        w = window(first=first, after=after, last=last, before=before, maximum=MAX_FIRST)
        rows, total = await service.window_datasets(
            info.context.settings,
            q=q,
            theme=theme,
            publisher=publisher,
            fmt=format,
            limit=w.limit + 1,
            after=str(w.after[0]) if w.after else None,
            before=str(w.before[0]) if w.before else None,
            backward=w.backward,
            base_url=base_url(info),
        )
        page = cut(rows, w, lambda d: (d.slug,))
        return DatasetConnection(
            edges=[
                DatasetEdge(cursor=c, node=Dataset.of(d))
                for d, c in zip(page.items, page.cursors, strict=True)
            ],
            page_info=page.page_info,
            total_count=total,
        )

    @strawberry.field(description="One dataset by slug, or null")
    async def dataset(self, info: Info[Any, Any], slug: str) -> Dataset | None:
        try:
            found = await service.get_dataset_out(info.context.settings, slug, base_url(info))
        except NotFound:
            return None
        return Dataset.of(found)


# The name the schema looks for (see hromada.graphql.schema).
Query = CatalogQuery
