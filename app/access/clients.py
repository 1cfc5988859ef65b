"""API clients and their bearer tokens (OAuth 2.0 client-credentials grant, RFC 6749 4.4).

Client secrets and access tokens are 256-bit random strings, so a plain SHA-256 is enough to
store them safely (there is nothing to brute-force, unlike a password); only hashes are kept and
comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from app.access.oauth_errors import InvalidClient, InvalidScope
from app.problems import Conflict, Forbidden, InvalidRequest, NotFound, ProblemItem, Unauthenticated
from app.store.models import AccessToken, ApiClient, Issuer
from app.store.repositories import ClientRepository, IssuerRepository

SCOPES: dict[str, str] = {
    "awards:write": "issue awards and sign credentials for the client's issuer",
    "awards:read": "read awards and their history",
    "awards:revoke": "revoke, suspend and reissue awards",
    "catalog:write": "import and change the issuer's badge catalog",
    "webhooks:manage": "register and remove the client's webhook endpoints, read their log",
    "endorsements:write": "endorse badges as the client's issuer, import and withdraw endorsements",
    "issuers:write": "change the details (name, url, email, description, image) of the "
    "client's issuer",
    "admin": "manage issuers, keys and clients below the client's issuer",
}


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_scopes(text: str) -> list[str]:
    scopes = sorted(set(text.split()))
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown:
        raise InvalidRequest(
            "unknown scope",
            errors=[
                ProblemItem("scopes", f"{scope!r} is not a scope; known: {', '.join(SCOPES)}")
                for scope in unknown
            ],
        )
    if not scopes:
        raise InvalidRequest(
            "a client needs at least one scope", errors=[ProblemItem("scopes", "is empty")]
        )
    return scopes


@dataclass(frozen=True)
class NewClient:
    client: ApiClient
    client_secret: str


def create_client(
    session: Session, issuer: Issuer, *, name: str, scopes: str, covers_descendants: bool = False
) -> NewClient:
    """Register a client; the plain secret is returned here once and never stored."""
    secret = secrets.token_urlsafe(32)
    client = ClientRepository(session).add(
        ApiClient(
            client_id="xqb_" + secrets.token_hex(12),
            secret_hash=_digest(secret),
            name=name,
            issuer_id=issuer.id,
            scopes=" ".join(parse_scopes(scopes)),
            covers_descendants=covers_descendants,
        )
    )
    return NewClient(client=client, client_secret=secret)


class UnknownClient(NotFound):
    code, title = "unknown-client", "Unknown API client"


def get_client(session: Session, client_id: str) -> ApiClient:
    client = ClientRepository(session).by_client_id(client_id)
    if client is None:
        raise UnknownClient(f"there is no API client {client_id!r}")
    return client


def _require_enabled(client: ApiClient) -> None:
    if client.disabled_at is not None:
        raise Conflict(
            f"the client {client.client_id!r} is revoked; register a new one with "
            "xqbadges clients create"
        )


def update_scopes(session: Session, client_id: str, scopes: str) -> ApiClient:
    """Change what the client may do. New tokens get the new scopes; a token issued before
    keeps only the scopes the client still has (see ``authenticate_token``), so narrowing takes
    effect at once and widening needs a new token."""
    client = get_client(session, client_id)
    _require_enabled(client)
    client.scopes = " ".join(parse_scopes(scopes))
    session.flush()
    return client


def rotate_secret(session: Session, client_id: str) -> NewClient:
    """A new secret, returned here once; the old one stops working and, since a rotation usually
    follows a leak, every token issued with it dies too."""
    client = get_client(session, client_id)
    _require_enabled(client)
    secret = secrets.token_urlsafe(32)
    client.secret_hash = _digest(secret)
    ClientRepository(session).delete_tokens_of(client)
    session.flush()
    return NewClient(client=client, client_secret=secret)


def disable_client(session: Session, client_id: str) -> ApiClient:
    """Revoke the client: it can get no more tokens and the ones it holds die at once. The row
    stays, so the client is still listed (as disabled) and the awards it made still name it."""
    client = get_client(session, client_id)
    if client.disabled_at is None:
        client.disabled_at = datetime.now(UTC)
    ClientRepository(session).delete_tokens_of(client)
    session.flush()
    return client


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str


def authenticate_client(session: Session, client_id: str, client_secret: str) -> ApiClient:
    client = ClientRepository(session).by_client_id(client_id)
    if client is None or not hmac.compare_digest(client.secret_hash, _digest(client_secret)):
        raise InvalidClient("unknown client or wrong secret")
    if client.disabled_at is not None:
        raise InvalidClient("this client is disabled")
    return client


def issue_token(
    session: Session,
    *,
    client_id: str,
    client_secret: str,
    requested_scope: str | None,
    ttl_seconds: int,
) -> IssuedToken:
    clients = ClientRepository(session)
    client = authenticate_client(session, client_id, client_secret)
    granted = set(client.scopes.split())
    if requested_scope:
        requested = set(requested_scope.split())
        excess = sorted(requested - granted)
        if excess:
            raise InvalidScope(f"the client may not request {' '.join(excess)}")
        granted = requested
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    clients.delete_tokens_expired_before(now - timedelta(days=1))
    scope = " ".join(sorted(granted))
    clients.add_token(
        AccessToken(
            token_hash=_digest(token),
            client_pk=client.id,
            scopes=scope,
            expires_at=now + timedelta(seconds=ttl_seconds),
        )
    )
    return IssuedToken(access_token=token, expires_in=ttl_seconds, scope=scope)


def revoke_token(session: Session, client: ApiClient, token: str) -> None:
    """RFC 7009: forget ``token`` if ``client`` holds it. An unknown token, or one of another
    client (§2.1: not revoked), is no error, so the answer tells a caller nothing about tokens."""
    clients = ClientRepository(session)
    found = clients.token_by_hash(_digest(token))
    if found is not None and found[1].id == client.id:
        clients.delete_token(found[0])


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of one request."""

    client_id: str
    issuer_id: int
    scopes: frozenset[str]
    covers_descendants: bool

    def require(self, scope: str) -> None:
        if scope not in self.scopes and "admin" not in self.scopes:
            raise Forbidden(f"this action needs the scope {scope!r}")

    def may_act_for(self, session: Session, issuer: Issuer) -> bool:
        if issuer.id == self.issuer_id:
            return True
        if not self.covers_descendants:
            return False
        return issuer.id in IssuerRepository(session).descendant_ids(self.issuer_id)

    def require_issuer(self, session: Session, issuer: Issuer) -> None:
        if not self.may_act_for(session, issuer):
            raise Forbidden(f"this client may not act for issuer {issuer.slug!r}")


def authenticate_token(session: Session, token: str) -> Principal:
    found = ClientRepository(session).token_by_hash(_digest(token))
    if found is None:
        raise Unauthenticated("the access token is unknown or was revoked")
    access, client = found
    if access.expires_at <= datetime.now(UTC):
        raise Unauthenticated("the access token has expired")
    if client.disabled_at is not None:
        raise Unauthenticated("the client behind this token is disabled")
    return Principal(
        client_id=client.client_id,
        issuer_id=client.issuer_id,
        scopes=frozenset(access.scopes.split()) & frozenset(client.scopes.split()),
        covers_descendants=client.covers_descendants,
    )
