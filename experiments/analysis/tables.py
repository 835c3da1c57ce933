"""Analysis of a sweep's results, as functions returning DataFrames (for notebooks and reports).

Every function takes a results folder (or `Results` loaded once with `load_results`):

- `outcome_means`: each outcome's mean with a confidence interval per value of each factor
  (a range sampled by LHS/Sobol/Morris is cut into quantile bins), over everything else;
- `sobol_indices` / `morris_indices` (SALib) when the design is Sobol or Morris, per arm
  (combination of lists and levers), on the mean over replications at each point;
- `series_means`: an outcome's weekly mean with a confidence band, per group.

Confidence intervals are the t intervals of `eachcustomer.experiments.analysis.statistics`. Plans
are compared, paired by seed, in `eachcustomer.experiments.analysis.plan_effects` (against doing
nothing, per budget and per level of each factor), and two plans over the swept factors (the
decision map, the break-even, PRIM's regions) in `eachcustomer.experiments.analysis.decisions` and
`eachcustomer.experiments.analysis.discovery`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eachcustomer.experiments.analysis.statistics import t_interval
from eachcustomer.experiments.running.store import (
    read_design,
    read_manifest,
    read_runs,
    read_series,
)

MAX_LEVELS = 12
"""A factor with more distinct values than this is cut into quantile bins."""


class AnalysisError(ValueError):
    """An analysis the sweep's design or results cannot support; the message says why."""


@dataclass(frozen=True)
class Results:
    """A sweep's results folder, loaded: manifest, planned runs, finished runs."""

    folder: Path
    manifest: dict[str, Any]
    design: pd.DataFrame
    runs: pd.DataFrame

    @property
    def ok(self) -> pd.DataFrame:
        """The runs that finished without error."""
        return self.runs[self.runs["status"] == "ok"]

    @property
    def ranges(self) -> list[str]:
        return [r["name"] for r in self.manifest["ranges"]]

    @property
    def lists(self) -> list[str]:
        return [item["name"] for item in self.manifest["lists"]]

    @property
    def factors(self) -> list[str]:
        return self.ranges + self.lists

    @property
    def outcomes(self) -> list[str]:
        return list(self.manifest["outcomes"])

    @property
    def asked_outcomes(self) -> list[str]:
        """The outcomes the spec asked for, in its order: its final, mean and summary
        outcomes, without the costs a plan lever adds on its own (all summaries when the
        spec names none)."""
        spec = self.manifest.get("identity", {}).get("spec", {}).get("outcomes")
        if not spec:
            return [name for name in self.outcomes if name != "plan_cost"]
        asked = [f"final_{name}" for name in spec.get("final", ())]
        asked += [f"mean_{name}" for name in spec.get("mean", ())]
        summary = spec.get("summary")
        if summary is None:
            summary = [name for name in self.outcomes if name not in asked and name != "plan_cost"]
        return [name for name in asked + list(summary) if name in self.outcomes]


def load_results(folder: str | Path | Results) -> Results:
    """Read a results folder (the runs finished so far)."""
    if isinstance(folder, Results):
        return folder
    folder = Path(folder)
    return Results(folder, read_manifest(folder), read_design(folder), read_runs(folder))


def _outcomes(results: Results, outcomes: list[str] | None) -> list[str]:
    chosen = results.outcomes if outcomes is None else list(outcomes)
    unknown = [name for name in chosen if name not in results.outcomes]
    if unknown:
        raise AnalysisError(
            f"no outcome {unknown[0]!r}; outcomes are {', '.join(results.outcomes)}"
        )
    return chosen


def factor_levels(results: Results, factor: str, bins: int) -> tuple[pd.Series, list[str]]:
    """Each ok run's level of `factor` as a label, and the labels in order.

    A factor with more than `MAX_LEVELS` distinct values (a sampled range) is cut into
    `bins` quantile bins, labelled by their bounds.
    """
    values = results.ok[factor]
    if factor == "plan":
        order = [
            str(v)
            for v in next(
                item["values"] for item in results.manifest["lists"] if item["name"] == "plan"
            )
        ]
        return values.astype(str), order
    distinct = np.sort(values.dropna().unique())
    if len(distinct) <= MAX_LEVELS:
        labels = [f"{v:g}" for v in distinct]
        return values.map(lambda v: f"{v:g}"), labels
    cut = pd.qcut(values, q=bins, duplicates="drop")
    labels = [f"{i.left:.3g} to {i.right:.3g}" for i in cut.cat.categories]
    return cut.cat.rename_categories(labels).astype(str), labels


