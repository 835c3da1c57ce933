"""The `eachcustomer list` command: everything shipped that a command can name without a path."""

from __future__ import annotations

from typing import Annotated

import typer

from eachcustomer.options import console
from eachcustomer.userrors import CommandLineError

KIND_WORDS = {
    "scenario": ("scenarios", "scenario"),
    "plan": ("plans", "plan"),
    "sweep": ("sweeps", "sweep"),
    "targets": ("targets", "target"),
    "plan_finder": ("plan-finder", "plan_finder"),
    "posterior": ("posteriors", "posterior"),
    "evidence": ("evidence",),
}
"""The words `eachcustomer list KIND` accepts for each kind of
`eachcustomer.experiments.loading.catalogue.KINDS`, the first one shown in messages."""


def list_builtins(
    kind: Annotated[
        str | None,
        typer.Argument(
            metavar="[KIND]",
            help="Show only one kind: scenarios, plans, sweeps, targets, plan-finder, "
            "posteriors or evidence.",
        ),
    ] = None,
) -> None:
    """List the built-in scenarios, plans, specs, posteriors and evidence, by kind.

    Each is named without a path, as in the command shown next to it (`eachcustomer sweep
    small --out results/small`); a path to a file of your own works wherever a name does.
    """
    from rich.markup import escape
    from rich.table import Table

    from eachcustomer.experiments.loading import catalogue

    chosen = list(catalogue.KINDS) if kind is None else [_kind_of_word(kind)]
    for name in chosen:
        shipped = catalogue.KINDS[name]
        table = Table(title=shipped.plural, title_justify="left", title_style="bold")
        table.add_column("name", style="bold", no_wrap=True)
        table.add_column(
            "title, then " + ("where its tables are" if name == "evidence" else "how to use it"),
            overflow="fold",
        )
        for built_in, path in catalogue.builtins(name).items():
            how = escape(catalogue.use(name, built_in))
            table.add_row(built_in, f"{escape(catalogue.describe(name, path))}\n[cyan]{how}[/]")
        console.print(table)
    if "evidence" in chosen:
        console.print(
            "The dashboard's Compare page draws decision_map under \"Where the verdict "
            "holds\"; each evidence folder's README.md says how it was produced."
        )


def _kind_of_word(word: str) -> str:
    said = word.strip().lower()
    for name, words in KIND_WORDS.items():
        if said in words:
            return name
    known = ", ".join(words[0] for words in KIND_WORDS.values())
    raise CommandLineError(f"{word}: no such kind of built-in; kinds: {known}")
