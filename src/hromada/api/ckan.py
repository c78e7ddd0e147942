"""CKAN's Action API (read side) on ``/api/3/action/`` and ``/api/action/``, and the DataStore dump.

CKAN's envelope ``{help, success, result}`` and its error shapes and statuses:
404 ``Not Found Error``, 409 ``Validation Error``, 400 ``Search Query Error``,
403 ``Authorization Error`` for the write actions, and a bare JSON string with
400 for an unknown action or an unreadable body, as CKAN answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, route
from litestar.params import FromPath, QueryParameter

from hromada.api.downloads import base_url, file_response
from hromada.bounds import load_json
from hromada.config import Settings
from hromada.errors import NotFound
from hromada.open_data.catalog import ckan, service
from hromada.open_data.catalog.ckan import CkanNotFound, CkanSearchQueryError, CkanValidationError

Params = dict[str, Any]
Action = Callable[[Settings, Params, str], Awaitable[Any]]

WRITE_ACTIONS = {
    "package_create",
    "package_update",
    "package_patch",
    "package_delete",
    "resource_create",
    "resource_update",
    "resource_patch",
    "resource_delete",
    "organization_create",
    "organization_update",
    "organization_delete",
    "group_create",
    "group_update",
    "group_delete",
    "tag_create",
    "tag_delete",
    "datastore_create",
    "datastore_upsert",
    "datastore_delete",
    "user_create",
}


def _required(params: Params, name: str) -> str:
    value = params.get(name)
    if value is None or value == "":
        raise CkanValidationError({name: ["Missing value"]})
    return str(value)


def _flag(params: Params, name: str, default: bool) -> bool:
    value = params.get(name)
    if value is None or value == "":
        return default
    return str(value).lower() in ("true", "1", "yes", "on")


async def site_read(settings: Settings, params: Params, base: str) -> Any:
    """Whether the site can be read: always true."""
    return True


async def status_show(settings: Settings, params: Params, base: str) -> Any:
    """The site's version and extensions."""
    return {
        "site_title": f"{settings.publisher_name_uk}: відкриті дані",
        "site_description": f"Відкриті дані міста {settings.city_name_uk} (hromada)",
        "site_url": base,
        "ckan_version": ckan.CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": "uk",
        "extensions": ["datastore", "dcat"],
    }


async def package_list(settings: Settings, params: Params, base: str) -> Any:
    """Names of every public dataset (limit, offset)."""
    return await ckan.package_list(settings, params)


async def package_show(settings: Settings, params: Params, base: str) -> Any:
    """One dataset by id or name."""
    return await ckan.package_show(settings, _required(params, "id"), base)


async def package_search(settings: Settings, params: Params, base: str) -> Any:
    """Search datasets: q, fq, rows (at most 1000), start, sort, facet.field."""
    return await ckan.package_search(settings, params, base)


async def organization_list(settings: Settings, params: Params, base: str) -> Any:
    """Organisations: names, or dicts with all_fields=true."""
    return await ckan.organization_list(settings, _flag(params, "all_fields", False))


async def organization_show(settings: Settings, params: Params, base: str) -> Any:
    """One organisation by id or name (include_datasets for its packages)."""
    return await ckan.organization_show(
        settings, _required(params, "id"), _flag(params, "include_datasets", False), base
    )


async def resource_show(settings: Settings, params: Params, base: str) -> Any:
    """One resource by id."""
    return await ckan.resource_show(settings, _required(params, "id"), base)


async def datastore_search(settings: Settings, params: Params, base: str) -> Any:
    """Rows of a tabular resource: filters, q, limit, offset, fields, sort, include_total."""
    resource_id = _required(params, "resource_id")
    dataset, version, _fmt = await ckan.resolve_resource(settings, resource_id)
    return await asyncio.to_thread(ckan.datastore_search_sync, settings, dataset, version, params)


async def datastore_info(settings: Settings, params: Params, base: str) -> Any:
    """The columns (id, type) and row count of a tabular resource."""
    resource_id = str(params.get("id") or params.get("resource_id") or "")
    if not resource_id:
        raise CkanValidationError({"id": ["Missing value"]})
    dataset, version, _fmt = await ckan.resolve_resource(settings, resource_id)
    return ckan.datastore_info(dataset, version, resource_id)


async def group_list(settings: Settings, params: Params, base: str) -> Any:
    """Groups (the EU data themes): names, or dicts with all_fields=true; sort, limit, offset."""
    return await ckan.group_list(settings, params)


async def group_show(settings: Settings, params: Params, base: str) -> Any:
    """One group by id or name (include_datasets for its packages)."""
    return await ckan.group_show(
        settings, _required(params, "id"), _flag(params, "include_datasets", False), base
    )


async def tag_list(settings: Settings, params: Params, base: str) -> Any:
    """Tag names (query to filter; all_fields=true for dicts)."""
    return await ckan.tag_list(settings, params)


async def tag_show(settings: Settings, params: Params, base: str) -> Any:
    """One tag by name or id (include_datasets for its packages)."""
    return await ckan.tag_show(
        settings, _required(params, "id"), _flag(params, "include_datasets", False), base
    )


async def license_list(settings: Settings, params: Params, base: str) -> Any:
    """The licences datasets are published under."""
    return ckan.license_list(settings)


async def current_package_list_with_resources(settings: Settings, params: Params, base: str) -> Any:
    """Packages with resources, most recently modified first (limit, offset, page)."""
    return await ckan.current_package_list_with_resources(settings, params, base)


