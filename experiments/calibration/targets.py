"""The targets file: what to fit, to which figures, with which priors; validated.

A targets file is TOML (annotated example: experiments/specs/published_targets.toml):

    title = "..."
    scenario = "baseline"          # the organization: a built-in scenario or a file
    seed = 2025                    # the calibration's master seed
    [parameters]                   # fixed values on top of the scenario's
    [priors.NAME]                  # a parameter to fit: distribution, low, high
    [targets.KEY]                  # statistic (default KEY), value, tolerance or accepted,
                                   # source, use = "fit" | "check", replications, department
    [abc]                          # population_size, populations, min_epsilon, ...
    posterior = "DIR"              # optional: an earlier calibration whose parameters
                                   # each simulation draws (a staged calibration)

Without a [priors] table the parameters of `DEFAULT_PRIORS` are fitted. Every mistake is
reported with the file and the key, as a `CalibrationError`: an unknown statistic, a
tolerance that is not positive, a value the statistic cannot take, NaN, a prior outside
the parameter's allowed range.
"""

from __future__ import annotations

import difflib
import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from experiments.calibration import CalibrationError
from experiments.calibration.posterior import Posterior, load_posterior
from experiments.calibration.simulate import Request
from experiments.calibration.statistics import STATISTICS, UNIT_EMPLOYEES, Statistic
from experiments.files import named_folder, read_toml
from experiments.scenario_files import RunSetup
from sim.limits import DEFAULT_LIMITS, Limits
from sim.params import Params, describe_validation_error

FIXED_ELSEWHERE = {
    "departments": "set departments in the scenario file",
    "horizon_weeks": "the statistics fix the horizon (104 weeks)",
}


class Prior(BaseModel):
    """A parameter to fit and what is believed about it before the targets."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    distribution: Literal["uniform", "log_uniform"] = "uniform"
    low: float
    high: float
    source: str = ""

    @model_validator(mode="after")
    def _check(self) -> Prior:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.distribution == "log_uniform" and self.low <= 0:
            raise ValueError(f"a log_uniform prior needs low > 0 (got {self.low})")
        return self

    def to_unit(self, value: float) -> float:
        """The value in the coordinates the sampler works in (log10 for log-uniform)."""
        return math.log10(value) if self.distribution == "log_uniform" else value

    def from_unit(self, value: float) -> float:
        """Back from the sampler's coordinates to the parameter's own."""
        return 10.0**value if self.distribution == "log_uniform" else value

    @property
    def bounds(self) -> tuple[float, float]:
        """The prior's support in the sampler's coordinates."""
        return self.to_unit(self.low), self.to_unit(self.high)


DEFAULT_PRIORS: dict[str, Prior] = {
    "disposition_pull": Prior(
        distribution="log_uniform", low=0.003, high=0.1, source="CALIBRATION.md 1.3"
    ),
    "negativity_bias": Prior(
        distribution="log_uniform", low=1.3, high=5.0, source="CALIBRATION.md 1.7"
    ),
    "loss_on_very_bad": Prior(low=0.0, high=1.0, source="CALIBRATION.md 1.5"),
    "very_bad_quality": Prior(low=-0.8, high=0.0, source="CALIBRATION.md 1.5"),
    "base_churn": Prior(
        distribution="log_uniform", low=0.0005, high=0.01, source="CALIBRATION.md 1.6"
    ),
    "dissatisfied_churn": Prior(
        distribution="log_uniform", low=0.001, high=0.05, source="CALIBRATION.md 1.6"
    ),
    "unhappy_voice": Prior(low=1.5, high=3.0, source="CALIBRATION.md 1.4"),
    "lost_voice": Prior(low=1.5, high=4.0, source="CALIBRATION.md 1.4"),
}
"""What is fitted when a targets file has no [priors] table (docs/CALIBRATION.md, Priors)."""


class TargetEntry(BaseModel):
    """One [targets.KEY] table."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    statistic: str | None = Field(None, description="the statistic; the key when omitted")
    value: float = Field(description="the observed or published value")
    tolerance: float | None = Field(None, gt=0, description="accepted range: value +- this")
    accepted: tuple[float, float] | None = Field(None, description="accepted range [low, high]")
    source: str = ""
    use: Literal["fit", "check"] = "fit"
    replications: int | None = Field(None, ge=1, le=100_000)
    department: str | None = None

    @model_validator(mode="after")
    def _one_range(self) -> TargetEntry:
        if (self.tolerance is None) == (self.accepted is None):
            raise ValueError("give either tolerance (value +- tolerance) or accepted = [low, high]")
        if self.accepted is not None:
            low, high = self.accepted
            if not low < self.value < high:
                raise ValueError(
                    f"accepted = [{low}, {high}] must contain the value {self.value} strictly "
                    "inside it"
                )
        return self

    @property
    def accepted_range(self) -> tuple[float, float]:
        """The accepted range [low, high]."""
        if self.accepted is not None:
            return self.accepted
        assert self.tolerance is not None
        return self.value - self.tolerance, self.value + self.tolerance


