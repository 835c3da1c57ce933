"""Calibration targets from a firm's own files, each with a tolerance from its sampling error.

Every figure a firm measures carries the luck of who answered a survey or which customers
happened to leave: a department mean from n respondents has the standard error s / sqrt(n)
(times sqrt(1 - n/N) when n of the N staff answered), a share from n customers
sqrt(p (1 - p) / n), and a count of events (customers lost, complaints, leavers) about
sqrt(count) when it is Poisson. A target's tolerance is `z` of these standard errors
(z = 2: about 95%), so a figure from a small sample constrains the fit less than one from
a large sample. The published figures stay the priors (docs/CALIBRATION.md, 4.6).

Survey means are rescaled onto the model's scales: a 1-5 score s to (s - 3) / 2 and a
0-10 rating r to r / 5 - 1, both in [-1, 1].
"""

from __future__ import annotations

import math

import pandas as pd

from eachcustomer.sim.output_columns import slug

Z = 2.0
"""Standard errors on each side of a target's value: about a 95% interval."""
WEEKS_PER_YEAR = 52
COLUMNS = (
    "key",
    "statistic",
    "department",
    "week",
    "value",
    "standard_error",
    "tolerance",
    "n",
    "figure",
)


def mean_standard_error(sd: float, n: int, population: int | None = None) -> float:
    """Standard error of a mean of n answers with SD `sd`, n of `population` if given."""
    correction = 1.0 - n / population if population else 1.0
    return sd / math.sqrt(n) * math.sqrt(max(correction, 0.0))


def share_standard_error(share: float, n: int) -> float:
    """Standard error of a share of n answers: sqrt(p (1 - p) / n)."""
    return math.sqrt(share * (1.0 - share) / n)


def nps_standard_error(promoters: float, detractors: float, n: int) -> float:
    """Standard error of 100 (p - d) from n answers: 100 sqrt((p + d - (p - d)^2) / n)."""
    return 100.0 * math.sqrt(max(promoters + detractors - (promoters - detractors) ** 2, 0.0) / n)


def _row(
    key: str,
    statistic: str,
    value: float,
    error: float,
    n: int,
    figure: str,
    z: float,
    department: str = "",
    week: int | None = None,
) -> dict:
    return {
        "key": key,
        "statistic": statistic,
        "department": department,
        "week": week,
        "value": value,
        "standard_error": error,
        "tolerance": z * error,
        "n": n,
        "figure": figure,
    }


def survey_targets(
    survey: pd.DataFrame, wave: str | None = None, z: float = Z, week: int | None = None
) -> list[dict]:
    """Per department, one wave (the last listed if None): `department_survey_score` at the
    wave's week (`week`, or the file's `week` column), else `department_attitude`."""
    chosen = survey["wave"].iloc[-1] if wave is None else wave
    rows = survey[(survey["wave"] == chosen) & (survey["team"] == "")]
    if week is None and "week" in rows and rows["week"].notna().any():
        week = int(rows["week"].dropna().iloc[0])
    statistic = "department_survey_score" if week is not None else "department_attitude"
    prefix = f"survey_{slug(chosen)}_" if week is not None else "attitude_"
    targets = []
    for _, row in rows.iterrows():
        population = int(row["headcount"]) if pd.notna(row["headcount"]) else None
        error = mean_standard_error(row["sd"], int(row["respondents"]), population) / 2.0
        targets.append(
            _row(
                prefix + slug(row["department"]),
                statistic,
                (row["mean"] - 3.0) / 2.0,
                error,
                int(row["respondents"]),
                f"survey {chosen or 'results'}, line {row.get('line', '-')}",
                z,
                row["department"],
                week,
            )
        )
    return targets


def _per_year(count: float, base: float, weeks: float) -> tuple[float, float]:
    """A count of events over `weeks` per unit of `base` per year, and its Poisson error."""
    scale = WEEKS_PER_YEAR / weeks / base
    return count * scale, math.sqrt(max(count, 1.0)) * scale


