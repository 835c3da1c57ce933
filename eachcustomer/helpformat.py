"""How `eachcustomer --help` shows options: flags without a type label.

Typer 0.29 labels every option with the type of its Python annotation, flags included, so
`--help`, `--allow-large` or `--dry-run` read `--help <bool>` as if they took a value
(0.27 and 0.28 left flags unlabelled). An option's `metavar` replaces that label in every
typer version, and click never shows a flag's metavar on the command line, so an empty one
for each flag (the help option too) restores the plain look.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand


class FlagsWithoutType:
    """Mixin for typer's command classes: flags (and --help) get an empty type label."""

    def get_params(self, ctx: Any) -> list[Any]:
        """The command's parameters, help option included, flags relabelled."""
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        return params


class Command(FlagsWithoutType, TyperCommand):
    """The class of every `eachcustomer` command (`@app.command(cls=Command)`)."""
