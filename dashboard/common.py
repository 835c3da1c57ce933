"""Small helpers shared by the pages."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, ctx
from dash.exceptions import MissingCallbackContextException


def triggered_id() -> Any:
    """The id of the input that fired the callback, or None outside a callback."""
    try:
        return ctx.triggered_id
    except MissingCallbackContextException:
        return None


def cancellable_job(prefix: str, interval: int) -> dict[str, Any]:
    """Background-callback options for a page's run / cancel buttons and progress bar.

    The buttons are `<prefix>-run` and `<prefix>-cancel`, the bar `<prefix>-progress`.
    """
    return {
        "background": True,
        "running": [(Output(f"{prefix}-run", "disabled"), True, False),
                    (Output(f"{prefix}-cancel", "disabled"), False, True)],
        "progress": [Output(f"{prefix}-progress", "value"), Output(f"{prefix}-progress", "max")],
        "cancel": [Input(f"{prefix}-cancel", "n_clicks")],
        "interval": interval,
        "prevent_initial_call": True,
    }
