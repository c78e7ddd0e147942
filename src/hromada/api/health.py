"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.openapi import ResponseSpec

from hromada.api.errors import problem
from hromada.readiness import check_ready, readiness_info


class HealthController(Controller):
    path = ""
    tags = ["health"]  # noqa: RUF012

    @get("/health", summary="Liveness: the process answers")
    async def health(self) -> dict[str, str]:
        return {"status": "ok"}

    @get(
        "/ready",
        summary="Readiness: database reachable, migrations applied, search reachable",
        responses={503: ResponseSpec(data_container=dict, description="Something is not ready")},
    )
    async def ready(self, state: State) -> Response[dict[str, Any]]:
        checks = await check_ready(state)
        info = await readiness_info(state)
        failing = {name: why for name, why in checks.items() if why != "ok"}
        if failing:
            detail = "; ".join(f"{name}: {why}" for name, why in failing.items())
            response = problem(503, f"not ready: {detail}", title="Not ready")
            response.content["checks"] = checks
            response.content.update(info)
            return response
        return Response({"status": "ready", "checks": checks, **info})
