"""An HTML page of a report: headings, text, plotly figures and tables, in one file.

The sweep report (`report`) builds one and hands it to the sections of `plan_report` and
`decision_report`, which add to it.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from eachcustomer.experiments.analysis.outcomes import outcome as outcome_of


def _number(value: float) -> str:
    """Four significant digits; large amounts (budgets, customers) in full with separators."""
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.4g}"


class Page:
    """Collects sections; embeds plotly.js with the first figure only."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.figures = 0

    def heading(self, text: str, level: int = 2) -> None:
        self.parts.append(f"<h{level}>{html.escape(text)}</h{level}>")

    def text(self, text: str) -> None:
        self.parts.append(f"<p>{html.escape(text)}</p>")

    def figure(self, figure: go.Figure) -> None:
        self.parts.append(pio.to_html(figure, full_html=False, include_plotlyjs=self.figures == 0))
        self.figures += 1

    def table(
        self, frame: pd.DataFrame, limit: int = 50, outcome_column: str | None = None
    ) -> None:
        """A table that scrolls sideways inside the page; outcomes by their human names."""
        shown = frame.head(limit)
        if outcome_column is not None and outcome_column in shown:
            shown = shown.assign(
                **{outcome_column: [outcome_of(name).title for name in shown[outcome_column]]}
            )
        self.parts.append(
            "<div class='table-wrap'>"
            + shown.to_html(index=False, float_format=_number, na_rep="", border=0, classes="table")
            + "</div>"
        )
        if len(frame) > limit:
            self.text(f"... {len(frame) - limit} more rows in the CSV file.")

    def html(self, title: str) -> str:
        style = (
            "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;"
            "padding:0 1em;color:#222}table{border-collapse:collapse;font-size:.85em}"
            "td,th{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:right}"
            "code{background:#f4f4f4;padding:0 .2em}"
            ".table-wrap{overflow-x:auto;max-width:100%}"
        )
        return (
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
            f"</title><style>{style}</style></head><body>{''.join(self.parts)}"
            "</body></html>"
        )
