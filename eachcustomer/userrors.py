"""User mistakes end with a one-paragraph message and exit code 2, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

from sim.organization import OrganizationError
from sim.params import ParamsError


def user_error_types() -> tuple[type[BaseException], ...]:
    """Exceptions that mean the user's input is wrong, not that the program is."""
    from experiments.analysis import AnalysisError
    from experiments.files import OutputPathError
    from experiments.scenario_files import ScenarioError
    from experiments.store import StoreError
    from experiments.sweep_checks import SweepSpecError
    from sim.budget import BudgetError

    return (
        ParamsError,
        OrganizationError,
        OutputPathError,
        ScenarioError,
        SweepSpecError,
        StoreError,
        AnalysisError,
        BudgetError,
        FileNotFoundError,
    )


@contextmanager
def user_errors(console: Console) -> Iterator[None]:
    """Turn a user's mistake into `error: ...` on stderr and exit code 2."""
    try:
        yield
    except user_error_types() as error:
        Console(stderr=True).print(f"[bold red]error:[/bold red] {escape(str(error))}")
        raise typer.Exit(code=2) from None
