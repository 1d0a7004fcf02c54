"""The ``plexnav`` entry point.

``plexnav --version`` is answered here, and ``plexnav assess CASE [--json]`` and the plain
forms of ``plexnav batch`` by :mod:`plexnav.cli.quick`, before typer and the command table
(:mod:`plexnav.cli.commands`) load; every other call runs the typer app.  ``app`` and the
command functions are importable from here as before (``from plexnav.cli.main import app``).
"""

from __future__ import annotations

import sys
from typing import Any


def installed_version() -> str:
    """The installed plexnav version, read from its ``*.dist-info/METADATA`` on ``sys.path``
    with ``os`` alone: ``importlib.metadata`` (with ``email`` and ``re``) costs more than
    the rest of ``plexnav --version``.  Falls back to it when no such file is found."""
    import os

    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if name.startswith("plexnav-") and name.endswith(".dist-info"):
                try:
                    with open(os.path.join(folder or ".", name, "METADATA"), encoding="utf-8") as handle:
                        for line in handle:
                            if line.startswith("Version:"):
                                return line.split(":", 1)[1].strip()
                            if not line.strip():
                                break  # the headers end at the first blank line
                except OSError:
                    continue
    from importlib.metadata import version as pkg_version

    return pkg_version("plexnav")


def run() -> None:
    import os

    # plexnav uses no pydantic plugin; looking for them reads every installed package's
    # entry points (about 9 ms of each command).  Set the variable yourself to load them.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if sys.argv[1:] == ["--version"]:
        sys.stdout.write(f"plexnav {installed_version()}\n")
        return
    if sys.argv[1:2] == ["assess"]:
        from plexnav.cli import quick

        arguments = quick.assess_arguments(sys.argv[2:])
        if arguments is not None:
            status = quick.run(*arguments)
            if status:
                sys.exit(status)
            return
    if sys.argv[1:2] == ["batch"]:
        from plexnav.cli import quick

        batch = quick.batch_arguments(sys.argv[2:])
        if batch is not None:
            status = quick.run_batch(batch)
            if status:
                sys.exit(status)
            return
    from plexnav.cli.commands import app

    app()


def __getattr__(name: str) -> Any:
    """``app`` and the commands, from :mod:`plexnav.cli.commands` when first asked for
    (never for a dunder name: the import system probes ``__path__`` on every from-import)."""
    if name.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from plexnav.cli import commands

    try:
        return getattr(commands, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
