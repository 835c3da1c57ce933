"""The model in Mesa's own visualization: SolaraViz with the org network and two plots.

Run it with Solara (the `[viz]` extra installs solara, altair and matplotlib)::

    pip install 'eachcustomer[viz]'           # in a checkout: .venv/bin/pip install -e '.[viz]'
    solara run experiments/examples/mesa_viz.py          # in a checkout
    solara run eachcustomer.experiments.examples.mesa_viz  # from any install

and open http://localhost:8765. The page is Mesa's `SolaraViz`: Step, Play and Reset, a
slider for the play interval, sliders for the head count, the negativity bias, the
contagion rate and the seed (Reset builds the model anew from them), the org network drawn
by Mesa's `make_space_component` (each employee a node of an org chart, red for "the
customer", blue for "each customer", lines for reporting lines and peer ties) and Mesa's
`make_plot_component` plots of the model's `DataCollector` (mean attitude and the share
negative; active customers).

Internet access: the model and Mesa need none, but Solara's front end is not in the solara
package. The page asks the Solara server for require.js, Solara's Vue/Vuetify application,
Font Awesome and (for SolaraViz's grid of panels) vue-grid-layout; the server fetches each
from the jsDelivr CDN the first time and keeps it under `<environment>/share/solara/cdn/`
(its assets proxy, on by default; `SOLARA_ASSETS_PROXY_CACHE_DIR` moves it). So the first
page load in a new environment needs internet on the machine that runs `solara run` (the
browser only talks to that server); without it the page stays on "Loading app". Later
loads come from the cache, offline. For a machine without internet, copy that folder from
one that loaded the page, or unpack the npm packages into it, each in a folder named
`NAME@VERSION` as the page asks for them: `requirejs@2.3.6`,
`@widgetti/solara-vuetify-app@10.1.1`, `font-awesome@4.5.0` and
`@widgetti/vue-grid-layout@2.3.13-alpha.2` for solara 1.64 (`npm pack NAME@VERSION`, then
`tar -xzf FILE --strip-components=1 -C CACHE/NAME@VERSION`). Solara also loads an
invisible solara.dev frame (its install check) and sends usage telemetry, which
`SOLARA_TELEMETRY_MIXPANEL_ENABLE=false` turns off; the page works without either.

Without the `[viz]` extra, importing this module raises `MissingExtraError` with the pip
command. The parts are plain functions, so they also work in a notebook: `make_page(model)`
is Mesa's SolaraViz of a model (display it in Jupyter), and `agent_portrayal` and
`org_chart_layout` are what `make_space_component` and `mesa.visualization.draw_space`
take.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from eachcustomer.dashboard.organization.network import hierarchy_layout
from eachcustomer.experiments.reports.palette import DIVERGING
from eachcustomer.extras import require
from eachcustomer.sim.model import OrgModel
from eachcustomer.sim.params import Params

FEATURE = "Mesa's visualization (SolaraViz) of the model"
require("solara", "viz", FEATURE)
require("altair", "viz", FEATURE)  # mesa.visualization imports it whichever backend draws
require("matplotlib", "viz", FEATURE)

import solara  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap  # noqa: E402
from mesa.visualization import Slider, SolaraViz  # noqa: E402
from mesa.visualization.components import (  # noqa: E402
    AgentPortrayalStyle,
    make_plot_component,
    make_space_component,
)

EMPLOYEES = 200
"""The page's first head count: a network a browser draws quickly at every step."""
ATTITUDE_COLORS = LinearSegmentedColormap.from_list(
    "attitude",
    [tuple(int(c) / 255 for c in rgb[4:-1].split(",")) for rgb in DIVERGING],
)
"""The project's attitude colours: red for -1 ("the customer"), blue for +1 ("each customer")."""

model_params: dict[str, Any] = {
    "n_employees": Slider("Employees", EMPLOYEES, 20, 1000, 10),
    "negativity_bias": Slider("Negativity bias", 2.1, 1.0, 4.0, 0.1),
    "contagion_rate": Slider("Contagion rate", 0.1, 0.0, 0.25, 0.01),
    "seed": Slider("Seed", 42, 0, 999, 1),
}
"""SolaraViz's controls; Reset builds `OrgModel(**values)`, as `mesa.batch_run` does."""


def agent_portrayal(employee: Any) -> Any:
    """How Mesa draws an employee: coloured by attitude, managers larger."""
    red, green, blue, _ = ATTITUDE_COLORS((employee.attitude + 1.0) / 2.0)
    size = 40 if employee.level <= 2 else 14
    return AgentPortrayalStyle(color=(red, green, blue), size=size, marker="o")


def org_chart_layout(graph: nx.Graph, **_: Any) -> dict[int, tuple[float, float]]:
    """Node positions of an org chart (Mesa's `draw_network` takes any `layout_alg`).

    The boss of each position comes from the graph's reporting lines (edges of kind
    "reports_to"): the root is node 0, the chief. The layout is the Organization page's
    (`eachcustomer.dashboard.organization.network.hierarchy_layout`), the same every week,
    so a step only recolours the nodes; Mesa's default spring layout would move them.
    """
    size = graph.number_of_nodes()
    tree = nx.Graph()
    tree.add_nodes_from(range(size))
    tree.add_edges_from((a, b) for a, b, kind in graph.edges(data="kind") if kind == "reports_to")
    boss = np.full(size, -1)
    for parent, node in nx.bfs_edges(tree, 0):
        boss[node] = parent
    x, y = hierarchy_layout(boss)
    return {node: (float(x[node]), float(y[node])) for node in range(size)}


def network_component(model: OrgModel) -> Any:
    """Mesa's space component for the org network, drawn as an org chart."""
    return make_space_component(
        agent_portrayal,
        layout_alg=org_chart_layout,
        layout_kwargs={},
        draw_grid=True,
    )(model)


def new_model() -> OrgModel:
    """The model the page opens on: the defaults but for the sliders' first values."""
    return OrgModel(Params(n_employees=EMPLOYEES), seed=42)


def make_page(model: OrgModel | None = None) -> Any:
    """The SolaraViz page for `model` (a new one when None)."""
    return SolaraViz(
        new_model() if model is None else model,
        components=[
            (network_component, 0),
            make_plot_component({"mean_attitude": "tab:blue", "share_negative": "tab:red"}),
            make_plot_component({"active_customers": "tab:green"}),
        ],
        model_params=model_params,
        name="EachCustomer: attitudes toward customers in an organization",
    )


@solara.component
def Page() -> Any:  # noqa: N802 - the name `solara run` looks for
    """What `solara run` serves: the page, with a model of its own for each browser tab."""
    model = solara.use_memo(new_model, [])
    return make_page(model)
