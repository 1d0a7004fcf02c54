"""The plexnav REST API and web app (FastAPI).  ``create_app()`` builds it."""

from __future__ import annotations


def create_app(*args, **kwargs):
    from plexnav.api.app import create_app as factory

    return factory(*args, **kwargs)
