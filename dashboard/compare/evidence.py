"""Compare's "Where the verdict holds": the shipped decision map, read from its folder.

The numbers come from a sweep (the built-in sweep spec decision_map), not from the
comparison on the page: `eachcustomer.experiments.reports.evidence` writes them with the
functions of `eachcustomer analyze` into a folder that ships inside the package
(experiments/specs/evidence/decision_map, `eachcustomer list evidence`), and this module
draws them with the same figure function
(`eachcustomer.experiments.reports.decision_report.decision_map_figure`) in the dashboard's
look. A missing or damaged folder is said in a sentence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from dash import dcc, html

from eachcustomer.dashboard.chart_style import FONT_FAMILY, graph_config, look
from eachcustomer.experiments.analysis.decisions import cell_verdict, factor_label
from eachcustomer.experiments.analysis.discovery import box_sentence
from eachcustomer.experiments.analysis.multiplicity import family_note
from eachcustomer.experiments.analysis.outcomes import outcome as outcome_of
from eachcustomer.experiments.loading.catalogue import builtins
from eachcustomer.experiments.loading.plans import plan_library
from eachcustomer.experiments.reports import evidence as shipped
from eachcustomer.experiments.reports.decision_report import break_even_sentences

EVIDENCE_FOLDER = shipped.shipped_folder()
MAP_HEIGHT = 520


def evidence_section(folder: Path = EVIDENCE_FOLDER, large: bool = False) -> list[Any]:
    """The section's children: the maps, the break-even, the regions, how to reproduce."""
    heading = html.H2("Where the verdict holds")
    try:
        found = shipped.read_evidence(folder)
    except shipped.EvidenceError as error:
        return [
            heading,
            html.P(
                f"The decision map is not available: {error}. Regenerate it with "
                "`eachcustomer sweep decision_map --out results/decision_map` and "
                "`eachcustomer evidence results/decision_map`.",
                id="compare-evidence-missing",
            ),
        ]
    table, manifest = found.table, found.manifest
    x, y = found.axes
    titles = {name: plan.title for name, plan in plan_library().items()}
    reference, challenger = str(table["reference"].iloc[0]), str(table["challenger"].iloc[0])
    first, second = titles.get(challenger, challenger), titles.get(reference, reference)
    priced = manifest.get("priced_plan")
    pairs = int(table["n"].max())
    children: list[Any] = [
        heading,
        html.P(
            f"Not the comparison above: a sweep of {first} against {second} at equal budget "
            f"over the {factor_label(x, titles.get(priced or '', priced))}"
            + (f" and {factor_label(y, titles.get(priced or '', priced))}" if y else "")
            + f". Each cell is {first}'s mean advantage over {pairs} paired replications "
            f"(positive: {first} does better), with its interval in its hover text; the black "
            "line is the break-even (drawn where clear cells of opposite verdicts lie on its "
            "two sides), a dotted frame marks a cell too close to call, the star the model's "
            "defaults. "
            + family_note(
                float(manifest.get("confidence", 0.95)),
                int(table["comparisons"].max()),
                "cells of each outcome's map",
            ),
            className="note",
            id="compare-evidence-family",
        ),
    ]
    if manifest["differences"]:
        children.append(
            html.P(
                [
                    html.Strong("Preliminary: "),
                    "these runs differ from the spec file ("
                    + "; ".join(manifest["differences"])
                    + "). Regenerate before quoting a number.",
                ],
                className="note",
                id="compare-evidence-preliminary",
            )
        )
    for outcome in dict.fromkeys(table["outcome"]):
        figure = shipped.map_figure(table, manifest, outcome)
        children.append(
            dcc.Graph(
                id=f"compare-evidence-map-{outcome}",
                className="chart",
                figure=_dashboard_look(figure, large),
                config=graph_config(f"decision-map-{outcome}"),
                style={"height": f"{MAP_HEIGHT}px"},
            )
        )
        crossings = found.crossings[found.crossings["outcome"] == outcome]
        sentences = break_even_sentences(
            crossings,
            outcome,
            x,
            y,
            first,
            titles.get(priced or "", priced),
            cells=table[table["outcome"] == outcome],
            reference=second,
        )
        sentences.append(_at_defaults(table, manifest, outcome, x, y, titles))
        children.append(html.Ul([html.Li(s) for s in sentences], className="evidence-break-even"))
    children += [
        html.H3("Where each plan comes out ahead in single runs (scenario discovery, PRIM)"),
        html.Ul(
            [
                html.Li(box_sentence(box, titles, titles.get(priced or "", priced)))
                for box in found.boxes
            ],
            id="compare-evidence-regions",
        ),
        html.P(
            _reproduce(manifest, found.folder), className="note", id="compare-evidence-reproduce"
        ),
    ]
    return children


def _dashboard_look(figure: Any, large: bool) -> Any:
    sizes = look(large)
    figure.update_layout(
        font={"size": sizes.text, "family": FONT_FAMILY},
        title={"font": {"size": sizes.title}, "x": 0.01, "xanchor": "left"},
        modebar={"orientation": "v"},
        height=MAP_HEIGHT,
        # Room at the right for the upright mode bar beside the colour bar's title.
        margin={"l": 10, "r": sizes.right_margin + 30, "t": 60, "b": 10},
    )
    figure.update_xaxes(automargin=True)
    figure.update_yaxes(automargin=True)
    return figure


def _at_defaults(
    table: pd.DataFrame,
    manifest: dict[str, Any],
    outcome: str,
    x: str,
    y: str | None,
    titles: dict[str, str],
) -> str:
    """The cell at the model's defaults in words, when the map has it."""
    defaults = manifest.get("defaults") or {}
    where = " and ".join(
        f"{name} = {defaults.get(name, float('nan')):g}" for name in (x, y) if name
    )
    rows = table[table["outcome"] == outcome]
    at = pd.Series(True, index=rows.index)
    for name in (x, y):
        if name:
            at &= (rows[name] - float(defaults.get(name, float("nan")))).abs() < 1e-12
    if not at.any():
        return f"The model's defaults ({where}) are not a cell of the map."
    cell = rows[at].iloc[0]
    item = outcome_of(outcome)
    found = cell_verdict(
        next(rows[at].itertuples(index=False))
    )  # the word of the map's CSV, judged from the same interval
    plan = str(cell["challenger"] if found.advantage > 0 else cell["reference"])
    said = (
        f"{titles.get(plan, plan)} does better on {item.label}"
        if found.clear
        else f"{found.word} on {item.label}"
    )
    return (
        f"At the model's defaults ({where}): {said} (mean advantage "
        f"{format(cell['mean'], item.fmt)}, interval {format(cell['ci_low'], item.fmt)} to "
        f"{format(cell['ci_high'], item.fmt)})."
    )


def _reproduce(manifest: dict[str, Any], folder: Path) -> str:
    spec = str(manifest["spec"])
    named = (
        f"the built-in sweep spec {spec}" if spec in builtins("sweep") else f"the sweep spec {spec}"
    )
    return (
        f"Every number here comes from {named} (master seed "
        f"{manifest['master_seed']}, eachcustomer {manifest.get('version', '?')}); "
        f"reproduce it with `{'` then `'.join(manifest['commands'])}`. The tables are in "
        f"{folder.as_posix()}/ (`eachcustomer list evidence`)."
    )
