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

from app.problems import Forbidden, InvalidRequest, ProblemItem, Unauthenticated
from app.store.models import AccessToken, ApiClient, Issuer
from app.store.repositories import ClientRepository, IssuerRepository

SCOPES: dict[str, str] = {
    "awards:write": "issue awards and sign credentials for the client's issuer",
    "awards:read": "read awards and their history",
    "awards:revoke": "revoke, suspend and reissue awards",
    "catalog:write": "import and change the issuer's badge catalog",
    "webhooks:manage": "register and remove the client's webhook endpoints, read their log",
    "endorsements:write": "endorse badges as the client's issuer, import and withdraw endorsements",
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


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str


def _oauth_refusal(detail: str) -> Unauthenticated:
    problem = Unauthenticated(detail, error="invalid_client")
    problem.headers["WWW-Authenticate"] = 'Basic realm="xqbadges"'
    return problem


def issue_token(
    session: Session,
    *,
    client_id: str,
    client_secret: str,
    requested_scope: str | None,
    ttl_seconds: int,
) -> IssuedToken:
    clients = ClientRepository(session)
    client = clients.by_client_id(client_id)
    if client is None or not hmac.compare_digest(client.secret_hash, _digest(client_secret)):
        raise _oauth_refusal("unknown client or wrong secret")
    if client.disabled_at is not None:
        raise _oauth_refusal("this client is disabled")
    granted = set(client.scopes.split())
    if requested_scope:
        requested = set(requested_scope.split())
        excess = sorted(requested - granted)
        if excess:
            raise Forbidden(f"the client may not request {' '.join(excess)}")
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
        raise Unauthenticated("the access token is unknown")
    access, client = found
    if access.expires_at <= datetime.now(UTC):
        raise Unauthenticated("the access token has expired")
    if client.disabled_at is not None:
        raise Unauthenticated("the client behind this token is disabled")
    return Principal(
        client_id=client.client_id,
        issuer_id=client.issuer_id,
        scopes=frozenset(access.scopes.split()),
        covers_descendants=client.covers_descendants,
    )
