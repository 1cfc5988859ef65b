"""Achievements (badge definitions) as Open Badges 3.0 JSON-LD, and their badge images."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.achievements.pathways import Pathways
from app.achievements.publishing import AchievementPublisher
from app.api.deps import RuntimeDep, SessionDep
from app.api.pages import _not_found_page, _page
from app.api.responses import JsonLdResponse, problems
from app.catalog.badge_image import badge_svg
from app.credentials.context_urls import OB3_CONTEXT, VC2_CONTEXT
from app.issuer.issuers import get_issuer
from app.pages import negotiation
from app.pages.achievement_page import achievement_page, find_version
from app.problems import NotAcceptable

router = APIRouter(tags=["achievements"])

Uid = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$", description="The achievement's id")]
ACHIEVEMENT_TYPES = (negotiation.JSON_LD, negotiation.JSON, negotiation.HTML)
"""What an achievement's id serves; JSON-LD, the first, answers ``*/*`` and a missing Accept."""


class AchievementList(BaseModel):
    achievements: list[dict[str, object]] = Field(
        description="OB 3.0 Achievements in JSON-LD, each with its @context; each `id` is the "
        "Achievement's own URL"
    )
    next: str | None = Field(description="The cursor of the next page; null on the last")


class VersionOut(BaseModel):
    version: int
    created: str
    url: str


@router.get(
    "/achievements",
    response_model=AchievementList,
    summary="Achievements, current versions, a page at a time",
    description=(
        "Always a page, also with `?code=`: a humanCode is unique within an issuer, not across "
        "issuers, so `?issuer=xq&code=M101` is a page of one. Each Achievement's `id` "
        "dereferences to that Achievement alone."
    ),
)
def list_achievements(
    runtime: RuntimeDep,
    session: SessionDep,
    issuer: Annotated[str | None, Query(max_length=64)] = None,
    code: Annotated[str | None, Query(max_length=64, description="humanCode, e.g. M101")] = None,
    cursor: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
) -> AchievementList:
    page = AchievementPublisher(session, runtime.settings).page(
        issuer_slug=issuer, code=code, cursor=cursor, limit=limit
    )
    return AchievementList(achievements=page.items, next=page.next_cursor)


@router.get(
    "/achievements/{uid}",
    response_class=JsonLdResponse,
    summary="One achievement: an OB3 Achievement in JSON-LD (default) or its public page, by "
    "Accept (current version unless ?version=N)",
    responses={
        200: {"content": {"application/ld+json": {}, "text/html": {}}},
        **problems(404, 406),
    },
)
def get_achievement(
    uid: Uid,
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    chosen = negotiation.negotiate(request.headers.get("accept"), ACHIEVEMENT_TYPES)
    if chosen == negotiation.HTML:
        found = find_version(session, uid, version)
        if found is None:
            return _not_found_page("There is no badge, or no such version of it, at this address.")
        achievement, row = found
        return _page(
            achievement_page(
                session, runtime.settings, achievement, row, version_asked=version is not None
            )
        )
    publisher = AchievementPublisher(session, runtime.settings)
    achievement = publisher.get(uid)
    row = publisher.get_version(achievement, version)
    if chosen is None:
        raise NotAcceptable("this achievement is available as application/ld+json or text/html")
    return JsonLdResponse(
        publisher.document(achievement, row, with_context=True), headers={"Vary": "Accept"}
    )


@router.get(
    "/pathways/{issuer}/{pathway}",
    response_class=JsonLdResponse,
    summary="A pathway of an issuer's badges, as an OB3 Achievement of type LearningProgram",
    responses=problems(404),
)
def get_pathway(
    issuer: Annotated[str, Path(max_length=64)],
    pathway: Annotated[str, Path(max_length=200)],
    runtime: RuntimeDep,
    session: SessionDep,
) -> JsonLdResponse:
    document = Pathways(session, runtime.settings).by_slug(get_issuer(session, issuer), pathway)
    return JsonLdResponse({"@context": [VC2_CONTEXT, OB3_CONTEXT], **document})


@router.get(
    "/achievements/{uid}/versions",
    response_model=list[VersionOut],
    summary="Every stored version of an achievement",
    responses=problems(404),
)
def list_versions(uid: Uid, runtime: RuntimeDep, session: SessionDep) -> list[VersionOut]:
    publisher = AchievementPublisher(session, runtime.settings)
    achievement = publisher.get(uid)
    base = publisher.achievement_url(achievement)
    return [
        VersionOut(
            version=row.version,
            created=row.created_at.isoformat(),
            url=f"{base}?version={row.version}",
        )
        for row in publisher.versions(achievement)
    ]


@router.get(
    "/achievements/{uid}/image.svg",
    response_class=Response,
    summary="The generated badge image",
    responses={200: {"content": {"image/svg+xml": {}}}, **problems(404)},
)
def achievement_image(uid: Uid, runtime: RuntimeDep, session: SessionDep) -> Response:
    publisher = AchievementPublisher(session, runtime.settings)
    achievement = publisher.get(uid)
    definition = publisher.get_version(achievement, None).definition
    svg = badge_svg(achievement.code, str(definition["badge"]["title"]))
    return Response(
        svg, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=3600"}
    )