class AbcSettings(BaseModel):
    """The [abc] table: how long and how wide ABC-SMC searches."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    population_size: int = Field(300, ge=5, le=100_000, description="particles per population")
    populations: int = Field(8, ge=1, le=100, description="most populations (generations)")
    min_epsilon: float = Field(
        1.0, ge=0, description="stop once every particle is this close (1 = inside every range)"
    )
    min_acceptance_rate: float = Field(0.01, ge=0, le=1, description="stop below this rate")
    max_minutes: float | None = Field(None, gt=0, description="stop starting populations after")
    check_draws: int = Field(
        20, ge=0, le=10_000, description="posterior draws the check targets are measured at"
    )
    unit_employees: int = Field(
        UNIT_EMPLOYEES, ge=2, le=10_000, description="head count of the small organizations"
    )


class TargetsFile(BaseModel):
    """A whole targets file, structurally validated."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    title: str = Field(min_length=1)
    description: str = ""
    scenario: str = "baseline"
    seed: int = Field(ge=0, description="master seed")
    parameters: dict[str, Any] = Field(default_factory=dict)
    priors: dict[str, Prior] | None = None
    targets: dict[str, TargetEntry] = Field(min_length=1)
    abc: AbcSettings = Field(default_factory=AbcSettings)
    posterior: str | None = Field(
        None,
        description="an earlier calibration folder, relative to this file: every simulation "
        "draws its parameters from that posterior (a staged calibration)",
    )


@dataclass(frozen=True)
class Target:
    """A validated target: its statistic, value, accepted range and use."""

    key: str
    statistic: Statistic
    value: float
    low: float
    high: float
    source: str
    use: str
    replications: int
    department: str | None

    def scaled_deviation(self, model_value: float) -> float:
        """(model - target) / the distance from the target to the range's edge on that side.

        Inside the accepted range exactly when its absolute value is at most 1.
        """
        deviation = model_value - self.value
        return deviation / ((self.high - self.value) if deviation > 0 else (self.value - self.low))

    def request(self) -> Request:
        """What the simulator measures for this target."""
        return Request(self.key, self.statistic.name, self.replications, self.department)


@dataclass(frozen=True)
class Calibration:
    """A validated targets file: the organization, fixed values, priors, targets, settings."""

    spec: TargetsFile
    path: Path | None
    setup: RunSetup
    base: dict[str, Any]
    priors: dict[str, Prior]
    targets: tuple[Target, ...]
    text: str = ""
    drawn_from: Posterior | None = None
    """An earlier calibration whose parameters every simulation draws, or None."""

    @property
    def fitted(self) -> tuple[Target, ...]:
        """The targets ABC fits."""
        return tuple(t for t in self.targets if t.use == "fit")

    @property
    def checked(self) -> tuple[Target, ...]:
        """The targets only measured, at posterior draws, after the fit."""
        return tuple(t for t in self.targets if t.use == "check")


