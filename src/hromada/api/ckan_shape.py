"""CKAN's error envelope for errors raised outside the CKAN actions (rate limits, keys, routing).

A CKAN client reads ``{"success": false, "error": {"__type": ..., "message": ...}}``
whatever went wrong: ckanapi turns ``__type`` into its exceptions and shows
anything else as an unknown server. So an error on a CKAN path leaves in
CKAN's shape, with the same status and headers (``Retry-After`` on a 429)
as the problem details it replaces. This module has no dependencies: the
access layer and the exception handlers both use it.
"""

from __future__ import annotations

import json
from typing import Any

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
