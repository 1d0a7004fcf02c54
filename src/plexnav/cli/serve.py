"""``plexnav serve``: run the web app and REST API with uvicorn.

Why a register() hook: the main CLI owns the Typer app; this module only adds its command.
Settings come from ``PLEXNAV_*`` environment variables (``PLEXNAV_DATABASE_URL`` and
friends, see :mod:`plexnav.settings`); the database is migrated at start-up.
"""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="worker processes")] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
) -> None:
    """Serve the web pages and the REST API (OpenAPI at /api/v1/openapi.json, docs at /api/docs)."""
    import os

    import uvicorn

    os.environ.setdefault("PLEXNAV_LISTEN_HOST", host)  # cookies are Secure unless on loopback
    _refuse_unusable_storage()

    typer.echo(f"plexnav: serving on http://{host}:{port}/  (API docs: /api/docs; Ctrl+C stops)", err=True)
    uvicorn.run(
        "plexnav.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        proxy_headers=False,
        server_header=False,
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=64 * 1024,
    )  # idle and oversized headers


def _refuse_unusable_storage() -> None:
    """A full disk or read-only data folder: one line naming the path, not a traceback."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from plexnav.settings import Settings
    from plexnav.store.db import storage_problem

    settings = Settings()
    url = make_url(settings.database_url or f"sqlite:///{settings.data_dir / 'plexnav.sqlite3'}")
    problem = None
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        problem = storage_problem(Path(url.database))
    if problem is None and not settings.secret_key:
        problem = storage_problem(settings.data_dir / "session-secret.key", min_free_bytes=4096)
    if problem:
        typer.echo(f"plexnav: cannot start: {problem}", err=True)
        raise typer.Exit(code=2)


def register(app: typer.Typer) -> None:
    """Add the `serve` command to the plexnav CLI."""
    app.command("serve")(serve)