def outcome_means(
    results: str | Path | Results,
    outcomes: list[str] | None = None,
    factors: list[str] | None = None,
    confidence: float = 0.95,
    bins: int = 5,
) -> pd.DataFrame:
    """Mean of each outcome per level of each factor, over all other factors and replications.

    Returns:
        One row per factor, level and outcome: factor, level (a label; for a binned range
        the bin), order (position of the level), outcome, n, mean, sd, ci_low, ci_high.
    """
    results = load_results(results)
    chosen = _outcomes(results, outcomes)
    rows = []
    for factor in results.factors if factors is None else factors:
        if factor not in results.factors:
            raise AnalysisError(
                f"no factor {factor!r}; factors are {', '.join(results.factors) or 'none'}"
            )
        if results.ok.empty:
            continue
        labels, order = factor_levels(results, factor, bins)
        for position, level in enumerate(order):
            members = results.ok[labels == level]
            for outcome in chosen:
                found = t_interval(members[outcome].to_numpy(dtype=float), confidence)
                rows.append(
                    {
                        "factor": factor,
                        "level": level,
                        "order": position,
                        "outcome": outcome,
                        "n": found.n,
                        "mean": found.mean,
                        "sd": found.sd,
                        "ci_low": found.low,
                        "ci_high": found.high,
                    }
                )
    return pd.DataFrame(
        rows,
        columns=["factor", "level", "order", "outcome", "n", "mean", "sd", "ci_low", "ci_high"],
    )


# --- sensitivity ---------------------------------------------------------------------------


def _problem(results: Results) -> dict[str, Any]:
    ranges = results.manifest["ranges"]
    return {
        "num_vars": len(ranges),
        "names": [r["name"] for r in ranges],
        "bounds": [[r["low"], r["high"]] for r in ranges],
    }


def _arms(results: Results) -> list[tuple[int, dict[str, Any]]]:
    """Each arm's index and its list and lever values."""
    first = results.design[results.design["replication"] == 0].drop_duplicates("arm")
    return [
        (int(row["arm"]), {name: row[name] for name in results.lists})
        for _, row in first.iterrows()
    ]


def _point_means(results: Results, arm: int, outcome: str) -> np.ndarray:
    """The outcome's mean over replications at every point of an arm, in point order."""
    points = int(results.manifest["design"]["points"])
    ok = results.ok[results.ok["arm"] == arm]
    means = ok.groupby("point")[outcome].mean().reindex(range(points))
    return means.to_numpy(dtype=float)


def _require(results: Results, kind: str) -> None:
    design = results.manifest["design"]["kind"]
    if design != kind:
        raise AnalysisError(f"{kind} indices need a {kind} design; this sweep's design is {design}")


def _complete(results: Results, arm: int, outcome: str) -> np.ndarray | None:
    values = _point_means(results, arm, outcome)
    if np.isnan(values).any() or np.nanvar(values) == 0:
        return None
    return values


def sobol_indices(
    results: str | Path | Results, outcomes: list[str] | None = None, confidence: float = 0.95
) -> pd.DataFrame:
    """First- and total-order Sobol indices with confidence intervals (SALib), per arm.

    Outcomes that do not vary, or arms with points missing (failed or not yet run), are
    left out: Saltelli's estimator needs every point.

    Returns:
        One row per arm, outcome and parameter: the arm's list values, outcome, parameter,
        S1, S1_conf, ST, ST_conf (conf: half-width of the bootstrap interval).
    """
    from SALib.analyze import sobol

    results = load_results(results)
    _require(results, "sobol")
    problem = _problem(results)
    second = bool(results.manifest["design"]["second_order"])

    def analyze(_arm: int, y: np.ndarray) -> Any:
        # SALib reseeds only on a truthy seed: never pass 0.
        return sobol.analyze(
            problem,
            y,
            calc_second_order=second,
            conf_level=confidence,
            seed=int(results.manifest["master_seed"]) + 1,
        )

    return _indices(results, outcomes, analyze, ("S1", "S1_conf", "ST", "ST_conf"))


