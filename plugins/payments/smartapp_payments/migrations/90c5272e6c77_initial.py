"""initial: places and their methods, fee accounts and items, guides, QR counts

Revision ID: 90c5272e6c77
Revises:
Create Date: 2026-12-02 16:46:32.703310
"""

import sqlalchemy as sa
from alembic import op

revision = "90c5272e6c77"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payments_fee_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("agency_name", sa.String(length=300), nullable=False),
        sa.Column("bank_bin", sa.String(length=6), nullable=False),
        sa.Column("account_number", sa.String(length=19), nullable=False),
        sa.Column("service", sa.String(length=10), nullable=False),
        sa.Column("account_name", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_fee_accounts")),
    )
    with op.batch_alter_table("payments_fee_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payments_fee_accounts_agency_code"), ["agency_code"], unique=False
        )

    op.create_table(
        "payments_guides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title_vi", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=True),
        sa.Column("body_vi", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_guides")),
        sa.UniqueConstraint("slug", name=op.f("uq_payments_guides_slug")),
    )
    op.create_table(
        "payments_places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("ward_code", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("opening_hours", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("verified_on", sa.Date(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_places")),
        sa.UniqueConstraint("code", name=op.f("uq_payments_places_code")),
    )
    with op.batch_alter_table("payments_places", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_places_category"), ["category"], unique=False)
        batch_op.create_index(
            "ix_payments_places_position", ["latitude", "longitude"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_payments_places_ward_code"), ["ward_code"], unique=False
        )

    op.create_table(
        "payments_qr_counts",
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("codes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("agency_code", "month", name=op.f("pk_payments_qr_counts")),
    )
    op.create_table(
        "payments_fee_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=True),
        sa.Column("amount_vnd", sa.Integer(), nullable=True),
        sa.Column("procedure_code", sa.String(length=40), nullable=True),
        sa.Column("fee_account_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["fee_account_id"],
            ["payments_fee_accounts.id"],
            name=op.f("fk_payments_fee_items_fee_account_id_payments_fee_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_fee_items")),
        sa.UniqueConstraint("code", name=op.f("uq_payments_fee_items_code")),
    )
    with op.batch_alter_table("payments_fee_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payments_fee_items_fee_account_id"), ["fee_account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_payments_fee_items_procedure_code"), ["procedure_code"], unique=False
        )

    op.create_table(
        "payments_place_methods",
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["payments_places.id"],
            name=op.f("fk_payments_place_methods_place_id_payments_places"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("place_id", "method", name=op.f("pk_payments_place_methods")),
    )
    with op.batch_alter_table("payments_place_methods", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payments_place_methods_method"), ["method"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("payments_place_methods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_place_methods_method"))

    op.drop_table("payments_place_methods")
    with op.batch_alter_table("payments_fee_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_fee_items_procedure_code"))
        batch_op.drop_index(batch_op.f("ix_payments_fee_items_fee_account_id"))

    op.drop_table("payments_fee_items")
    op.drop_table("payments_qr_counts")
    with op.batch_alter_table("payments_places", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_places_ward_code"))
        batch_op.drop_index("ix_payments_places_position")
        batch_op.drop_index(batch_op.f("ix_payments_places_category"))

    op.drop_table("payments_places")
    op.drop_table("payments_guides")
    with op.batch_alter_table("payments_fee_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_fee_accounts_agency_code"))

    op.drop_table("payments_fee_accounts")
