"""Readable terminal rendering of an assessment (rich)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from plexnav.case import Assessment
from plexnav.engine.wording import background_label, look_alike_line, percent, site_label

if TYPE_CHECKING:
    from plexnav.knowledge.guidance import GuidanceKnowledge

WHEN_WORDS = {
    "immediately": "immediately",
    "within_24h": "within 24 h",
    "within_2_weeks": "within 2 weeks",
    "routine": "routine",
}
TRIAGE_STYLE = {"emergency": "bold white on red", "urgent": "bold red", "soon": "yellow", "routine": "green"}


def summary_text(result: Assessment, guidance: GuidanceKnowledge | None = None) -> str:
    """The plain summary, without its "no more tests" sentence when next findings are listed:
    read one after the other they contradict (the examination can still narrow the site down)."""
    if not result.next_best_findings:
        return result.plain_summary
    if guidance is None:
        from plexnav.knowledge.guidance import load_guidance_knowledge

        guidance = load_guidance_knowledge()
    sentence = guidance.words["summary"]["no_tests"]
    return " ".join(result.plain_summary.replace(sentence, " ").split())


def print_assessment(
    result: Assessment, console: Console | None = None, guidance: GuidanceKnowledge | None = None
) -> None:
    """Print the assessment; ``guidance`` (its words) defaults to the installed guidance knowledge."""
    console = console or Console()
    for alert in result.triage.alerts:  # an emergency beyond the policy comes first
        console.print(
            Panel(
                f"{alert.text}\n{alert.why}",
                title=f"Alert: {alert.level.upper()} (beyond the triage policy)",
                style=TRIAGE_STYLE[alert.level],
            )
        )
    level = result.triage.level
    body = "\n".join(result.triage.reasons) or "No red flag found."
    if result.triage.alerts:
        # the policy's own words for a routine level ('no warning signs') would contradict it
        body = "" if level == "routine" else body + "\n"
        body += "This is the level the case format's triage rules give; the alert above comes first."
    console.print(Panel(body, title=f"Triage: {level.upper()}", style=TRIAGE_STYLE[level]))
    table = Table(title="Where is the lesion?", show_lines=False)
    table.add_column("#", justify="right")
    table.add_column("site")
    table.add_column("probability", justify="right")
    for i, loc in enumerate(result.localization[:6], 1):
        table.add_row(str(i), site_label(loc.site, loc.side, loc.levels, loc.detail), percent(loc.probability))
    console.print(table)
    for bg in result.background:  # (1.1) a background process beside the focal site
        line = f"Also present: {background_label(bg)} ({percent(bg.probability)})"
        console.print(f"[bold]{escape(line)}[/bold]" + (f" {escape(bg.why)}" if bg.why.strip() else ""))
    for loc in result.localization[:2]:
        console.print(f"[bold]{site_label(loc.site, loc.side, loc.levels, loc.detail)}[/bold]")
        if loc.look_alikes:
            if guidance is None:
                from plexnav.knowledge.guidance import load_guidance_knowledge

                guidance = load_guidance_knowledge()
            if alike := look_alike_line(loc.look_alikes, guidance.words):
                console.print(f"  {escape(alike)}")
        for line in loc.supporting[:6]:
            console.print(f"  [green]+[/green] {line}")
        for line in loc.against[:4]:
            console.print(f"  [red]-[/red] {line}")
    if result.next_best_findings:
        console.print("[bold]Next best findings to examine[/bold] (they tell the leading sites apart)")
        for nf in result.next_best_findings:
            console.print(f"  • {nf.why}")
    if result.etiology:
        console.print("[bold]Likely causes[/bold]")
        for cause in result.etiology[:3]:
            reasons = " ".join(cause.reasons[:2])  # each reason is a sentence
            console.print(f"  {percent(cause.probability)} {cause.cause.replace('_', ' ')}: {reasons}")
    if result.workup:
        console.print("[bold]Work-up[/bold]")
        for item in result.workup:
            when = f", {WHEN_WORDS[item.when]}" if item.when else ""
            console.print(f"  {escape(f'[{item.priority}{when}]')} {item.test.replace('_', ' ')}: {escape(item.why)}")
    if result.plain_summary:
        console.print(Panel(summary_text(result, guidance), title="In plain words"))
    console.print(f"[dim]knowledge {result.knowledge_version}. {result.disclaimer}[/dim]")