def load_targets(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Calibration:
    """Read and validate a targets file; every problem names the file and the key."""
    path = Path(path)
    data, text = read_toml(path, CalibrationError)
    return parse_targets(data, path=path, text=text, limits=limits)


def parse_targets(
    data: dict[str, Any],
    *,
    path: Path | None = None,
    text: str = "",
    limits: Limits = DEFAULT_LIMITS,
) -> Calibration:
    """Validate a targets file given as a dict (parsed TOML); `path` anchors relative files."""
    where = str(path) if path is not None else "targets"
    try:
        spec = TargetsFile(**data)
    except ValidationError as error:
        raise CalibrationError(describe_validation_error(error, where)) from None
    setup = _scenario(spec, path, where, limits)
    base = _base(spec, setup, where, limits)
    priors = spec.priors if spec.priors is not None else DEFAULT_PRIORS
    drawn_from = _earlier_calibration(spec, path, where)
    if drawn_from is not None:
        if spec.priors is None:  # the default priors, less what the earlier fit provides
            priors = {k: v for k, v in priors.items() if k not in drawn_from.parameters}
        _check_drawn(drawn_from, priors, spec, base, where)
    _check_priors(priors, spec, base, where)
    targets = tuple(_target(key, entry, setup, where) for key, entry in spec.targets.items())
    if not any(t.use == "fit" for t in targets):
        raise CalibrationError(f'{where}: targets: none has use = "fit"; ABC needs one to fit')
    return Calibration(spec, path, setup, base, dict(priors), targets, text, drawn_from)


def _earlier_calibration(spec: TargetsFile, path: Path | None, where: str) -> Posterior | None:
    if spec.posterior is None:
        return None
    folder = named_folder(path, "posterior", spec.posterior, CalibrationError, where)
    try:
        return load_posterior(folder)
    except CalibrationError as error:
        raise CalibrationError(f"{where}: posterior: {error}") from None


def _check_drawn(
    drawn_from: Posterior, priors: dict[str, Prior], spec: TargetsFile, base: dict, where: str
) -> None:
    """Drawn parameters are neither fitted again nor fixed, and valid with the fixed ones."""
    for name in drawn_from.parameters:
        for table, names in (("priors", priors), ("parameters", spec.parameters)):
            if name in names:
                raise CalibrationError(
                    f"{where}: {table}.{name}: drawn from the posterior in "
                    f"{drawn_from.folder}; remove it here (or from that calibration)"
                )
    for row in drawn_from.table[list(drawn_from.parameters)].drop_duplicates().to_dict("records"):
        try:
            Params(**{**base, **row})
        except ValidationError as error:
            raise CalibrationError(
                f"{where}: posterior: a parameter set in {drawn_from.folder} is not valid with "
                f"this file's parameters: {error.errors()[0]['msg']}"
            ) from None


def _scenario(spec: TargetsFile, path: Path | None, where: str, limits: Limits) -> RunSetup:
    from experiments.sweep_checks import SweepSpecError, base_setup

    try:
        return base_setup(spec, path, where, limits)
    except SweepSpecError as error:
        raise CalibrationError(str(error)) from None


def _base(spec: TargetsFile, setup: RunSetup, where: str, limits: Limits) -> dict[str, Any]:
    """The scenario's parameters with the file's [parameters], validated."""
    for name in spec.parameters:
        key = f"{where}: parameters.{name}"
        if name not in Params.model_fields:
            raise CalibrationError(
                f"{key}: unknown parameter{_did_you_mean(name, Params.model_fields)}"
            )
        if name in FIXED_ELSEWHERE:
            raise CalibrationError(f"{key}: cannot be set here; {FIXED_ELSEWHERE[name]}")
        if name in ("n_employees", "span_of_control") and setup.org is not None:
            raise CalibrationError(f"{key}: the scenario uses an org chart, which fixes it")
    base = {**setup.params.model_dump(), **spec.parameters}
    try:
        params = Params(**base)
    except ValidationError as error:
        raise CalibrationError(describe_validation_error(error, where, "parameters.")) from None
    if setup.org is None:
        limits.check_run(
            params.n_employees, params.customers_per_employee, f"{where}: n_employees", where
        )
    return params.model_dump()


def _check_priors(
    priors: dict[str, Prior], spec: TargetsFile, base: dict[str, Any], where: str
) -> None:
    """Each prior: a real parameter, not fixed, inside its allowed range; all corners valid."""
    if not priors:
        raise CalibrationError(f"{where}: priors: empty; name at least one parameter to fit")
    for name, prior in priors.items():
        key = f"{where}: priors.{name}"
        field = Params.model_fields.get(name)
        if field is None:
            raise CalibrationError(
                f"{key}: unknown parameter{_did_you_mean(name, Params.model_fields)}"
            )
        if field.annotation is not float or name in FIXED_ELSEWHERE:
            raise CalibrationError(f"{key}: only real-valued parameters can be fitted")
        if name in spec.parameters:
            raise CalibrationError(f"{key}: also fixed in [parameters]; fit it or fix it, not both")
        low, high = _allowed(name)
        if prior.low < low or prior.high > high:
            raise CalibrationError(
                f"{key}: [{prior.low}, {prior.high}] goes outside the parameter's allowed "
                f"range [{low}, {high}]"
            )
    # Combinations (contagion_rate * negativity_bias <= 1) are checked at every corner of
    # the prior box: the constraints are monotone, so the corners are the worst cases.
    names = list(priors)
    for corner in itertools.islice(
        itertools.product(*((priors[n].low, priors[n].high) for n in names)), 4096
    ):
        try:
            Params(**{**base, **dict(zip(names, corner, strict=True))})
        except ValidationError as error:
            problem = error.errors()[0]["msg"].removeprefix("Value error, ")
            raise CalibrationError(
                f"{where}: priors: some values they allow are not valid together: {problem}"
            ) from None


def _allowed(name: str) -> tuple[float, float]:
    low, high = -math.inf, math.inf
    for item in Params.model_fields[name].metadata:
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    return low, high


def _did_you_mean(name: str, known: Any) -> str:
    close = difflib.get_close_matches(name, list(known), n=3)
    return f"; did you mean {', '.join(close)}?" if close else ""


def _target(key: str, entry: TargetEntry, setup: RunSetup, where: str) -> Target:
    """Check one target against its statistic and the organization."""
    at = f"{where}: targets.{key}"
    name = entry.statistic if entry.statistic is not None else key
    statistic = STATISTICS.get(name)
    if statistic is None:
        field = "statistic" if entry.statistic is not None else "(its key names the statistic)"
        raise CalibrationError(
            f"{at}: {field}: unknown statistic {name!r}{_did_you_mean(name, STATISTICS)} "
            f"(statistics: {', '.join(STATISTICS)})"
        )
    if not statistic.low <= entry.value <= statistic.high:
        raise CalibrationError(
            f"{at}.value: {entry.value} is impossible for {name} ({statistic.meaning}), whose "
            f"values lie in [{statistic.low:g}, {statistic.high:g}]"
        )
    if statistic.takes_department:
        if entry.department is None:
            raise CalibrationError(f'{at}: {name} needs department = "NAME"')
        names = _departments(setup)
        if entry.department not in names:
            raise CalibrationError(
                f"{at}.department: no department {entry.department!r} in the organization "
                f"({', '.join(names)})"
            )
    elif entry.department is not None:
        raise CalibrationError(f"{at}.department: {name} is not measured by department")
    low, high = entry.accepted_range
    return Target(
        key=key,
        statistic=statistic,
        value=entry.value,
        low=low,
        high=high,
        source=entry.source,
        use=entry.use,
        replications=entry.replications or statistic.replications,
        department=entry.department,
    )


def _departments(setup: RunSetup) -> tuple[str, ...]:
    if setup.org is not None:
        return tuple(setup.org.department_names)
    return tuple(d.name for d in setup.params.departments) + ("executive",)


def missing_outputs(calibration: Calibration, columns: tuple[str, ...]) -> list[str]:
    """One message per target whose statistic reads weekly outputs not among `columns`."""
    from experiments.calibration.statistics import department_column

    problems = []
    where = str(calibration.path) if calibration.path is not None else "targets"
    for target in calibration.targets:
        needed = list(target.statistic.outputs)
        if target.department is not None:
            needed.append(department_column(target.department))
        absent = [name for name in needed if name not in columns]
        if absent:
            problems.append(
                f"{where}: targets.{target.key}: {target.statistic.name} needs the weekly "
                f"outputs {', '.join(absent)}, which this version of the model does not record"
            )
    return problems
