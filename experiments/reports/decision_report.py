"""The report's "Where the verdict holds" section: the decision map and scenario discovery.

For a sweep with two plans besides "none": one heatmap per outcome of the challenger's
paired advantage (`eachcustomer.experiments.analysis.decisions.decision_map`, Bonferroni
intervals over the cells) with the break-even line and the cells too close to call, the
break-even in words (only between clear cells of opposite verdicts, else why none can be
stated and what would settle it), and the PRIM regions where each plan came out ahead in
single runs (`eachcustomer.experiments.analysis.discovery`). The figure function is pure
(DataFrame -> go.Figure).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from eachcustomer.experiments.analysis import decisions, discovery
from eachcustomer.experiments.analysis.decisions import BRACKET, factor_label
from eachcustomer.experiments.analysis.multiplicity import family_note
from eachcustomer.experiments.analysis.outcomes import outcome as outcome_of
from eachcustomer.experiments.analysis.statistics import PAIRING_NOTE
from eachcustomer.experiments.analysis.tables import AnalysisError, Results
from eachcustomer.experiments.analysis.verdicts import TOO_CLOSE, TOO_FEW, settle
from eachcustomer.experiments.loading.files import write_table
from eachcustomer.experiments.loading.plans import NO_PLAN, plan_library
from eachcustomer.experiments.reports.page import Page
from eachcustomer.experiments.reports.palette import (
    BLACK,
    DIVERGING,
    INK,
    YELLOW,
    report_template,
)
from eachcustomer.extras import MissingExtraError, skipped

STATISTICS = ("n", "mean", "ci_low", "ci_high", "comparisons", "verdict")


def map_axes(table: pd.DataFrame) -> tuple[str | None, str | None]:
    """The factor columns of a `decision_map` table: x, then y (None when fewer)."""
    axes = [c for c in table.columns[3:] if c not in STATISTICS]
    return (axes + [None, None])[0], (axes + [None, None])[1]


def decision_map_figure(
    table: pd.DataFrame,
    outcome: str,
    x: str,
    y: str | None = None,
    titles: dict[str, str] | None = None,
    priced: str | None = None,
    mark: tuple[float, float | None, str] | None = None,
) -> go.Figure:
    """The challenger's mean advantage per cell, with the break-even line (mean 0).

    Cells whose interval straddles zero are framed as too close to call; the line is drawn
    only where `decisions.break_even` states a break-even (clear cells of opposite verdicts
    on its two sides). `table` is
    `eachcustomer.experiments.analysis.decisions.decision_map`; `x` and `y` are two of its factor
    columns. `mark` is a point (its x, its y and a label) drawn as a star where it falls between
    the cells' levels, for example the model's defaults; a point outside the map's range is
    not drawn.
    """
    rows = table[table["outcome"] == outcome]
    titles = titles or {}
    reference, challenger = str(rows["reference"].iloc[0]), str(rows["challenger"].iloc[0])
    xs = sorted(rows[x].unique())
    ys = sorted(rows[y].unique()) if y else [0.0]
    cells = rows.set_index([x, y] if y else [x])
    item = outcome_of(outcome)

    def cell(i: int, j: int, column: str) -> object:
        key = (xs[i], ys[j]) if y else xs[i]
        return cells.loc[key, column] if key in cells.index else np.nan

    grid = [[cell(i, j, "mean") for i in range(len(xs))] for j in range(len(ys))]
    text = [
        [
            "" if pd.isna(cell(i, j, "mean")) else format(cell(i, j, "mean"), item.fmt)
            for i in range(len(xs))
        ]
        for j in range(len(ys))
    ]
    hover = [
        [
            f"{cell(i, j, 'mean'):.4g} [{cell(i, j, 'ci_low'):.4g}, {cell(i, j, 'ci_high'):.4g}],"
            f" n={cell(i, j, 'n')}: {cell(i, j, 'verdict')}"
            for i in range(len(xs))
        ]
        for j in range(len(ys))
    ]
    first = titles.get(challenger, challenger)
    second = titles.get(reference, reference)
    figure = go.Figure(
        go.Heatmap(
            z=grid,
            x=list(range(len(xs))),
            y=list(range(len(ys))),
            text=text,
            texttemplate="%{text}",
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale=DIVERGING,
            zmid=0,
            colorbar={"title": {"text": f"{first}<br>better by"}, "tickformat": item.fmt},
        )
    )
    close = [
        (i, j) for i in range(len(xs)) for j in range(len(ys)) if cell(i, j, "verdict") == TOO_CLOSE
    ]
    for i, j in close:  # a dashed frame, so the cell's own colour and number stay readable
        figure.add_shape(
            type="rect",
            x0=i - 0.46,
            x1=i + 0.46,
            y0=j - 0.44,
            y1=j + 0.44,
            line={"color": INK, "width": 2, "dash": "dot"},
        )
    if close:  # the frames' legend entry
        figure.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={"symbol": "square-open", "size": 14, "color": INK},
                name="too close to call (interval includes 0)",
            )
        )
    means = np.array(grid, dtype=float)
    stated = not decisions.break_even(rows, x, y).empty
    if stated and len(xs) > 1 and len(ys) > 1 and np.nanmin(means) < 0 < np.nanmax(means):
        figure.add_trace(
            go.Contour(
                z=grid,
                x=list(range(len(xs))),
                y=list(range(len(ys))),
                contours={"start": 0, "end": 0, "size": 1, "coloring": "lines"},
                colorscale=[[0, BLACK], [1, BLACK]],
                line={"width": 3},
                showscale=False,
                name="break-even (mean advantage 0, between clear cells)",
                showlegend=True,
                hoverinfo="skip",
            )
        )
    if mark is not None:
        _mark_point(figure, xs, ys if y else None, mark)
    figure.update_layout(
        title=f"{first} against {second}: {item.label}, paired advantage per cell",
        template=report_template(),
        height=520,
        legend={"orientation": "h", "y": -0.2},
    )
    figure.update_xaxes(
        title_text=factor_label(x, titles.get(priced or "", priced)),
        tickvals=list(range(len(xs))),
        ticktext=[f"{v:g}" for v in xs],
    )
    figure.update_yaxes(
        title_text=factor_label(y, titles.get(priced or "", priced)) if y else "",
        tickvals=list(range(len(ys))),
        ticktext=[f"{v:g}" for v in ys] if y else [""],
    )
    return figure


def _mark_point(
    figure: go.Figure,
    xs: list[float],
    ys: list[float] | None,
    mark: tuple[float, float | None, str],
) -> None:
    # The heatmap's cells sit at 0, 1, 2, ... (levels need not be evenly spaced): a value
    # between two levels is placed between their cells in proportion.
    at_x, at_y, label = mark
    place = []
    for levels, value in ((xs, at_x), (ys, at_y)):
        if levels is None:
            place.append(0.0)
            continue
        if value is None or not (min(levels) <= value <= max(levels)):
            return
        place.append(float(np.interp(value, levels, range(len(levels)))))
    figure.add_trace(
        go.Scatter(
            x=[place[0]],
            y=[place[1]],
            mode="markers",
            marker={
                "symbol": "star",
                "size": 15,
                "color": YELLOW,
                "line": {"width": 1.5},
                "opacity": 0.9,
            },
            name=label,
            hovertemplate=f"{label}<extra></extra>",
        )
    )


def decisions_section(
    page: Page, results: Results, out: Path, tables: dict[str, str], confidence: float
) -> None:
    plans = [p for p in dict.fromkeys(results.ok["plan"].astype(str)) if p != NO_PLAN]
    if len(plans) < 2 or results.ok.empty:
        return
    try:
        table = decisions.decision_map(results, confidence=confidence)
        boxes, without = scenario_boxes(results)
    except AnalysisError as error:
        page.heading("Where the verdict holds")
        page.text(str(error))
        return
    x, y = map_axes(table)
    axes = [name for name in (x, y) if name is not None]
    priced = decisions.priced_plan(results)
    library = plan_library()
    titles = {name: plan.title for name, plan in library.items()}
    reference, challenger = str(table["reference"].iloc[0]), str(table["challenger"].iloc[0])
    write_table(table, out / "decision_map.csv")
    tables["decision_map.csv"] = "paired advantage per cell of the decision map"
    if boxes is not None:
        write_table(discovery.boxes_table(boxes), out / "scenario_boxes.csv")
        tables["scenario_boxes.csv"] = (
            "PRIM boxes: where each plan comes out ahead in single paired runs"
        )
    else:  # an earlier analysis's boxes would be taken for this one's
        (out / "scenario_boxes.csv").unlink(missing_ok=True)
    page.heading("Where the verdict holds")
    page.text(
        f"The advantage of {titles.get(challenger, challenger)} ({challenger}) over "
        f"{titles.get(reference, reference)} ({reference}), positive where {challenger} does "
        f"better, per cell of {' and '.join(axes) or 'the sweep'}: the mean over paired runs "
        f"with its interval ({PAIRING_NOTE}). "
        + family_note(confidence, int(table["comparisons"].max()), "cells of each outcome's map")
        + " The black line is the break-even (mean advantage 0), drawn where clear cells of "
        "opposite verdicts lie on its two sides; cells in a dotted frame are too close to call "
        "(the interval includes 0)."
    )
    for outcome in dict.fromkeys(table["outcome"]):
        if x is not None:
            page.figure(decision_map_figure(table, outcome, x, y, titles, priced))
        if x is not None:
            crossings = decisions.break_even(table[table["outcome"] == outcome], x, y)
            for sentence in break_even_sentences(
                crossings,
                outcome,
                x,
                y,
                titles.get(challenger, challenger),
                titles.get(priced or "", priced),
                cells=table[table["outcome"] == outcome],
                reference=titles.get(reference, reference),
            ):
                page.text(sentence)
    page.table(table)
    page.heading("Scenario discovery", 3)
    if boxes is None:
        page.text(without)
        return
    page.text(
        "PRIM (EMA Workbench) over every swept factor, each pair of runs a case: the region "
        "where each plan came out ahead in single paired runs, chosen on PRIM's peeling "
        "trajectory for the best balance of coverage and density among regions of at least "
        f"{discovery.MIN_CASES} runs where it came out ahead in at least "
        f"{discovery.MIN_DENSITY:.0%} of them; with fewer than {discovery.MIN_CASES} paired "
        f'runs in the sweep the answer is "{discovery.NOT_ENOUGH}". A region describes '
        "single runs; the verdicts are the decision map's."
    )
    for box in boxes:
        page.text(discovery.box_sentence(box, titles, titles.get(priced or "", priced)))


def scenario_boxes(results: Results) -> tuple[list[discovery.ScenarioBox] | None, str]:
    """PRIM's boxes and "", or None and the sentence saying PRIM was skipped.

    PRIM is an extra ([discovery]): without it the decision map and break-even are still
    written, and the report says what was left out and how to get it (`ExtraSkipped` warns
    the caller too).
    """
    try:
        return discovery.scenario_boxes(results), ""
    except MissingExtraError as error:
        return None, skipped(error)


def break_even_sentences(
    crossings: pd.DataFrame,
    outcome: str,
    x: str,
    y: str | None,
    challenger: str,
    priced: str | None,
    cells: pd.DataFrame | None = None,
    reference: str = "the reference",
) -> list[str]:
    """The break-even (`eachcustomer.experiments.analysis.decisions.break_even`) on one outcome in
    words; without one, why none can be stated (from the outcome's `cells` when given) and
    what would settle it (`verdicts.settle`)."""
    label = outcome_of(outcome).label
    factor = decisions.factor_label(x, priced)
    sentences = []
    for _, row in crossings.iterrows():
        where = f"At {y} = {row[y]:g}, " if y else ""
        below, above = (challenger, reference)
        if row["challenger_better"] == "above":
            below, above = above, below
        bracket = ""
        if all(name in row for name in BRACKET):
            bracket = (
                f" between {row[BRACKET[0]]:.3g} ({below} clearly better) and "
                f"{row[BRACKET[1]]:.3g} ({above} clearly better)"
            )
        sentences.append(
            f"{where}the verdict on {label} changes along the {factor}{bracket}: the "
            f"break-even lies there, and the mean advantage crosses 0 at about {row[x]:.3g}; "
            f"{challenger} does better {row['challenger_better']} it."
        )
    if crossings.empty:
        sentences.append(_no_break_even(label, factor, cells, challenger, reference))
    return sentences


def _no_break_even(
    label: str, factor: str, cells: pd.DataFrame | None, challenger: str, reference: str
) -> str:
    """Why no break-even is stated on one outcome, and what would settle it."""
    said = f"No break-even can be stated on {label}"
    if cells is None or cells.empty:
        return f"{said}: the verdict does not change sign between clear cells of the map."
    verdicts = [decisions.cell_verdict(row) for row in cells.itertuples(index=False)]
    clear = [found for found in verdicts if found.clear]
    if all(found.word == TOO_FEW for found in verdicts):
        return f"{said}: every cell has {TOO_FEW}; {settle(verdicts[0])}."
    if not clear:
        closest = decisions.closest_to_a_verdict(cells)
        hint = ""
        if closest is not None:
            row, found = closest
            axes = [name for name in map_axes(cells) if name is not None]
            at = ", ".join(f"{name} = {getattr(row, name):g}" for name in axes)
            hint = f"; in the cell closest to a verdict ({at}), {settle(found)}"
        return f"{said}: every cell is {TOO_CLOSE}{hint}."
    ahead = {challenger if found.advantage > 0 else reference for found in clear}
    if len(ahead) == 1:
        return (
            f"{said}: {ahead.pop()} does better in {len(clear)} of the {len(verdicts)} cells "
            f"and no cell has a clear verdict the other way (the others are {TOO_CLOSE})."
        )
    return (
        f"{said} along the {factor}: each plan is clearly better in some cells, but never "
        "in two cells along it at the same level of the other factor."
    )
