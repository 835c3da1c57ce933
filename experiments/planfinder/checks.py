"""Checks of a plan search spec against the model and the organization.

`parse_plan_search` turns a parsed TOML file into a `PlanProblem`; every problem raises
`PlanSpecError` as `FILE: KEY: problem`, before anything runs: an unknown intervention kind,
a budget below the cheapest use of every lever, shares that cannot add up to the budget, an
outcome the model does not produce, a NaN, a size over the limits of `eachcustomer.sim.limits`.
"""

from __future__ import annotations

import difflib
import hashlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from pydantic import ValidationError

from eachcustomer.experiments.loading import catalogue, sweep_checks, sweep_factors
from eachcustomer.experiments.loading.files import read_toml
from eachcustomer.experiments.loading.sweep_checks import SweepSpecError
from eachcustomer.experiments.planfinder.encoding import Encoding, Lever
from eachcustomer.experiments.planfinder.levers import check_lever_names, levers_of
from eachcustomer.experiments.planfinder.objectives import PLAN_COST, Objective
from eachcustomer.experiments.planfinder.problem import PlanProblem, PlanSpecError
from eachcustomer.experiments.planfinder.spec import PlanSearchFile
from eachcustomer.sim.budget import cost_basis
from eachcustomer.sim.limits import DEFAULT_LIMITS, Limits
from eachcustomer.sim.params import ParamsError, describe_validation_error, make_params

LIBRARY_CHECK_PLANS = 8
"""Most plans the library check evaluates (library plans, their matches, doing nothing)."""


def load_plan_search(
    path: str | Path, *, limits: Limits = DEFAULT_LIMITS, posterior: str | Path | None = None
) -> PlanProblem:
    """Read and check a plan search spec file.

    Args:
        path: the spec, or the name of a built-in one (`plan_finder`).
        limits: the largest search allowed (`eachcustomer.sim.limits`), checked before anything
        runs. posterior: a calibration folder replacing the spec's `posterior` key.
    """
    path = catalogue.resolve("plan_finder", path, PlanSpecError)
    data, text = read_toml(path, PlanSpecError)
    return parse_plan_search(data, path=path, text=text, limits=limits, posterior=posterior)


def parse_plan_search(
    data: dict[str, Any],
    *,
    path: Path | None = None,
    text: str = "",
    limits: Limits = DEFAULT_LIMITS,
    posterior: str | Path | None = None,
) -> PlanProblem:
    """Check a plan search given as a dict (a parsed TOML file); `path` anchors files;
    `posterior`, a calibration folder, replaces the spec's `posterior` key.

    Raises:
        PlanSpecError: a mistake in the spec, named with the file and the key.
        LimitError: the search is bigger than `limits`.
    """
    where = str(path) if path is not None else "plan search"
    catalogue.check_kind("plan_finder", data, where, PlanSpecError)
    try:
        spec = PlanSearchFile(**data)
    except ValidationError as error:
        raise PlanSpecError(describe_validation_error(error, where)) from None
    try:
        setup = sweep_checks.base_setup(cast(Any, spec), path, where, limits)
        constants = _constants(spec, setup, where)
    except SweepSpecError as error:
        raise PlanSpecError(str(error)) from None
    weeks = spec.weeks if spec.weeks is not None else setup.params.horizon_weeks
    limits.check("weeks", weeks, f"{where}: weeks")
    try:
        params = make_params({**setup.params.model_dump(), **constants, "horizon_weeks": weeks})
    except ParamsError as error:
        raise PlanSpecError(
            "\n".join(f"{where}: parameters.{line}" for line in str(error).splitlines())
        ) from None
    employees = setup.org.size if setup.org is not None else params.n_employees
    source = "the scenario's org chart" if setup.org is not None else "parameters.n_employees"
    limits.check_run(employees, params.customers_per_employee, f"{where}: {source}", where)
    check_lever_names(spec, where)
    check_size(spec, limits, where)
    org = cost_basis(params, setup.org)
    own_plans = dict(setup.plans)
    levers = levers_of(spec, own_plans, org, params, weeks, where)
    check_shares(spec, levers, where)
    objectives = objectives_of(spec, params, setup.org, where)
    draws, posterior_digest = posterior_draws(spec, path, posterior, constants, setup, where)
    digest = hashlib.sha256(setup.path.read_bytes()).hexdigest() if setup.path else ""
    encoding = Encoding(
        levers=levers,
        budget=spec.budget.amount,
        step=spec.budget.step,
        spend_is_objective=spec.budget.spend == "objective",
    )
    return PlanProblem(
        spec=spec,
        path=path,
        setup=setup,
        params=params,
        org=org,
        weeks=weeks,
        encoding=encoding,
        objectives=objectives,
        draws=draws,
        posterior_digest=posterior_digest,
        scenario_digest=digest,
        text=text,
    )


