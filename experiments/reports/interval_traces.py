"""An interval drawn with plotly: a band around a mean's line, or error bars at its points.

One way to draw an interval, for the reports (`eachcustomer.experiments.reports.report`,
`eachcustomer.experiments.reports.plan_report`, `eachcustomer.experiments.reports.headline`) and the
dashboard's plan comparison (`eachcustomer.dashboard.compare.figures`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go


def interval_band(x: Any, low: Any, high: Any, **style: Any) -> go.Scatter:
    """The area between `low` and `high` over `x`, filled: a mean's interval as a band.

    The outline runs out along `high` and back along `low`. The band takes no hover and no
    legend entry, so the mean's line drawn over it speaks for both; `style` sets the rest
    (fillcolor, opacity, name, legendgroup, mode).
    """
    return go.Scatter(
        x=np.concatenate([x, x[::-1]]),
        y=np.concatenate([high, low[::-1]]),
        fill="toself",
        line={"width": 0},
        hoverinfo="skip",
        showlegend=False,
        **style,
    )


def error_bars(low: pd.Series, middle: pd.Series, high: pd.Series) -> dict[str, Any]:
    """Plotly `error_y` for the interval from `low` to `high` around `middle` (asymmetric)."""
    return {"type": "data", "symmetric": False, "array": high - middle, "arrayminus": middle - low}
