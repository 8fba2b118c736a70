"""reports filed by address alone: no coordinates until staff place them

Revision ID: 2b1916236172
Revises: 5b2e9c1d7a40
Create Date: 2026-12-03 09:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "2b1916236172"
down_revision = "5b2e9c1d7a40"
branch_labels = None
depends_on = None


def upgrade():
    # batch: SQLite changes a column's nullability by copying the table
    with op.batch_alter_table("feedback_reports") as batch_op:
        batch_op.alter_column("latitude", existing_type=sa.Float(), nullable=True)
        batch_op.alter_column("longitude", existing_type=sa.Float(), nullable=True)


def downgrade():
    # fails while a report still waits for its place: staff place it first (nothing is
    # deleted to make the older schema fit)
    with op.batch_alter_table("feedback_reports") as batch_op:
        batch_op.alter_column("latitude", existing_type=sa.Float(), nullable=False)
        batch_op.alter_column("longitude", existing_type=sa.Float(), nullable=False)
