"""The error shapes of the APIs other tools speak, for errors raised outside their handlers.

CKAN's envelope (rate limits, keys, routing under ``/api/3/``):

A CKAN client reads ``{"success": false, "error": {"__type": ..., "message": ...}}``
whatever went wrong: ckanapi turns ``__type`` into its exceptions and shows
anything else as an unknown server. So an error on a CKAN path leaves in
CKAN's shape, with the same status and headers (``Retry-After`` on a 429)
as the problem details it replaces.

Open311 GeoReport v2 (``/open311/``): a list of ``{"code", "description"}``
in JSON, ``<errors><error>…`` in XML, chosen by the path's ``.xml``.

This module has no dependencies: the access layer and the exception handlers
both use it.
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

_TYPES = {
    401: "Authorization Error",
    403: "Authorization Error",
    404: "Not Found Error",
    409: "Validation Error",
    422: "Validation Error",
    429: "Rate Limit Error",
}


def is_ckan_path(path: str) -> bool:
    return path == "/api/3" or path.startswith(("/api/3/", "/api/action/"))


def ckan_error(path: str, status: int, detail: str) -> dict[str, Any]:
    action = path.rstrip("/").rsplit("/", 1)[-1] if "/action/" in path else "help_show"
    error: dict[str, Any] = {"__type": _TYPES.get(status, "Internal Error"), "message": detail}
    if status == 422:
        error = {"__type": "Validation Error", "message": [detail]}
    if 400 <= status < 500 and status not in _TYPES:
        error["__type"] = "Bad Request"
    return {
        "help": f"/api/3/action/help_show?name={action}",
        "success": False,
        "error": error,
    }


def ckan_error_bytes(path: str, status: int, detail: str) -> bytes:
    return json.dumps(ckan_error(path, status, detail), ensure_ascii=False).encode()


def is_open311_path(path: str) -> bool:
    return path.startswith("/open311/")


def open311_error(path: str, status: int, detail: str) -> tuple[bytes, str]:
    """The body and media type of an Open311 error answer."""
    if path.endswith(".xml"):
        top = ET.Element("errors")
        error = ET.SubElement(top, "error")
        ET.SubElement(error, "code").text = str(status)
        ET.SubElement(error, "description").text = detail
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")
        return body, "text/xml; charset=utf-8"
    rows = [{"code": status, "description": detail}]
    return json.dumps(rows, ensure_ascii=False).encode(), "application/json"
