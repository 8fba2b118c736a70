"""managing agency of procedures and offices

Revision ID: b7c41e0a9d25
Revises: eea842772263
Create Date: 2026-12-02 17:30:00

Staff of one agency manage only their agency's procedures and offices; rows without one are
the province's (every existing row).
"""

import sqlalchemy as sa
from alembic import op

revision = 'b7c41e0a9d25'
down_revision = 'eea842772263'
branch_labels = None
depends_on = None

TABLES = ("public_services_procedures", "public_services_offices")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("agency_code", sa.String(length=32), nullable=True))
            batch.create_index(f"ix_{table}_agency_code", ["agency_code"])


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_agency_code")
            batch.drop_column("agency_code")
