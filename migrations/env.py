"""Alembic environment for tracker.

Runs against a connection handed over by ``tracker.db.upgrade`` (config.attributes
["connection"]), or, for the ``alembic`` command line in a checkout, against the URL
from ``sqlalchemy.url`` / $TRACKER_DB / ./tracker.db.
"""

from alembic import context

from tracker.db import make_engine, resolve_url
from tracker.models import Base
from tracker.search import is_search_object

config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_schemas=False,
        # the full-text index lives outside the models (FTS5 shadow tables, a GIN index)
        include_name=lambda name, type_, _parents: not is_search_object(name, type_),
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url") or resolve_url(None)
    engine = make_engine(url)
    with engine.begin() as conn:
        _configure(conn)
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or resolve_url(None),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
