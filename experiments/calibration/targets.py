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
    posterior = "DIR"              # optional: an earlier calibration (a folder, or a
                                   # built-in's name) whose parameters each simulation
                                   # draws, but for those [priors] fits again (staged)

Without a [priors] table the parameters of `DEFAULT_PRIORS` are fitted. Every mistake is
reported with the file and the key, as a `CalibrationError`: an unknown statistic, a
tolerance that is not positive, a value the statistic cannot take, NaN, a prior outside
the parameter's allowed range.

The file's tables are the models of `target_spec`; `target_checks` checks them against the
model and the organization.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from eachcustomer.experiments.calibration import CalibrationError
from eachcustomer.experiments.calibration import target_checks as checks
from eachcustomer.experiments.calibration.target_spec import Calibration, Prior, TargetsFile
from eachcustomer.experiments.loading import catalogue
from eachcustomer.experiments.loading.files import read_toml
from eachcustomer.sim.limits import DEFAULT_LIMITS, Limits
from eachcustomer.sim.params import describe_validation_error

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
    "lasting_share": Prior(low=0.0, high=0.6, source="CALIBRATION.md 1.3, 3.5"),
    "drift_rate": Prior(
        distribution="log_uniform", low=0.0005, high=0.01, source="CALIBRATION.md 1.9"
    ),
}
"""What is fitted when a targets file has no [priors] table (docs/CALIBRATION.md, Priors)."""


def load_targets(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Calibration:
    """Read and validate a targets file, or a built-in one by name (`published_targets`);
    every problem names the file and the key."""
    path = catalogue.resolve("targets", path, CalibrationError)
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
    catalogue.check_kind("targets", data, where, CalibrationError)
    try:
        spec = TargetsFile(**data)
    except ValidationError as error:
        raise CalibrationError(describe_validation_error(error, where)) from None
    setup = checks.scenario_setup(spec, path, where, limits)
    base = checks.fixed_values(spec, setup, where, limits)
    priors = spec.priors if spec.priors is not None else DEFAULT_PRIORS
    drawn_from = checks.earlier_calibration(spec, path, where)
    if drawn_from is not None:
        if spec.priors is None:  # the default priors, less what the earlier fit provides
            priors = {k: v for k, v in priors.items() if k not in drawn_from.parameters}
        else:  # the file's own priors are fitted again; the rest stay at the earlier posterior
            kept = tuple(name for name in drawn_from.parameters if name not in priors)
            drawn_from = replace(drawn_from, parameters=kept)
        checks.check_drawn(drawn_from, priors, spec, base, where)
    checks.check_priors(priors, spec, base, where)
    targets = tuple(
        checks.validated_target(key, entry, setup, where) for key, entry in spec.targets.items()
    )
    if not any(t.use == "fit" for t in targets):
        raise CalibrationError(f'{where}: targets: none has use = "fit"; ABC needs one to fit')
    return Calibration(spec, path, setup, base, dict(priors), targets, text, drawn_from)
