"""Whether a calibration's last population is a usable posterior, and how well it predicts.

ABC-SMC always ends with a population, but not always with a posterior worth the name. Two
failures are common on a laptop's budget: the weights collapse onto a few particles (an
effective sample size of 1.25 out of 60 is one parameter set, its "intervals" meaningless),
or the search stops (populations, time, acceptance) before epsilon reaches 1, so some
accepted parameter sets miss some target's accepted range. `judge` decides the label from
the per-population diagnostics, one rule for the summary, the manifest and the command
line: a usable posterior needs

- a final effective sample size (Kish) of at least `ESS_SHARE` of the population, and
- a final epsilon of at most `TARGET_EPSILON` (every accepted particle inside every fit
  target's accepted range, docs/CALIBRATION.md 4.3).

`predictive_check` is the posterior predictive check: each target's observed value against
the fitted model's 5-95% range over posterior draws (new runs, not the fit's own).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from eachcustomer.experiments.calibration.target_spec import Target

ESS_SHARE = 0.25
"""Smallest usable final effective sample size, as a share of the population size."""
TARGET_EPSILON = 1.0
"""Epsilon at which every accepted particle meets every fit target's accepted range."""
USABLE = "posterior"
NOT_USABLE = "not a usable posterior"
WARNING_FILE = "NOT_A_USABLE_POSTERIOR.txt"
"""Written into a calibration folder whose last population is not a usable posterior."""


@dataclass(frozen=True)
class Verdict:
    """The label of a calibration's last population and the figures it rests on."""

    label: str
    reasons: list[str] = field(default_factory=list)
    effective_sample_size: float = math.nan
    population_size: int = 0
    acceptance_rate: float = math.nan
    final_epsilon: float = math.nan
    ess_share_required: float = ESS_SHARE
    target_epsilon: float = TARGET_EPSILON

    @property
    def usable(self) -> bool:
        """Whether the last population may be called a posterior."""
        return self.label == USABLE

    def warning(self) -> str:
        """One paragraph for a summary or a terminal; empty when usable."""
        if self.usable:
            return ""
        return (
            "WARNING: this is not a usable posterior: "
            + "; ".join(self.reasons)
            + ". Its intervals do not describe the uncertainty; run longer (more "
            "populations, a larger population or more minutes) or fit fewer parameters."
        )

    def as_dict(self) -> dict[str, Any]:
        """For the manifest."""
        return {**asdict(self), "usable": self.usable}


def judge(per_population: pd.DataFrame) -> Verdict:
    """The verdict on the last row of `diagnostics.csv`'s table (one row per population)."""
    if not len(per_population):
        return Verdict(NOT_USABLE, ["no population was accepted"])
    last = per_population.iloc[-1]
    size = int(last["particles"])
    ess = float(last["effective_sample_size"])
    epsilon = float(last["epsilon"])
    reasons = []
    if not ess >= ESS_SHARE * size:
        reasons.append(
            f"the effective sample size fell to {ess:.3g} of {size} particles, below "
            f"{ESS_SHARE:g} x {size} = {ESS_SHARE * size:.3g}"
        )
    if not epsilon <= TARGET_EPSILON:
        reasons.append(
            f"the final epsilon {epsilon:.3g} did not reach {TARGET_EPSILON:g}: some accepted "
            "parameter sets miss a target's accepted range"
        )
    return Verdict(
        NOT_USABLE if reasons else USABLE,
        reasons,
        ess,
        size,
        float(last["acceptance_rate"]),
        epsilon,
    )


def verdict_of(manifest: dict[str, Any], per_population: pd.DataFrame) -> Verdict:
    """A folder's verdict: its manifest's, or judged from diagnostics.csv for folders
    written before the manifest recorded one."""
    recorded = manifest.get("verdict")
    if recorded is None:
        return judge(per_population)
    known = {k: v for k, v in recorded.items() if k in Verdict.__dataclass_fields__}
    return Verdict(**known)


def folder_warning(folder: Any) -> str:
    """The warning of a calibration folder whose posterior is not usable; "" if it is, or
    if the folder does not say (a built-in name, a folder without diagnostics.csv)."""
    from pathlib import Path

    from eachcustomer.experiments.calibration.posterior import read_manifest

    path = Path(folder)
    if not (path / "diagnostics.csv").is_file():
        return ""
    try:
        verdict = verdict_of(read_manifest(path), pd.read_csv(path / "diagnostics.csv"))
    except (ValueError, KeyError, OSError):
        return ""
    return f"{path}: {verdict.warning()}" if not verdict.usable else ""


def predictive_check(targets: tuple[Target, ...], checks: pd.DataFrame) -> pd.DataFrame:
    """Per target: observed value against the model's 5%, 50% and 95% at posterior draws.

    `inside` says whether the observed value lies within the model's 5-95% range; about one
    target in ten falls outside by chance alone when the model fits.
    """
    after = checks[checks["draw"] >= 0]
    rows = []
    for target in targets:
        values = after[target.key].to_numpy(dtype=float) if len(after) else np.empty(0)
        values = values[~np.isnan(values)]
        q05, q50, q95 = np.quantile(values, [0.05, 0.5, 0.95]) if len(values) else (math.nan,) * 3
        rows.append(
            {
                "target": target.key,
                "department": target.department or "",
                "use": target.use,
                "observed": target.value,
                "model_q05": float(q05),
                "model_median": float(q50),
                "model_q95": float(q95),
                "draws": len(values),
                "inside": bool(len(values) and q05 <= target.value <= q95),
            }
        )
    return pd.DataFrame(rows)
