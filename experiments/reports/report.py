"""The analysis report of a sweep: one self-contained HTML page with plotly figures, plus CSVs.

`write_report(folder)` writes `folder/report/index.html` (plotly.js embedded once, so it
opens offline) and next to it the tables behind every figure as CSV. The figure functions
are pure (DataFrame -> go.Figure), for notebooks too.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from eachcustomer.experiments.analysis import tables as analysis
from eachcustomer.experiments.analysis.outcomes import outcome as outcome_of
from eachcustomer.experiments.analysis.tables import AnalysisError, Results
from eachcustomer.experiments.loading.files import write_atomically, write_table
from eachcustomer.experiments.loading.folders import MANIFEST, REPORT, claim_folder
from eachcustomer.experiments.reports.decision_report import decisions_section
from eachcustomer.experiments.reports.interval_traces import error_bars, interval_band
from eachcustomer.experiments.reports.page import Page
from eachcustomer.experiments.reports.palette import category, report_template
from eachcustomer.experiments.reports.plan_report import plans_section

COLUMNS = 3


def means_figure(means: pd.DataFrame, outcome: str, confidence: float = 0.95) -> go.Figure:
    """One outcome's mean and confidence interval per level, one panel per factor."""
    rows = means[means["outcome"] == outcome]
    levels = rows.groupby("factor", sort=False)["level"].nunique()
    factors = [factor for factor, count in levels.items() if count > 1]  # skip constants
    cols = min(COLUMNS, max(len(factors), 1))
    lines = -(-max(len(factors), 1) // cols)
    figure = make_subplots(rows=lines, cols=cols, subplot_titles=factors, shared_yaxes=True)
    for index, factor in enumerate(factors):
        part = rows[rows["factor"] == factor].sort_values("order")
        figure.add_trace(
            go.Scatter(
                x=part["level"],
                y=part["mean"],
                mode="lines+markers",
                name=factor,
                error_y=error_bars(part["ci_low"], part["mean"], part["ci_high"]),
                customdata=part["n"],
                hovertemplate="%{x}: %{y:.4g} (n=%{customdata})",
            ),
            row=index // cols + 1,
            col=index % cols + 1,
        )
    item = outcome_of(outcome)
    figure.update_layout(
        title=f"{item.label.capitalize()}: mean and {confidence:.0%} interval per level",
        showlegend=False,
        height=320 * lines + 60,
        template=report_template(),
        margin={"t": 80},
    )
    figure.update_xaxes(type="category")
    figure.update_yaxes(title_text=item.title, col=1)
    return figure


def sobol_figure(indices: pd.DataFrame, outcome: str, arm: str = "") -> go.Figure:
    """First- and total-order indices with their intervals, one bar pair per parameter."""
    rows = indices[indices["outcome"] == outcome]
    figure = go.Figure()
    for column, name in (("S1", "first order"), ("ST", "total order")):
        figure.add_trace(
            go.Bar(
                x=rows["parameter"],
                y=rows[column],
                name=name,
                error_y={"type": "data", "array": rows[f"{column}_conf"]},
            )
        )
    figure.update_layout(
        title=f"Sobol indices of {outcome_of(outcome).label}{arm}",
        barmode="group",
        yaxis_title="share of variance",
        template=report_template(),
    )
    return figure


def morris_figure(indices: pd.DataFrame, outcome: str, arm: str = "") -> go.Figure:
    """mu* against sigma: far right matters, high up interacts or is nonlinear."""
    rows = indices[indices["outcome"] == outcome]
    figure = go.Figure(
        go.Scatter(
            x=rows["mu_star"],
            y=rows["sigma"],
            text=rows["parameter"],
            mode="markers+text",
            textposition="top center",
            error_x={"type": "data", "array": rows["mu_star_conf"]},
        )
    )
    figure.update_layout(
        title=f"Morris screening of {outcome_of(outcome).label}{arm}",
        xaxis_title=f"mu* (mean absolute elementary effect, {outcome_of(outcome).unit})",
        yaxis_title="sigma (spread of the effects)",
        template=report_template(),
    )
    return figure


def series_figure(series: pd.DataFrame, outcome: str, by: str | None) -> go.Figure:
    """Weekly mean with a confidence band per group."""
    figure = go.Figure()
    for index, (group, part) in enumerate(series.groupby("group", sort=False)):
        colour = category(index)
        figure.add_trace(
            interval_band(
                part["week"], part["ci_low"], part["ci_high"], fillcolor=colour, opacity=0.2
            )
        )
        figure.add_trace(
            go.Scatter(x=part["week"], y=part["mean"], name=str(group), line={"color": colour})
        )
    item = outcome_of(outcome)
    figure.update_layout(
        title=f"{item.label.capitalize()} week by week" + (f", by {by}" if by else ""),
        xaxis_title="week",
        yaxis_title=item.title,
        template=report_template(),
    )
    return figure


def write_report(
    folder: str | Path, out: str | Path | None = None, confidence: float = 0.95
) -> Path:
    """Analyze the results in `folder`; write index.html and the CSV tables to `out`.

    Args:
        folder: a sweep's results folder (finished or not).
        out: where to write; `folder/report` when None.
        confidence: level of every interval.

    Returns:
        The path of the HTML page.
    """
    results = analysis.load_results(folder)
    out = Path(out) if out is not None else results.folder / "report"
    with claim_folder(out, REPORT):
        return _write_report(results, out, confidence)


def _write_report(results: Results, out: Path, confidence: float) -> Path:
    page = Page()
    manifest = results.manifest
    page.heading(manifest["title"], 1)
    _overview(page, results)
    write_table(results.runs, out / "runs.csv")
    tables = {"runs.csv": "every finished run"}
    asked = results.asked_outcomes
    if "plan" in results.lists:
        plans_section(page, results, out, tables, confidence, asked)
        decisions_section(page, results, out, tables, confidence)
    _sensitivity_section(page, results, out, tables, confidence)
    means = analysis.outcome_means(results, confidence=confidence)
    write_table(means, out / "outcome_means.csv")
    tables["outcome_means.csv"] = "outcome means per factor level"
    if not means.empty and means.groupby("factor")["level"].nunique().gt(1).any():
        page.heading("Outcomes by parameter value")
        page.text(
            "Each point is the mean over all runs at that level (all other factors and "
            f"replications); bars are {confidence:.0%} t intervals."
        )
        for outcome in asked:
            page.figure(means_figure(means, outcome, confidence))
    _series_section(page, results, out, tables, confidence)
    failed = analysis.failures(results)
    write_table(failed, out / "failures.csv")
    tables["failures.csv"] = "failed runs with their errors"
    if len(failed):
        page.heading("Failed runs")
        page.table(failed)
    page.heading("Tables")
    page.parts.append(
        "<ul>"
        + "".join(
            f"<li><a href='{name}'>{name}</a>: {html.escape(what)}</li>"
            for name, what in tables.items()
        )
        + "</ul>"
    )
    path = out / "index.html"
    text = page.html(manifest["title"])
    write_atomically(path, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))
    # The report's manifest: what the folder holds, so that a later analyze recognizes it.
    about = json.dumps(
        {
            "kind": "sweep report",
            "package": "eachcustomer",
            "results": str(results.folder),
            "title": manifest["title"],
            "confidence": confidence,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        },
        indent=2,
    )
    write_atomically(
        out / MANIFEST, lambda temporary: Path(temporary).write_text(about, encoding="utf-8")
    )
    return path


