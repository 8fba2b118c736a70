"""search index tuned for reading

Revision ID: eea842772263
Revises: 02736a286311
Create Date: 2026-11-25 14:33:20.368548

PostgreSQL only (SQLite's FTS5 index is unchanged):

* the GIN index stops queueing new entries in a pending list (``fastupdate``): the catalog
  is written rarely and read on every search, and until a vacuum merged it, every search
  scanned the list — after an import of 5,000 procedures the planner preferred reading the
  whole table to such an index;
* ranking reads a small generated tsvector of the name (weight A) and keywords (weight B),
  kept in the row (storage ``main``; the wide rows would otherwise push it out to TOAST),
  instead of the whole text's: ``ts_rank`` on each of the thousand matches of a broad query
  no longer fetches and decompresses a vector of the full description.
"""

from alembic import op

revision = "eea842772263"
down_revision = "02736a286311"
branch_labels = None
depends_on = None

INDEX = "ix_public_services_procedures_search_vector"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER INDEX {INDEX} SET (fastupdate = off)")
    op.execute(f"SELECT gin_clean_pending_list('{INDEX}'::regclass)")
    op.execute("""ALTER TABLE public_services_procedures ADD COLUMN search_rank_vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('simple', search_name), 'A')
            || setweight(to_tsvector('simple', search_keywords), 'B')
        ) STORED,
        ALTER COLUMN search_rank_vector SET STORAGE MAIN""")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE public_services_procedures DROP COLUMN search_rank_vector")
    op.execute(f"ALTER INDEX {INDEX} RESET (fastupdate)")
