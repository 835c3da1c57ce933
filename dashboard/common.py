"""Small helpers shared by the pages."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, ctx, dcc, html
from dash.exceptions import MissingCallbackContextException, PreventUpdate

from eachcustomer.dashboard.settings import MAX_CHART_BYTES


def triggered_id() -> Any:
    """The id of the input that fired the callback, or None outside a callback."""
    try:
        return ctx.triggered_id
    except MissingCallbackContextException:
        return None


def clicked_id(clicks: list[Any]) -> dict[str, Any]:
    """The pattern-matching id of the button of a list that was clicked.

    No update when none was: redrawing the list fires the callback with no clicks.
    """
    trigger = triggered_id()
    if not isinstance(trigger, dict) or not any(clicks):
        raise PreventUpdate
    return trigger


def cancellable_job(prefix: str, interval: int) -> dict[str, Any]:
    """Background-callback options for a page's run / cancel buttons and progress bar.

    The buttons are `<prefix>-run` and `<prefix>-cancel`, the bar `<prefix>-progress`.
    """
    return {
        "background": True,
        "running": [
            (Output(f"{prefix}-run", "disabled"), True, False),
            (Output(f"{prefix}-cancel", "disabled"), False, True),
        ],
        "progress": [Output(f"{prefix}-progress", "value"), Output(f"{prefix}-progress", "max")],
        "cancel": [Input(f"{prefix}-cancel", "n_clicks")],
        "interval": interval,
        "prevent_initial_call": True,
    }


def job_controls(prefix: str, run_label: str, status: bool = True) -> list[Any]:
    """Run and Cancel buttons, a progress bar, a status line and an error line.

    Their ids match `cancellable_job(prefix, ...)`: `<prefix>-run`, `<prefix>-cancel`,
    `<prefix>-progress`, and `<prefix>-status`, `<prefix>-error`.
    """
    controls: list[Any] = [
        html.Div(
            className="run-buttons",
            children=[
                html.Button(run_label, id=f"{prefix}-run", className="button primary"),
                html.Button("Cancel", id=f"{prefix}-cancel", className="button", disabled=True),
            ],
        ),
        html.Progress(id=f"{prefix}-progress", value="0", max="1", className="progress"),
    ]
    if status:
        controls.append(html.Div(id=f"{prefix}-status", className="status", role="status"))
    controls.append(html.Div(id=f"{prefix}-error", className="error", role="alert"))
    return controls


def speed_control(prefix: str, value: int) -> html.Div:
    """How fast a run plays: weeks shown per second, or as fast as it computes ("max").

    `<prefix>-speed` is the slider (an index of `eachcustomer.dashboard.runs.SPEEDS`), kept
    for the browser session; `<prefix>-speed-note` says the speed in words.
    """
    from eachcustomer.dashboard.runs import SPEEDS

    marks = {index: ("max" if pace is None else f"{pace:g}") for index, pace in enumerate(SPEEDS)}
    return html.Div(
        className="speed",
        children=[
            html.Label(
                ["Speed ", html.Span("(weeks a second)", className="unit")],
                htmlFor=f"{prefix}-speed",
                className="field-label",
            ),
            dcc.Slider(
                id=f"{prefix}-speed",
                min=0,
                max=len(SPEEDS) - 1,
                step=1,
                value=value,
                marks=marks,
                persistence=True,
                persistence_type="session",
                updatemode="mouseup",
                allow_direct_input=False,  # the value is a position on the scale, not a speed
            ),
            html.Div(id=f"{prefix}-speed-note", className="note"),
        ],
    )


def upload_box(upload_id: str, text: str, accept: str) -> html.Div:
    """A drop zone that is also a keyboard-focusable button.

    The browser neither reads nor sends a file over the limit (`max_size`); the page's
    script (assets/uploads.js) puts its name and size in the store `<id>-refused`, and
    the upload callback answers with the server's own message.
    """
    return html.Div(
        [
            dcc.Store(id=f"{upload_id}-refused"),
            dcc.Upload(
                id=upload_id,
                className="upload",
                accept=accept,
                multiple=False,
                max_size=MAX_CHART_BYTES,  # one limit for every upload
                children=html.Div(
                    [
                        html.Button(text, className="button small", type="button"),
                        html.Div("or drop the file here", className="note"),
                    ]
                ),
            ),
        ]
    )


def aria_label(text: str) -> dict[str, Any]:
    """`**aria_label(...)` names a component for screen readers (Dash takes aria-* keywords)."""
    return {"aria-label": text}
