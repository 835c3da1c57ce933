"""Explore: pick a scenario, change parameters, run, step, pause, reset; see why it changed.

The layout is in `dashboard.explore_layout`, the callbacks in `dashboard.explore_callbacks`
(imported here so that opening the page's module registers them).
"""

from __future__ import annotations

import dash

from dashboard import explore_callbacks  # noqa: F401 (registers the page's callbacks)
from dashboard.explore_layout import layout

dash.register_page(
    __name__,
    layout=layout,
    path="/explore",
    title="Explore · EachCustomer",
    name="Explore",
    order=0,
)

# The address the README opens shows Explore too.
dash.register_page(
    "explore_home", path="/", title="EachCustomer", name="Home", order=99, layout=layout
)
