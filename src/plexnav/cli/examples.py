"""``plexnav example [NAME]``: the bundled example cases, a starting point for a newcomer.

Without a name it lists the examples with what each shows; with one it prints the case JSON,
ready to edit and pass to ``plexnav assess``.  Registered by ``register(app)``.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from plexnav.cli.common import refuse

SUMMARY_CHARS = 72


def _summary(name: str) -> str:
    """What the example is about: the start of its teaching line (else its id), one line long."""
    from plexnav.examples import example_path

    document = json.loads(example_path(name).read_text(encoding="utf-8"))
    text = str(document.get("teaching") or document.get("id") or name).split(". ")[0].rstrip(".")
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"


def complete_name(incomplete: str) -> list[str]:
    """Shell completion of example names."""
    from plexnav.examples import example_names

    return [n for n in example_names() if n.startswith(incomplete)]


def example(
    name: Annotated[
        str | None, typer.Argument(help="example to print; leave out to list them", autocompletion=complete_name)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="list the examples as JSON")] = False,
) -> None:
    """List the bundled example cases, or print one (plexnav example NAME > case.json)."""
    import difflib

    from plexnav.examples import example_names, example_path

    names = example_names()
    if name is None:
        if as_json:
            typer.echo(json.dumps([{"name": n, "about": _summary(n)} for n in names], indent=2))
            return
        typer.echo("Bundled example cases (plexnav example NAME prints one; plexnav assess FILE assesses it):")
        for item in names:
            typer.echo(f"  {item}  {_summary(item)}")
        return
    key = name.removesuffix(".json")
    if key not in names:
        close = [n for n in names if n.startswith(key)] or difflib.get_close_matches(key, names, n=1, cutoff=0.4)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        refuse(f"no bundled example {name!r}{hint} (available: {', '.join(names)})")
    typer.echo(example_path(key).read_text(encoding="utf-8"), nl=False)


def register(app: typer.Typer) -> None:
    """Add the `example` command to the plexnav CLI."""
    app.command("example")(example)
