"""Pages for journalists and developers: the home page, the catalogue, a dataset, and the
mayor's dashboard (appeals, their map, heating from the registries)."""

from __future__ import annotations

import asyncio
import math
from typing import Annotated, Any

from litestar import Request, get
from litestar.params import PathParameter
from litestar.response import Template

from hromada.open_data.appeals import service as appeals
from hromada.open_data.appeals.schemas import AppealFilters
from hromada.open_data.catalog import ckan
from hromada.open_data.catalog import service as catalog
from hromada.open_data.catalog.registry import get_dataset
from hromada.open_data.registries import kinds, records
from hromada.participation.petitions import service as petitions
from hromada.web.render import (
    LIST_LIMIT,
    Query,
    base_url,
    page,
    settings_of,
)

PREVIEW_ROWS = 20
DASHBOARD_CATEGORIES = 15
DASHBOARD_MONTHS = 24


@get("/", name="web-home")
async def home(request: Request[Any, Any, Any]) -> Template:
    settings = settings_of(request)
    datasets = await catalog.list_datasets(
        settings,
        q=None,
        theme=None,
        publisher=None,
        fmt=None,
        limit=6,
        cursor=None,
        base_url=base_url(request),
    )
    latest = await petitions.list_petitions(settings, limit=3, cursor=None)
    return page(request, "home.html", datasets=datasets, petitions=latest.items)


@get("/data", name="web-catalogue")
async def catalogue(
    request: Request[Any, Any, Any],
    q: Annotated[str | None, Query(max_length=200)] = None,
    theme: Annotated[str | None, Query(max_length=50)] = None,
    format_: Annotated[str | None, Query(name="format", max_length=20)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Template:
    settings = settings_of(request)
    found = await catalog.list_datasets(
        settings,
        q=q,
        theme=theme,
        publisher=None,
        fmt=format_,
        limit=LIST_LIMIT,
        cursor=cursor,
        base_url=base_url(request),
    )
    facets = catalog.facets(settings, q=q, theme=theme, fmt=format_)
    return page(
        request,
        "catalogue.html",
        found=found,
        facets=facets,
        q=q or "",
        theme=theme,
        fmt=format_,
    )


@get("/data/{slug:str}", name="web-dataset")
async def dataset_page(
    request: Request[Any, Any, Any],
    slug: Annotated[str, PathParameter(max_length=200)],
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Template:
    settings = settings_of(request)
    base = base_url(request)
    out = await catalog.get_dataset_out(settings, slug, base)
    versions = await catalog.list_versions(settings, slug, limit=10, cursor=None, base_url=base)
    dataset = get_dataset(settings, slug)
    preview: dict[str, Any] | None = None
    preview_error = None
    latest = await catalog.latest_version(slug)
    if latest is not None and "csv" in dataset.formats:
        params: dict[str, Any] = {
            "resource_id": dataset.resource_id("csv"),
            "limit": PREVIEW_ROWS,
            "records_format": "lists",
        }
        if q:
            params["q"] = q
        try:
            preview = await asyncio.to_thread(
                ckan.datastore_search_sync, settings, dataset, latest, params
            )
        except (ckan.CkanValidationError, ckan.CkanSearchQueryError) as exc:
            preview_error = str(exc)
    return page(
        request,
        "dataset.html",
        dataset=out,
        versions=versions.items,
        preview=preview,
        preview_error=preview_error,
        q=q or "",
        base=base,
        csv_resource=dataset.resource_id("csv") if "csv" in dataset.formats else None,
    )


HEATING_REGISTRIES = (kinds.BUILDING_PASSPORTS, kinds.SOCIAL_FACILITIES)
HEATING_LISTED = 20
MAP_WIDTH = 640  # the SVG's own units; it scales to the screen
MAP_LEVELS = 5


def grid_map(cells: list[Any], cell: float) -> dict[str, Any] | None:
    """The density cells as rectangles of an SVG (longitude shrunk by the cosine of the
    latitude, so a cell is as wide as it is on the ground) with a level 1..5 each."""
    if not cells:
        return None
    lats = [c.lat for c in cells]
    lons = [c.lon for c in cells]
    shrink = math.cos(math.radians(sum(lats) / len(lats)))
    west, north = min(lons) - cell / 2, max(lats) + cell / 2
    span_x = (max(lons) - min(lons) + cell) * shrink
    span_y = max(lats) - min(lats) + cell
    scale = MAP_WIDTH / span_x
    most = max(c.count for c in cells)
    rects = [
        {
            "x": round((c.lon - cell / 2 - west) * shrink * scale, 1),
            "y": round((north - c.lat - cell / 2) * scale, 1),
            "w": round(cell * shrink * scale, 1),
            "h": round(cell * scale, 1),
            "level": max(1, math.ceil(c.count / most * MAP_LEVELS)),
            "cell": c,
        }
        for c in cells
    ]
    return {"width": MAP_WIDTH, "height": round(span_y * scale, 1), "rects": rects}


@get("/dashboard", name="web-dashboard")
async def dashboard(request: Request[Any, Any, Any]) -> Template:
    k = settings_of(request).appeals_k
    everything = AppealFilters()
    by_month = await appeals.stats(everything, ["month"], k=k)
    by_district = await appeals.stats(everything, ["district"], k=k)
    by_category = await appeals.stats(everything, ["category"], k=k)
    months = sorted(by_month.groups, key=lambda g: g.key["month"] or "")[-DASHBOARD_MONTHS:]
    categories = sorted(by_category.groups, key=lambda g: -g.count)[:DASHBOARD_CATEGORIES]
    districts = sorted(by_district.groups, key=lambda g: -g.count)
    density = await appeals.density(k)
    heating = []
    for registry in HEATING_REGISTRIES:
        counts = await records.count_by(registry, "heating")
        if any(value is not None for value in counts):
            cut = await records.page_records(
                records.RecordQuery(registry=registry, equals={"heating": "disconnected"}),
                limit=HEATING_LISTED,
                cursor=None,
            )
            heating.append({"registry": registry, "counts": counts, "off": cut})
    return page(
        request,
        "dashboard.html",
        total=by_month.total,
        months=months,
        most_in_a_month=max((g.count for g in months), default=0),
        districts=districts,
        categories=categories,
        k=k,
        density=density,
        heating=heating,
        grid=grid_map(density.cells, density.cell_degrees),
    )


# In the order the router lists them: a fixed path ("/petitions/new") before a typed one.
ROUTES = [home, catalogue, dataset_page, dashboard]
