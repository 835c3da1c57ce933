"""The model as an EMA Workbench `Model`, for `perform_experiments` and `optimize`.

EMA Workbench users drive a model with `perform_experiments` (or `optimize`); `ema_model`
builds one from the model's parameters and the plan library::

    from ema_workbench import SequentialEvaluator, perform_experiments
    from eachcustomer.experiments.ema import ema_model

    model = ema_model(
        {"negativity_bias": (1.0, 4.0), "disposition_pull": (0.005, 0.05)},
        plans=("none", "training_day", "culture_change"),
        budget=(20_000, 100_000),
        replications=10,
        n_employees=200,
    )
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(
            model, scenarios=50, policies=6, evaluator=evaluator
        )

- **Uncertainties** are parameters of `eachcustomer.sim.params.Params`, each a range
  `(low, high)` (a `RealParameter`, or an `IntegerParameter` for a whole-number parameter),
  a list of values (a `CategoricalParameter`), or a bare name for its whole allowed range.
- **Levers** are what a leader chooses: `plan`, a `CategoricalParameter` over plans of the
  library (`eachcustomer plans`) or of the scenario, by name; `budget`, a `RealParameter`
  every plan is scaled to by the one budget rule (`eachcustomer.sim.budget.scale_plan`, as in
  sweeps and on the Compare page); and parameters given as `levers`, as uncertainties are.
- **Outcomes** are `ScalarOutcome`s named as everywhere else
  (`eachcustomer.experiments.analysis.outcomes`): a run summary such as
  `recent_annual_customer_loss` or `net_revenue`, `plan_cost`, or `final_<output>` for a
  weekly output at the horizon. Each is the mean over the replications; its kind is
  MAXIMIZE or MINIMIZE where the catalogue says which direction is better (INFO otherwise),
  so `optimize` reads the right direction.

Every experiment runs the same `replications` seeds (`replication_seeds(seed, replications)`):
common random numbers, so a difference between two experiments comes from their
uncertainties and levers, not from luck, and an experiment's outcomes are exactly those of
`run_replications` (or `eachcustomer sweep`) with the same seeds. The replications of one
experiment are stepped together as one batched model, which is why the adapter is a plain
`Model` rather than EMA's `ReplicatorModel`.

The function a `Model` calls (`EMARun`) is picklable, so `MultiprocessingEvaluator` works as
well as `SequentialEvaluator`. Written against what EMA Workbench 2.5 and 3.x share (`Model`,
the parameter and outcome classes, `perform_experiments`), it needs the `[discovery]` extra;
without it `ema_model` raises `MissingExtraError` with the pip command.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from eachcustomer.experiments.analysis.outcomes import OUTPUTS, SUMMARIES, outcome
from eachcustomer.experiments.loading.plans import known_plans, resolve_plan
from eachcustomer.experiments.loading.scenario_files import load_scenario
from eachcustomer.experiments.loading.sweep_factors import CHART_FIXED, NOT_SWEEPABLE
from eachcustomer.extras import require
from eachcustomer.sim.budget import SCALE_BY
from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.organization import Organization
from eachcustomer.sim.params import Params, make_params
from eachcustomer.sim.replications import replication_seeds

FEATURE = "the EMA Workbench adapter (eachcustomer.experiments.ema)"
PLAN = "plan"
BUDGET = "budget"
DEFAULT_OUTCOMES = (
    "recent_annual_customer_loss",
    "final_mean_satisfaction",
    "final_mean_attitude",
    "net_revenue",
    "plan_cost",
)
"""Customers lost per year at the horizon, satisfaction, attitude, money, and the plan's price."""

Range = tuple[float, float] | Sequence[Any] | None
"""How a parameter varies: (low, high), a list of values, or None for its whole allowed range."""


class EMAAdapterError(ValueError):
    """An uncertainty, lever, plan or outcome the adapter cannot build; the message says which."""


