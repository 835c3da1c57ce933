"""Sweep specs: a TOML file that says which runs to make; validated, then turned into a design.

A sweep is a base scenario plus what varies. In `[parameters]` each model parameter is a
constant (`contagion_rate = 0.1`), a list (`negativity_bias = [1, 2, 3]`) or a range
(`boss_weight = { low = 0.5, high = 4 }`); in `[levers]` the intervention plans to compare
(`plan = ["none", "training_day"]`: "none", the scenario's own [plans], or `[[plans.NAME]]`
intervention tables in the sweep file, written as in scenario files), optionally all scaled
to the same expected cost (`budget = 20000`). With a plan lever a run's interventions are
exactly its plan's, as with `eachcustomer run --plan`.

The design samples the ranges (`full_factorial`: a grid of `steps` values each; SALib's
`latin_hypercube`, `sobol` (Saltelli) or `morris`: `samples` points); every sampled point is
crossed with every combination of the lists and levers (an "arm", EMA's policies), and each
pair runs `replications` times. Replication r of every point and arm gets the same seed,
drawn from `numpy.random.SeedSequence(seed).spawn`: common random numbers, so differences
between plans or parameter values are not blurred by different luck.

See experiments/specs/ for annotated examples and `RunContext.execute` for what one run does.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from experiments.scenario_files import RunSetup, ScenarioError, load_run_setup
from sim.interventions import Intervention
from sim.params import Params, ParamsError, describe_validation_error, make_params

DESIGNS = ("full_factorial", "latin_hypercube", "sobol", "morris")
SAMPLING_DESIGNS = DESIGNS[1:]
NO_PLAN = "none"
"""The plan without interventions: always available."""

DEFAULT_FINAL = ("mean_attitude", "share_negative", "mean_customer_focus", "active_customers",
                 "mean_satisfaction", "net_promoter_score")
DEFAULT_SERIES = ("mean_attitude", "share_negative", "active_customers")
NOT_SWEEPABLE = {
    "departments": "set departments in the scenario file",
    "horizon_weeks": "set the sweep's `weeks` instead",
}
CHART_FIXED = ("n_employees", "span_of_control")
"""Parameters that only shape a generated organization: meaningless with an org chart."""
DESIGN_STREAM = 0x5EED
"""Mixed with the master seed for the design sampler, so it never shares a stream with runs."""


class SweepSpecError(ValueError):
    """A sweep spec that cannot be run; the message names the file, the key and the problem."""


class DesignSpec(BaseModel):
    """The [design] table."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal[DESIGNS] = "full_factorial"  # type: ignore[valid-type]
    samples: int | None = Field(None, ge=1, description="latin_hypercube: points; sobol: "
                                "base sample N (a power of 2); morris: trajectories")
    levels: int = Field(4, ge=2, description="morris: grid levels (even)")
    second_order: bool = Field(False, description="sobol: also second-order indices")


class OutcomeSpec(BaseModel):
    """The [outcomes] table: which numbers each run keeps."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    final: tuple[str, ...] = Field(DEFAULT_FINAL, description="outputs at the horizon, "
                                   "kept as final_<name>")
    mean: tuple[str, ...] = Field((), description="outputs averaged over `window`, kept as "
                                  "mean_<name>")
    window: tuple[int, int] | None = Field(None, description="first and last week of the "
                                           "means, inclusive; weeks 1..weeks when omitted")
    summary: tuple[str, ...] | None = Field(None, description="run summaries of "
                                            "experiments.runs.summarize; all when omitted")
    series: tuple[str, ...] = Field(DEFAULT_SERIES, description="outputs kept week by week")


class LeverSpec(BaseModel):
    """The [levers] table: what we choose."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    plan: tuple[str, ...] | None = Field(None, min_length=1)
    budget: float | tuple[float, ...] | None = Field(None, description="expected cost every "
                                                     "plan is scaled to (a list compares "
                                                     "several budgets)")
    scale_by: Literal["coverage", "duration"] = "coverage"


