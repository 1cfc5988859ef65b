"""Achievements (badge definitions) as Open Badges 3.0 JSON-LD, and their badge images."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel

from app.api.deps import RuntimeDep, SessionDep
from app.api.responses import JsonLdResponse, problems
from app.catalog.badge_image import badge_svg
from app.issuer.achievements import AchievementPublisher

router = APIRouter(tags=["achievements"])

Uid = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$", description="The achievement's id")]


class AchievementList(BaseModel):
    achievements: list[dict[str, object]]
    next: str | None


class VersionOut(BaseModel):
    version: int
    created: str
    url: str


@router.get(
    "/achievements",
    response_model=AchievementList,
    summary="Achievements, current versions, a page at a time",
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
    summary="One achievement as an OB3 Achievement (current version unless ?version=N)",
    responses=problems(404),
)
def get_achievement(
    uid: Uid,
    runtime: RuntimeDep,
    session: SessionDep,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> JsonLdResponse:
    publisher = AchievementPublisher(session, runtime.settings)
    achievement = publisher.get(uid)
    row = publisher.get_version(achievement, version)
    return JsonLdResponse(publisher.document(achievement, row, with_context=True))


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