@dataclass(frozen=True)
class EMARun:
    """What an EMA `Model` calls: one experiment's values in, its outcomes out.

    Picklable (EMA's `MultiprocessingEvaluator` sends it to its worker processes).

    Attributes:
        base: the parameter values every experiment starts from.
        org: the scenario's organization, or None for one generated per replication.
        interventions: the scenario's own interventions, run under every plan.
        individuals: particular people placed at the start.
        plans: the plans the `plan` lever chooses from, by name.
        scale_by: how plans are scaled to a budget ("coverage" or "duration").
        weeks: steps of each run.
        seeds: the replications' seeds, the same for every experiment.
        outcomes: the outcome names to return.
    """

    base: dict[str, Any]
    org: Organization | None
    interventions: tuple[Intervention, ...]
    individuals: tuple[Any, ...]
    plans: dict[str, tuple[Intervention, ...]]
    scale_by: str
    weeks: int
    seeds: tuple[int, ...]
    outcomes: tuple[str, ...]

    def __call__(self, **values: Any) -> dict[str, float]:
        """Run the replications of one experiment; each outcome's mean over them."""
        from eachcustomer.experiments.running.runs import run_replications
        from eachcustomer.sim.budget import cost_basis, plan_cost, scale_plan

        values = {name: _plain(value) for name, value in values.items()}
        plan_name = values.pop(PLAN, None)
        budget = values.pop(BUDGET, None)
        params = make_params({**self.base, **values})
        chosen = self.plans[str(plan_name)] if plan_name is not None else ()
        org = cost_basis(params, self.org)
        if chosen and budget is not None:
            chosen = scale_plan(chosen, float(budget), org, params, self.scale_by, self.weeks)
        cost = plan_cost(chosen, org, params, self.weeks)
        runs = run_replications(
            params,
            list(self.seeds),
            {"experiment": self.interventions + tuple(chosen)},
            org=self.org,
            individuals=self.individuals,
            weeks=self.weeks,
        )["experiment"]
        means: dict[str, float] = {}
        for name in self.outcomes:
            if name == "plan_cost":
                means[name] = float(cost)
                continue
            missing = [run for run in runs if name not in run.record]
            if missing:
                raise EMAAdapterError(
                    f"outcome {name!r}: the model has no such output; outcomes are "
                    f"{', '.join(available_outcomes(runs[0].record))}"
                )
            means[name] = float(np.mean([float(run.record[name]) for run in runs]))
        return means