class SweepFile(BaseModel):
    """A whole sweep file, structurally validated."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1)
    description: str = ""
    scenario: str = Field("baseline", description="built-in scenario name, or a file "
                          "relative to the sweep file")
    replications: int = Field(1, ge=1, le=100_000)
    seed: int = Field(ge=0, description="master seed")
    weeks: int | None = Field(None, ge=1, le=5200, description="horizon; the scenario's "
                              "when omitted")
    design: DesignSpec = Field(default_factory=DesignSpec)
    parameters: dict[str, Any] = Field(default_factory=dict)
    levers: LeverSpec = Field(default_factory=LeverSpec)
    plans: dict[str, tuple[Intervention, ...]] = Field(
        default_factory=dict, description="intervention schedules by name, as in scenario "
        "files ([[plans.NAME]] tables); the scenario's own plans can be named too")
    outcomes: OutcomeSpec = Field(default_factory=OutcomeSpec)


@dataclass(frozen=True)
class Factor:
    """Something that varies: a range (sampled by the design) or a list of values (crossed)."""

    name: str
    values: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    steps: int | None = None
    integer: bool = False

    @property
    def is_range(self) -> bool:
        return self.low is not None

    def grid(self) -> np.ndarray:
        """The `steps` evenly spaced values of a range (full factorial)."""
        return np.linspace(self.low, self.high, self.steps)


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: the file, its base scenario, and what varies."""

    spec: SweepFile
    path: Path | None
    setup: RunSetup
    constants: dict[str, Any]
    ranges: tuple[Factor, ...]
    lists: tuple[Factor, ...]
    summaries: tuple[str, ...]
    outcome_columns: tuple[str, ...]
    scenario_digest: str
    text: str = ""

    @property
    def weeks(self) -> int:
        return self.spec.weeks if self.spec.weeks is not None else self.setup.params.horizon_weeks

    @property
    def factors(self) -> tuple[Factor, ...]:
        return self.ranges + self.lists

    def problem(self) -> dict[str, Any]:
        """The SALib problem: the ranges and their bounds."""
        return {"num_vars": len(self.ranges), "names": [f.name for f in self.ranges],
                "bounds": [[f.low, f.high] for f in self.ranges]}

    def sample(self) -> np.ndarray:
        """(points, ranges) matrix of sampled range values, before integer rounding."""
        design = self.spec.design
        if design.kind == "full_factorial":
            grids = [f.grid() for f in self.ranges]
            points = list(itertools.product(*grids))  # one empty point when nothing ranges
            return np.array(points, dtype=float).reshape(len(points), len(grids))
        rng = np.random.default_rng([self.spec.seed, DESIGN_STREAM])
        if design.kind == "latin_hypercube":
            from SALib.sample import latin

            return latin.sample(self.problem(), design.samples, seed=rng)
        if design.kind == "sobol":
            from SALib.sample import sobol

            return sobol.sample(self.problem(), design.samples,
                                calc_second_order=design.second_order, scramble=True, seed=rng)
        from SALib.sample import morris

        return morris.sample(self.problem(), design.samples, num_levels=design.levels,
                             seed=rng)

    def arms(self) -> list[tuple[Any, ...]]:
        """Every combination of the list values and levers, in a fixed order."""
        return list(itertools.product(*(f.values for f in self.lists)))

    def replication_seeds(self) -> list[int]:
        """One seed per replication, spawned from the master seed (63 bits, for Parquet)."""
        children = np.random.SeedSequence(self.spec.seed).spawn(self.spec.replications)
        return [int(child.generate_state(1, np.uint64)[0] >> np.uint64(1)) for child in children]

    def design(self) -> pd.DataFrame:
        """One row per run: run_id, point, arm, replication, seed and every factor's value.

        Run ids are (point * arms + arm) * replications + replication, so they follow from
        the design alone; a resumed sweep finds the same ids.
        """
        sample, arms, seeds = self.sample(), self.arms(), self.replication_seeds()
        points, reps = len(sample), len(seeds)
        point, arm, rep = (np.indices((points, len(arms), reps)).reshape(3, -1))
        table = pd.DataFrame({"run_id": np.arange(len(point), dtype=np.int64), "point": point,
                              "arm": arm, "replication": rep,
                              "seed": np.asarray(seeds, dtype=np.int64)[rep]})
        for column, factor in enumerate(self.ranges):
            table[factor.name] = sample[point, column]
        for column, factor in enumerate(self.lists):
            values = [combination[column] for combination in arms]
            table[factor.name] = pd.Series(values, dtype=_dtype(factor)).to_numpy()[arm]
        return table

    def context(self) -> RunContext:
        """What every run shares, for the executors to ship to workers once."""
        base = self.setup.params.model_dump()
        base.update(self.constants, horizon_weeks=self.weeks)
        # With a plan lever, each run's interventions are exactly its plan's (as with
        # `eachcustomer run --plan`); without one, the scenario's own.
        own = () if self.spec.levers.plan is not None else self.setup.interventions
        return RunContext(base=base, org=self.setup.org, interventions=own,
                          individuals=self.setup.individuals, plans=self.plans(),
                          scale_by=self.spec.levers.scale_by, weeks=self.weeks,
                          integers=tuple(f.name for f in self.factors if f.integer),
                          outcomes=self.spec.outcomes, summaries=self.summaries,
                          outcome_columns=self.outcome_columns,
                          key=hashlib.sha256(json.dumps(self.identity(), sort_keys=True)
                                             .encode()).hexdigest())

    def plans(self) -> dict[str, tuple[Intervention, ...]]:
        """The plans a run can name: the scenario's and the sweep file's."""
        return {**self.setup.plans, **self.spec.plans}

    def identity(self) -> dict[str, Any]:
        """What must match for a results folder to be resumed with this sweep."""
        return {"spec": self.spec.model_dump(mode="json"), "scenario_sha256":
                self.scenario_digest}


