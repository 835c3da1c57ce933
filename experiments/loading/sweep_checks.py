"""Checks of a sweep spec against the model: every problem names the file and the key.

Used by `eachcustomer.experiments.loading.sweeps.parse_sweep`; each function checks one table of the
spec and raises `SweepSpecError` with `FILE: KEY: problem`. The [parameters] and [levers] tables,
what the sweep varies, are read in `eachcustomer.experiments.loading.sweep_factors`.
"""

from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from eachcustomer.experiments.loading.catalogue import builtins
from eachcustomer.experiments.loading.files import named_file, named_folder
from eachcustomer.experiments.loading.plans import resolve_plan
from eachcustomer.experiments.loading.scenario_files import (
    RunSetup,
    ScenarioError,
    check_coverage_names,
    load_scenario,
)
from eachcustomer.experiments.loading.sweep_factors import Factor, SweepSpecError
from eachcustomer.experiments.running.sweep_runs import RunContext
from eachcustomer.sim.limits import Limits
from eachcustomer.sim.params import Params, ParamsError, make_params

if TYPE_CHECKING:
    from eachcustomer.experiments.calibration.posterior import Posterior
    from eachcustomer.experiments.loading.sweep_spec import SweepFile


class NamesScenario(Protocol):
    """A spec with a base scenario: a sweep spec, a calibration targets file."""

    @property
    def scenario(self) -> str: ...


def base_setup(spec: NamesScenario, path: Path | None, where: str, limits: Limits) -> RunSetup:
    """The base scenario: a built-in scenario by name, or a file relative to the sweep file.

    A file must be in the sweep file's folder or below it (the current folder for a spec
    given without a file), so a spec cannot make the program read other files.
    """
    name, builtin = spec.scenario, builtins("scenario")
    next_to_spec = path is not None and (path.parent / name).is_file()
    scenario: str | Path = name
    if next_to_spec or name not in builtin:
        if not (next_to_spec or name.endswith(".toml") or "/" in name or "\\" in name):
            raise SweepSpecError(
                f"{where}: scenario: {name!r} is neither a built-in scenario "
                f"({', '.join(sorted(builtin))}) nor a .toml file"
            )
        owner = path if path is not None else Path.cwd() / "sweep"
        scenario = named_file(owner, "scenario", name, SweepSpecError, where=where)
    try:
        setup = load_scenario(scenario, limits=limits)
    except ScenarioError as error:
        raise SweepSpecError(f"{where}: scenario: {error}") from None
    if setup.timeline or setup.players:
        what = "[[timeline]] of changes during the run" if setup.timeline else "[[players]]"
        raise SweepSpecError(
            f"{where}: scenario: {name} has a {what}, which a sweep does not replay (its "
            "runs vary parameters from week 0; a class session's replay runs with "
            "`eachcustomer run`): remove it, or set its values in the spec's [parameters]"
        )
    return setup


def check_design(spec: SweepFile, ranges: tuple[Factor, ...], where: str) -> None:
    """A sampling design needs ranges to sample and a valid sample size; a grid needs none."""
    design = spec.design
    key = f"{where}: design"
    if design.kind == "full_factorial":
        if design.samples is not None:
            raise SweepSpecError(
                f"{key}.samples: a full_factorial design takes no samples; "
                "its size follows from the lists and steps"
            )
        return
    if not ranges:
        raise SweepSpecError(
            f"{key}.kind: a {design.kind} design samples ranges, but no "
            "parameter has bounds; give at least one parameter as "
            "{ low = ..., high = ... }"
        )
    if design.samples is None:
        raise SweepSpecError(f"{key}.samples: a {design.kind} design needs `samples`")
    if design.kind == "sobol" and design.samples & (design.samples - 1):
        raise SweepSpecError(
            f"{key}.samples: a sobol design needs a power of 2 (got {design.samples})"
        )
    if design.kind == "morris":
        if design.samples < 2:
            raise SweepSpecError(f"{key}.samples: a morris design needs at least 2 trajectories")
        if design.levels % 2:
            raise SweepSpecError(
                f"{key}.levels: a morris grid needs an even number of levels (got {design.levels})"
            )


def count_runs(spec: SweepFile, ranges: tuple[Factor, ...], lists: tuple[Factor, ...]) -> int:
    """Runs of the sweep, counted from the spec without building its design."""
    return math.prod(design_counts(spec, ranges, lists))


