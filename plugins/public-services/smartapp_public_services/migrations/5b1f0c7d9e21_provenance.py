"""provenance: source, verified_at, unverified; official bundles

Revision ID: 5b1f0c7d9e21
Revises: eea842772263
Create Date: 2026-12-02 17:00:00

Every procedure, bundle and office says where it comes from (``source``), when it was last
checked (``verified_at``) and whether an official text confirms it (``unverified``). Rows
already stored were never checked: they start unverified. Bundles say whether they are a
linked service the government publishes (``official``) or a grouping of the project's own.

Columns are added with plain ``ALTER TABLE … ADD COLUMN`` (no SQLite batch copy): a copy of
``public_services_procedures`` would drop the triggers that keep its FTS5 index in step.
"""

import sqlalchemy as sa
from alembic import op

revision = "5b1f0c7d9e21"
down_revision = "eea842772263"
branch_labels = None
depends_on = None

TABLES = ("public_services_procedures", "public_services_bundles", "public_services_offices")


def upgrade():
    for table in TABLES:
        op.add_column(table, sa.Column("source", sa.String(length=500), nullable=True))
        op.add_column(table, sa.Column("verified_at", sa.Date(), nullable=True))
        op.add_column(
            table, sa.Column("unverified", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.add_column(
        "public_services_bundles",
        sa.Column("official", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade():
    # SQLite (3.35+) and PostgreSQL both drop a column in place; no table copy, for the same
    # reason as above
    op.drop_column("public_services_bundles", "official")
    for table in TABLES:
        for column in ("unverified", "verified_at", "source"):
            op.drop_column(table, column)
