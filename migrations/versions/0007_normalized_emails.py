"""learner emails are kept trimmed and lower-cased, the one spelling that is hashed

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

A learner whose lower-cased address another learner of the same issuer already holds keeps
its spelling (the two stay two learners until someone merges them); of several that would
become one address, the oldest takes it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        UPDATE learners SET email = lower(trim(email))
        WHERE email IS NOT NULL
          AND email <> lower(trim(email))
          AND NOT EXISTS (
            SELECT 1 FROM learners AS other
            WHERE other.issuer_id = learners.issuer_id AND other.email = lower(trim(learners.email))
          )
          AND id = (
            SELECT min(same.id) FROM learners AS same
            WHERE same.issuer_id = learners.issuer_id
              AND lower(trim(same.email)) = lower(trim(learners.email))
          )
        """
    )


def downgrade() -> None:
    """The original spellings are not kept; nothing to undo."""