def _dtype(factor: Factor) -> str:
    if factor.name == "plan":
        return "object"
    return "int64" if factor.integer else "float64"


# --- running one task ---------------------------------------------------------------------

@dataclass(frozen=True)
class RunContext:
    """Everything the runs of one sweep share; picklable, sent to each worker once."""

    base: dict[str, Any]
    org: Any
    interventions: tuple[Intervention, ...]
    individuals: tuple[Any, ...]
    plans: dict[str, tuple[Intervention, ...]]
    scale_by: str
    weeks: int
    integers: tuple[str, ...]
    outcomes: OutcomeSpec
    summaries: tuple[str, ...]
    outcome_columns: tuple[str, ...]
    key: str = ""
    """Names the sweep (a digest of its identity) for caches that outlive one context."""

    def execute(self, task: dict[str, Any]) -> tuple[dict[str, Any], pd.DataFrame | None]:
        """One run: the result row (status "ok" or "failed" with the error) and its series.

        A run that raises is recorded, never propagated: one bad point must not stop a sweep.
        """
        from experiments.runs import run_model

        values = {name: (int(round(value)) if name in self.integers else value)
                  for name, value in task["values"].items()}
        row = {key: task[key] for key in ("run_id", "point", "arm", "replication", "seed")}
        row.update(values)
        row.update(dict.fromkeys(self.outcome_columns, float("nan")))
        row.update(status="ok", error=None)
        plan, budget = values.pop("plan", None), values.pop("budget", None)
        try:
            params = make_params({**self.base, **values})
            schedule, cost = self.schedule(params, plan, budget, task["seed"])
            if plan is not None:
                row["plan_cost"] = cost
            result = run_model(params, task["seed"], org=self.org, interventions=schedule,
                               individuals=self.individuals, weeks=self.weeks)
        except Exception as error:  # recorded with the run, by design
            row.update(status="failed", error=f"{type(error).__name__}: {error}")
            return row, None
        row.update(self.select_outcomes(result.record, result.series))
        return row, self.long_series(task["run_id"], result.series)

    def schedule(self, params: Params, plan: str | None, budget: float | None,
                 seed: int) -> tuple[tuple[Intervention, ...], float]:
        """The scenario's interventions plus the plan's, scaled to the budget if one is set.

        Costs depend on the organization's structure (departments, levels, size), which
        follows from the parameters alone, so the answer is cached per parameter set.
        """
        chosen = self.plans.get(plan, ()) if plan is not None else ()
        if not chosen:
            return self.interventions, 0.0
        key = (self.key, params.model_dump_json(), plan, budget)
        if key not in _SCHEDULES:
            if len(_SCHEDULES) >= SCHEDULE_CACHE_SIZE:
                _SCHEDULES.pop(next(iter(_SCHEDULES)))
            _SCHEDULES[key] = self._scaled(params, chosen, plan, budget, seed)
        return _SCHEDULES[key]

    def _scaled(self, params: Params, chosen: tuple[Intervention, ...], plan: str,
                budget: float | None, seed: int) -> tuple[tuple[Intervention, ...], float]:
        from sim.budget import plan_cost, scale_to_budget
        from sim.organization import generate_organization

        # The model draws its organization first from this same seed: same structure.
        org = self.org if self.org is not None else generate_organization(
            params, np.random.default_rng(seed))
        if budget is not None:
            full = plan_cost(chosen, org, params, self.weeks)
            if full <= 0:
                raise ValueError(f"plan {plan!r} costs nothing, so it cannot be scaled to a "
                                 "budget: give its interventions a cost_per_participant_week")
            chosen = tuple(scale_to_budget(item, budget * _share(item, org, params, full,
                                                                 self.weeks),
                                           org, params, by=self.scale_by, horizon=self.weeks)
                           for item in chosen)
        return self.interventions + chosen, plan_cost(chosen, org, params, self.weeks)

    def select_outcomes(self, record: dict[str, Any], series: pd.DataFrame) -> dict[str, float]:
        """The outcome columns the spec asks for, as floats (NaN when an output is absent)."""
        outcomes = self.outcomes
        chosen: dict[str, float] = {}
        for name in outcomes.final:
            chosen[f"final_{name}"] = _float(record.get(f"final_{name}"))
        if outcomes.mean:
            first, last = outcomes.window or (1, self.weeks)
            inside = series[(series["week"] >= first) & (series["week"] <= last)]
            for name in outcomes.mean:
                chosen[f"mean_{name}"] = (float(inside[name].mean()) if name in inside
                                          else float("nan"))
        for name in self.summaries:
            chosen[name] = _float(record.get(name))
        return chosen

    def long_series(self, run_id: int, series: pd.DataFrame) -> pd.DataFrame:
        """The kept outputs week by week, long: run_id, week, outcome, value."""
        names = [name for name in self.outcomes.series if name in series]
        weeks = series["week"].to_numpy(dtype=np.int32)
        return pd.DataFrame({
            "run_id": np.full(len(weeks) * len(names), run_id, dtype=np.int64),
            "week": np.tile(weeks, len(names)),
            "outcome": np.repeat(np.array(names, dtype=object), len(weeks)),
            "value": np.concatenate([series[n].to_numpy(dtype=float) for n in names])
            if names else np.empty(0),
        })


