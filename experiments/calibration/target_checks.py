"""Checks of a targets file against the model and its organization: each names the key.

Used by `eachcustomer.experiments.calibration.targets.parse_targets` on the models of
`target_spec`; every function raises `CalibrationError` with `FILE: KEY: problem`.
"""

from __future__ import annotations

import difflib
import itertools
import math
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from eachcustomer.experiments.calibration import CalibrationError
from eachcustomer.experiments.calibration.lever_priors import LEVER_PRIORS
from eachcustomer.experiments.calibration.posterior import Posterior, load_posterior
from eachcustomer.experiments.calibration.statistics import STATISTICS, department_column
from eachcustomer.experiments.calibration.target_spec import (
    Calibration,
    Prior,
    Target,
    TargetEntry,
    TargetsFile,
)
from eachcustomer.experiments.loading.files import named_folder
from eachcustomer.experiments.loading.scenario_files import RunSetup
from eachcustomer.experiments.loading.sweep_checks import SweepSpecError, base_setup
from eachcustomer.sim.limits import Limits
from eachcustomer.sim.params import Params, describe_validation_error

FIXED_ELSEWHERE = {
    "departments": "set departments in the scenario file",
    "horizon_weeks": "the statistics fix the horizon (104 weeks)",
}


def earlier_calibration(spec: TargetsFile, path: Path | None, where: str) -> Posterior | None:
    if spec.posterior is None:
        return None
    folder: Path | str = named_folder(path, "posterior", spec.posterior, CalibrationError, where)
    if not Path(folder).exists() and "/" not in spec.posterior and "\\" not in spec.posterior:
        folder = spec.posterior  # a built-in posterior's name (`eachcustomer list posteriors`)
    try:
        return load_posterior(folder)
    except CalibrationError as error:
        raise CalibrationError(f"{where}: posterior: {error}") from None


def check_drawn(
    drawn_from: Posterior, priors: dict[str, Prior], spec: TargetsFile, base: dict, where: str
) -> None:
    """Drawn parameters are not fixed, and valid with the fixed ones (those the file fits
    again are no longer drawn: `parse_targets` takes them out)."""
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


def scenario_setup(spec: TargetsFile, path: Path | None, where: str, limits: Limits) -> RunSetup:
    try:
        return base_setup(spec, path, where, limits)
    except SweepSpecError as error:
        raise CalibrationError(str(error)) from None


def fixed_values(spec: TargetsFile, setup: RunSetup, where: str, limits: Limits) -> dict[str, Any]:
    """The scenario's parameters with the file's [parameters], validated."""
    for name in spec.parameters:
        key = f"{where}: parameters.{name}"
        if name not in Params.model_fields:
            raise CalibrationError(
                f"{key}: unknown parameter{did_you_mean(name, Params.model_fields)}"
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


def check_priors(
    priors: dict[str, Prior], spec: TargetsFile, base: dict[str, Any], where: str
) -> None:
    """Each prior: a real parameter, not fixed, inside its allowed range; all corners valid."""
    if not priors:
        raise CalibrationError(f"{where}: priors: empty; name at least one parameter to fit")
    for name, prior in priors.items():
        key = f"{where}: priors.{name}"
        if name in LEVER_PRIORS:
            low, high, _ = LEVER_PRIORS[name]
            if prior.low < low or prior.high > high:
                raise CalibrationError(
                    f"{key}: [{prior.low}, {prior.high}] goes outside the lever's range "
                    f"[{low}, {high}]"
                )
            continue
        field = Params.model_fields.get(name)
        if field is None:
            raise CalibrationError(
                f"{key}: unknown parameter{did_you_mean(name, Params.model_fields)}"
            )
        if field.annotation is not float or name in FIXED_ELSEWHERE:
            raise CalibrationError(f"{key}: only real-valued parameters can be fitted")
        if name in spec.parameters:
            raise CalibrationError(f"{key}: also fixed in [parameters]; fit it or fix it, not both")
        low, high = allowed_range(name)
        if prior.low < low or prior.high > high:
            raise CalibrationError(
                f"{key}: [{prior.low}, {prior.high}] goes outside the parameter's allowed "
                f"range [{low}, {high}]"
            )
    # Combinations (contagion_rate * negativity_bias <= 1) are checked at every corner of
    # the prior box: the constraints are monotone, so the corners are the worst cases.
    names = [name for name in priors if name not in LEVER_PRIORS]
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


def allowed_range(name: str) -> tuple[float, float]:
    low, high = -math.inf, math.inf
    for item in Params.model_fields[name].metadata:
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    return low, high


def did_you_mean(name: str, known: Any) -> str:
    close = difflib.get_close_matches(name, list(known), n=3)
    return f"; did you mean {', '.join(close)}?" if close else ""


def validated_target(key: str, entry: TargetEntry, setup: RunSetup, where: str) -> Target:
    """Check one target against its statistic and the organization."""
    at = f"{where}: targets.{key}"
    name = entry.statistic if entry.statistic is not None else key
    statistic = STATISTICS.get(name)
    if statistic is None:
        field = "statistic" if entry.statistic is not None else "(its key names the statistic)"
        raise CalibrationError(
            f"{at}: {field}: unknown statistic {name!r}{did_you_mean(name, STATISTICS)} "
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
        names = departments(setup)
        if entry.department not in names:
            raise CalibrationError(
                f"{at}.department: no department {entry.department!r} in the organization "
                f"({', '.join(names)})"
            )
    elif entry.department is not None:
        raise CalibrationError(f"{at}.department: {name} is not measured by department")
    if statistic.takes_week and entry.week is None:
        raise CalibrationError(f"{at}: {name} needs week = N (the survey wave's week, 1-104)")
    if not statistic.takes_week and entry.week is not None:
        raise CalibrationError(f"{at}.week: {name} is not measured at a week")
    low, high = entry.accepted_range
    if not low < entry.value < high:
        raise CalibrationError(
            f"{at}.accepted: [{low}, {high}] must contain the value {entry.value} strictly "
            "inside it"
        )
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
        week=entry.week,
    )


def departments(setup: RunSetup) -> tuple[str, ...]:
    if setup.org is not None:
        return tuple(setup.org.department_names)
    return tuple(d.name for d in setup.params.departments) + ("executive",)


def missing_outputs(calibration: Calibration, columns: tuple[str, ...]) -> list[str]:
    """One message per target whose statistic reads weekly outputs not among `columns`."""
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
