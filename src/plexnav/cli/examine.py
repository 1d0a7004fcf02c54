"""`plexnav examine [CASE.json] [-o OUT.json]`: guided examination in the terminal.

The same loop as the web page /exam/guided: one question at a time, answered with one key
(0-5 strength; n/r/a/b reflexes; n/a/c/b needle EMG; s skip, u undo, x switch between
bedside and EMG/NCS, q finish), the ranking after every answer, and a stop with its reason.
The grown case is written to OUT.json after every answer (standard output at the end
without -o), so nothing is lost if the session ends early.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from plexnav.cli.common import fail, read_case_text, refuse

QUIT, SWITCH = "q", "x"
RANKED_SHOWN = 5


def _write(document: dict, output: Path | None) -> None:
    if output is not None:
        tmp = output.with_name(output.name + ".tmp")
        tmp.write_text(json.dumps(document, indent=2) + "\n")
        tmp.replace(output)


def _show(console, step) -> None:
    from rich.table import Table

    from plexnav.engine.wording import percent

    table = Table(title="Ranked sites", show_edge=False, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("site")
    table.add_column("probability", justify="right")
    for rank, site in enumerate(step.ranking[:RANKED_SHOWN], 1):
        table.add_row(str(rank), site.label, percent(site.probability))
    console.print(table)
    if step.stop:
        console.print(f"[bold green]{step.stop_text}[/]")
    elif step.questions:
        console.print(f"[dim]about {step.expected_further_items} more item(s) to reach {step.target:.0%}[/]")


def examine(
    case_path: Annotated[
        str | None, typer.Argument(metavar="[CASE.json]", help="a partial case to continue (default: start empty)")
    ] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="where to write the grown case")] = None,
    phase: Annotated[str, typer.Option(help="bedside or edx (EMG/NCS)")] = "bedside",
    target: Annotated[float, typer.Option(help="stop when the leading site reaches this (0.5-0.99)")] = 0.9,
) -> None:
    """Guided examination: the next finding to check, one at a time, until the site is clear."""
    from rich.console import Console

    from plexnav.engine.guided import PHASE_WORDS, PHASES, guided_step
    from plexnav.engine.guided_answers import SKIP, UNDO, AnswerError, add_answer, remove_answer
    from plexnav.modelcache import load_model
    from plexnav.validation import CaseValidationError, load_json, validate_case

    if phase not in PHASES:
        refuse(f"--phase must be one of {', '.join(PHASES)}, not {phase!r}")
    if not 0.5 <= target < 1:
        refuse(f"--target must be at least 0.5 and below 1, not {target}")
    document: object = {"format": "plexnav-case/1"}
    try:
        if case_path is not None:
            document = load_json(read_case_text(case_path))
        case, _ = validate_case(document)
    except CaseValidationError as exc:
        fail(exc)
    document = case.model_dump(mode="json", exclude_none=True)
    model = load_model()
    console = Console(highlight=False, stderr=True)  # the case alone goes to standard output
    console.print("[bold]Guided examination.[/] plexnav supports clinical judgement; it never replaces it.")
    console.print("Keys: the answer shown, s skip, u undo, x switch bedside / EMG/NCS, q finish.")
    log: list[tuple[str, str]] = []
    while True:
        skipped = [k for k, a in log if a == SKIP]
        step = guided_step(case, phase, target=target, skipped=skipped, model=model)
        _show(console, step)
        question = step.questions[0] if step.questions else None
        if question is None:
            console.print(f"No {PHASE_WORDS[phase]} question left: x switches phase, u undoes, q finishes.")
        else:
            keys = "  ".join(f"{k} {w}" for k, w in question.answers)
            console.print(
                f"\n[bold]{question.prompt}[/]  [dim]({question.finding}: gain "
                f"{question.expected_information_gain:.3f}, cost {question.cost:g})[/]\n  {keys}"
            )
        try:
            answer = console.input("> ").strip().lower()
        except EOFError:
            answer = QUIT
        if answer == QUIT:
            break
        if answer == SWITCH:
            phase = "edx" if phase == "bedside" else "bedside"
            console.print(f"Phase: {PHASE_WORDS[phase]}")
            continue
        if answer == UNDO:
            if not log:
                console.print("Nothing to undo.")
                continue
            key, last = log.pop()
            grown = remove_answer(document, key) if last != SKIP else document
        elif question is None:
            console.print("Press x, u or q.")
            continue
        elif answer == SKIP:
            log.append((question.finding, SKIP))
            continue
        else:
            try:
                grown = add_answer(document, question.finding, answer)
                case, _ = validate_case(grown)
            except AnswerError as exc:
                console.print(f"[red]{exc.message}[/]")
                continue
            except CaseValidationError as exc:
                console.print(f"[red]{exc}[/]")
                continue
            log.append((question.finding, answer))
        document = grown
        case, _ = validate_case(document)
        _write(document, output)
    _write(document, output)
    if output is None:
        typer.echo(json.dumps(document, indent=2))
    else:
        console.print(f"Case written to {output}.")


def register(app: typer.Typer) -> None:
    """Add the `examine` command to the plexnav CLI."""
    app.command("examine")(examine)