def ema_model(
    uncertainties: Mapping[str, Range] | Iterable[str] = (),
    *,
    levers: Mapping[str, Range] | Iterable[str] = (),
    plans: Sequence[str] | Mapping[str, Sequence[Intervention | dict]] | None = None,
    budget: tuple[float, float] | None = None,
    outcomes: Sequence[str] = DEFAULT_OUTCOMES,
    scenario: str | Path | None = None,
    replications: int = 10,
    seed: int = 0,
    weeks: int | None = None,
    scale_by: str = "coverage",
    name: str = "eachcustomer",
    **parameters: Any,
) -> Any:
    """The model as an EMA Workbench `Model`, ready for `perform_experiments` or `optimize`.

    Args:
        uncertainties: parameters of `Params` that are uncertain, each with its range
            `(low, high)`, a list of values, or None (a bare name in a list) for the whole
            range `Params` allows.
        levers: parameters that are chosen rather than uncertain, given the same way.
        plans: the `plan` lever's choices: plan names (of the scenario, then the library;
            "none" runs no intervention), or a mapping of your own plans (name to
            interventions). The whole library when None; no `plan` lever when empty.
        budget: the `budget` lever's range: every plan is scaled to the budget (expected
            cost over the run) by `eachcustomer.sim.budget.scale_plan`. No budget lever when
            None: plans run as they are.
        outcomes: outcome names (`eachcustomer.experiments.analysis.outcomes`).
        scenario: a scenario name or file (the embedded baseline when None): its parameters,
            organization, interventions and own plans are the starting point.
        replications: runs per experiment, on the same seeds for every experiment.
        seed: the master seed of the replications (`replication_seeds`).
        weeks: steps of each run; the scenario's horizon when None.
        scale_by: how the budget rule scales a plan, "coverage" or "duration".
        name: the EMA model's name (letters and digits).
        **parameters: parameter values every experiment shares (e.g. n_employees=200),
            EMA's constants in effect.

    Returns:
        An `ema_workbench.Model` whose function is an `EMARun`.

    Raises:
        MissingExtraError: ema_workbench is not installed (the `[discovery]` extra).
        EMAAdapterError: an unknown parameter, plan or outcome, a range outside what `Params`
            allows, or a name used twice.
        ScenarioError, ParamsError: the scenario or the shared parameter values.
    """
    ema = require("ema_workbench", "discovery", FEATURE)
    if int(replications) < 1:
        raise EMAAdapterError(f"replications: {replications!r}; at least 1")
    if scale_by not in SCALE_BY:
        raise EMAAdapterError(f"scale_by: {scale_by!r}; one of {', '.join(SCALE_BY)}")
    shared = dict(parameters)
    setup = load_scenario(scenario, employees=shared.pop("n_employees", None), **shared)
    if setup.timeline or setup.players:
        raise EMAAdapterError(
            f"scenario {scenario}: a [[timeline]] or [[players]] (a class session's replay) "
            "runs with `eachcustomer run`; the EMA model varies parameters from week 0"
        )
    chosen_plans = _plans(plans, setup.plans)
    uncertain = _varied(uncertainties, "uncertainties", setup.org is not None)
    chosen = _varied(levers, "levers", setup.org is not None)
    lever_names = [lever for lever, _ in chosen]
    if chosen_plans:
        lever_names.append(PLAN)
    if budget is not None:
        lever_names.append(BUDGET)
    names = [uncertainty for uncertainty, _ in uncertain] + lever_names
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise EMAAdapterError(f"{', '.join(repeated)}: named more than once")
    kept = tuple(_checked_outcome(o) for o in outcomes)
    if not kept:
        raise EMAAdapterError("outcomes: name at least one")
    horizon = setup.params.horizon_weeks if weeks is None else int(weeks)
    if budget is not None:
        _check_scalable(chosen_plans, setup.params, setup.org, horizon)
    run = EMARun(
        base=setup.params.model_dump(),
        org=setup.org,
        interventions=tuple(setup.interventions),
        individuals=tuple(setup.individuals),
        plans=chosen_plans,
        scale_by=scale_by,
        weeks=horizon,
        seeds=tuple(replication_seeds(seed, int(replications))),
        outcomes=kept,
    )
    model = ema.Model(name, function=run)
    model.uncertainties = [_ema_parameter(ema, n, v) for n, v in uncertain]
    model_levers = [_ema_parameter(ema, n, v) for n, v in chosen]
    if chosen_plans:
        model_levers.append(ema.CategoricalParameter(PLAN, list(chosen_plans)))
    if budget is not None:
        low, high = _budget(budget)
        model_levers.append(ema.RealParameter(BUDGET, low, high))
    model.levers = model_levers
    model.outcomes = [ema.ScalarOutcome(o, kind=_kind(ema, o)) for o in kept]
    return model


def available_outcomes(record: Mapping[str, Any]) -> list[str]:
    """The outcome names a run offers: its summaries and final values, and `plan_cost`."""
    return sorted([*(k for k in record if k != "weeks"), "plan_cost"])


# --- building the parts -----------------------------------------------------------------


def _plans(
    given: Sequence[str] | Mapping[str, Sequence[Intervention | dict]] | None,
    own: Mapping[str, tuple[Intervention, ...]],
) -> dict[str, tuple[Intervention, ...]]:
    if given is None:
        return {name: resolve_plan(name, own) for name in known_plans(own)}
    if isinstance(given, Mapping):
        return {
            str(name): tuple(
                item if isinstance(item, Intervention) else Intervention(**item) for item in plan
            )
            for name, plan in given.items()
        }
    if isinstance(given, str):
        raise EMAAdapterError(f"plans: give a list of plan names, not the string {given!r}")
    chosen: dict[str, tuple[Intervention, ...]] = {}
    for name in given:
        try:
            chosen[name] = resolve_plan(name, own, "plans")
        except ValueError as error:
            raise EMAAdapterError(str(error)) from None
    return chosen