def _constants(spec: PlanSearchFile, setup: Any, where: str) -> dict[str, Any]:
    """[parameters] as constants, checked as a sweep checks them; ranges belong to sweeps."""
    shaped = SimpleNamespace(
        parameters=spec.parameters, design=SimpleNamespace(kind="full_factorial")
    )
    constants, ranges, lists = sweep_factors.split_parameters(cast(Any, shaped), setup, where)
    for factor in ranges + lists:
        raise PlanSpecError(
            f"{where}: parameters.{factor.name}: a plan search takes one value per "
            "parameter; what is uncertain comes from replications and a posterior"
        )
    return constants


def check_size(spec: PlanSearchFile, limits: Limits, where: str) -> int:
    """Refuse a search with more runs than the limits allow; return its most runs."""
    search = spec.search
    if search.first_replications > search.replication_cap:
        raise PlanSpecError(
            f"{where}: search.first_replications ({search.first_replications}) is more than "
            f"search.replication_cap ({search.replication_cap}); the cap bounds the selection"
        )
    runs = search.population * search.generations * spec.replications
    checks = 0
    if search.library_check:
        checks = LIBRARY_CHECK_PLANS * (spec.replications + search.validation_replications)
    # The selection: every finalist and doing nothing, at most up to the cap each.
    checks += (search.finalists + 1) * search.replication_cap
    # The confirmation: the chosen plan, doing nothing, and the plan without each lever.
    checks += (2 + len(spec.levers)) * search.validation_replications
    limits.check(
        "runs",
        runs + checks,
        f"{where}: search ({search.population:,} population x {search.generations:,} "
        f"generations x {spec.replications:,} replications, and {checks:,} runs of checks)",
    )
    return runs + checks


def check_shares(spec: PlanSearchFile, levers: tuple[Lever, ...], where: str) -> None:
    """The levers' shares must be able to add up to the budget (all of it, when spending
    less is not an objective)."""
    units = round(1.0 / spec.budget.step)
    lows = sum(lever.low_units for lever in levers)
    highs = sum(lever.high_units for lever in levers)
    if lows > units:
        raise PlanSpecError(
            f"{where}: levers: the shares' lows (levers.KIND.share.low) add up to "
            f"{lows / units:.0%} of the budget, more than all of it; lower some of them"
        )
    if spec.budget.spend == "constraint" and highs < units:
        raise PlanSpecError(
            f"{where}: levers: the shares' highs (levers.KIND.share.high) add up to "
            f"{highs / units:.0%} of the budget, so no plan can spend all of it; raise some "
            'of them, or set budget.spend = "objective" to let plans spend less'
        )