SCHEDULE_CACHE_SIZE = 256
_SCHEDULES: dict[tuple[Any, ...], tuple[tuple[Intervention, ...], float]] = {}


def _share(item: Intervention, org: Any, params: Params, full: float, weeks: int) -> float:
    """The intervention's share of its plan's full cost: scaling keeps the plan's mix."""
    from sim.budget import intervention_cost

    return intervention_cost(item, org, params, weeks) / full


def _float(value: Any) -> float:
    return float("nan") if value is None else float(value)


# --- reading and validating a spec ----------------------------------------------------------

def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file; every problem names the file and the key."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SweepSpecError(f"{path}: cannot read it ({error})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SweepSpecError(f"{path}: not valid TOML ({error})") from None
    return parse_sweep(data, path=path, text=text)


def parse_sweep(data: dict[str, Any], *, path: Path | None = None, text: str = "") -> Sweep:
    """Validate a sweep given as a dict (a parsed TOML file); `path` anchors relative files."""
    where = str(path) if path is not None else "sweep"
    try:
        spec = SweepFile(**data)
    except ValidationError as error:
        raise SweepSpecError(describe_validation_error(error, where)) from None
    setup = _base_setup(spec, path, where)
    constants, ranges, lists = _parameters(spec, setup, where)
    lists += _levers(spec, setup, where)
    _check_design(spec, ranges, where)
    try:
        make_params({**setup.params.model_dump(), **constants})
    except ParamsError as error:
        raise SweepSpecError("\n".join(f"{where}: parameters.{line}"
                                       for line in str(error).splitlines())) from None
    _check_plans(spec, setup, where)
    summaries, columns = _outcome_columns(spec, setup, constants, where)
    _check_budgets(spec, setup, constants, where)
    digest = hashlib.sha256(setup.path.read_bytes()).hexdigest() if setup.path else ""
    return Sweep(spec=spec, path=path, setup=setup, constants=constants, ranges=ranges,
                 lists=lists, summaries=summaries, outcome_columns=columns,
                 scenario_digest=digest, text=text)


