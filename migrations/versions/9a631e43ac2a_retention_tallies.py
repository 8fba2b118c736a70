"""Retention: tallies of the notification rows purged, so campaign figures stay

Revision ID: 9a631e43ac2a
Revises: dc4c74c56b1e
Create Date: 2026-12-03 09:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "9a631e43ac2a"
down_revision = "dc4c74c56b1e"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notification_figure_tallies",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("figure", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["notification_campaigns.id"],
            name=op.f("fk_notification_figure_tallies_campaign_id_notification_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "campaign_id", "figure", "key", name=op.f("pk_notification_figure_tallies")
        ),
    )


def downgrade():
    op.drop_table("notification_figure_tallies")