def morris_indices(
    results: str | Path | Results, outcomes: list[str] | None = None, confidence: float = 0.95
) -> pd.DataFrame:
    """Morris elementary effects (SALib): mu, mu*, its confidence half-width, sigma, per arm."""
    from SALib.analyze import morris

    results = load_results(results)
    _require(results, "morris")
    problem = _problem(results)
    design = results.design[results.design["replication"] == 0]

    def analyze(arm: int, y: np.ndarray) -> Any:
        x = design[design["arm"] == arm].sort_values("point")[problem["names"]].to_numpy(float)
        return morris.analyze(
            problem,
            x,
            y,
            conf_level=confidence,
            num_levels=int(results.manifest["design"]["levels"]),
            seed=int(results.manifest["master_seed"]) + 1,
        )

    return _indices(results, outcomes, analyze, ("mu", "mu_star", "mu_star_conf", "sigma"))


def _indices(
    results: Results,
    outcomes: list[str] | None,
    analyze: Callable[[int, np.ndarray], Any],
    keys: tuple[str, ...],
) -> pd.DataFrame:
    """One row per arm, outcome and parameter: the `keys` that `analyze(arm, y)` finds.

    `y` is the outcome's mean at each point of the arm; an outcome that does not vary, or an
    arm with points missing, is left out (`_complete`).
    """
    names = _problem(results)["names"]
    rows = []
    for arm, values in _arms(results):
        for outcome in _outcomes(results, outcomes):
            y = _complete(results, arm, outcome)
            if y is None:
                continue
            found = analyze(arm, y)
            for index, name in enumerate(names):
                rows.append(
                    {
                        **values,
                        "outcome": outcome,
                        "parameter": name,
                        **{key: found[key][index] for key in keys},
                    }
                )
    return pd.DataFrame(rows, columns=[*results.lists, "outcome", "parameter", *keys])


def sensitivity(
    results: str | Path | Results, outcomes: list[str] | None = None, confidence: float = 0.95
) -> pd.DataFrame | None:
    """Sobol or Morris indices, whichever the design allows; None for other designs."""
    results = load_results(results)
    kind = results.manifest["design"]["kind"]
    if kind == "sobol":
        return sobol_indices(results, outcomes, confidence)
    if kind == "morris":
        return morris_indices(results, outcomes, confidence)
    return None


# --- series and failures -------------------------------------------------------------------


def series_means(
    results: str | Path | Results, outcome: str, by: str | None = None, confidence: float = 0.95
) -> pd.DataFrame:
    """An outcome's mean per week, with a confidence band, per level of `by` (or overall).

    Returns:
        One row per group and week: group, week, n, mean, ci_low, ci_high.
    """
    results = load_results(results)
    kept = results.manifest.get("series", [])
    if outcome not in kept:
        raise AnalysisError(
            f"the sweep kept no weekly series of {outcome!r}; series kept: "
            f"{', '.join(kept) or 'none'}"
        )
    series = read_series(results.folder, [outcome])
    ok = results.ok
    if by is None:
        groups = pd.Series("all", index=ok.index)
    elif by in results.factors:
        groups, _ = factor_levels(results, by, 5)
    else:
        raise AnalysisError(f"no factor {by!r}; factors are {', '.join(results.factors)}")
    labelled = series.merge(pd.DataFrame({"run_id": ok["run_id"], "group": groups}), on="run_id")
    tables = []
    for group, rows in labelled.groupby("group", sort=True):
        runs = rows.pivot_table(index="run_id", columns="week", values="value", aggfunc="first")
        n, mean, _, low, high = t_interval(runs.to_numpy(dtype=float), confidence, axis=0)
        tables.append(
            pd.DataFrame(
                {
                    "group": group,
                    "week": runs.columns.to_numpy(),
                    "n": n,
                    "mean": mean,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
        )
    if not tables:
        return pd.DataFrame(columns=["group", "week", "n", "mean", "ci_low", "ci_high"])
    return pd.concat(tables, ignore_index=True)


def failures(results: str | Path | Results) -> pd.DataFrame:
    """The failed runs: run id, factor values, seed and error."""
    results = load_results(results)
    if results.runs.empty:
        return pd.DataFrame(columns=["run_id", "seed", "error"])
    failed = results.runs[results.runs["status"] != "ok"]
    return failed[["run_id", *results.factors, "replication", "seed", "error"]].reset_index(
        drop=True
    )


def progress(results: str | Path | Results) -> dict[str, int]:
    """Runs planned, finished ok, failed, and still missing."""
    results = load_results(results)
    planned = len(results.design)
    ok = int((results.runs["status"] == "ok").sum()) if len(results.runs) else 0
    failed = len(results.runs) - ok
    return {"planned": planned, "ok": ok, "failed": failed, "missing": planned - ok - failed}
