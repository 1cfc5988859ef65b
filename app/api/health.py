"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.api.deps import RuntimeDep
from app.api.errors import problem_response
from app.health import readiness_problems
from app.problems import ServiceUnavailable

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    """On the event loop itself, not the worker threads: it answers while they are all busy."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Database reachable, migrations at head, keys readable",
    responses={503: {"description": "Not ready", "content": {"application/problem+json": {}}}},
)
def readyz(runtime: RuntimeDep) -> JSONResponse:
    problems = readiness_problems(runtime)
    if problems:
        problem = ServiceUnavailable("; ".join(problems))
        return problem_response(503, problem.as_dict("/readyz"), {"Retry-After": "5"})
    return JSONResponse({"status": "ready"})