def design_counts(
    spec: SweepFile, ranges: tuple[Factor, ...], lists: tuple[Factor, ...]
) -> tuple[int, int, int]:
    """(points, arms, replications): the sweep's runs are their product.

    The points of a design follow from its parameters: full factorial, the product of the
    ranges' steps; Latin hypercube, `samples`; Sobol (Saltelli), N (D + 2), or N (2 D + 2)
    with second-order indices; Morris, trajectories x (D + 1); D is the number of ranges.
    The arms are the combinations of the lists and levers.
    """
    design, dimensions = spec.design, len(ranges)
    samples = design.samples or 0  # present for every sampling design (check_design)
    if design.kind == "full_factorial":
        points = math.prod(f.steps or 0 for f in ranges)
    elif design.kind == "latin_hypercube":
        points = samples
    elif design.kind == "sobol":
        points = samples * (2 * dimensions + 2 if design.second_order else dimensions + 2)
    else:
        points = samples * (dimensions + 1)
    return points, math.prod(len(f.values) for f in lists), spec.replications


def check_size(
    spec: SweepFile,
    setup: RunSetup,
    constants: dict[str, Any],
    factors: tuple[tuple[Factor, ...], tuple[Factor, ...]],
    limits: Limits,
    where: str,
) -> int:
    """Refuse a sweep with too many runs, weeks, employees or customers; return its runs.

    Employees and customers are the largest any run asks for (the largest head count times
    the largest customers per employee), counted before any model is built.
    """
    ranges, lists = factors
    points, arms, replications = design_counts(spec, ranges, lists)
    runs = points * arms * replications
    limits.check(
        "runs",
        runs,
        f"{where}: design ({points:,} points x {arms:,} arms x {replications:,} replications)",
    )
    weeks = spec.weeks if spec.weeks is not None else setup.params.horizon_weeks
    limits.check("weeks", weeks, f"{where}: weeks")
    employees = (
        setup.org.size
        if setup.org is not None
        else _largest("n_employees", setup, constants, ranges + lists)
    )
    customers = _largest("customers_per_employee", setup, constants, ranges + lists)
    source = "the scenario's org chart" if setup.org is not None else "parameters.n_employees"
    limits.check_run(employees, customers, f"{where}: {source}", where)
    return runs


def _largest(
    name: str, setup: RunSetup, constants: dict[str, Any], factors: tuple[Factor, ...]
) -> Any:
    values = [constants.get(name, getattr(setup.params, name))]
    for factor in factors:
        if factor.name == name:
            values += [*factor.values, *([factor.high] if factor.high is not None else [])]
    return max(values)


def check_plans(spec: SweepFile, setup: RunSetup, where: str) -> None:
    """Plans may name only departments the organization has."""
    org = setup.org
    names = (
        org.department_names
        if org is not None
        else tuple(d.name for d in setup.params.departments) + ("executive",)
    )
    try:
        for plan_name, plan in spec.plans.items():
            check_coverage_names(f"plans.{plan_name}", plan, names, None)
    except ValueError as error:
        raise SweepSpecError(f"{where}: {error}") from None


def model_outcomes(params: Params, org: Any = None) -> tuple[list[str], list[str]]:
    """The weekly outputs and the run summaries the model produces, from a probe model."""
    from eachcustomer.experiments.running.runs import summarize
    from eachcustomer.sim.model import OrgModel

    probe = OrgModel(params, org=org, rng=0).outputs()
    outputs = [c for c in probe.columns if c != "week"]
    summaries = [k for k in summarize(probe) if not k.startswith("final_") and k != "weeks"]
    return outputs, summaries


