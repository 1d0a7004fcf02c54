"""``plexnav kb``: ask the knowledge base what a structure is made of, or what a lesion does.

The knowledge base (YAML, networkx, pydantic records) loads only when a ``kb`` command
runs, so ``plexnav --help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from plexnav.cli.common import output_format, refuse

# the kinds `plexnav kb KIND ID` describes: plexnav.knowledge.query.KINDS (a test keeps them equal;
# repeated here so that registering the commands does not load the knowledge base)
KINDS = ("muscle", "nerve", "root", "reflex", "region", "study", "movement")

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Query the anatomical knowledge base.")


def _emit(data, as_json: bool, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    if as_json:
        typer.echo(json.dumps(data, indent=2, default=list))
        return
    console = Console()
    table = Table(title=title, show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for key, value in data.items():
        if value in (None, [], {}):
            continue
        text = json.dumps(value, default=list) if isinstance(value, (dict, list)) else str(value)
        table.add_row(key, text)
    console.print(table)


def valid_ids(kind: str) -> list[str]:
    """Every id ``plexnav kb KIND`` (or ``kb lesion``) knows, as the knowledge query lists
    them when one is wrong."""
    from plexnav.knowledge import query
    from plexnav.knowledge.base import load_knowledge

    kb = load_knowledge()
    try:  # the empty id is never valid: the error's choices are the whole list
        query.lesion_effects(kb, kb.hypotheses, "") if kind == "site" else query.describe(kb, kind, "")
    except query.UnknownId as exc:
        return list(exc.choices)
    return []


def _list_ids(kind: str, as_json: bool) -> None:
    ids = valid_ids(kind)
    if as_json:
        typer.echo(json.dumps(ids, indent=2))
        return
    command = "lesion SITE" if kind == "site" else f"{kind} ID"
    typer.echo(f"{len(ids)} {kind} ids (plexnav kb {command} describes one):")
    for item in ids:
        typer.echo(f"  {item}")


def _describe(kind: str, item: str | None, as_json: bool) -> None:
    from plexnav.knowledge import query
    from plexnav.knowledge.base import load_knowledge

    if item is None:
        _list_ids(kind, as_json)
        return
    try:
        data = query.describe(load_knowledge(), kind, item)
    except query.UnknownId as exc:
        refuse(exc.args[0])
    _emit(data, as_json, f"{kind}: {item}")


def _make(kind: str):
    def command(
        item: str | None = typer.Argument(None, help=f"{kind} id; leave out to list them"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        _describe(kind, item, as_json)

    command.__doc__ = f"What a {kind} is made of (nerve supply, roots, sources); no id lists the {kind} ids."
    return command


for _kind in KINDS:
    app.command(name=_kind)(_make(_kind))


@app.command()
def lesion(
    site: str | None = typer.Argument(None, help="site id, e.g. nerve:common_peroneal; leave out to list them"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """What does a lesion at SITE produce? Weak movements, reflexes, numb regions, studies, muscles."""
    from rich.console import Console
    from rich.table import Table

    from plexnav.knowledge import query
    from plexnav.knowledge.base import load_knowledge

    if site is None:
        _list_ids("site", as_json)
        return

    kb = load_knowledge()
    try:
        results = query.lesion_effects(kb, kb.hypotheses, site)
    except query.UnknownId as exc:
        refuse(exc.args[0])
    if as_json:
        typer.echo(json.dumps(results, indent=2))
        return
    console = Console()
    for res in results:
        table = Table(title=f"{res['site']}" + (f" — {res['detail']}" if res["detail"] else ""))
        table.add_column("expected")
        table.add_column("involvement (0-1)")
        for group, items in res["effects"].items():
            for name, value in sorted(items.items(), key=lambda kv: -kv[1]):
                table.add_row(f"{group.replace('_', ' ')}: {name}", f"{value:.2f}")
        # a cord lesion acts through its tracts, not through the nodes above: say how
        for key, side in (("central", ""), ("central_other_side", ", other side")):
            for name, value in (res.get(key) or {}).items():
                table.add_row(f"cord{side}: {CORD_EFFECTS.get(name, name)}", f"{value:.2f}")
        console.print(table)


# the words for sites.yaml `central` effects in the lesion table
CORD_EFFECTS = {
    "umn": "upper motor neuron weakness and signs",
    "sensory": "sensory loss below the level",
    "visceral": "bladder, bowel and sexual function",
    "areflexia": "reflexes lost below the level (spinal shock)",
    "flaccid": "every muscle below paralysed alike (spinal shock)",
    "pyramidal_weakness": "share of the upper motor neuron effect shown as weakness",
    "painless": "share of its root territory the lesion leaves without radicular pain",
}


def _write(text: str, output: Path | None) -> None:
    if output is None or str(output) == "-":
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        refuse(f"cannot write {output}: {exc.strerror}")


# what each worksheet format is written as: the -o extension must agree with it
_SUFFIX_FORMATS = {".md": "md", ".markdown": "md", ".csv": "csv"}


@app.command()
def worksheet(
    fmt: str | None = typer.Option(
        None,
        "--format",
        help="md, csv, or safety (the clinical safety review, Markdown); default: from the -o extension, else md",
    ),
    output: Path = typer.Option(None, "-o", "--output", help="file to write (.md or .csv); - or none: standard output"),
) -> None:
    """Every claim in the knowledge base with its source, for a clinician to mark right or wrong."""
    from plexnav.knowledge import query
    from plexnav.knowledge.base import load_knowledge

    if fmt not in (None, "md", "csv", "safety"):
        refuse("--format must be md, csv or safety")
    written_as = output_format(str(output) if output else None, "md" if fmt == "safety" else fmt, _SUFFIX_FORMATS, "md")
    if fmt == "safety":
        from plexnav.knowledge.guidance import load_guidance_knowledge

        _write(query.safety_review(load_guidance_knowledge()), output)
        return
    _write(query.worksheet(load_knowledge(), written_as), output)


@app.command(name="safety-review")
def safety_review(output: Path = typer.Option(None, "-o", "--output", help="e.g. docs/safety-review.md")) -> None:
    """The clinical safety review: every safety rule with its source and a right/wrong column."""
    from plexnav.knowledge import query
    from plexnav.knowledge.guidance import load_guidance_knowledge

    output_format(str(output) if output else None, None, {".md": "md", ".markdown": "md"}, "md")
    _write(query.safety_review(load_guidance_knowledge()), output)
