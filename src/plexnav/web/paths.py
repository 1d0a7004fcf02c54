"""Where the templates and static files of the web pages live (inside the package)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

WEB_DIR = Path(str(resources.files("plexnav.web")))
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
