"""citizens: on SQLite, ids of erased citizens are never handed out again (AUTOINCREMENT)

Without AUTOINCREMENT, SQLite gives a new row the largest id plus one, so erasing the
newest citizen would hand their id to the next one, and the audit and personal-data-read
entries about the erased citizen would seem to concern the new one. PostgreSQL's sequences
never reuse an id: nothing to do there.

Revision ID: d3215cbe4a3f
Revises: 9a631e43ac2a
Create Date: 2026-12-03 10:15:00
"""

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import op

revision = "d3215cbe4a3f"
down_revision = "9a631e43ac2a"
branch_labels = None
depends_on = None


def upgrade():
    _rebuild_citizens(autoincrement=True)


def downgrade():
    _rebuild_citizens(autoincrement=False)


def _rebuild_citizens(autoincrement: bool) -> None:
    """SQLite sets AUTOINCREMENT only when it creates a table: copy the table into one
    created with it (Alembic's batch mode keeps the rows, ids, indexes and constraints)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    with (
        _foreign_keys_off(),
        op.batch_alter_table(
            "citizens", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ),
    ):
        pass


@contextmanager
def _foreign_keys_off() -> Iterator[None]:
    """With foreign keys on, dropping the old table would first delete every citizen and
    cascade to their devices, inbox and consents. SQLite ignores the pragma inside a
    transaction, so the run's transaction is committed first (as Alembic's
    ``autocommit_block`` does; that one would also leave the pooled connection in pysqlite's
    legacy transaction mode, which the app turns off) and the rebuild gets its own."""
    op.execute("COMMIT")
    op.execute("PRAGMA foreign_keys = OFF")
    op.execute("BEGIN")
    try:
        yield
        op.execute("COMMIT")
    except BaseException:
        op.execute("ROLLBACK")
        raise
    finally:
        op.execute("PRAGMA foreign_keys = ON")
        op.execute("BEGIN")  # the run's transaction again, for Alembic's version row
