"""Fit the model to a firm's own files: a folder of files in, a fitted organization out.

    eachcustomer fit-firm FOLDER --out OUT

FOLDER holds the files of docs/FIRM_DATA.md: a scenario file whose [organization] names the
org chart (and the interventions the firm ran), the chart, `survey_results.csv` (with a
`week` column dating each wave), `customer_metrics.csv` and `turnover.csv`. OUT becomes a
fitted organization: the scenario and chart (`scenario.toml`), the targets derived from
the files (`targets.toml`), and the calibration (`posterior/`), which `eachcustomer run
OUT/scenario.toml --posterior OUT/posterior`, `sweep` and `plan` accept.

Only what the files can inform is fitted (`FIRM_PRIORS`): the level of attitudes from the
survey scores (`disposition_mean`), their drift from two or more dated waves
(`drift_rate`), staff turnover (`turnover_rate`) and customer loss (`base_churn`). Every
other parameter is drawn from the published posterior in each simulation (a staged
calibration). The fit targets are the whole firm's turnover and customer loss and the
survey scores of departments with at least `MIN_FIT_RESPONDENTS` respondents; the smaller
departments and each department's turnover are checks: the predictive check shows them
department by department. Complaints, customer ratings and the net promoter score are left
out: the model has no statistic observed as the firm observes them yet.

A figure's tolerance (`widen`) is `z sqrt(1 + 1/R)` times the larger of its sampling error
in the file and the model's run-to-run spread of the same figure (measured on
`SPREAD_RUNS` observed runs at the middle of the priors): a firm's figures are one history
of the firm as well as one survey, and the model's are a mean of R runs of its own.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eachcustomer.experiments.calibration import CalibrationError
from eachcustomer.experiments.calibration.target_spec import Calibration, Prior
from eachcustomer.experiments.firmdata.derive import Z, derive_targets, targets_toml
from eachcustomer.experiments.firmdata.files import (
    load_customer_metrics,
    load_survey_results,
    load_turnover,
)

FIRM_PRIORS: dict[str, tuple[str, Prior]] = {
    "department_survey_score": ("disposition_mean", Prior(low=-0.6, high=0.6)),
    "observed_staff_turnover": (
        "turnover_rate",
        Prior(distribution="log_uniform", low=0.0005, high=0.02),
    ),
    "observed_customer_loss": (
        "base_churn",
        Prior(distribution="log_uniform", low=0.0005, high=0.01),
    ),
}
"""The parameter a fit statistic informs, and its prior (wide: the firm's data decide)."""
DRIFT_PRIOR = Prior(distribution="log_uniform", low=0.0005, high=0.01)
"""`drift_rate`, fitted when survey scores of two or more waves are fit targets."""
MIN_FIT_RESPONDENTS = 20
LEFT_OUT = ("complaints_per_customer_year", "mean_satisfaction", "net_promoter_score")
POSTERIOR = "published_units"
"""The published posterior the other parameters are drawn from."""
SPREAD_RUNS = 8
FILES = ("survey_results.csv", "customer_metrics.csv", "turnover.csv")


def choose(targets: pd.DataFrame) -> pd.DataFrame:
    """The derived targets with a `use` column: fit, check; the left-out rows dropped."""
    table = targets[~targets["statistic"].isin(LEFT_OUT)].copy()
    whole_firm = table["statistic"].isin(["observed_staff_turnover", "observed_customer_loss"])
    surveyed = (table["statistic"] == "department_survey_score") & (
        table["n"] >= MIN_FIT_RESPONDENTS
    )
    table["use"] = np.where(whole_firm | surveyed, "fit", "check")
    return table.reset_index(drop=True)


def priors_for(table: pd.DataFrame) -> dict[str, Prior]:
    """The priors of the parameters the fit targets inform."""
    fitted = table[table["use"] == "fit"]
    priors = dict(FIRM_PRIORS[s] for s in fitted["statistic"].unique() if s in FIRM_PRIORS)
    waves = fitted.loc[fitted["statistic"] == "department_survey_score", "week"].nunique()
    if waves >= 2:
        priors["drift_rate"] = DRIFT_PRIOR
    return priors


def header(priors: dict[str, Prior], abc: dict[str, Any], posterior: str | None) -> tuple:
    """The targets file's lines before its targets: posterior, [priors], [abc]."""
    lines = [f'posterior = "{posterior}"'] if posterior else []
    for name, prior in priors.items():
        lines += ["", f"[priors.{name}]", f'distribution = "{prior.distribution}"']
        lines += [f"low = {prior.low!r}", f"high = {prior.high!r}"]
    lines += ["", "[abc]", *(f"{k} = {v!r}" for k, v in abc.items())]
    return tuple(lines)


def spread(calibration: Calibration, runs: int = SPREAD_RUNS) -> dict[str, float]:
    """Each target's SD over single observed runs at the middle of the priors."""
    from eachcustomer.experiments.calibration.budget import simulator_for
    from eachcustomer.experiments.calibration.simulate import measure_at

    middle = {name: prior.from_sampler(0.0) for name, prior in calibration.priors.items()}
    simulator = simulator_for(calibration, calibration.targets, "spread")
    single = replace(
        simulator,
        requests=tuple(replace(r, replications=1) for r in simulator.requests),
        drawn_from=None,
    )
    values = pd.DataFrame(
        [measure_at(replace(single, stream=f"spread:{k}"), middle) for k in range(runs)]
    )
    return {t.key: float(values[t.key].std(ddof=1)) for t in calibration.targets}


def widen(table: pd.DataFrame, spreads: dict[str, float], replications: int) -> pd.DataFrame:
    """Tolerances of `z sqrt(1 + 1/R) max(sampling error, run-to-run spread)`."""
    widened = table.copy()
    factor = Z * math.sqrt(1.0 + 1.0 / replications)
    for index, row in widened.iterrows():
        run = spreads.get(row["key"], 0.0)
        widened.loc[index, "tolerance"] = factor * max(row["standard_error"], run)
    return widened


def firm_table(folder: Path, scenario: Path) -> pd.DataFrame:
    """The targets derived from the folder's files, with the fit and check targets chosen."""
    from eachcustomer.experiments.loading.scenario_files import load_scenario

    org = load_scenario(scenario).org
    names = org.department_names if org is not None else None
    present = [name for name in FILES if (folder / name).is_file()]
    if not present:
        raise CalibrationError(f"{folder}: none of {', '.join(FILES)}; nothing to fit")
    loaders = {
        "survey_results.csv": lambda p: load_survey_results(p, names),
        "customer_metrics.csv": load_customer_metrics,
        "turnover.csv": lambda p: load_turnover(p, names),
    }
    tables = {name: loaders[name](folder / name) for name in present}
    derived = derive_targets(
        tables.get("survey_results.csv"),
        tables.get("customer_metrics.csv"),
        tables.get("turnover.csv"),
    )
    return choose(derived)


def scenario_of(folder: Path) -> Path:
    """The folder's scenario file: the one TOML file with an [organization] table."""
    if not folder.is_dir():
        raise CalibrationError(
            f"{folder}: no such folder (a folder of the firm's files, docs/FIRM_DATA.md)"
        )
    found = [p for p in sorted(folder.glob("*.toml")) if "[organization]" in p.read_text("utf-8")]
    if len(found) != 1:
        raise CalibrationError(
            f"{folder}: needs exactly one scenario file with an [organization] table naming "
            f"the org chart; found {', '.join(p.name for p in found) or 'none'}"
        )
    return found[0]


def prepare(folder: Path, out: Path, abc: dict[str, Any], seed: int = 1) -> Calibration:
    """Copy the firm's files into `out` and write its targets file, tolerances widened."""
    from eachcustomer.experiments.calibration.targets import load_targets

    scenario = scenario_of(folder)
    table = firm_table(folder, scenario)
    priors = priors_for(table)
    if not priors:
        raise CalibrationError(f"{folder}: no figure the model can be fitted to")
    out.mkdir(parents=True, exist_ok=True)
    for path in folder.glob("*.csv"):
        shutil.copyfile(path, out / path.name)
    shutil.copyfile(scenario, out / "scenario.toml")
    title = f"{folder.name}: fitted to its own files"
    lines = header(priors, abc, POSTERIOR)

    def write(targets: pd.DataFrame) -> Calibration:
        text = targets_toml(targets, title=title, scenario="scenario.toml", seed=seed, header=lines)
        (out / "targets.toml").write_text(text, encoding="utf-8")
        return load_targets(out / "targets.toml")

    first = write(table)
    replications = max(t.replications for t in first.fitted)
    return write(widen(table, spread(first), replications))
