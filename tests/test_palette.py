"""One palette: its colours, and no other module that spells them (or another palette) out."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import plotly.io as pio

from eachcustomer.experiments.reports import palette
from eachcustomer.experiments.reports.report import series_figure

PACKAGE = Path(__file__).resolve().parents[1] / "eachcustomer"


def sources() -> dict[str, str]:
    """Every module of the package (following the links to the folders), by its path."""
    found = {}
    for folder, _, names in os.walk(PACKAGE, followlinks=True):
        for name in names:
            if name.endswith(".py"):
                path = Path(folder) / name
                found[path.relative_to(PACKAGE).as_posix()] = path.read_text(encoding="utf-8")
    return found


def test_the_categories_are_the_nine_okabe_ito_colours_blue_first():
    assert len(set(palette.CATEGORIES)) == 9
    assert palette.CATEGORIES[:3] == ("#0072B2", "#E69F00", "#009E73")
    assert [palette.category(i) for i in (0, 9, 10)] == [palette.BLUE, palette.BLUE, palette.ORANGE]


def test_signed_values_run_from_red_through_grey_to_blue():
    scale = palette.DIVERGING
    assert scale[0] == "rgb(103,0,31)" and scale[-1] == "rgb(5,48,97)"
    assert scale[len(scale) // 2] == "rgb(247,247,247)"


def test_rgba_makes_a_colour_translucent():
    assert palette.rgba("#0072B2", 0.18) == "rgba(0,114,178,0.18)"


def test_report_figures_draw_in_the_palette_on_plotly_white():
    template = palette.report_template()
    assert tuple(template.layout.colorway) == palette.CATEGORIES
    assert template.layout.plot_bgcolor == pio.templates["plotly_white"].layout.plot_bgcolor
    series = pd.DataFrame(
        {
            "group": ["a", "a", "b", "b"],
            "week": [0, 1, 0, 1],
            "mean": [0.0, 1.0, 0.5, 0.7],
            "ci_low": [0.0, 0.5, 0.4, 0.6],
            "ci_high": [0.0, 1.5, 0.6, 0.8],
        }
    )
    figure = series_figure(series, "final_mean_attitude", "plan")
    lines = [trace.line.color for trace in figure.data if trace.name in ("a", "b")]
    assert lines == [palette.BLUE, palette.ORANGE]
    assert tuple(figure.layout.template.layout.colorway) == palette.CATEGORIES


def test_no_other_module_spells_out_the_palette_or_another_one():
    own = re.compile(
        "|".join(re.escape(c) for c in (*palette.CATEGORIES, palette.INK)), re.IGNORECASE
    )
    # named plotly scales and colour lists (a mention in prose is fine)
    other = re.compile(r"colorway|[\"']RdBu[\"']|\.RdBu\b|px\.colors|plotly\.colors|qualitative\.")
    copies = {
        path: sorted({m.group(0) for m in [*own.finditer(text), *other.finditer(text)]})
        for path, text in sources().items()
        if path != "experiments/reports/palette.py"
    }
    assert {path: found for path, found in copies.items() if found} == {}


def test_the_headline_and_the_plan_finder_draw_in_the_palette():
    from eachcustomer.experiments.planfinder.charts import front_figure
    from eachcustomer.experiments.planfinder.objectives import Objective
    from eachcustomer.experiments.reports import headline

    rows = [
        {"outcome": column, "plan": plan, "budget": budget, "mean": 1.0, "low": 0.5, "high": 1.5}
        for column, _ in headline.PANELS
        for plan in ("training_day", "culture_change")
        for budget in (1.0, 2.0)
    ]
    figure = headline.figure(pd.DataFrame(rows), "headline")
    lines = [trace.line.color for trace in figure.data if trace.mode == "lines+markers"]
    assert set(lines) == {palette.ORANGE, palette.BLUE}  # as in docs/figures/headline.png

    objectives = [
        Objective("recent_annual_customer_loss"),
        Objective("net_revenue", minimize=False),
    ]
    names = [o.name for o in objectives]
    front = pd.DataFrame(
        {names[0]: [0.1, 0.2], names[1]: [5.0, 6.0], "plan": ["x", "y"], "recommended": [0, 1]}
    )
    references = pd.DataFrame({names[0]: [0.3], names[1]: [4.0], "plan": ["doing nothing"]})
    colours = {t.name: t.marker.color for t in front_figure(front, objectives, references).data}
    assert colours == {
        "front": palette.BLUE,
        "recommended": palette.VERMILLION,
        "plan library, doing nothing": palette.GREY,
    }
