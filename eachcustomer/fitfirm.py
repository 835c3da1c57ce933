"""The `eachcustomer fit-firm` command: a folder of a firm's files in, a fitted organization out."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from eachcustomer.calibrate import print_estimate, print_targets, print_verdict, run_with_progress
from eachcustomer.options import console, workers_option

SWEEP = """title = "{title}: three plans on the fitted organization"
description = "Parameters drawn from the fitted posterior, one set per replication."
scenario = "scenario.toml"
posterior = "posterior"
replications = 8
seed = 1
weeks = 104

[design]
kind = "full_factorial"

[levers]
plan = ["none", "training_day", "culture_change"]

[outcomes]
summary = ["customer_base_change", "annual_retention", "net_revenue", "spend_total"]
"""


def write_specs(out: Path, title: str) -> None:
    """A sweep spec and a plan search spec beside a fitted organization, both drawing from it.

    The plan search is the built-in `plan_finder`'s, pointed at the fitted scenario and
    posterior next to it instead of the baseline's 500 employees.
    """
    from eachcustomer.experiments.loading import catalogue

    (out / "sweep.toml").write_text(SWEEP.format(title=title), encoding="utf-8")
    plan = catalogue.resolve("plan_finder", "plan_finder").read_text(encoding="utf-8")
    plan = plan.replace(
        'scenario = "baseline"', 'scenario = "scenario.toml"\nposterior = "posterior"', 1
    )
    plan = plan.replace("The baseline organization of 500 employees", "The fitted organization")
    plan = re.sub(r"\n\[parameters\]\nn_employees = \d+\n", "\n", plan, count=1)
    (out / "plan.toml").write_text(plan, encoding="utf-8")


def fit_firm(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="FOLDER",
            help="The firm's files (docs/FIRM_DATA.md): a scenario file naming the org "
            "chart, the chart, survey_results.csv (with a week column), customer_metrics.csv, "
            "turnover.csv.",
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            metavar="FOLDER",
            help="The fitted organization: scenario.toml, the chart, targets.toml, posterior/.",
        ),
    ],
    workers: Annotated[
        int | None, workers_option("Worker processes (default: all cores); 1 runs here.")
    ] = None,
    population_size: Annotated[
        int,
        typer.Option(
            "--population-size", min=10, max=100_000, metavar="N", help="Particles per population."
        ),
    ] = 100,
    populations: Annotated[
        int, typer.Option("--populations", min=1, max=100, metavar="N", help="Most populations.")
    ] = 10,
    max_minutes: Annotated[
        float,
        typer.Option(
            "--max-minutes",
            min=0.1,
            metavar="M",
            help="Start no population after M minutes (a busy machine may need more).",
        ),
    ] = 9.0,
    seed: Annotated[
        int, typer.Option("--seed", min=0, metavar="SEED", help="The calibration's seed.")
    ] = 1,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Write the targets file and say what it fits; calibrate nothing."
        ),
    ] = False,
) -> None:
    """Fit the model to a firm's own files; write a fitted organization run, sweep and plan use."""
    from eachcustomer.experiments.calibration.runner import check_out_folder, require_pyabc
    from eachcustomer.experiments.firmdata.fitting import POSTERIOR, prepare

    check_out_folder(out / "posterior")
    abc = {
        "population_size": population_size,
        "populations": populations,
        "max_minutes": max_minutes,
    }
    calibration = prepare(folder, out, abc, seed)
    console.print(
        f"[bold]{calibration.spec.title}[/bold]: fitting {', '.join(calibration.priors)} "
        f"(the rest drawn from the {POSTERIOR} posterior) to "
        f"{', '.join(t.key for t in calibration.fitted)}; checking "
        f"{', '.join(t.key for t in calibration.checked) or 'nothing'}. Targets: "
        f"{out / 'targets.toml'}."
    )
    print_estimate(calibration, workers, None, None)
    if dry_run:
        return
    require_pyabc()
    manifest = run_with_progress(calibration, out / "posterior", workers=workers)
    write_specs(out, folder.name)
    print_targets(console, out / "posterior")
    print_verdict(console, manifest, out / "posterior")
    console.print(
        f"The fitted organization is in [bold]{out}[/bold]: `eachcustomer run "
        f"{out / 'scenario.toml'} --posterior {out / 'posterior'}`, `eachcustomer sweep "
        f"{out / 'sweep.toml'} --out RESULTS` or `eachcustomer plan {out / 'plan.toml'} --out "
        "RESULTS` (the built-in plan search on this organization)."
    )
