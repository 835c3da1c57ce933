"""The calibration's summary: tables per target and an HTML page with plotly figures.

The figure functions are pure (tables -> go.Figure), for notebooks too. `summary_page`
returns one self-contained HTML page (plotly.js embedded once, so it opens offline).
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from eachcustomer.experiments.calibration.target_spec import Prior, Target
from eachcustomer.experiments.reports.palette import BLUE, GREEN, VERMILLION, report_template

COLUMNS = 3


def _grid(count: int) -> tuple[int, int]:
    cols = min(COLUMNS, max(count, 1))
    return -(-max(count, 1) // cols), cols


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The q-quantile of weighted values (NaN values dropped)."""
    values, weights = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    keep = ~np.isnan(values)
    if not keep.any():
        return math.nan
    order = np.argsort(values[keep])
    sorted_values, sorted_weights = values[keep][order], weights[keep][order]
    cumulative = np.cumsum(sorted_weights) / sorted_weights.sum()
    return float(sorted_values[min(int(np.searchsorted(cumulative, q)), len(sorted_values) - 1)])


def parameter_summary(
    posterior: pd.DataFrame, priors: dict[str, Prior], before: dict[str, float]
) -> pd.DataFrame:
    """Per fitted parameter: prior, value before, posterior mean and 5-95% interval."""
    weights = posterior["weight"].to_numpy(dtype=float)
    rows = []
    for name, prior in priors.items():
        values = posterior[name].to_numpy(dtype=float)
        rows.append(
            {
                "parameter": name,
                "prior": f"{prior.distribution} [{prior.low:g}, {prior.high:g}]",
                "before": before.get(name, math.nan),
                "posterior_mean": float(np.dot(weights, values) / weights.sum()),
                "posterior_q05": weighted_quantile(values, weights, 0.05),
                "posterior_q95": weighted_quantile(values, weights, 0.95),
            }
        )
    return pd.DataFrame(rows)


def target_summary(targets: tuple[Target, ...], checks: pd.DataFrame) -> pd.DataFrame:
    """Per target: value, accepted range, the model before (the scenario's values) and after
    (posterior draws: mean, 5-95% and the share of draws inside the range)."""
    rows = []
    before = checks[checks["draw"] == -1]
    after = checks[checks["draw"] >= 0]
    for target in targets:
        values = after[target.key].to_numpy(dtype=float) if len(after) else np.empty(0)
        inside = (values >= target.low) & (values <= target.high)
        rows.append(
            {
                "target": target.key,
                "statistic": target.statistic.name,
                "use": target.use,
                "value": target.value,
                "low": target.low,
                "high": target.high,
                "replications": target.replications,
                "before": float(before[target.key].iloc[0]) if len(before) else math.nan,
                "after_mean": float(np.nanmean(values)) if len(values) else math.nan,
                "after_q05": float(np.nanquantile(values, 0.05)) if len(values) else math.nan,
                "after_q95": float(np.nanquantile(values, 0.95)) if len(values) else math.nan,
                "after_share_inside": float(inside.mean()) if len(values) else math.nan,
                "source": target.source,
            }
        )
    return pd.DataFrame(rows)


def posterior_figure(
    posterior: pd.DataFrame, priors: dict[str, Prior], before: dict[str, float]
) -> go.Figure:
    """Each fitted parameter's weighted posterior histogram over its prior's range."""
    names = list(priors)
    rows, cols = _grid(len(names))
    figure = make_subplots(rows=rows, cols=cols, subplot_titles=names)
    for index, name in enumerate(names):
        prior, row, col = priors[name], index // cols + 1, index % cols + 1
        log = prior.distribution == "log_uniform"
        low, high = prior.scale
        values = posterior[name].to_numpy(dtype=float)
        figure.add_trace(
            go.Histogram(
                x=np.log10(values) if log else values,
                y=posterior["weight"],
                histfunc="sum",
                xbins={"start": low, "end": high, "size": (high - low) / 20},
                marker_color=BLUE,
                name=name,
                hovertemplate="%{x}: weight %{y:.3f}<extra></extra>",
            ),
            row=row,
            col=col,
        )
        if name in before:
            shown = math.log10(before[name]) if log and before[name] > 0 else before[name]
            figure.add_vline(x=shown, line_dash="dash", line_color=VERMILLION, row=row, col=col)
        figure.update_xaxes(
            range=[low, high], title_text=f"log10 {name}" if log else name, row=row, col=col
        )
    figure.update_layout(
        title="Posterior of each fitted parameter (dashed: the value before calibration)",
        showlegend=False,
        height=300 * rows,
        template=report_template(),
    )
    return figure


