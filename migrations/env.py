"""One Alembic environment for every lineage: the core's and each plugin's.

``smartapp.lineages.alembic_config`` puts the lineage to migrate in the config's attributes;
it chooses the version table and which tables autogenerate may see.
"""

from alembic import context
from flask import current_app

from smartapp.lineages import ATTRIBUTE, core_lineage, skip_empty_revision

# No fileConfig(): the smartapp command line and the tests configure logging themselves.
lineage = context.config.attributes.get(ATTRIBUTE) or core_lineage()
database = current_app.extensions["migrate"].db
options = dict(
    target_metadata=database.metadata,
    version_table=lineage.version_table,
    include_object=lineage.include_object,
    render_item=lineage.render_item,
    process_revision_directives=skip_empty_revision,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
)


def run_migrations_offline():
    context.configure(url=str(database.engine.url), literal_binds=True, **options)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    with database.engine.connect() as connection:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
