"""categories, photos, reports, timeline, follows, moderation

Revision ID: 080416e07465
Revises:
Create Date: 2026-12-02 16:41:21.765598
"""

import sqlalchemy as sa
from alembic import op

revision = "080416e07465"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "feedback_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_vi", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("description_vi", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=True),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("resolve_hours", sa.Integer(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("hotline", sa.String(length=20), nullable=True),
        sa.Column("keywords", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_categories")),
        sa.UniqueConstraint("code", name=op.f("uq_feedback_categories_code")),
    )
    op.create_table(
        "feedback_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=True),
        sa.Column("reporter_name", sa.String(length=120), nullable=True),
        sa.Column("reporter_phone", sa.String(length=20), nullable=True),
        sa.Column("reporter_email", sa.String(length=254), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("ward_code", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("privacy", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("followers_count", sa.Integer(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledge_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolve_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["feedback_categories.id"],
            name=op.f("fk_feedback_reports_category_id_feedback_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["feedback_reports.id"],
            name=op.f("fk_feedback_reports_duplicate_of_id_feedback_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_reports")),
    )
    with op.batch_alter_table("feedback_reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feedback_reports_agency_code_status", ["agency_code", "status"], unique=False
        )
        batch_op.create_index(
            "ix_feedback_reports_citizen_id_id", ["citizen_id", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_feedback_reports_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            "ix_feedback_reports_latitude_longitude", ["latitude", "longitude"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_feedback_reports_resolve_due_at"), ["resolve_due_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_feedback_reports_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_feedback_reports_ward_code"), ["ward_code"], unique=False
        )

    op.create_table(
        "feedback_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("actor_kind", sa.String(length=10), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("agency_code", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["feedback_reports.id"],
            name=op.f("fk_feedback_events_report_id_feedback_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_events")),
    )
    with op.batch_alter_table("feedback_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feedback_events_report_id"), ["report_id"], unique=False
        )

    op.create_table(
        "feedback_follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["feedback_reports.id"],
            name=op.f("fk_feedback_follows_report_id_feedback_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_follows")),
        sa.UniqueConstraint(
            "report_id", "citizen_id", name=op.f("uq_feedback_follows_report_id_citizen_id")
        ),
    )
    with op.batch_alter_table("feedback_follows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feedback_follows_citizen_id"), ["citizen_id"], unique=False
        )

    op.create_table(
        "feedback_photos",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_citizen_id", sa.Integer(), nullable=True),
        sa.Column("owner_staff_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("thumbnail_key", sa.String(length=100), nullable=False),
        sa.Column("original_key", sa.String(length=100), nullable=True),
        sa.Column("original_thumbnail_key", sa.String(length=100), nullable=True),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["feedback_events.id"],
            name=op.f("fk_feedback_photos_event_id_feedback_events"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["feedback_reports.id"],
            name=op.f("fk_feedback_photos_report_id_feedback_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_photos")),
    )
    with op.batch_alter_table("feedback_photos", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feedback_photos_owner_citizen_id"), ["owner_citizen_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_feedback_photos_report_id"), ["report_id"], unique=False
        )

    op.create_table(
        "feedback_moderations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.String(length=32), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["photo_id"],
            ["feedback_photos.id"],
            name=op.f("fk_feedback_moderations_photo_id_feedback_photos"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["feedback_reports.id"],
            name=op.f("fk_feedback_moderations_report_id_feedback_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_moderations")),
    )
    with op.batch_alter_table("feedback_moderations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feedback_moderations_report_id"), ["report_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("feedback_moderations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_moderations_report_id"))

    op.drop_table("feedback_moderations")
    with op.batch_alter_table("feedback_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_photos_report_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_photos_owner_citizen_id"))

    op.drop_table("feedback_photos")
    with op.batch_alter_table("feedback_follows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_follows_citizen_id"))

    op.drop_table("feedback_follows")
    with op.batch_alter_table("feedback_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_events_report_id"))

    op.drop_table("feedback_events")
    with op.batch_alter_table("feedback_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_reports_ward_code"))
        batch_op.drop_index(batch_op.f("ix_feedback_reports_status"))
        batch_op.drop_index(batch_op.f("ix_feedback_reports_resolve_due_at"))
        batch_op.drop_index("ix_feedback_reports_latitude_longitude")
        batch_op.drop_index(batch_op.f("ix_feedback_reports_created_at"))
        batch_op.drop_index("ix_feedback_reports_citizen_id_id")
        batch_op.drop_index("ix_feedback_reports_agency_code_status")

    op.drop_table("feedback_reports")
    op.drop_table("feedback_categories")
