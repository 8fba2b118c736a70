"""campaign rejection: who turned a campaign down, and why

Revision ID: 3c7e2a91d5f4
Revises: 0be1553d8166
Create Date: 2026-12-03 09:05:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "3c7e2a91d5f4"
down_revision = "0be1553d8166"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notification_campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rejected_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rejection_reason", sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_notification_campaigns_rejected_by_id_staff"),
            "staff",
            ["rejected_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("notification_campaigns", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_notification_campaigns_rejected_by_id_staff"), type_="foreignkey"
        )
        batch_op.drop_column("rejection_reason")
        batch_op.drop_column("rejected_by_id")
