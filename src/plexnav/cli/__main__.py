"""``python -m plexnav.cli`` runs the same command as ``plexnav``."""

from plexnav.cli.main import run

run()