def outcome_columns(
    spec: SweepFile, setup: RunSetup, constants: dict[str, Any], where: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Check outcome names against a probe model's outputs.

    Returns the run summaries to keep and all outcome columns of a result row.
    """
    params = make_params({**setup.params.model_dump(), **constants})
    outputs, summaries = model_outcomes(params, setup.org)
    outcomes = spec.outcomes
    for group in ("final", "mean", "series"):
        for index, name in enumerate(getattr(outcomes, group)):
            if name not in outputs:
                close = difflib.get_close_matches(name, outputs, n=3)
                hint = (
                    f"did you mean {', '.join(close)}?"
                    if close
                    else (f"outputs are {', '.join(outputs)}")
                )
                raise SweepSpecError(
                    f"{where}: outcomes.{group}[{index}]: no output {name!r}; {hint}"
                )
    for index, name in enumerate(outcomes.summary or ()):
        if name not in summaries:
            raise SweepSpecError(
                f"{where}: outcomes.summary[{index}]: no summary {name!r}; "
                f"summaries are {', '.join(summaries)}"
            )
    weeks = spec.weeks if spec.weeks is not None else setup.params.horizon_weeks
    if outcomes.window is not None:
        first, last = outcomes.window
        if not 0 <= first <= last <= weeks:
            raise SweepSpecError(
                f"{where}: outcomes.window: weeks [{first}, {last}] must "
                f"satisfy 0 <= first <= last <= {weeks}"
            )
    summary = outcomes.summary if outcomes.summary is not None else tuple(summaries)
    extra: tuple[str, ...] = ()
    if spec.levers.plan is not None:
        if "spend_total" not in summary:
            summary += ("spend_total",)  # the plan comparison needs what was spent
        extra = ("plan_cost",)
    columns = (
        tuple(f"final_{n}" for n in outcomes.final)
        + tuple(f"mean_{n}" for n in outcomes.mean)
        + summary
        + extra
    )
    return summary, columns


def check_budgets(spec: SweepFile, setup: RunSetup, constants: dict[str, Any], where: str) -> None:
    """Every plan must reach every budget in the base scenario (runs would all fail else)."""
    if spec.levers.budget is None:
        return
    from eachcustomer.sim.budget import BudgetError, cost_basis

    params = make_params({**setup.params.model_dump(), **constants})
    org = cost_basis(params, setup.org)
    weeks = spec.weeks if spec.weeks is not None else params.horizon_weeks
    own = {**setup.plans, **spec.plans}
    plans = {name: resolve_plan(name, own) for name in spec.levers.plan or ()}
    price = spec.levers.price_multiplier
    context = RunContext(
        base={},
        org=org,
        interventions=(),
        individuals=(),
        plans=plans,
        scale_by=spec.levers.scale_by,
        priced_plan=price.plan if price is not None else None,
        weeks=weeks,
        integers=(),
        outcomes=spec.outcomes,
        summaries=(),
        outcome_columns=(),
    )
    budgets = spec.levers.budget if isinstance(spec.levers.budget, tuple) else (spec.levers.budget,)
    for plan in spec.levers.plan or ():
        multipliers = price.values if price is not None and price.plan == plan else (1.0,)
        for budget in budgets:
            for multiplier in multipliers:
                try:
                    context.schedule(params, plan, budget, multiplier)
                except (BudgetError, ValueError) as error:
                    priced = f" at {multiplier:g} times its price" if multiplier != 1.0 else ""
                    raise SweepSpecError(
                        f"{where}: levers.budget: plan {plan!r}{priced} at {budget:,.0f}: {error}"
                    ) from None


def sweep_posterior(
    spec: SweepFile, path: Path | None, given: str | Path | None, where: str
) -> Posterior | None:
    """The calibration the sweep draws parameters from: `given` (the command line's
    --posterior, the user's own path) or the spec's `posterior` key, a folder in the
    spec's folder or below it."""
    from eachcustomer.experiments.calibration import CalibrationError
    from eachcustomer.experiments.calibration.posterior import load_posterior

    if given is not None:
        folder, key = Path(given), "--posterior"
    elif spec.posterior is not None:
        folder = named_folder(path, "posterior", spec.posterior, SweepSpecError, where)
        key = "posterior"
    else:
        return None
    try:
        return load_posterior(folder)
    except CalibrationError as error:
        raise SweepSpecError(f"{where}: {key}: {error}") from None


def check_posterior(
    posterior: Posterior | None,
    setup: RunSetup,
    constants: dict[str, Any],
    factors: tuple[Factor, ...],
    where: str,
) -> tuple[Factor, ...]:
    """The drawn parameters as factors; refuse one the spec also sets, or draws that are
    not valid parameters together with the spec's constants."""
    if posterior is None:
        return ()
    varied = set(constants) | {f.name for f in factors}
    for name in posterior.parameters:
        if name in varied:
            raise SweepSpecError(
                f"{where}: parameters.{name}: drawn from the posterior in {posterior.folder}; "
                "remove it from [parameters] (or calibrate without it)"
            )
    base = {**setup.params.model_dump(), **constants}
    for row in posterior.table[list(posterior.parameters)].drop_duplicates().to_dict("records"):
        try:
            make_params({**base, **row})
        except ParamsError as error:
            raise SweepSpecError(
                f"{where}: posterior {posterior.folder}: a parameter set it holds is not valid "
                f"with this sweep's parameters: {error}"
            ) from None
    return tuple(Factor(name) for name in posterior.parameters)
