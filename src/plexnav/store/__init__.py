"""Storage: SQLAlchemy models, repositories, services and the bundled Alembic migrations.

Use :class:`~plexnav.store.db.Database` to connect (and migrate), then the services:
:class:`~plexnav.store.accounts.Accounts` for sign-up and sign-in and
:class:`~plexnav.store.casebook.Casebook` for everything a signed-in person does with cases.
"""
