"""Photo retention: when a photo's files were purged

Revision ID: c3f1a8e2d905
Revises: 2b1916236172
Create Date: 2026-12-03 09:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c3f1a8e2d905"
down_revision = "2b1916236172"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("feedback_photos") as batch_op:
        batch_op.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("feedback_photos") as batch_op:
        batch_op.drop_column("purged_at")
