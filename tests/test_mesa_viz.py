"""Mesa's own visualization on the model: `draw_space` and the SolaraViz example.

`mesa.visualization` imports solara and altair, which the `[viz]` extra installs. The page
is rendered here the way Solara renders it for a browser, without a server (and so without
the front-end files Solara's server fetches from a CDN: see experiments/examples/mesa_viz.py).
"""

from __future__ import annotations

import importlib
import re
import sys

import numpy as np
import pytest

pytest.importorskip("solara")
pytest.importorskip("altair")

import ipyvuetify  # noqa: E402
import ipywidgets  # noqa: E402
import solara  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from mesa.visualization import draw_space  # noqa: E402

from eachcustomer.experiments.examples import mesa_viz  # noqa: E402
from eachcustomer.extras import MissingExtraError  # noqa: E402
from eachcustomer.sim.model import OrgModel  # noqa: E402
from eachcustomer.sim.params import Params  # noqa: E402


def drawn_nodes(ax) -> int:
    """Points Mesa's `draw_network` scattered (one collection per marker)."""
    return sum(
        len(collection.get_offsets())
        for collection in ax.collections
        if collection.get_offsets().ndim == 2
        and collection.get_offsets().shape[1] == 2
        and not hasattr(collection, "get_segments")
    )


@pytest.mark.parametrize("name", ["space", "grid"])
def test_draw_space_on_a_fresh_model_draws_every_employee(name):
    # What SolaraViz's space component does first on a new model: it used to find the
    # network's cells empty (the agents are made on first use) and fail with IndexError.
    model = OrgModel(Params(n_employees=70), rng=4)
    ax = Figure().add_subplot()
    draw_space(getattr(model, name), mesa_viz.agent_portrayal, ax=ax)
    assert drawn_nodes(ax) == 70


def test_the_example_draws_an_org_chart_coloured_by_attitude():
    model = OrgModel(Params(n_employees=60), rng=1)
    positions = mesa_viz.org_chart_layout(model.space.G)
    assert list(positions) == list(range(60))  # Mesa indexes positions by node
    ys = np.array([positions[i][1] for i in range(60)])
    assert ys[0] == ys.max()  # the chief on top
    assert np.all(ys[1:] < ys[0])
    style = mesa_viz.agent_portrayal(model.employee_agents[0])
    assert style.size > mesa_viz.agent_portrayal(model.employee_agents[-1]).size
    negative, positive = mesa_viz.ATTITUDE_COLORS(0.0), mesa_viz.ATTITUDE_COLORS(1.0)
    assert negative[0] > negative[2] and positive[2] > positive[0]  # red below, blue above
    ax = Figure().add_subplot()
    draw_space(model.space, mesa_viz.agent_portrayal, ax=ax, layout_alg=mesa_viz.org_chart_layout)
    assert drawn_nodes(ax) == 60


def texts(widget) -> list[str]:
    """Every text in a widget tree (the children that are strings)."""
    found = []
    for child in getattr(widget, "children", None) or []:
        found += [child] if isinstance(child, str) else texts(child)
    return found


def shown_step(rc) -> float:
    """The step SolaraViz's Information card shows ("Step: 2" in Mesa 3.3, "Time: 2.0" in 3.5)."""
    (shown,) = [
        float(match[1])
        for text in texts(rc.container)
        if (match := re.fullmatch(r"(?:Step|Time): ([\d.]+)", text))
    ]
    return shown


@solara.component
def in_app_layout(model):
    """The page inside Solara's app layout, where its sidebar (the controls) lives."""
    with solara.AppLayout():
        mesa_viz.make_page(model)


def test_the_solaraviz_page_renders_steps_and_resets_without_a_server():
    model = OrgModel(Params(n_employees=80), seed=3)
    box, rc = solara.render(in_app_layout(model), handle_error=False)
    figures = rc.find(ipywidgets.Image)
    assert len(figures.widgets) == 3  # the network and two plots
    assert all(len(widget.value) > 1000 for widget in figures.widgets)
    before = [bytes(widget.value) for widget in figures.widgets]
    buttons = {tuple(w.children): w for w in rc.find(ipyvuetify.Btn).widgets}
    assert {("Reset",), ("Step",)} <= set(buttons)
    buttons[("Step",)].click()
    buttons[("Step",)].click()
    assert model.steps == 2
    assert shown_step(rc) == 2
    after = [bytes(widget.value) for widget in rc.find(ipywidgets.Image).widgets]
    assert all(a != b for a, b in zip(after, before, strict=True))  # all three redrawn
    # Reset builds a new OrgModel from the sliders' values, as Mesa's SolaraViz does
    # (Mesa 3.3 checks them against OrgModel's signature first).
    buttons[("Reset",)].click()
    assert shown_step(rc) == 0
    assert model.steps == 2  # the old model is left as it was
    rc.close()


def test_the_page_module_serves_a_page_per_browser_tab():
    assert callable(mesa_viz.Page)
    box, rc = solara.render(mesa_viz.Page(), handle_error=False)
    assert len(rc.find(ipywidgets.Image).widgets) == 3
    rc.close()


def test_without_the_viz_extra_the_example_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "solara", None)
    monkeypatch.delitem(sys.modules, "eachcustomer.experiments.examples.mesa_viz")
    with pytest.raises(
        MissingExtraError, match=r"\[viz\] extra.*pip install 'eachcustomer\[viz\]'"
    ):
        importlib.import_module("eachcustomer.experiments.examples.mesa_viz")