def customer_targets(customers: pd.DataFrame, z: float = Z) -> list[dict]:
    """Loss, complaints, satisfaction and NPS of the whole firm, pooled over its rows."""
    targets = []
    counted = customers.dropna(subset=["customers_start"])
    weeks = float(counted.groupby("period")["weeks"].first().sum()) if len(counted) else 0.0
    # The model's base is the whole firm: units add up, periods average.
    base = float(counted.groupby("period")["customers_start"].sum().mean()) if weeks else 0.0
    for column, statistic in (
        ("customers_lost", "observed_customer_loss"),
        ("complaints", "complaints_per_customer_year"),
    ):
        known = counted.dropna(subset=[column])
        if len(known) and len(known) == len(counted):
            count = float(known[column].sum())
            value, error = _per_year(count, base, weeks)
            targets.append(_row(statistic, statistic, value, error, int(count), column, z))
    rated = customers.dropna(subset=["surveyed", "satisfaction", "satisfaction_sd"])
    if len(rated):
        n = rated["surveyed"].astype(float)
        mean = float((n * rated["satisfaction"]).sum() / n.sum())
        spread = (n - 1) * rated["satisfaction_sd"] ** 2 + n * (rated["satisfaction"] - mean) ** 2
        sd = math.sqrt(float(spread.sum()) / max(float(n.sum()) - 1.0, 1.0))
        error = mean_standard_error(sd, int(n.sum())) / 5.0
        targets.append(
            _row(
                "mean_satisfaction",
                "mean_satisfaction",
                mean / 5.0 - 1.0,
                error,
                int(n.sum()),
                "satisfaction",
                z,
            )
        )
    scored = customers.dropna(subset=["surveyed", "promoters", "detractors"])
    if len(scored):
        n = scored["surveyed"].astype(float)
        promoters = float((n * scored["promoters"]).sum() / n.sum())
        detractors = float((n * scored["detractors"]).sum() / n.sum())
        error = nps_standard_error(promoters, detractors, int(n.sum()))
        targets.append(
            _row(
                "net_promoter_score",
                "net_promoter_score",
                100.0 * (promoters - detractors),
                error,
                int(n.sum()),
                "promoters, detractors",
                z,
            )
        )
    return targets


def turnover_targets(turnover: pd.DataFrame, z: float = Z) -> list[dict]:
    """Leavers per head per year: the whole firm's (`observed_staff_turnover`), then each
    department's (`department_staff_turnover`)."""
    if not len(turnover):
        return []
    weeks = float(turnover.groupby("period")["weeks"].first().sum())
    groups = [("", turnover), *turnover.groupby("department", sort=False)]
    targets = []
    for department, rows in groups:
        headcount = float(rows.groupby("period")["headcount"].sum().mean())
        leavers = float(rows["leavers"].sum())
        value, error = _per_year(leavers, headcount, weeks)
        statistic = "department_staff_turnover" if department else "observed_staff_turnover"
        key = f"turnover_{slug(str(department))}" if department else "staff_turnover"
        targets.append(_row(key, statistic, value, error, int(leavers), "leavers", z, department))
    return targets


def derive_targets(
    survey: pd.DataFrame | None = None,
    customers: pd.DataFrame | None = None,
    turnover: pd.DataFrame | None = None,
    *,
    wave: str | None = None,
    z: float = Z,
) -> pd.DataFrame:
    """The targets table of a firm's files (those given), one row per target (`COLUMNS`)."""
    rows = []
    if survey is not None and wave is None and "week" in survey and survey["week"].notna().any():
        for each in survey.dropna(subset=["week"])["wave"].unique():  # every dated wave
            rows += survey_targets(survey, each, z)
    elif survey is not None:
        rows += survey_targets(survey, wave, z)
    if customers is not None:
        rows += customer_targets(customers, z)
    if turnover is not None:
        rows += turnover_targets(turnover, z)
    return pd.DataFrame(rows, columns=list(COLUMNS))


def targets_toml(
    targets: pd.DataFrame,
    *,
    title: str,
    scenario: str,
    seed: int = 1,
    header: tuple[str, ...] = (),
) -> str:
    """A targets file (docs/CALIBRATION.md 4.1) with `targets` as its [targets] tables.

    A `use` column says which to fit; without one every target is `use = "check"` but the
    first, so the file loads as it is: choose the ones to fit, and the priors, before
    calibrating. `header` lines (TOML: `posterior = ...`, [priors] and [abc] tables) go
    before the targets.
    """
    lines = [
        f"title = {title!r}".replace("'", '"'),
        f'scenario = "{scenario}"',
        f"seed = {seed}",
        *header,
        "",
    ]
    for index, row in enumerate(targets.itertuples()):
        lines.append(f"[targets.{row.key}]")
        lines.append(f'statistic = "{row.statistic}"')
        if row.department:
            lines.append(f'department = "{row.department}"')
        if pd.notna(row.week):
            lines.append(f"week = {int(row.week)}")
        lines.append(f"value = {row.value:.6g}")
        lines.append(f"tolerance = {max(row.tolerance, 1e-6):.6g}")
        z = row.tolerance / row.standard_error if row.standard_error else 0.0
        lines.append(f'source = "{row.figure}; n = {row.n}; tolerance = {z:.3g} standard errors"')
        use = getattr(row, "use", "fit" if index == 0 else "check")
        lines.append(f'use = "{use}"')
        lines.append("")
    return "\n".join(lines)