async def package_autocomplete(settings: Settings, params: Params, base: str) -> Any:
    """Datasets whose name or title contains q (at most limit, default 10)."""
    return await ckan.package_autocomplete(settings, params)


async def help_show(settings: Settings, params: Params, base: str) -> Any:
    """The help text of an action."""
    name = _required(params, "name")
    action = ACTIONS.get(name)
    if action is None:
        raise CkanNotFound("Action function not found")
    return action.__doc__


ACTIONS: dict[str, Action] = {
    "site_read": site_read,
    "status_show": status_show,
    "package_list": package_list,
    "package_show": package_show,
    "package_search": package_search,
    "organization_list": organization_list,
    "organization_show": organization_show,
    "resource_show": resource_show,
    "datastore_search": datastore_search,
    "datastore_info": datastore_info,
    "group_list": group_list,
    "group_show": group_show,
    "tag_list": tag_list,
    "tag_show": tag_show,
    "license_list": license_list,
    "current_package_list_with_resources": current_package_list_with_resources,
    "package_autocomplete": package_autocomplete,
    "help_show": help_show,
}


def _envelope(
    base: str, action: str, status: int, *, result: Any = None, error: Any = None
) -> Response[Any]:
    body: dict[str, Any] = {"help": f"{base}/api/3/action/help_show?name={action}"}
    if error is None:
        body["success"] = True
        body["result"] = result
    else:
        body["success"] = False
        body["error"] = error
    return Response(content=body, status_code=status, media_type="application/json")


def _bad_request(message: str) -> Response[Any]:
    # CKAN answers these with a bare JSON string, not the envelope.
    return Response(
        content=msgspec.json.encode(f"Bad request - {message}"),
        status_code=400,
        media_type="application/json",
    )


async def _params(request: Request[Any, Any, Any]) -> Params | str:
    """The action's arguments: the query string, then a JSON or form body; or an error text."""
    params: Params = dict(request.query_params.items())
    if request.method == "POST":
        body = await request.body()
        content_type = request.headers.get("content-type", "")
        if body.strip():
            if "form" in content_type:
                form = await request.form()
                params.update({k: v for k, v in form.items() if isinstance(v, str)})
            else:
                try:
                    data = load_json(body)
                except ValueError as exc:
                    return f"JSON Error: {exc}"
                if not isinstance(data, dict):
                    return "JSON Error: the body is not a JSON object"
                params.update(data)
    return params


async def _run(request: Request[Any, Any, Any], action: str) -> Response[Any]:
    base = base_url(request)
    settings = request.app.state["settings"]
    function = ACTIONS.get(action)
    if function is None:
        if action in WRITE_ACTIONS:
            return _envelope(
                base,
                action,
                403,
                error={
                    "__type": "Authorization Error",
                    "message": "Access denied: this catalogue is read-only",
                },
            )
        return _bad_request(f"Action name not known: {action}")
    params = await _params(request)
    if isinstance(params, str):
        return _bad_request(params)
    try:
        result = await function(settings, params, base)
    except CkanNotFound as exc:
        message = "Not found" + (f": {exc}" if str(exc) else "")
        return _envelope(base, action, 404, error={"__type": "Not Found Error", "message": message})
    except CkanValidationError as exc:
        return _envelope(base, action, 409, error={**exc.errors, "__type": "Validation Error"})
    except CkanSearchQueryError as exc:
        return _envelope(
            base,
            action,
            400,
            error={"__type": "Search Query Error", "message": f"Search Query is invalid: {exc}"},
        )
    return _envelope(base, action, 200, result=result)


class CkanController(Controller):
    path = "/api"
    tags = ["ckan"]  # noqa: RUF012
    include_in_schema = False

    @route("/3/action/{action:str}", http_method=["GET", "POST"])
    async def action_v3(
        self, request: Request[Any, Any, Any], action: FromPath[str]
    ) -> Response[Any]:
        return await _run(request, action)

    @route("/action/{action:str}", http_method=["GET", "POST"])
    async def action(self, request: Request[Any, Any, Any], action: FromPath[str]) -> Response[Any]:
        return await _run(request, action)


class DatastoreDumpController(Controller):
    path = "/datastore/dump"
    tags = ["ckan"]  # noqa: RUF012

    @get(
        "/{resource_id:str}",
        summary="CKAN DataStore dump of a resource: the latest version as CSV",
        opt={"skip_compression": True},
    )
    async def dump(
        self,
        request: Request[Any, Any, Any],
        resource_id: FromPath[str],
        bom: Annotated[str | None, QueryParameter()] = None,
        format_: Annotated[str | None, QueryParameter(name="format")] = None,
    ) -> Response[Any]:
        settings = request.app.state["settings"]
        if format_ not in (None, "", "csv"):
            raise NotFound(f"format {format_!r}: this DataStore dumps csv only")
        try:
            dataset, version, _fmt = await ckan.resolve_resource(settings, resource_id)
        except CkanNotFound as exc:
            raise NotFound(str(exc)) from None
        path = service.version_file(settings, version, "csv")
        return file_response(
            request,
            path,
            sha256=version.files["csv"]["sha256"],
            last_modified=version.created_at,
            media_type="text/csv",
            filename=f"{dataset.slug}.csv",
            immutable=False,
            bom=str(bom).lower() in ("1", "true", "yes"),
        )


# What the app mounts for this domain (hromada.open_data.catalog.domain names this module).
ROUTES = [CkanController, DatastoreDumpController]
