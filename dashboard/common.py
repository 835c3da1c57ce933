"""Small helpers shared by the pages."""

from __future__ import annotations

from typing import Any

from dash import ctx
from dash.exceptions import MissingCallbackContextException


def triggered_id() -> Any:
    """The id of the input that fired the callback, or None outside a callback."""
    try:
        return ctx.triggered_id
    except MissingCallbackContextException:
        return None
