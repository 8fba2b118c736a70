"""example notes

Revision ID: e1a0
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "e1a0"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "example_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_example_notes")),
    )


def downgrade():
    op.drop_table("example_notes")