def _varied(given: Mapping[str, Range] | Iterable[str], key: str, chart: bool) -> list:
    items = list(given.items()) if isinstance(given, Mapping) else [(n, None) for n in given]
    fields = Params.model_fields
    checked = []
    for name, values in items:
        where = f"{key}.{name}"
        if name in (PLAN, BUDGET):
            raise EMAAdapterError(f"{where}: use the `plans` and `budget` arguments for it")
        if name not in fields:
            close = difflib.get_close_matches(name, fields, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise EMAAdapterError(f"{where}: not a model parameter{hint}")
        if name in NOT_SWEEPABLE:
            raise EMAAdapterError(f"{where}: cannot vary; {NOT_SWEEPABLE[name]}")
        if name in CHART_FIXED and chart:
            raise EMAAdapterError(f"{where}: the scenario's org chart fixes it")
        checked.append((name, _values(name, values, where)))
    return checked


def _values(name: str, values: Range, where: str) -> tuple[str, Any]:
    """("range", (low, high)) or ("list", values), checked against the parameter's range."""
    low, high = _allowed(name)
    integer = Params.model_fields[name].annotation is int
    if values is None:
        if not (math.isfinite(low) and math.isfinite(high)):
            raise EMAAdapterError(f"{where}: its allowed range is open; give (low, high)")
        return "range", (int(low), int(high)) if integer else (float(low), float(high))
    if isinstance(values, tuple) and len(values) == 2 and all(_number(v) for v in values):
        first, last = (float(v) for v in values)
        if not low <= first < last <= high:
            raise EMAAdapterError(
                f"{where}: ({values[0]}, {values[1]}) must rise within the allowed range "
                f"[{low}, {high}]"
            )
        return "range", (int(first), int(last)) if integer else (first, last)
    if isinstance(values, str) or not isinstance(values, Sequence) or not values:
        raise EMAAdapterError(f"{where}: give (low, high), a list of values, or None")
    for value in values:
        if not _number(value) or not low <= float(value) <= high:
            raise EMAAdapterError(f"{where}: {value!r} is not a number in [{low}, {high}]")
    return "list", [int(v) if integer else float(v) for v in values]


def _ema_parameter(ema: Any, name: str, kind_values: tuple[str, Any]) -> Any:
    kind, values = kind_values
    if kind == "list":
        return ema.CategoricalParameter(name, list(values))
    low, high = values
    if Params.model_fields[name].annotation is int:
        return ema.IntegerParameter(name, low, high)
    return ema.RealParameter(name, low, high)


def _check_scalable(
    plans: Mapping[str, tuple[Intervention, ...]],
    params: Params,
    org: Organization | None,
    weeks: int,
) -> None:
    """Under a budget lever every plan but an empty one must cost something within the run."""
    from eachcustomer.sim.budget import cost_basis, plan_cost

    basis = cost_basis(params, org)
    for name, plan in plans.items():
        if plan and plan_cost(plan, basis, params, weeks) <= 0:
            raise EMAAdapterError(
                f"plans.{name}: costs nothing within the {weeks} weeks of a run (unpriced, or "
                "starting after the run ends), so the budget lever cannot scale it"
            )


def _budget(budget: tuple[float, float]) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in budget)
    except (TypeError, ValueError):
        raise EMAAdapterError(f"budget: {budget!r}; give (low, high)") from None
    if not (math.isfinite(low) and math.isfinite(high) and 0 <= low < high):
        raise EMAAdapterError(f"budget: {budget!r}; give (low, high) with 0 <= low < high")
    return low, high


def _checked_outcome(name: str) -> str:
    if name in SUMMARIES or (name.startswith("final_") and name.removeprefix("final_")):
        return name
    known = [*SUMMARIES, *(f"final_{o}" for o in OUTPUTS)]
    close = difflib.get_close_matches(name, known, n=3)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise EMAAdapterError(
        f"outcomes: {name!r} is not an outcome; {hint}outcomes are the run summaries "
        f"({', '.join(SUMMARIES)}) and final_<output> for a weekly output"
    )


def _kind(ema: Any, name: str) -> Any:
    better = outcome(name).higher_is_better
    outcome_class = ema.ScalarOutcome
    if better is None:
        return outcome_class.INFO
    return outcome_class.MAXIMIZE if better else outcome_class.MINIMIZE


def _allowed(name: str) -> tuple[float, float]:
    low, high = -math.inf, math.inf
    for item in Params.model_fields[name].metadata:
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    return float(low), float(high)


def _number(value: Any) -> bool:
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _plain(value: Any) -> Any:
    """Numpy scalars (EMA's samples) as plain Python numbers, as `Params` expects."""
    return value.item() if isinstance(value, np.generic) else value


__all__ = ["DEFAULT_OUTCOMES", "EMAAdapterError", "EMARun", "available_outcomes", "ema_model"]
