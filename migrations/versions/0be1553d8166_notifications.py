"""notifications

Revision ID: 0be1553d8166
Revises: 7d64215d5029
Create Date: 2026-12-02 16:43:43.675611
"""

import sqlalchemy as sa
from alembic import op

revision = "0be1553d8166"
down_revision = "7d64215d5029"
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "notification_interests",
        sa.Column("slug", sa.String(length=48), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_notification_interests")),
    )
    op.create_table(
        "notification_campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("link", sa.String(length=1024), nullable=True),
        sa.Column("image_url", sa.String(length=1024), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("ttl_seconds", sa.Integer(), nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("request_digest", sa.String(length=64), nullable=True),
        sa.Column("materialized", sa.Boolean(), nullable=False),
        sa.Column("paused_reason", sa.String(length=300), nullable=True),
        sa.Column("failure_reason", sa.String(length=300), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["staff.id"],
            name=op.f("fk_notification_campaigns_approved_by_id_staff"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["staff.id"],
            name=op.f("fk_notification_campaigns_author_id_staff"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_campaigns")),
        sa.UniqueConstraint(
            "author_id",
            "idempotency_key",
            name=op.f("uq_notification_campaigns_author_id_idempotency_key"),
        ),
    )
    with op.batch_alter_table("notification_campaigns", schema=None) as batch_op:
        batch_op.create_index("ix_notification_campaigns_due", ["status", "send_at"], unique=False)

    op.create_table(
        "notification_citizen_interests",
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("interest_slug", sa.String(length=48), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_notification_citizen_interests_citizen_id_citizens"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["interest_slug"],
            ["notification_interests.slug"],
            name=op.f("fk_notification_citizen_interests_interest_slug_notification_interests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "citizen_id", "interest_slug", name=op.f("pk_notification_citizen_interests")
        ),
    )
    with op.batch_alter_table("notification_citizen_interests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_citizen_interests_interest_slug"),
            ["interest_slug"],
            unique=False,
        )

    op.create_table(
        "notification_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=512), nullable=False),
        sa.Column("installation_id", sa.String(length=128), nullable=True),
        sa.Column("citizen_id", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("platform", sa.String(length=8), nullable=False),
        sa.Column("app_version", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("ward_code", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("deactivated_reason", sa.String(length=40), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_notification_devices_citizen_id_citizens"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_notification_devices_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_devices")),
        sa.UniqueConstraint(
            "installation_id", name=op.f("uq_notification_devices_installation_id")
        ),
        sa.UniqueConstraint("token", name=op.f("uq_notification_devices_token")),
    )
    with op.batch_alter_table("notification_devices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_devices_citizen_id"), ["citizen_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_notification_devices_last_seen_at"), ["last_seen_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_notification_devices_staff_id"), ["staff_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_notification_devices_ward_code"), ["ward_code"], unique=False
        )

    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(length=600), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.SmallInteger(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claim", sa.String(length=32), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_code", sa.String(length=40), nullable=True),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("token_removed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["notification_campaigns.id"],
            name=op.f("fk_notification_deliveries_campaign_id_notification_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["notification_devices.id"],
            name=op.f("fk_notification_deliveries_device_id_notification_devices"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_deliveries")),
        sa.UniqueConstraint(
            "campaign_id",
            "device_id",
            name=op.f("uq_notification_deliveries_campaign_id_device_id"),
        ),
        sa.UniqueConstraint(
            "campaign_id", "topic", name=op.f("uq_notification_deliveries_campaign_id_topic")
        ),
    )
    with op.batch_alter_table("notification_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notification_deliveries_work",
            ["campaign_id", "status", "next_attempt_at"],
            unique=False,
        )

    op.create_table(
        "notification_inbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["notification_campaigns.id"],
            name=op.f("fk_notification_inbox_campaign_id_notification_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_notification_inbox_citizen_id_citizens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_inbox")),
        sa.UniqueConstraint(
            "campaign_id", "citizen_id", name=op.f("uq_notification_inbox_campaign_id_citizen_id")
        ),
    )
    with op.batch_alter_table("notification_inbox", schema=None) as batch_op:
        batch_op.create_index("ix_notification_inbox_citizen", ["citizen_id", "id"], unique=False)
        batch_op.create_index(
            "ix_notification_inbox_unread", ["citizen_id", "read_at"], unique=False
        )

    op.create_table(
        "notification_topic_subscriptions",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=128), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["notification_devices.id"],
            name=op.f("fk_notification_topic_subscriptions_device_id_notification_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "device_id", "topic", name=op.f("pk_notification_topic_subscriptions")
        ),
    )
    with op.batch_alter_table("notification_topic_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_topic_subscriptions_topic"), ["topic"], unique=False
        )


def downgrade():

    with op.batch_alter_table("notification_topic_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_topic_subscriptions_topic"))

    op.drop_table("notification_topic_subscriptions")
    with op.batch_alter_table("notification_inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_inbox_unread")
        batch_op.drop_index("ix_notification_inbox_citizen")

    op.drop_table("notification_inbox")
    with op.batch_alter_table("notification_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_deliveries_work")

    op.drop_table("notification_deliveries")
    with op.batch_alter_table("notification_devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_devices_ward_code"))
        batch_op.drop_index(batch_op.f("ix_notification_devices_staff_id"))
        batch_op.drop_index(batch_op.f("ix_notification_devices_last_seen_at"))
        batch_op.drop_index(batch_op.f("ix_notification_devices_citizen_id"))

    op.drop_table("notification_devices")
    with op.batch_alter_table("notification_citizen_interests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_citizen_interests_interest_slug"))

    op.drop_table("notification_citizen_interests")
    with op.batch_alter_table("notification_campaigns", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_campaigns_due")

    op.drop_table("notification_campaigns")
    op.drop_table("notification_interests")
