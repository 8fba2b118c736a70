"""managing agency of procedures and offices; search log counted once per client

Revision ID: b7c41e0a9d25
Revises: 5b1f0c7d9e21
Create Date: 2026-12-02 17:30:00

Staff of one agency manage only their agency's procedures and offices; rows without one are
the province's (every existing row). A search counts once per client and day: the clients
table holds day-keyed digests, never addresses.
"""

import sqlalchemy as sa
from alembic import op

revision = "b7c41e0a9d25"
down_revision = "5b1f0c7d9e21"
branch_labels = None
depends_on = None

TABLES = ("public_services_procedures", "public_services_offices")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("agency_code", sa.String(length=32), nullable=True))
            batch.create_index(f"ix_{table}_agency_code", ["agency_code"])
    op.create_table(
        "public_services_search_clients",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("query", sa.String(length=200), nullable=False),
        sa.Column("client", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "query", "client", name=op.f("pk_public_services_search_clients")
        ),
    )


def downgrade():
    op.drop_table("public_services_search_clients")
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_agency_code")
            batch.drop_column("agency_code")