def _base_setup(spec: SweepFile, path: Path | None, where: str) -> RunSetup:
    scenario: str | Path = spec.scenario
    if path is not None and (path.parent / spec.scenario).is_file():
        scenario = path.parent / spec.scenario
    try:
        return load_run_setup(scenario)
    except ScenarioError as error:
        raise SweepSpecError(f"{where}: scenario: {error}") from None


def _parameters(spec: SweepFile, setup: RunSetup, where: str
                ) -> tuple[dict[str, Any], tuple[Factor, ...], tuple[Factor, ...]]:
    """Split [parameters] into constants, ranges and lists, checking each against Params."""
    constants: dict[str, Any] = {}
    ranges: list[Factor] = []
    lists: list[Factor] = []
    fields = Params.model_fields
    for name, given in spec.parameters.items():
        key = f"{where}: parameters.{name}"
        if name not in fields:
            close = difflib.get_close_matches(name, fields, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise SweepSpecError(f"{key}: unknown parameter{hint}")
        if name in NOT_SWEEPABLE:
            raise SweepSpecError(f"{key}: cannot be set in a sweep; {NOT_SWEEPABLE[name]}")
        if name in CHART_FIXED and setup.org is not None:
            raise SweepSpecError(f"{key}: the scenario uses an org chart, which fixes it")
        low, high = _allowed(name)
        integer = fields[name].annotation is int
        if isinstance(given, dict):
            ranges.append(_range(name, given, low, high, integer, spec.design.kind, key))
        elif isinstance(given, list):
            if not given:
                raise SweepSpecError(f"{key}: empty list; give at least one value")
            values = tuple(_value(v, low, high, integer, f"{key}[{i}]")
                           for i, v in enumerate(given))
            lists.append(Factor(name, values=values, integer=integer))
        else:
            constants[name] = _value(given, low, high, integer, key)
    return constants, tuple(ranges), tuple(lists)


def _allowed(name: str) -> tuple[float, float]:
    low, high = -np.inf, np.inf
    for item in Params.model_fields[name].metadata:
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    return low, high


def _value(value: Any, low: float, high: float, integer: bool, key: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SweepSpecError(f"{key}: expected a number, got {value!r}")
    if integer and value != int(value):
        raise SweepSpecError(f"{key}: expected a whole number, got {value!r}")
    if not low <= value <= high:
        raise SweepSpecError(f"{key}: {value!r} is outside the allowed range [{low}, {high}]")
    return int(value) if integer else float(value)


def _range(name: str, given: dict[str, Any], low: float, high: float, integer: bool,
           design: str, key: str) -> Factor:
    unknown = set(given) - {"low", "high", "steps"}
    if unknown:
        raise SweepSpecError(f"{key}.{sorted(unknown)[0]}: unknown key; a range has low, high "
                             "and (for a full_factorial design) steps")
    if "low" not in given or "high" not in given:
        missing = "low" if "low" not in given else "high"
        raise SweepSpecError(f"{key}: a range needs bounds: {missing} is missing")
    first = _value(given["low"], -np.inf, np.inf, False, f"{key}.low")
    last = _value(given["high"], -np.inf, np.inf, False, f"{key}.high")
    if first >= last:
        raise SweepSpecError(f"{key}: empty range: low {first:g} must be below high {last:g}"
                             " (give a single value for a constant)")
    if first < low or last > high:
        raise SweepSpecError(f"{key}: range [{first:g}, {last:g}] is outside the allowed range "
                             f"[{low:g}, {high:g}]")
    steps = given.get("steps")
    if design == "full_factorial":
        if steps is None:
            raise SweepSpecError(f"{key}: a full_factorial design needs `steps` for a range "
                                 "(or give a list of values)")
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
            raise SweepSpecError(f"{key}.steps: expected a whole number of at least 2, got "
                                 f"{steps!r}")
    elif steps is not None:
        raise SweepSpecError(f"{key}.steps: only a full_factorial design uses steps; a "
                             f"{design} design samples the range")
    return Factor(name, low=first, high=last, steps=steps, integer=integer)


def _levers(spec: SweepFile, setup: RunSetup, where: str) -> tuple[Factor, ...]:
    levers = spec.levers
    factors: list[Factor] = []
    for name in spec.plans:
        if name == NO_PLAN or name in setup.plans:
            raise SweepSpecError(f"{where}: plans.{name}: the name is taken (by the scenario "
                                 f"or by the empty plan {NO_PLAN!r}); choose another")
    if levers.plan is not None:
        plans = {**setup.plans, **spec.plans}
        for index, name in enumerate(levers.plan):
            if name != NO_PLAN and name not in plans:
                known = ", ".join([NO_PLAN, *plans])
                raise SweepSpecError(f"{where}: levers.plan[{index}]: no plan {name!r}; define "
                                     f"[plans.{name}] or use one of: {known}")
        if len(set(levers.plan)) != len(levers.plan):
            raise SweepSpecError(f"{where}: levers.plan: each plan may be listed once")
        factors.append(Factor("plan", values=levers.plan))
    if levers.budget is not None:
        if levers.plan is None:
            raise SweepSpecError(f"{where}: levers.budget: scaling to a budget needs plans to "
                                 "scale; add levers.plan")
        budgets = levers.budget if isinstance(levers.budget, tuple) else (levers.budget,)
        if not budgets:
            raise SweepSpecError(f"{where}: levers.budget: empty list")
        for index, value in enumerate(budgets):
            if value < 0:
                raise SweepSpecError(f"{where}: levers.budget[{index}]: must be at least 0, "
                                     f"got {value!r}")
        factors.append(Factor("budget", values=tuple(float(b) for b in budgets)))
    return tuple(factors)


def _check_design(spec: SweepFile, ranges: tuple[Factor, ...], where: str) -> None:
    design = spec.design
    key = f"{where}: design"
    if design.kind == "full_factorial":
        if design.samples is not None:
            raise SweepSpecError(f"{key}.samples: a full_factorial design takes no samples; "
                                 "its size follows from the lists and steps")
        return
    if not ranges:
        raise SweepSpecError(f"{key}.kind: a {design.kind} design samples ranges, but no "
                             "parameter has bounds; give at least one parameter as "
                             "{ low = ..., high = ... }")
    if design.samples is None:
        raise SweepSpecError(f"{key}.samples: a {design.kind} design needs `samples`")
    if design.kind == "sobol" and design.samples & (design.samples - 1):
        raise SweepSpecError(f"{key}.samples: a sobol design needs a power of 2 (got "
                             f"{design.samples})")
    if design.kind == "morris":
        if design.samples < 2:
            raise SweepSpecError(f"{key}.samples: a morris design needs at least 2 "
                                 "trajectories")
        if design.levels % 2:
            raise SweepSpecError(f"{key}.levels: a morris grid needs an even number of levels "
                                 f"(got {design.levels})")


def _check_plans(spec: SweepFile, setup: RunSetup, where: str) -> None:
    """Plans may name only departments the organization has."""
    org = setup.org
    names = (org.department_names if org is not None else
             tuple(d.name for d in setup.params.departments) + ("executive",))
    for plan_name, plan in spec.plans.items():
        for index, item in enumerate(plan):
            for department in item.coverage.departments or ():
                if department not in names:
                    raise SweepSpecError(
                        f"{where}: plans.{plan_name}.{index}.coverage."
                        f"departments: no department {department!r}; the organization has "
                        f"{', '.join(map(repr, names))}")


def _outcome_columns(spec: SweepFile, setup: RunSetup, constants: dict[str, Any],
                     where: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Check outcome names against a probe model's outputs.

    Returns the run summaries to keep and all outcome columns of a result row.
    """
    from experiments.runs import summarize
    from sim.model import OrgModel

    params = make_params({**setup.params.model_dump(), **constants})
    probe = OrgModel(params, org=setup.org, rng=0).outputs()
    outputs = [c for c in probe.columns if c != "week"]
    summaries = [k for k in summarize(probe) if not k.startswith("final_") and k != "weeks"]
    outcomes = spec.outcomes
    for group in ("final", "mean", "series"):
        for index, name in enumerate(getattr(outcomes, group)):
            if name not in outputs:
                close = difflib.get_close_matches(name, outputs, n=3)
                hint = f"did you mean {', '.join(close)}?" if close else (
                    f"outputs are {', '.join(outputs)}")
                raise SweepSpecError(f"{where}: outcomes.{group}[{index}]: no output {name!r}; "
                                     f"{hint}")
    for index, name in enumerate(outcomes.summary or ()):
        if name not in summaries:
            raise SweepSpecError(f"{where}: outcomes.summary[{index}]: no summary {name!r}; "
                                 f"summaries are {', '.join(summaries)}")
    weeks = spec.weeks if spec.weeks is not None else setup.params.horizon_weeks
    if outcomes.window is not None:
        first, last = outcomes.window
        if not 0 <= first <= last <= weeks:
            raise SweepSpecError(f"{where}: outcomes.window: weeks [{first}, {last}] must "
                                 f"satisfy 0 <= first <= last <= {weeks}")
    summary = outcomes.summary if outcomes.summary is not None else tuple(summaries)
    extra: tuple[str, ...] = ()
    if spec.levers.plan is not None:
        if "spend_total" not in summary:
            summary += ("spend_total",)  # the plan comparison needs what was spent
        extra = ("plan_cost",)
    columns = (tuple(f"final_{n}" for n in outcomes.final)
               + tuple(f"mean_{n}" for n in outcomes.mean) + summary + extra)
    return summary, columns


def _check_budgets(spec: SweepFile, setup: RunSetup, constants: dict[str, Any],
                   where: str) -> None:
    """Every plan must reach every budget in the base scenario (runs would all fail else)."""
    if spec.levers.budget is None:
        return
    from sim.budget import BudgetError
    from sim.organization import generate_organization

    params = make_params({**setup.params.model_dump(), **constants})
    org = setup.org if setup.org is not None else generate_organization(
        params, np.random.default_rng(0))
    weeks = spec.weeks if spec.weeks is not None else params.horizon_weeks
    plans = {**setup.plans, **spec.plans}
    context = RunContext(base={}, org=org, interventions=(), individuals=(), plans=plans,
                         scale_by=spec.levers.scale_by, weeks=weeks, integers=(),
                         outcomes=spec.outcomes, summaries=(), outcome_columns=())
    budgets = spec.levers.budget if isinstance(spec.levers.budget, tuple) else (
        spec.levers.budget,)
    for plan in spec.levers.plan or ():
        for budget in budgets:
            try:
                context.schedule(params, plan, budget, 0)
            except (BudgetError, ValueError) as error:
                raise SweepSpecError(f"{where}: levers.budget: plan {plan!r} at {budget:,.0f}: "
                                     f"{error}") from None
