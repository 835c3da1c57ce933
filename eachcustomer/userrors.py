"""User mistakes end with a one-paragraph message and exit code 2, never a traceback.

`Commands` is the command group of the `eachcustomer` app: the one place where a known
user error raised by any command becomes `error: ...` on stderr.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from eachcustomer.helpformat import FlagsWithoutType

USER_ERROR_EXIT = 2
"""Exit code of a user's mistake (click uses 2 for its usage errors too)."""
INTERRUPTED_EXIT = 130


class CommandLineError(ValueError):
    """Options that cannot work together or cannot be served; the message says which."""


def user_error_types() -> tuple[type[BaseException], ...]:
    """Exceptions that mean the user's input is wrong, not that the program is."""
    from eachcustomer.experiments.analysis.tables import AnalysisError
    from eachcustomer.experiments.calibration import CalibrationError
    from eachcustomer.experiments.loading.files import OutputPathError
    from eachcustomer.experiments.loading.plans import PlanError
    from eachcustomer.experiments.loading.scenario_files import ScenarioError
    from eachcustomer.experiments.loading.sweep_checks import SweepSpecError
    from eachcustomer.experiments.planfinder.problem import PlanSpecError
    from eachcustomer.experiments.running.executors import ClusterError
    from eachcustomer.experiments.running.store import StoreError
    from eachcustomer.extras import MissingExtraError
    from eachcustomer.sim.budget import BudgetError
    from eachcustomer.sim.limits import LimitError
    from eachcustomer.sim.organization import OrganizationError
    from eachcustomer.sim.params import ParamsError

    return (
        CommandLineError,
        ParamsError,
        OrganizationError,
        OutputPathError,
        PlanError,
        ScenarioError,
        SweepSpecError,
        PlanSpecError,
        StoreError,
        ClusterError,
        AnalysisError,
        BudgetError,
        CalibrationError,
        LimitError,
        # A feature whose extra is not installed: the message has the pip command.
        MissingExtraError,
        # A path the user gave that is missing, a file, a folder or not theirs to read.
        FileNotFoundError,
        FileExistsError,
        IsADirectoryError,
        NotADirectoryError,
        PermissionError,
    )


def say_error(message: str) -> None:
    """`error: message` in red on stderr."""
    Console(stderr=True).print(f"[bold red]error:[/bold red] {escape(message)}")


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a user's mistake into `error: ...` on stderr and exit code 2; Ctrl+C into 130."""
    try:
        yield
    except user_error_types() as error:
        say_error(str(error))
        raise typer.Exit(code=USER_ERROR_EXIT) from None
    except KeyboardInterrupt:
        Console(stderr=True).print("[yellow]Interrupted.[/yellow]")
        raise typer.Exit(code=INTERRUPTED_EXIT) from None
    except OSError as error:
        # A full or read-only disk that no writer named: the file's folder, if known.
        from eachcustomer.experiments.loading.files import disk_error

        where = Path(error.filename).parent if error.filename else Path("the output folder")
        found = disk_error(error, where)
        if found is None:
            raise
        say_error(str(found))
        raise typer.Exit(code=1) from None


class Commands(FlagsWithoutType, TyperGroup):
    """The app's command group: every command runs inside `user_errors`; flags show no type."""

    def invoke(self, ctx: Any) -> Any:  # typer's (vendored) click.Context
        with user_errors():
            return super().invoke(ctx)
