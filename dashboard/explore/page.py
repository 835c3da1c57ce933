"""Explore: pick a scenario, change parameters, run, step, pause, reset; see why it changed.

The layout is in `eachcustomer.dashboard.explore.layout`, the callbacks in
`eachcustomer.dashboard.explore.callbacks` (imported here so that opening the page's module
registers them).
"""

from __future__ import annotations

import dash

from eachcustomer.dashboard.explore import callbacks  # noqa: F401 (registers the page's callbacks)
from eachcustomer.dashboard.explore.layout import layout

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