def objectives_of(spec: PlanSearchFile, params: Any, org: Any, where: str) -> tuple[Objective, ...]:
    """The objectives, checked against what the model produces; a spend objective last."""
    outputs, summaries = sweep_checks.model_outcomes(params, org)
    known = [*summaries, *(f"final_{name}" for name in outputs)]
    objectives = []
    for index, given in enumerate(spec.objectives):
        key = f"{where}: objectives[{index}]"
        if given.outcome == PLAN_COST and spec.budget.spend == "objective":
            raise PlanSpecError(
                f'{key}.outcome: budget.spend = "objective" already minimizes the plan\'s '
                "cost; remove this objective"
            )
        if given.outcome not in known and given.outcome != PLAN_COST:
            close = difflib.get_close_matches(given.outcome, known, n=3)
            hint = f"did you mean {', '.join(close)}?" if close else f"outcomes: {', '.join(known)}"
            raise PlanSpecError(f"{key}.outcome: the model produces no {given.outcome!r}; {hint}")
        if given.statistic == "percentile" and given.percentile is None:
            raise PlanSpecError(f"{key}.percentile: a percentile statistic needs `percentile`")
        if given.statistic == "mean" and given.percentile is not None:
            raise PlanSpecError(
                f'{key}.percentile: only a statistic = "percentile" takes a percentile'
            )
        objectives.append(
            Objective(
                given.outcome,
                given.statistic,
                given.percentile,
                _minimize(given.outcome, given.direction, f"{key}.direction"),
            )
        )
    if spec.budget.spend == "objective":
        objectives.append(Objective(PLAN_COST, "mean", None, True))
    names = [o.name for o in objectives]
    for index, name in enumerate(names):
        if names.index(name) != index:
            raise PlanSpecError(f"{where}: objectives[{index}]: the same objective twice")
    weights = spec.search.weights
    if weights is not None and (
        len(weights) != len(objectives) or min(weights) < 0 or max(weights) <= 0
    ):
        raise PlanSpecError(
            f"{where}: search.weights: give {len(objectives)} weights >= 0, not all 0, "
            f"one per objective ({', '.join(names)})"
        )
    return tuple(objectives)


def _minimize(outcome: str, direction: str | None, key: str) -> bool:
    from eachcustomer.experiments.analysis.outcomes import outcome as outcome_of

    if direction is not None:
        return direction == "minimize"
    better = outcome_of(outcome).higher_is_better if outcome != PLAN_COST else False
    if better is None:
        raise PlanSpecError(
            f"{key}: neither direction is better for {outcome!r} by default; "
            'say "minimize" or "maximize"'
        )
    return not better


def posterior_draws(
    spec: PlanSearchFile,
    path: Path | None,
    given: str | Path | None,
    constants: dict[str, Any],
    setup: Any,
    where: str,
) -> tuple[dict[int, dict[str, float]], str]:
    """Parameters drawn from the calibration's posterior for every replication seed (the
    search's and the fresh ones), and the posterior's digest; none without a posterior.

    The posterior is `given` (the command line's --posterior) or the spec's `posterior`
    key, found and checked as sweeps do
    (`eachcustomer.experiments.loading.sweep_checks.sweep_posterior`, `check_posterior`);
    replication r draws with its own seed
    (`eachcustomer.experiments.calibration.posterior.draw_parameters`, the rule of sweeps and of
    `eachcustomer run --posterior`), so every candidate meets the same parameter sets and the same
    luck.
    """
    from eachcustomer.experiments.calibration.posterior import draw_parameters
    from eachcustomer.sim.replications import replication_seeds

    try:
        posterior = sweep_checks.sweep_posterior(cast(Any, spec), path, given, where)
        sweep_checks.check_posterior(posterior, setup, constants, (), where)
    except SweepSpecError as error:
        raise PlanSpecError(str(error)) from None
    if posterior is None:
        return {}, ""
    search = spec.search
    count = spec.replications + search.replication_cap + search.validation_replications
    seeds = replication_seeds(spec.seed, count)
    return {seed: draw_parameters(posterior, seed) for seed in seeds}, posterior.digest


__all__ = ["PlanSpecError", "load_plan_search", "parse_plan_search"]
