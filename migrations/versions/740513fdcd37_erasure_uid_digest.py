"""privacy_erasures: the keyed digest of the erased Firebase uid

A Firebase ID token issued before an erasure stays valid for up to an hour (firebase-admin
does not check revocation); the digest lets the API refuse it instead of creating the
citizen again. Erasures done before this revision have none.

Revision ID: 740513fdcd37
Revises: d3215cbe4a3f
Create Date: 2026-12-03 10:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "740513fdcd37"
down_revision = "d3215cbe4a3f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("privacy_erasures") as batch_op:
        batch_op.add_column(sa.Column("firebase_uid_digest", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_privacy_erasures_firebase_uid_digest"),
            ["firebase_uid_digest"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("privacy_erasures") as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_erasures_firebase_uid_digest"))
        batch_op.drop_column("firebase_uid_digest")
