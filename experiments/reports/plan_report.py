"""The report's plan sections: the spec's question first, per factor level; then plans pooled.

A sweep with plans asks a question such as "does a stronger negativity bias undo a training
day?"; pooling the biases into each plan's bar averages the answer away. So the report's
first section answers it: each plan's paired difference from the baseline at each level of
each other swept factor (`eachcustomer.experiments.analysis.plan_effects.plan_effects`), one
bar per level with its interval, and in words, the verdict at each level coming from
`eachcustomer.experiments.analysis.verdicts` (`judge`, and `settle` for what would decide an
unclear one) on Bonferroni intervals over the levels and plans stated together
(`plan_effects.level_verdicts`); then an interaction chart (each plan's mean per level).
The plans pooled over those levels, at each budget, come after. The figure functions are
pure (DataFrame -> go.Figure).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from eachcustomer.experiments.analysis import plan_effects
from eachcustomer.experiments.analysis.multiplicity import METHOD
from eachcustomer.experiments.analysis.outcomes import Outcome
from eachcustomer.experiments.analysis.outcomes import outcome as outcome_of
from eachcustomer.experiments.analysis.statistics import PAIRING_NOTE, Interval
from eachcustomer.experiments.analysis.tables import Results
from eachcustomer.experiments.analysis.verdicts import WORDS, judge, settle
from eachcustomer.experiments.loading.files import write_table
from eachcustomer.experiments.loading.plans import plan_library
from eachcustomer.experiments.reports.interval_traces import error_bars
from eachcustomer.experiments.reports.page import Page
from eachcustomer.experiments.reports.palette import INK, category, report_template

COLUMNS = 3


def plan_title(name: str) -> str:
    """A plan's title from the library, or its name."""
    library = plan_library()
    return library[name].title if name in library else str(name)


def plans_figure(comparison: pd.DataFrame, outcome: str) -> go.Figure:
    """Each plan's mean and interval at the horizon, side by side for each budget."""
    rows = comparison[comparison["outcome"] == outcome]
    item = outcome_of(outcome)
    figure = go.Figure()
    groups = rows.groupby("budget", sort=True) if "budget" in rows else [(None, rows)]
    for budget, part in groups:
        figure.add_trace(
            go.Bar(
                x=[plan_title(p) for p in part["plan"]],
                y=part["mean"],
                name="" if budget is None else f"budget {budget:,.0f}",
                error_y=error_bars(part["ci_low"], part["mean"], part["ci_high"]),
            )
        )
    figure.update_layout(
        title=item.label.capitalize() + (" at equal budget" if "budget" in rows else ""),
        barmode="group",
        yaxis_title=item.title,
        template=report_template(),
        margin={"t": 70},
    )
    return figure


