"""endorsements

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "endorsements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("achievement_id", sa.Integer(), nullable=False),
        sa.Column("endorser_issuer_id", sa.Integer(), nullable=True),
        sa.Column("endorser_id", sa.String(length=2000), nullable=False),
        sa.Column("endorser_name", sa.String(length=300), nullable=False),
        sa.Column("credential_id", sa.String(length=500), nullable=False),
        sa.Column("credential", sa.JSON(), nullable=False),
        sa.Column("credential_jwt", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_list_id", sa.Integer(), nullable=True),
        sa.Column("status_index", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["achievement_id"],
            ["achievements.id"],
            name=op.f("fk_endorsements_achievement_id_achievements"),
        ),
        sa.ForeignKeyConstraint(
            ["endorser_issuer_id"],
            ["issuers.id"],
            name=op.f("fk_endorsements_endorser_issuer_id_issuers"),
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"],
            ["status_lists.id"],
            name=op.f("fk_endorsements_status_list_id_status_lists"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_endorsements")),
        sa.UniqueConstraint("achievement_id", "credential_id", name="uq_endorsements_credential"),
        sa.UniqueConstraint(
            "status_list_id", "status_index", name="uq_endorsements_status_position"
        ),
        sa.UniqueConstraint("uid", name=op.f("uq_endorsements_uid")),
    )
    with op.batch_alter_table("endorsements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_endorsements_achievement_id"), ["achievement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_endorsements_endorser_issuer_id"), ["endorser_issuer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_endorsements_status_list_id"), ["status_list_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("endorsements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_endorsements_status_list_id"))
        batch_op.drop_index(batch_op.f("ix_endorsements_endorser_issuer_id"))
        batch_op.drop_index(batch_op.f("ix_endorsements_achievement_id"))

    op.drop_table("endorsements")
