"""``plexnav simulate`` and ``plexnav cohort``: make a long findings table, score one on Dask.

Registered by ``register(app)``; the heavy imports (engine, Dask, pandas) happen only when
a command runs.
"""

from __future__ import annotations

import time

import typer

DISCLAIMER = (
    "plexnav supports clinical judgement; it never replaces it: these are research and audit figures, not diagnoses."
)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


def simulate(
    count: int = typer.Argument(..., min=1, help="how many cases"),
    output: str = typer.Option(..., "-o", "--output", help="cohort.parquet or cohort.csv"),
    seed: int = typer.Option(0, help="random seed (the same seed gives the same table)"),
    distinct: int = typer.Option(
        2000, min=1, help="distinct simulated finding sets; each case gets one of them and its own patient and history"
    ),
) -> None:
    """Write a simulated cohort as a long findings table (case_id, section, id, side, value, detail)."""
    from plexnav.cohort.run import CohortFileError
    from plexnav.cohort.run import simulate as run_simulate

    start = time.perf_counter()
    try:
        rows = run_simulate(count, output, seed=seed, distinct=distinct)
    except CohortFileError as exc:
        _fail(str(exc))
    typer.echo(f"{count} cases, {rows} rows written to {output} in {time.perf_counter() - start:.1f} s", err=True)


def cohort(
    source: str = typer.Argument(..., help="long findings table: .parquet or .csv"),
    output: str = typer.Option(..., "-o", "--output", help="one row per case: .parquet or .csv"),
    scheduler: str = typer.Option(
        None, "--scheduler", help="address of an existing Dask scheduler (default: a local cluster)"
    ),
    workers: int = typer.Option(0, min=0, help="local worker processes (0: one per CPU core)"),
) -> None:
    """Score a cohort: per case the leading three sites with probabilities, the triage level
    and the rules that set it, the leading cause and its probability (the values `plexnav
    assess` gives), or the error that stopped it."""
    from plexnav.cohort.run import CohortFileError, score_file

    start = time.perf_counter()
    try:
        counts = score_file(source, output, scheduler=scheduler, workers=workers or None)
    except CohortFileError as exc:
        _fail(str(exc))
    seconds = time.perf_counter() - start
    typer.echo(
        f"{counts['cases']} cases scored ({counts['errors']} with errors) in {seconds:.1f} s, "
        f"{counts['cases'] / max(seconds, 1e-9):,.0f} cases/s"
        f"{'; rows shuffled by case_id' if counts.get('shuffled') else ''}. {DISCLAIMER}",
        err=True,
    )


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)
    app.command("cohort")(cohort)
