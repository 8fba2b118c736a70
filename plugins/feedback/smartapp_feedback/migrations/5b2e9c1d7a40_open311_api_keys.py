"""Open311 API keys

Revision ID: 5b2e9c1d7a40
Revises: 080416e07465
Create Date: 2026-12-02 18:35:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5b2e9c1d7a40"
down_revision = "080416e07465"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "feedback_api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_api_keys")),
        sa.UniqueConstraint("digest", name=op.f("uq_feedback_api_keys_digest")),
    )


def downgrade():
    op.drop_table("feedback_api_keys")
