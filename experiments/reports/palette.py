"""The project's colours: one palette for the reports, the plan finder, calibration and the
dashboard.

Categories (plans, factors, mechanisms, distance bands) take Okabe and Ito's colours, which
stay distinguishable with every common colour-vision deficiency; signed quantities (an
attitude, a plan's advantage) take ColorBrewer's diverging RdBu, red below zero through light
grey to blue above, always on a range symmetric about zero. The palette lives beside the
reports because the dashboard imports the experiments, never the reverse.
"""

from __future__ import annotations

import functools

import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import diverging

BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
"""Okabe-Ito's bluish green."""
PURPLE = "#CC79A7"
"""Okabe-Ito's reddish purple."""
SKY_BLUE = "#56B4E9"
VERMILLION = "#D55E00"
BLACK = "#000000"
GREY = "#999999"
YELLOW = "#F0E442"
"""Too light for a line on white: for a marker with a dark outline."""

CATEGORIES = (BLUE, ORANGE, GREEN, PURPLE, SKY_BLUE, VERMILLION, BLACK, GREY, YELLOW)
"""Okabe-Ito in the order categories take them: the first category blue, the second orange."""

INK = "#333333"
"""Reference marks drawn over the data: dashed or dotted lines, frames, their notes."""

DIVERGING = diverging.RdBu
"""Negative red, zero light grey, positive blue (ColorBrewer RdBu, colour-blind safe)."""


def category(index: int) -> str:
    """The colour of the category at `index`, around the palette again after the last."""
    return CATEGORIES[index % len(CATEGORIES)]


def rgba(colour: str, alpha: float) -> str:
    """A "#RRGGBB" colour made translucent (`alpha` 0 to 1), e.g. for a band around a line."""
    code = colour.lstrip("#")
    red, green, blue = (int(code[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red},{green},{blue},{alpha})"


@functools.cache
def report_template() -> go.layout.Template:
    """plotly_white drawing its traces in the palette: the look of every report's figures.

    Built on first use, not on import: the dashboard, which imports the palette, styles its
    charts by hand (`eachcustomer.dashboard.chart_style.layout`).
    """
    template = go.layout.Template(pio.templates["plotly_white"])
    template.layout.colorway = CATEGORIES
    return template
