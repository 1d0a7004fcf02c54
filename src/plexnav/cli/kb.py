"""``plexnav kb``: ask the knowledge base what a structure is made of, or what a lesion does."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from plexnav.knowledge import query
from plexnav.knowledge.base import load_knowledge

app = typer.Typer(no_args_is_help=True, help="Query the anatomical knowledge base.")


def _emit(data, as_json: bool, title: str) -> None:
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


def _describe(kind: str, item: str, as_json: bool) -> None:
    try:
        data = query.describe(load_knowledge(), kind, item)
    except query.UnknownId as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)
    _emit(data, as_json, f"{kind}: {item}")


def _make(kind: str):
    def command(item: str = typer.Argument(..., help=f"{kind} id"),
                as_json: bool = typer.Option(False, "--json")) -> None:
        _describe(kind, item, as_json)
    command.__doc__ = f"What a {kind} is made of (nerve supply, roots, sources)."
    return command


for _kind in query.KINDS:
    app.command(name=_kind)(_make(_kind))


@app.command()
def lesion(site: str = typer.Argument(..., help="site id, e.g. nerve:common_peroneal"),
           as_json: bool = typer.Option(False, "--json")) -> None:
    """What does a lesion at SITE produce? Weak movements, reflexes, numb regions, studies, muscles."""
    kb = load_knowledge()
    try:
        results = query.lesion_effects(kb, kb.hypotheses, site)
    except query.UnknownId as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)
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
        console.print(table)


def _write(text: str, output: Path | None) -> None:
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


@app.command()
def worksheet(fmt: str = typer.Option("md", "--format", help="md, csv, or safety (the clinical safety review)"),
              output: Path = typer.Option(None, "-o", "--output")) -> None:
    """Every claim in the knowledge base with its source, for a clinician to mark right or wrong."""
    if fmt not in ("md", "csv", "safety"):
        typer.echo("error: --format must be md, csv or safety", err=True)
        raise typer.Exit(2)
    if fmt == "safety":
        from plexnav.knowledge.guidance import load_guidance_knowledge
        _write(query.safety_review(load_guidance_knowledge()), output)
        return
    _write(query.worksheet(load_knowledge(), fmt), output)


@app.command(name="safety-review")
def safety_review(output: Path = typer.Option(None, "-o", "--output", help="e.g. docs/safety-review.md")) -> None:
    """The clinical safety review: every safety rule with its source and a right/wrong column."""
    from plexnav.knowledge.guidance import load_guidance_knowledge
    _write(query.safety_review(load_guidance_knowledge()), output)
