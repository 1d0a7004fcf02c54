"""`plexnav learn [TOPIC]`: plain-language lessons about the lumbosacral plexus.

Why a register() hook: the main CLI owns the Typer app; this module only adds its
command, so the education content can grow without touching the main entry point.
"""

from __future__ import annotations

import difflib
import json
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # loaded when the command runs, so `plexnav --help` stays fast
    from rich.console import Console

    from plexnav.knowledge.guidance import GuidanceKnowledge

EXIT_UNKNOWN_TOPIC = 2


def topics(knowledge: GuidanceKnowledge) -> dict:
    """Topic id -> topic record, in file order."""
    return {t["id"]: t for t in knowledge.education["topics"]}


def normalise(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def topic_payload(topic, knowledge: GuidanceKnowledge) -> dict:
    """A topic as plain JSON data, with its sources written out."""
    return {
        "id": topic["id"],
        "title": topic["title"],
        "paragraphs": list(topic["paragraphs"]),
        "faq": [{"q": item["q"], "a": item["a"]} for item in topic.get("faq", ())],
        "sources": knowledge.cite(topic["sources"]),
    }


def closest_topic(name: str, available: list[str]) -> str:
    """The topic nearest to a mistyped name: by spelling when one is close, else by shared
    letters, so an unknown topic always comes with one suggestion."""
    close = difflib.get_close_matches(name, available, n=1, cutoff=0.5)
    if close:
        return close[0]
    return max(available, key=lambda t: (difflib.SequenceMatcher(None, name, t).ratio(), -available.index(t)))


def _print_topic(console: Console, payload: dict) -> None:
    from rich.markup import escape
    from rich.panel import Panel

    body = "\n\n".join(escape(p) for p in payload["paragraphs"])
    for item in payload["faq"]:
        body += f"\n\n[bold]{escape(item['q'])}[/bold]\n{escape(item['a'])}"
    console.print(Panel(body, title=f"[bold]{escape(payload['title'])}[/bold]", expand=False))
    console.print("[dim]Sources:[/dim]")
    for source in payload["sources"]:
        console.print(f"[dim]- {escape(source)}[/dim]", highlight=False)
    console.print(
        "[dim]General information only: plexnav supports, and never replaces, your clinician's judgement.[/dim]"
    )


def learn(
    topic: Annotated[str | None, typer.Argument(help="Topic to read; leave out to list topics.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of formatted text.")] = False,
) -> None:
    """Read plain-language lessons: what the plexus is, symptoms, red flags, causes, and more."""
    from rich.console import Console

    from plexnav.knowledge.guidance import load_guidance_knowledge

    knowledge = load_guidance_knowledge()
    available = topics(knowledge)
    console = Console()
    if topic is None:
        listing = [{"id": t["id"], "title": t["title"]} for t in available.values()]
        if as_json:
            typer.echo(json.dumps(listing, indent=2))
            return
        console.print("[bold]Topics[/bold] (plexnav learn TOPIC):")
        for item in listing:
            console.print(f"  [cyan]{item['id']}[/cyan]  {item['title']}", highlight=False)
        return
    key = normalise(topic)
    if key not in available:
        message = f"Unknown topic '{topic}'. Did you mean '{closest_topic(key, list(available))}'?"
        message += f" Valid topics: {', '.join(available)}."
        Console(stderr=True, soft_wrap=True).print(message, style="red", markup=False, highlight=False)
        raise typer.Exit(code=EXIT_UNKNOWN_TOPIC)
    payload = topic_payload(available[key], knowledge)
    if as_json:
        typer.echo(json.dumps(payload, indent=2))
    else:
        _print_topic(console, payload)


def register(app: typer.Typer) -> None:
    """Add the `learn` command to the plexnav CLI."""
    app.command("learn")(learn)