def targets_figure(targets: tuple[Target, ...], checks: pd.DataFrame) -> go.Figure:
    """Each target: its value and accepted range (green), the model before (red) and at
    posterior draws (blue points)."""
    rows, cols = _grid(len(targets))
    figure = make_subplots(
        rows=rows, cols=cols, subplot_titles=[f"{t.key} ({t.use})" for t in targets]
    )
    before = checks[checks["draw"] == -1]
    after = checks[checks["draw"] >= 0]
    for index, target in enumerate(targets):
        row, col = index // cols + 1, index % cols + 1
        figure.add_trace(
            go.Scatter(
                x=["target"],
                y=[target.value],
                mode="markers",
                marker={"color": GREEN, "size": 10},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [target.high - target.value],
                    "arrayminus": [target.value - target.low],
                },
                name="target",
                hovertemplate=f"{target.value:.4g} in [{target.low:.4g}, {target.high:.4g}]"
                "<extra>target</extra>",
            ),
            row=row,
            col=col,
        )
        if len(before):
            figure.add_trace(
                go.Scatter(
                    x=["before"],
                    y=before[target.key],
                    mode="markers",
                    marker={"color": VERMILLION, "size": 10, "symbol": "diamond"},
                    name="before",
                    hovertemplate="%{y:.4g}<extra>before</extra>",
                ),
                row=row,
                col=col,
            )
        figure.add_trace(
            go.Scatter(
                x=["after"] * len(after),
                y=after[target.key],
                mode="markers",
                marker={"color": BLUE, "opacity": 0.6},
                name="posterior draws",
                hovertemplate="%{y:.4g}<extra>posterior draw</extra>",
            ),
            row=row,
            col=col,
        )
        figure.add_hrect(
            y0=target.low,
            y1=target.high,
            fillcolor=GREEN,
            opacity=0.15,
            line_width=0,
            row=row,
            col=col,
        )
    figure.update_layout(
        title="Targets: accepted range (green), the model before and after calibration",
        showlegend=False,
        height=300 * rows,
        template=report_template(),
    )
    return figure


def search_figure(populations: pd.DataFrame, ess_share: float = 0.25) -> go.Figure:
    """Epsilon, the acceptance rate and the effective sample size, population by population
    (dotted: epsilon 1 and the smallest usable effective sample size)."""
    names = ["epsilon", "acceptance rate", "effective sample size"]
    figure = make_subplots(rows=1, cols=3, subplot_titles=names)
    columns = ("epsilon", "acceptance_rate", "effective_sample_size")
    for col, column in enumerate(columns, start=1):
        figure.add_trace(
            go.Scatter(x=populations["population"], y=populations[column], mode="lines+markers"),
            row=1,
            col=col,
        )
    figure.add_hline(y=1.0, line_dash="dot", line_color=GREEN, row=1, col=1)
    if len(populations):
        usable = ess_share * float(populations["particles"].iloc[-1])
        figure.add_hline(y=usable, line_dash="dot", line_color=VERMILLION, row=1, col=3)
    figure.update_xaxes(title_text="population", dtick=1)
    figure.update_layout(showlegend=False, height=320, template=report_template())
    return figure


def _table(frame: pd.DataFrame) -> str:
    def cell(value: Any) -> str:
        if isinstance(value, float):
            return "" if math.isnan(value) else f"{value:.4g}"
        return html.escape(str(value))

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def summary_page(
    title: str,
    facts: list[str],
    sections: list[tuple[str, str, pd.DataFrame | None, go.Figure | None]],
) -> str:
    """A self-contained HTML page: a title, a list of facts, then (heading, text, table,
    figure) sections; plotly.js is embedded once."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;"
        "padding:0 1em}table{border-collapse:collapse;margin:1em 0;font-size:0.9em;"
        "display:block;overflow-x:auto}"
        "td,th{border:1px solid #ccc;padding:0.25em 0.5em;text-align:right}"
        "th{background:#f4f4f4}</style></head><body>",
        f"<h1>{html.escape(title)}</h1><ul>",
        *(f"<li>{html.escape(fact)}</li>" for fact in facts),
        "</ul>",
    ]
    plotly_included = False
    for heading, text, frame, figure in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2><p>{html.escape(text)}</p>")
        if frame is not None:
            parts.append(_table(frame))
        if figure is not None:
            parts.append(pio.to_html(figure, full_html=False, include_plotlyjs=not plotly_included))
            plotly_included = True
    parts.append("</body></html>")
    return "\n".join(parts)