def _factor_grid(factors: list[str], shared: bool = True) -> tuple[go.Figure, int]:
    cols = min(COLUMNS, max(len(factors), 1))
    lines = -(-max(len(factors), 1) // cols)
    figure = make_subplots(
        rows=lines,
        cols=cols,
        subplot_titles=factors,
        shared_yaxes=shared,
        horizontal_spacing=0.06,
        vertical_spacing=0.2 / lines,
    )
    return figure, cols


def _finish_factor_grid(
    figure: go.Figure, factors: int, cols: int, title: str, y_title: str
) -> go.Figure:
    """Levels as categories, the y title on the first column, a legend below the panels."""
    figure.update_xaxes(type="category")
    figure.update_yaxes(title_text=y_title, col=1)
    figure.update_layout(
        title=title,
        template=report_template(),
        height=340 * (-(-max(factors, 1) // cols)) + 60,
        legend={"orientation": "h", "y": -0.15},
        margin={"t": 80},
    )
    return figure


def effects_figure(judged: pd.DataFrame, outcome: str, baseline: str) -> go.Figure:
    """Each plan's paired difference from the baseline: one bar per level, per factor panel.

    `judged` is `plan_effects.level_verdicts`: the error bars are its adjusted (Bonferroni)
    intervals, and each bar's hover names its verdict.
    """
    rows = judged[(judged["outcome"] == outcome) & (judged["plan"] != baseline)]
    factors = list(dict.fromkeys(rows["factor"]))
    figure, cols = _factor_grid(factors)
    item = outcome_of(outcome)
    for index, factor in enumerate(factors):
        where = {"row": index // cols + 1, "col": index % cols + 1}
        part = rows[rows["factor"] == factor]
        for number, (plan, bars) in enumerate(part.groupby("plan", sort=False)):
            bars = bars.sort_values("order")
            figure.add_trace(
                go.Bar(
                    x=bars["level"],
                    y=bars["difference"],
                    name=plan_title(plan),
                    legendgroup=plan,
                    showlegend=index == 0,
                    marker={"color": category(number)},
                    error_y=error_bars(
                        bars["adjusted_ci_low"], bars["difference"], bars["adjusted_ci_high"]
                    ),
                    customdata=list(zip(bars["verdict"], bars["n"], strict=True)),
                    hovertemplate="%{x}: %{y:.4g}, %{customdata[0]} (%{customdata[1]} pairs)",
                ),
                **where,
            )
        figure.add_hline(y=0, line={"color": INK, "width": 1}, **where)
    figure.update_layout(barmode="group")
    return _finish_factor_grid(
        figure,
        len(factors),
        cols,
        f"{item.label.capitalize()}: each plan minus {plan_title(baseline)} per level "
        f"({METHOD} intervals)",
        f"difference, {item.unit}" if item.unit else "difference",
    )


def level_answer(judged: pd.DataFrame, outcome: str, factor: str, baseline: str) -> str:
    """The spec's question answered in words: each plan's verdict at each level of `factor`.

    The verdicts are `judged`'s (`plan_effects.level_verdicts`, `verdicts.judge` on the
    adjusted intervals); for a plan with an unclear level, `verdicts.settle` says what would
    decide the one closest to a verdict.
    """
    rows = judged[(judged["outcome"] == outcome) & (judged["factor"] == factor)]
    item = outcome_of(outcome)
    pooled = factor == plan_effects.ALL_RUNS
    where = "over all runs" if pooled else f"by {factor}"
    direction = "" if item.higher_is_better is not None else " (neither higher nor lower is better)"
    parts = []
    for plan, lines in rows.groupby("plan", sort=False):
        lines = lines.sort_values("order")
        groups: dict[str, list[str]] = {}
        for line in lines.itertuples():
            number = (
                f"{_signed(line.difference, item)}; {_signed(line.adjusted_ci_low, item)} to "
                f"{_signed(line.adjusted_ci_high, item)}"
                if line.n >= 2
                else f"{_signed(line.difference, item)}"
            )
            at = f"({number})" if pooled else f"{line.level} ({number})"
            groups.setdefault(line.verdict or "difference", []).append(at)
        said = "; ".join(
            f"{word}{'' if pooled else ' at'} {_and(levels)}" for word, levels in groups.items()
        )
        parts.append(f"{plan_title(plan)}: {said}{_settled(lines, item, pooled)}.")
    return f"On {item.label}{direction}, against {plan_title(baseline)}, {where}: " + " ".join(
        parts
    )


def _settled(lines: pd.DataFrame, item: Outcome, pooled: bool) -> str:
    """What would decide the unclear level closest to a verdict (`verdicts.settle`)."""
    if item.higher_is_better is None:
        return ""
    unclear = []
    for line in lines.itertuples():
        interval = Interval(
            int(line.n), line.difference, float("nan"), line.adjusted_ci_low, line.adjusted_ci_high
        )
        verdict = judge(interval, item.higher_is_better, "nothing")
        if not verdict.clear:
            width = abs(interval.half_width / interval.mean) if interval.mean else float("inf")
            unclear.append((width, line.level, verdict))
    if not unclear:
        return ""
    _, level, verdict = min(unclear, key=lambda found: found[0])
    hint = settle(verdict)
    return f"; {'' if pooled else f'at {level}, '}{hint}" if hint else ""


def _signed(value: float, item: Outcome) -> str:
    fmt = item.fmt if item.fmt.startswith("+") else "+" + item.fmt
    text = format(value, fmt)
    return "0" if text.lstrip("+-").strip("0.,%") == "" else text


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def interaction_figure(effects: pd.DataFrame, outcome: str) -> go.Figure:
    """Plan x factor: each plan's mean per level; parallel lines mean no interaction, lines
    that close or cross mean the factor changes what a plan does."""
    rows = effects[effects["outcome"] == outcome]
    factors = list(dict.fromkeys(rows["factor"]))
    figure, cols = _factor_grid(factors)
    item = outcome_of(outcome)
    for index, factor in enumerate(factors):
        where = {"row": index // cols + 1, "col": index % cols + 1}
        lines = rows[rows["factor"] == factor].groupby("plan", sort=False)
        for number, (plan, line) in enumerate(lines):
            colour = INK if number == 0 else category(number - 1)
            line = line.sort_values("order")
            figure.add_trace(
                go.Scatter(
                    x=line["level"],
                    y=line["mean"],
                    mode="lines+markers",
                    name=plan_title(plan),
                    legendgroup=plan,
                    showlegend=index == 0,
                    line={"color": colour},
                    error_y=error_bars(line["mean_ci_low"], line["mean"], line["mean_ci_high"]),
                ),
                **where,
            )
    return _finish_factor_grid(
        figure,
        len(factors),
        cols,
        f"{item.label.capitalize()}: plan x factor (mean per level, 95% interval)",
        item.unit or item.label,
    )


def plans_section(
    page: Page,
    results: Results,
    out: Path,
    tables: dict[str, str],
    confidence: float,
    outcomes: list[str],
) -> None:
    """The spec's question per level (bars and words), then the plans pooled at each budget."""
    baseline = plan_effects.baseline_plan(results)
    factors = [
        name
        for name in results.factors
        if name != "plan" and not results.ok.empty and results.ok[name].nunique() > 1
    ]
    if not results.ok.empty:
        question_section(page, results, out, tables, confidence, outcomes, factors, baseline)
    comparison = plan_effects.plan_comparison(results, confidence=confidence)
    write_table(comparison, out / "plan_comparison.csv")
    tables["plan_comparison.csv"] = "plans compared, with paired differences"
    pooled = f", pooled over {', '.join(factors)}" if factors else ""
    at_budget = " at equal budget" if "budget" in results.lists else ""
    page.heading(f"Plans compared{at_budget}{pooled}")
    page.text(
        f"Differences are from the plan '{plan_title(baseline)}' at the same point: "
        f"{PAIRING_NOTE}. expected_cost is what the plan was scaled to, spend what the runs "
        "spent."
        + (
            f" Each bar pools every level of {', '.join(factors)}: the answer per level is "
            "in the first section."
            if factors
            else ""
        )
    )
    for outcome in outcomes:
        page.figure(plans_figure(comparison, outcome))
    page.table(_comparison_shown(comparison[comparison["outcome"].isin(outcomes)], baseline))


def question_section(
    page: Page,
    results: Results,
    out: Path,
    tables: dict[str, str],
    confidence: float,
    outcomes: list[str],
    factors: list[str],
    baseline: str,
) -> None:
    """The report's first section: each plan against the baseline at each level, and in words.

    With no factor swept besides the plan, the one level is every run pooled.
    """
    effects = plan_effects.plan_effects(results, outcomes, factors, confidence=confidence)
    judged = plan_effects.level_verdicts(effects, baseline, confidence)
    added = ["comparisons", "adjusted_ci_low", "adjusted_ci_high", "verdict"]
    keys = ["factor", "level", "plan", "outcome"]
    write_table(effects.merge(judged[keys + added], on=keys, how="left"), out / "plan_effects.csv")
    tables["plan_effects.csv"] = (
        "each plan's paired difference from the baseline per level, with its verdict"
    )
    shown = factors or [plan_effects.ALL_RUNS]
    if factors:
        page.heading("What each plan does at each level of " + ", ".join(factors))
    else:
        page.heading(f"What each plan does against {plan_title(baseline)}")
    page.text(
        "The question this sweep asks: what each plan does against "
        f"'{plan_title(baseline)}'"
        + (f" at each level of {', '.join(factors)}" if factors else "")
        + f". Each bar is a plan's mean difference from '{plan_title(baseline)}' over the "
        "runs at that level (all other factors and replications), paired by seed; a sampled "
        f"range is cut into quantile bins. On each outcome the levels and plans are stated "
        f"together, so each interval is a {METHOD} interval that holds with the others at "
        f"{confidence:.0%}, and the verdict in words is stated from it: "
        + ", ".join(f"'{word}'" for word in WORDS[:3])
        + " or 'not enough replications'."
    )
    for outcome in dict.fromkeys(judged["outcome"]):
        page.figure(effects_figure(judged, outcome, baseline))
        for factor in shown:
            page.text(level_answer(judged, outcome, factor, baseline))
    page.table(_effects_shown(judged, baseline))
    if factors:
        page.text(
            "The interaction charts show the plans' own means per level: lines that close or "
            "cross where a factor changes mean the factor changes what the plan does."
        )
        for outcome in dict.fromkeys(judged["outcome"]):
            page.figure(interaction_figure(effects, outcome))


def interval_text(middle: float, low: float, high: float) -> str:
    """'0.0121 [0.0024, 0.0218]': a number with its interval, for tables that fit a page."""
    if pd.isna(middle):
        return ""
    if pd.isna(low):
        return _number(middle)
    return f"{_number(middle)} [{_number(low)}, {_number(high)}]"


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.3g}"


def _comparison_shown(comparison: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """The plan comparison in a few readable columns (the CSV keeps every number)."""
    shown = pd.DataFrame(
        {
            "plan": [plan_title(p) for p in comparison["plan"]],
            "outcome": [outcome_of(o).title for o in comparison["outcome"]],
            "mean [95% CI]": [
                interval_text(*r)
                for r in zip(
                    comparison["mean"], comparison["ci_low"], comparison["ci_high"], strict=True
                )
            ],
            f"minus {plan_title(baseline)} [95% CI]": [
                interval_text(*r)
                for r in zip(
                    comparison["difference"],
                    comparison["difference_ci_low"],
                    comparison["difference_ci_high"],
                    strict=True,
                )
            ],
        }
    )
    if "budget" in comparison:
        shown.insert(0, "budget", [_number(b) for b in comparison["budget"]])
    return shown


def _effects_shown(judged: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Each plan's difference per level and its verdict in a few readable columns."""
    rows = judged[judged["plan"] != baseline]
    return pd.DataFrame(
        {
            "factor": rows["factor"],
            "level": rows["level"],
            "plan": [plan_title(p) for p in rows["plan"]],
            "outcome": [outcome_of(o).title for o in rows["outcome"]],
            "pairs": rows["n"],
            f"minus {plan_title(baseline)} [{METHOD} CI]": [
                interval_text(*r)
                for r in zip(
                    rows["difference"],
                    rows["adjusted_ci_low"],
                    rows["adjusted_ci_high"],
                    strict=True,
                )
            ],
            "verdict": rows["verdict"],
        }
    )