def _overview(page: Page, results: Results) -> None:
    manifest, counts = results.manifest, analysis.progress(results)
    design = manifest["design"]
    page.text(
        f"Design {design['kind']}: {design['points']} points x {design['arms']} arms x "
        f"{design['replications']} replications = {design['runs']} runs; master seed "
        f"{manifest['master_seed']}; {manifest['weeks']} weeks; eachcustomer "
        f"{manifest['version']}."
    )
    page.text(
        f"Finished: {counts['ok']} ok, {counts['failed']} failed, {counts['missing']} "
        "not yet run" + (" (rerun the sweep command to resume)." if counts["missing"] else ".")
    )
    if manifest["ranges"]:
        page.text(
            "Ranges: "
            + "; ".join(f"{r['name']} {r['low']:g} to {r['high']:g}" for r in manifest["ranges"])
            + "."
        )
    if manifest["lists"]:
        page.text(
            "Lists and levers: "
            + "; ".join(
                f"{item['name']} = {', '.join(map(str, item['values']))}"
                for item in manifest["lists"]
            )
            + "."
        )


def _sensitivity_section(
    page: Page, results: Results, out: Path, tables: dict[str, str], confidence: float
) -> None:
    kind = results.manifest["design"]["kind"]
    if kind not in ("sobol", "morris"):
        return
    try:
        found = analysis.sensitivity(results, confidence=confidence)
    except AnalysisError as error:
        page.text(str(error))
        return
    if found is None:
        return
    indices = found
    name = f"{kind}_indices.csv"
    write_table(indices, out / name)
    tables[name] = f"{kind} sensitivity indices"
    page.heading("Sobol sensitivity indices" if kind == "sobol" else "Morris screening")
    if indices.empty:
        page.text(
            "No indices yet: they need every point of an arm finished without error "
            "(and an outcome that varies)."
        )
        return
    draw = sobol_figure if kind == "sobol" else morris_figure
    arms = indices.groupby(results.lists, sort=False) if results.lists else [((), indices)]
    for values, part in arms:
        values = values if isinstance(values, tuple) else (values,)
        label = ", ".join(f"{n} = {v}" for n, v in zip(results.lists, values, strict=True))
        for outcome in dict.fromkeys(part["outcome"]):
            page.figure(draw(part, outcome, f" ({label})" if label else ""))
    page.table(indices, outcome_column="outcome")


def _series_section(
    page: Page, results: Results, out: Path, tables: dict[str, str], confidence: float
) -> None:
    kept = results.manifest.get("series", [])
    if not kept or results.ok.empty:
        return
    by = "plan" if "plan" in results.lists else (results.lists[0] if results.lists else None)
    frames = []
    page.heading("Week by week")
    for outcome in kept:
        series = analysis.series_means(results, outcome, by=by, confidence=confidence)
        page.figure(series_figure(series, outcome, by))
        frames.append(series.assign(outcome=outcome))
    write_table(pd.concat(frames), out / "series_means.csv")
    tables["series_means.csv"] = "weekly means with intervals"
