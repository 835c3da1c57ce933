"""The headline comparison: culture-wide change against one-off programs at equal budget.

For each budget, two plans start in week 26 of the baseline organization:

- one-off: a training day (150 per participant) for a random share of employees, the
  share set so the plan spends the budget;
- culture: the four culture-wide levers of `scenarios/culture_woven.toml` (language,
  incentive alignment, customer exposure, front-line support), each for a random share
  of employees at 1 per participant per week until the horizon, the shares set so the
  plan spends the budget.

Each plan runs REPLICATIONS times with seeds from SeedSequence(master).spawn; the same
seeds serve every plan and budget, so differences are paired. Outcomes at the horizon:
customers lost per year over the last quarter, mean satisfaction, and revenue net of spend
(over the whole run, against doing nothing). Run it with

    python -m experiments.headline --out docs/figures
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from experiments.runs import run_model
from sim.budget import scale_to_budget
from sim.interventions import Intervention
from sim.organization import generate_organization
from sim.params import Params

CULTURE_KINDS = ("language", "incentive_alignment", "customer_exposure", "frontline_support")
OUTCOMES = {
    "loss_rate_last_quarter": "customers lost per year, last quarter",
    "mean_satisfaction": "mean satisfaction at the horizon (-1 to 1)",
    "net_revenue_gain": "revenue net of spend, gain over doing nothing",
}
T_95 = 2.093  # two-sided 95% Student t for 19 degrees of freedom (20 replications)


def plans_at(budget: float, params: Params) -> dict[str, list[Intervention]]:
    """The one-off and the culture plan, each scaled to spend `budget`."""
    org = generate_organization(params, np.random.default_rng(0))  # costs need head counts
    training = Intervention(
        kind="training_day",
        start=26,
        strength=0.5,
        cost_per_participant_week=150.0,
        label="training day",
    )
    culture = [
        Intervention(kind=kind, start=26, strength=0.5, cost_per_participant_week=1.0)
        for kind in CULTURE_KINDS
    ]
    return {
        "one-off program": [scale_to_budget(training, budget, org, params)],
        "culture-wide change": [
            scale_to_budget(item, budget / len(culture), org, params) for item in culture
        ],
    }


def outcomes(series: pd.DataFrame, record: dict) -> dict[str, float]:
    """The headline outcomes of one run."""
    last_quarter = series.iloc[-13:]
    return {
        "loss_rate_last_quarter": float(
            last_quarter["customers_lost"].sum() / last_quarter["active_customers"].mean() * 4
        ),
        "mean_satisfaction": float(series["mean_satisfaction"].iloc[-1]),
        "net_revenue": float(record["net_revenue"]),
    }


def compare(
    budgets: list[float],
    replications: int = 20,
    master_seed: int = 2024,
    params: Params | None = None,
) -> pd.DataFrame:
    """One row per plan, budget and replication, with the headline outcomes."""
    params = params or Params()
    seeds = np.random.SeedSequence(master_seed).spawn(replications)
    rows = []
    for replication, seed in enumerate(seeds):
        nothing = run_model(params, seed)
        base = outcomes(nothing.series, nothing.record)
        for budget in budgets:
            for plan, interventions in plans_at(budget, params).items():
                result = run_model(params, seed, interventions=interventions)
                row = outcomes(result.series, result.record)
                row["net_revenue_gain"] = row.pop("net_revenue") - base["net_revenue"]
                rows.append(
                    {
                        "plan": plan,
                        "budget": budget,
                        "replication": replication,
                        "seed_entropy": str(seed.entropy),
                        "seed_spawn_key": str(seed.spawn_key),
                        **row,
                    }
                )
    return pd.DataFrame(rows)


def summarize(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% confidence interval of each outcome, per plan and budget."""
    long = runs.melt(
        id_vars=["plan", "budget", "replication"], value_vars=list(OUTCOMES), var_name="outcome"
    )
    grouped = long.groupby(["outcome", "plan", "budget"])["value"]
    table = grouped.agg(mean="mean", sd="std", n="count").reset_index()
    half_width = T_95 * table["sd"] / np.sqrt(table["n"])
    table["low"], table["high"] = table["mean"] - half_width, table["mean"] + half_width
    return table


def figure(summary: pd.DataFrame) -> go.Figure:
    """Three panels, one per outcome: both plans against the budget, with 95% bands."""
    colours = {"one-off program": "#E69F00", "culture-wide change": "#0072B2"}
    fig = make_subplots(rows=1, cols=len(OUTCOMES), subplot_titles=list(OUTCOMES.values()))
    for column, outcome in enumerate(OUTCOMES, start=1):
        for plan, colour in colours.items():
            rows = summary[(summary["outcome"] == outcome) & (summary["plan"] == plan)]
            fig.add_trace(
                go.Scatter(
                    x=list(rows["budget"]) + list(rows["budget"][::-1]),
                    y=list(rows["high"]) + list(rows["low"][::-1]),
                    fill="toself",
                    fillcolor=colour,
                    opacity=0.2,
                    line={"width": 0},
                    mode="lines",
                    showlegend=False,
                    hoverinfo="skip",
                ),
                row=1,
                col=column,
            )
            fig.add_trace(
                go.Scatter(
                    x=rows["budget"],
                    y=rows["mean"],
                    mode="lines+markers",
                    name=plan,
                    line={"color": colour},
                    showlegend=column == 1,
                ),
                row=1,
                col=column,
            )
        fig.update_xaxes(title_text="budget (currency, spent from week 26)", row=1, col=column)
    fig.update_layout(
        template="plotly_white",
        width=1400,
        height=450,
        title="Culture-wide change against a one-off program at equal budget "
        "(500 employees, 104 weeks, mean and 95% CI over replications)",
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def main() -> None:
    """Run the comparison and write the table, the summary and the figure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/figures"))
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument(
        "--budgets", type=float, nargs="+", default=[15_000, 30_000, 45_000, 60_000, 75_000]
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    runs = compare(args.budgets, args.replications)
    summary = summarize(runs)
    runs.to_csv(args.out / "headline_runs.csv", index=False)
    summary.to_csv(args.out / "headline_summary.csv", index=False)
    fig = figure(summary)
    fig.write_html(args.out / "headline.html", include_plotlyjs="cdn")
    try:
        fig.write_image(args.out / "headline.png", scale=1)
    except Exception as error:  # noqa: BLE001 - the PNG needs kaleido and a browser
        print(f"PNG not written ({error}); the HTML figure is there")
    print(summary.to_string(index=False))


if __name__ == "__main__":
    main()
