"""Issuer profiles, DID documents, and issuer management."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.api.deps import PrincipalDep, RuntimeDep, SessionDep
from app.api.responses import DidJsonResponse, JsonLdResponse, problems
from app.issuer.identity import IssuerIdentity
from app.issuer.issuers import IssuerDraft, create_issuer, get_issuer, update_issuer
from app.problems import InvalidRequest, ProblemItem, UnsupportedMediaType, validation_items
from app.store.models import Issuer
from app.store.repositories import IssuerRepository

router = APIRouter(tags=["issuers"])

Slug = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,64}$", description="The issuer's slug")]


@router.get(
    "/issuers/{slug}",
    response_class=JsonLdResponse,
    summary="The issuer as an Open Badges 3.0 Profile (JSON-LD)",
    responses=problems(404),
)
def issuer_profile(slug: Slug, runtime: RuntimeDep, session: SessionDep) -> JsonLdResponse:
    issuer = get_issuer(session, slug)
    identity = IssuerIdentity(session, runtime.settings)
    return JsonLdResponse(identity.profile(issuer, with_context=True))


@router.get(
    "/issuers/{slug}/did.json",
    response_class=DidJsonResponse,
    summary="The issuer's DID document (did:web resolution target)",
    responses=problems(404),
)
def issuer_did_document(slug: Slug, runtime: RuntimeDep, session: SessionDep) -> DidJsonResponse:
    issuer = get_issuer(session, slug)
    return DidJsonResponse(IssuerIdentity(session, runtime.settings).did_document(issuer))


class IssuerOut(BaseModel):
    slug: str
    name: str
    did: str
    parent: str | None
    profileUrl: str
    statusMethod: str


class IssuerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
    name: str = Field(min_length=1, max_length=300)
    parent: str = Field(description="Slug of the parent issuer (the caller's or one below it)")
    url: str | None = Field(default=None, max_length=2000)
    email: str | None = Field(default=None, max_length=320)
    description: str | None = Field(default=None, max_length=5000)
    imageUrl: str | None = Field(default=None, max_length=2000)
    statusMethod: Literal["BitstringStatusList", "1EdTechRevocationList"] = Field(
        default="BitstringStatusList",
        description="The credentialStatus entry this issuer's credentials carry. The OB 3.0 "
        "schema allows one; both the Bitstring Status List and the 1EdTech revocation list "
        "are served for every issuer.",
    )


def _issuer_out(identity: IssuerIdentity, issuer: Issuer, parent_slug: str | None) -> IssuerOut:
    return IssuerOut(
        slug=issuer.slug,
        name=issuer.name,
        did=identity.did(issuer),
        parent=parent_slug,
        profileUrl=f"{identity.settings.public_base_url}/issuers/{issuer.slug}",
        statusMethod=issuer.status_method,
    )


@router.get(
    "/api/v1/issuers",
    response_model=list[IssuerOut],
    summary="Issuers this client may act for",
    responses=problems(401, 403),
)
def list_issuers(
    principal: PrincipalDep, runtime: RuntimeDep, session: SessionDep
) -> list[IssuerOut]:
    identity = IssuerIdentity(session, runtime.settings)
    repo = IssuerRepository(session)
    everyone = repo.all()
    slugs = {issuer.id: issuer.slug for issuer in everyone}
    return [
        _issuer_out(identity, issuer, slugs.get(issuer.parent_id) if issuer.parent_id else None)
        for issuer in everyone
        if principal.may_act_for(session, issuer)
    ]


@router.post(
    "/api/v1/issuers",
    status_code=201,
    response_model=IssuerOut,
    summary="Create an issuer below one this client administers (scope admin)",
    responses=problems(401, 403, 409, 422),
)
def create_child_issuer(
    body: IssuerIn, principal: PrincipalDep, runtime: RuntimeDep, session: SessionDep
) -> IssuerOut:
    principal.require("admin")
    parent = IssuerRepository(session).by_slug(body.parent)
    if parent is None:
        raise InvalidRequest(
            "the parent issuer is unknown",
            errors=[ProblemItem("$.parent", f"there is no issuer {body.parent!r}")],
        )
    principal.require_issuer(session, parent)
    issuer = create_issuer(
        session,
        runtime.keystore,
        IssuerDraft(
            slug=body.slug,
            name=body.name,
            url=body.url,
            email=body.email,
            description=body.description,
            image_url=body.imageUrl,
            parent_slug=parent.slug,
            status_method=body.statusMethod,
        ),
    )
    session.commit()
    return _issuer_out(IssuerIdentity(session, runtime.settings), issuer, parent.slug)


class IssuerPatch(BaseModel):
    """A JSON merge patch (RFC 7396) of an issuer's details: a member sets that field, null
    clears it (``name`` cannot be cleared), a missing member leaves it alone."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=300)
    url: str | None = Field(default=None, max_length=2000, description="Homepage, http(s)")
    email: str | None = Field(
        default=None, max_length=320, description="Contact email; OB 2.0 exports need one"
    )
    description: str | None = Field(default=None, max_length=5000)
    imageUrl: str | None = Field(default=None, max_length=2000, description="Logo, http(s)")


class IssuerDetailsOut(IssuerOut):
    url: str | None
    email: str | None
    description: str | None
    imageUrl: str | None


_PATCH_FIELDS = {
    "name": "name",
    "url": "url",
    "email": "email",
    "description": "description",
    "imageUrl": "image_url",
}
_PATCH_MEDIA_TYPES = ("application/merge-patch+json", "application/json")


@router.patch(
    "/api/v1/issuers/{slug}",
    response_model=IssuerDetailsOut,
    summary="Change an issuer's details (scope issuers:write; JSON merge patch)",
    description="The caller's issuer, or with `--descendants` one below it. Members set a "
    "field, null clears one; the Profile at `/issuers/{slug}` and the OB 2.0 issuer show the "
    "change at once. Credentials already signed keep the profile they were signed with.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media_type: {"schema": IssuerPatch.model_json_schema()}
                for media_type in _PATCH_MEDIA_TYPES
            },
        }
    },
    responses=problems(401, 403, 404, 413, 422)
    | {
        415: {
            "description": "Not application/merge-patch+json or application/json",
            "content": {"application/problem+json": {}},
        }
    },
)
async def patch_issuer(
    slug: Slug, request: Request, principal: PrincipalDep, runtime: RuntimeDep, session: SessionDep
) -> IssuerDetailsOut:
    principal.require("issuers:write")
    issuer = get_issuer(session, slug)
    principal.require_issuer(session, issuer)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in _PATCH_MEDIA_TYPES:
        raise UnsupportedMediaType("send the patch as " + " or ".join(_PATCH_MEDIA_TYPES))
    try:
        patch = IssuerPatch.model_validate_json(await request.body())
    except ValidationError as error:
        raise InvalidRequest(
            "the patch is not valid", errors=validation_items(list(error.errors()))
        ) from None
    changes = {_PATCH_FIELDS[name]: getattr(patch, name) for name in patch.model_fields_set}
    update_issuer(
        session,
        issuer,
        changes,
        where={field: f"$.{name}" for name, field in _PATCH_FIELDS.items()},
    )
    session.commit()
    parent = IssuerRepository(session).by_id(issuer.parent_id) if issuer.parent_id else None
    base = _issuer_out(
        IssuerIdentity(session, runtime.settings), issuer, parent.slug if parent else None
    )
    return IssuerDetailsOut(
        **base.model_dump(),
        url=issuer.url,
        email=issuer.email,
        description=issuer.description,
        imageUrl=issuer.image_url,
    )
