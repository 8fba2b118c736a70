"""procedure lookups, counted once per client and day, by hour

Revision ID: 7e0590f53acb
Revises: b7c41e0a9d25
Create Date: 2026-12-03 09:15:00

The monthly report counts the procedures citizens opened, per managing agency. The clients
table holds day-keyed digests (as the search log's), pruned once the day is over.
"""

import sqlalchemy as sa
from alembic import op

revision = "7e0590f53acb"
down_revision = "b7c41e0a9d25"
branch_labels = None
depends_on = None


def _procedure(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["procedure_id"],
        ["public_services_procedures.id"],
        name=op.f(f"fk_{table}_procedure_id_public_services_procedures"),
        ondelete="CASCADE",
    )


def upgrade():
    op.create_table(
        "public_services_lookups",
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("lookups", sa.Integer(), nullable=False),
        _procedure("public_services_lookups"),
        sa.PrimaryKeyConstraint("hour", "procedure_id", name=op.f("pk_public_services_lookups")),
    )
    op.create_table(
        "public_services_lookup_clients",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=32), nullable=False),
        _procedure("public_services_lookup_clients"),
        sa.PrimaryKeyConstraint(
            "day", "procedure_id", "client", name=op.f("pk_public_services_lookup_clients")
        ),
    )


def downgrade():
    op.drop_table("public_services_lookup_clients")
    op.drop_table("public_services_lookups")
