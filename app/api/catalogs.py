"""Catalog import over HTTP (JSON or YAML body), atomic like the CLI.

Parsing, checking and importing a catalog is CPU work that takes seconds for a large one, so it
runs on a worker thread: the event loop only reads the body, and health checks, verification and
public pages keep answering meanwhile. A catalog is bounded in bytes (413) and in badges, CPEs
per badge and indicators per CPE (422 ``catalog-too-large``), checked before the costly part.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app import gcpause
from app.access.clients import Principal
from app.achievements.catalog_import import catalog_problem, import_catalog
from app.api.deps import PrincipalDep, RuntimeDep, SessionDep
from app.api.responses import problems
from app.catalog.loader import (
    CatalogError,
    CatalogFormat,
    CatalogLimits,
    CatalogTooLarge,
    parse_catalog_text,
)
from app.issuer.issuers import get_issuer
from app.problems import Problem, UnsupportedMediaType
from app.runtime import Runtime
from app.store.models import Issuer

router = APIRouter(tags=["catalog"])


class CatalogTooLargeProblem(Problem):
    status, code, title = 422, "catalog-too-large", "The catalog is too large"


class CatalogBodyTooLarge(Problem):
    status, code, title = 413, "catalog-too-large", "The catalog is too large"


class ImportedBadgeOut(BaseModel):
    code: str
    id: str
    version: int
    change: str


class CatalogImportOut(BaseModel):
    importId: int
    issuer: str
    created: int
    updated: int
    unchanged: int
    badges: list[ImportedBadgeOut]


_FORMATS: dict[str, CatalogFormat] = {
    "application/json": "json",
    "application/yaml": "yaml",
    "application/x-yaml": "yaml",
    "text/yaml": "yaml",
}


@router.post(
    "/api/v1/catalogs",
    status_code=201,
    response_model=CatalogImportOut,
    summary="Import a badge catalog for an issuer (scope catalog:write), all or nothing",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/yaml": {"schema": {"type": "string"}},
            },
        }
    },
    responses=problems(401, 403, 404, 413, 422),
)
async def post_catalog(
    request: Request,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    session: SessionDep,
    issuer: Annotated[str, Query(max_length=64, description="Slug of the issuer")],
) -> CatalogImportOut:
    principal.require("catalog:write")
    target = get_issuer(session, issuer)
    principal.require_issuer(session, target)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    file_format = _FORMATS.get(media_type)
    if file_format is None:
        raise UnsupportedMediaType("send the catalog as application/json or application/yaml")
    body = await request.body()
    limit = runtime.settings.catalog_max_bytes
    if len(body) > limit:
        raise CatalogBodyTooLarge(f"the catalog is {len(body)} bytes; at most {limit}")

    def work() -> CatalogImportOut:
        with gcpause.paused():
            return _import(runtime, session, principal, target, body, file_format)

    return await anyio.to_thread.run_sync(work)


def _import(
    runtime: Runtime,
    session: Session,
    principal: Principal,
    target: Issuer,
    body: bytes,
    file_format: CatalogFormat,
) -> CatalogImportOut:
    settings = runtime.settings
    limits = CatalogLimits(
        badges=settings.catalog_max_badges,
        cpes_per_badge=settings.catalog_max_cpes_per_badge,
        indicators_per_cpe=settings.catalog_max_indicators_per_cpe,
    )
    try:
        catalog = parse_catalog_text(
            body, file_format=file_format, source="request body", limits=limits
        )
    except CatalogTooLarge as error:
        raise CatalogTooLargeProblem(str(error)) from error
    except CatalogError as error:
        raise catalog_problem(error) from error
    summary = import_catalog(
        session,
        target,
        catalog,
        source_name="api upload",
        source_sha256=hashlib.sha256(body).hexdigest(),
        actor=f"client:{principal.client_id}",
    )
    session.commit()
    base = settings.public_base_url
    return CatalogImportOut(
        importId=summary.import_id,
        issuer=target.slug,
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        badges=[
            ImportedBadgeOut(
                code=b.code, id=f"{base}/achievements/{b.uid}", version=b.version, change=b.change
            )
            for b in summary.badges
        ],
    )
