"""Dashboard figure builders, widgets, network layout, and the page callbacks called directly."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict

from eachcustomer.dashboard import figures
from eachcustomer.dashboard.controls import (
    KEY_PARAMETERS,
    grouped_sliders,
    param_controls,
    slider_order,
)
from eachcustomer.dashboard.explore import view as explore_view
from eachcustomer.dashboard.explore.layout import SCENARIO_PLAN
from eachcustomer.dashboard.money import money_unit
from eachcustomer.dashboard.organization.network import (
    NODE_LIMIT,
    STACK_DEPTH,
    decode_history,
    encode_history,
    hierarchy_layout,
    network_view,
    node_table,
    reporting_lines,
)
from eachcustomer.dashboard.runs import advance, payload_frame
from eachcustomer.dashboard.settings import default_settings
from eachcustomer.sim.model import OrgModel
from eachcustomer.sim.organization import Organization
from eachcustomer.sim.params import Params, parameter_table

SMALL = {"n_employees": 120, "horizon_weeks": 20}


@pytest.fixture(scope="session")
def app():
    """The dashboard app (its pages register their callbacks on import)."""
    from eachcustomer.dashboard.app import create_app

    return create_app()


@pytest.fixture(scope="session")
def baseline_state() -> dict:
    return advance(default_settings(), None, "run")


@pytest.fixture(scope="session")
def frame(baseline_state) -> pd.DataFrame:
    return payload_frame(baseline_state["table"])


@contextmanager
def triggered(prop_id: str | None) -> Iterator[None]:
    """Call a callback as if `prop_id` ("component.property") had fired it."""
    inputs = [] if prop_id is None else [{"prop_id": prop_id, "value": None}]
    token = context_value.set(AttributeDict(triggered_inputs=inputs))
    try:
        yield
    finally:
        context_value.reset(token)


def settings_with(**overrides) -> dict:
    return {**default_settings(), "overrides": overrides}


# --- figure builders ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(figures.EXPLORE_FIGURES))
def test_each_time_series_has_a_title_weeks_and_a_unit(name, frame):
    figure = figures.EXPLORE_FIGURES[name](frame, horizon=104)
    assert isinstance(figure, go.Figure)
    assert figure.layout.title.text
    assert figure.layout.xaxis.title.text == "Week"
    assert tuple(figure.layout.xaxis.range) == (0, 104)
    assert figure.data, "no traces"
    if name != "department":  # the heatmap's unit is its colour bar
        assert "(" in figure.layout.yaxis.title.text, "the y axis names no unit or range"


def test_time_series_draw_the_table_columns(frame):
    figure = figures.attitude_by_band(frame)
    assert [t.name for t in figure.data][0] == figures.BAND_NAMES["1"]
    np.testing.assert_allclose(figure.data[0].y, frame["attitude_band_1"])
    np.testing.assert_allclose(figure.data[3].y, frame["attitude_band_4plus"])
    assert tuple(figure.layout.yaxis.range) == (-1, 1)


def test_attitude_colours_are_diverging_colour_blind_safe_and_symmetric(frame):
    heatmap = figures.attitude_by_department(frame).data[0]
    assert (heatmap.zmin, heatmap.zmax) == (-1, 1)
    colours = [c for _, c in heatmap.colorscale]
    assert colours[0] == "rgb(103,0,31)" and colours[-1] == "rgb(5,48,97)"  # red to blue
    assert colours[len(colours) // 2] == "rgb(247,247,247)"  # neutral in the middle
    assert list(heatmap.y)[:2] == ["sales", "customer service"]


def test_why_chart_stacks_exactly_to_the_change_in_mean_attitude(frame):
    figure = figures.why_over_time(frame)
    parts = [t for t in figure.data if t.stackgroup]
    assert {t.stackgroup for t in parts} == {"up", "down"}
    stacked = np.sum([np.asarray(t.y) for t in parts], axis=0)
    total = next(t for t in figure.data if t.meta == "total")
    np.testing.assert_allclose(stacked, total.y, atol=1e-9)
    # The mechanisms' parts add up to the model's own change in mean attitude.
    change = frame["mean_attitude"] - frame["mean_attitude"].iloc[0]
    np.testing.assert_allclose(total.y, change, atol=1e-6)
    assert all(t.y.min() >= 0 for t in parts if t.stackgroup == "up")
    assert all(t.y.max() <= 0 for t in parts if t.stackgroup == "down")
    assert "added up" in figure.layout.yaxis.title.text.lower()


def test_the_weekly_why_chart_stacks_to_each_weeks_change(frame):
    figure = figures.why_weekly(frame)
    parts = [t for t in figure.data if t.stackgroup]
    stacked = np.sum([np.asarray(t.y) for t in parts], axis=0)
    total = next(t for t in figure.data if t.meta == "total")
    np.testing.assert_allclose(stacked, total.y, atol=1e-9)
    np.testing.assert_allclose(total.y[1:], np.diff(frame["mean_attitude"]), atol=1e-6)
    assert total.y[0] == 0.0
    assert figure.layout.yaxis.title.text == "Change per week (attitude units)"


def test_why_by_group_has_a_bar_per_mechanism_and_the_total(baseline_state):
    why = baseline_state["why"]["band"]
    figure = figures.why_by_group(why, "band")
    bars = [t for t in figure.data if t.type == "bar"]
    assert len(bars) == len(why["mechanisms"])
    total = figure.data[-1]
    np.testing.assert_allclose(total.x, np.array(why["values"]).sum(axis=1))
    assert list(total.y)[0] == figures.BAND_NAMES["1"]
    assert figures.why_by_group(None, "department").layout.annotations  # before a run


def test_plan_bands_draw_a_band_and_a_line_per_plan():
    summary = pd.DataFrame(
        {
            "plan": ["a"] * 3 + ["b"] * 3,
            "week": [0, 1, 2] * 2,
            "mean": [0, 1, 2, 0, 2, 4],
            "low": [0, 0.5, 1, 0, 1, 3],
            "high": [0, 1.5, 3, 0, 3, 5],
        }
    )
    figure = figures.plan_bands(summary, "Mean attitude", "Mean attitude (-1 to +1)")
    assert [t.fill for t in figure.data] == ["toself", None, "toself", None]
    assert [t.name for t in figure.data if t.mode == "lines"] == ["a", "b"]
    np.testing.assert_allclose(figure.data[0].y, [0, 1.5, 3, 1, 0.5, 0])
    assert not figure.layout.title.subtitle.text and not figure.layout.shapes
    told = figures.plan_bands(
        summary, "Mean attitude", "Mean attitude", band_note="Shaded: 95%", zero_line=True
    )
    assert told.layout.title.subtitle.text == "Shaded: 95%"
    assert [shape.y0 for shape in told.layout.shapes] == [0]


def test_empty_figure_carries_its_message():
    figure = figures.empty_figure("Press Run to simulate")
    assert figure.layout.annotations[0].text == "Press Run to simulate"
    assert not figure.data


def test_graph_config_downloads_png_named_after_the_chart():
    config = figures.graph_config("band")
    assert config["toImageButtonOptions"] == {
        "format": "png",
        "scale": 2,
        "filename": "eachcustomer-band",
    }


def test_presentation_mode_uses_larger_type(frame):
    assert (
        figures.attitude_by_band(frame, large=True).layout.font.size
        > figures.attitude_by_band(frame).layout.font.size
    )


# --- widgets from the Params metadata -------------------------------------------------------


def test_every_scalar_parameter_has_a_slider_with_its_unit_range_and_meaning():
    controls = {c.name: c for c in param_controls()}
    scalars = [row for row in parameter_table() if row["low"] is not None]
    assert set(controls) == {row["name"] for row in scalars}
    for row in scalars:
        control = controls[row["name"]]
        assert row["low"] <= control.low < control.high <= row["high"]
        assert control.low <= row["default"] <= control.high, row["name"]
        steps = (row["default"] - control.low) / control.step
        assert abs(steps - round(steps)) < 1e-6, f"{row['name']} default is off the step grid"
        assert row["meaning"] in control.tooltip
        assert control.unit == money_unit(row["unit"])  # "currency per hour": "$ per hour"
        assert "currency" not in control.unit and "currency" not in control.tooltip
    assert set(KEY_PARAMETERS) <= set(controls)


def test_sliders_appear_in_the_order_callbacks_read_them():
    sections = grouped_sliders()
    ids = [
        slider.id["name"]
        for section in sections
        for div in section.children[1:]
        for slider in div.children
        if hasattr(slider, "id") and isinstance(slider.id, dict)
    ]
    assert ids == slider_order()


def test_a_scenario_value_outside_the_what_if_range_widens_the_slider():
    from eachcustomer.dashboard.controls import control_by_name, param_slider

    control = control_by_name()["n_employees"]
    slider = param_slider(control, 8000).children[1]
    assert (slider.min, slider.max, slider.value) == (control.low, 8000, 8000)


# --- the org network ---------------------------------------------------------------------------


def tiny_org(boss: list[int]) -> Organization:
    size = len(boss)
    facing = np.zeros(size, dtype=bool)
    facing[-1] = True
    return Organization(
        boss=np.array(boss),
        department=np.zeros(size, dtype=np.int64),
        department_names=("sales",),
        department_customer_weight=np.zeros(1),
        customer_facing=facing,
        handles_complaints=np.zeros(size, dtype=bool),
        peer_ties=np.empty((0, 2), dtype=np.int64),
        employee_ids=tuple(f"E{i}" for i in range(size)),
    )


def test_hierarchy_layout_puts_bosses_above_and_centred_over_their_reports():
    model = OrgModel(Params(n_employees=300), rng=1)
    boss, level = model.org.boss, model.org.level
    x, y = hierarchy_layout(boss, level)
    staff = np.flatnonzero(boss >= 0)
    assert np.all(y[boss[staff]] > y[staff])
    positions = set(zip(np.round(x, 6), np.round(y, 6), strict=True))
    assert len(positions) == len(boss), "two employees drawn on the same spot"
    managers = np.unique(boss[staff])
    for manager in managers[:20]:
        reports = staff[boss[staff] == manager]
        assert x[reports].min() - 1 <= x[manager] <= x[reports].max() + 1


def test_staff_hang_below_their_manager_in_short_columns():
    # A chief with one manager who has 8 staff: two columns of at most STACK_DEPTH.
    boss = [-1, 0] + [1] * 8
    x, y = hierarchy_layout(np.array(boss))
    staff_x = x[2:]
    assert len(set(staff_x)) == 2
    assert max(np.sum(staff_x == column) for column in set(staff_x)) == STACK_DEPTH
    assert np.all(y[2:] < y[1])


def test_large_organizations_are_drawn_by_team_within_the_node_limit():
    model = OrgModel(Params(n_employees=6000), rng=2)
    view = network_view(model.org)
    assert view.aggregated and len(view.drawn) <= NODE_LIMIT
    assert view.counts.sum() == model.org.size
    level = model.org.level
    cut = level[view.drawn].max()
    # Everyone is folded into themselves or an ancestor on the deepest drawn level.
    assert np.all(level[view.drawn[view.member_of]] <= cut)
    attitude = model.employees.attitude
    means = view.node_means(attitude)[0]
    node = int(np.argmax(view.counts))
    np.testing.assert_allclose(means[node], attitude[view.member_of == node].mean())
    table = node_table(view, model.org, means)
    assert (table["symbol"] == "square").any() and len(table) == len(view.drawn)


def test_small_organizations_are_drawn_one_node_per_employee():
    org = tiny_org([-1, 0, 0, 1])
    view = network_view(org)
    assert not view.aggregated and len(view.drawn) == 4
    xs, ys = reporting_lines(view)
    assert xs.count(None) == 3  # an elbow to manager 1, a staff column under 0 and under 1
    nodes = node_table(view, org, np.array([0.1, -0.2, 0.3, 0.4]))
    assert list(nodes["symbol"]) == ["circle", "circle", "circle", "diamond"]
    figure = figures.network_figure(nodes, (xs, ys), title="Week 0")
    assert [t.type for t in figure.data[:2]] == ["scattergl", "scattergl"]
    employees = figure.data[1]
    assert (employees.marker.cmin, employees.marker.cmax) == (-1, 1)


def test_history_survives_the_trip_to_the_browser():
    history = np.array([[-1.0, -0.333, 0.0, 0.004], [0.5, 0.996, 1.0, -0.5]])
    encoded = encode_history(history)
    assert json.loads(json.dumps(encoded)) == encoded
    np.testing.assert_allclose(decode_history(encoded), history, atol=0.005)


# --- the Explore page's callbacks --------------------------------------------------------------


def test_opening_explore_shows_the_stored_settings(app):
    from eachcustomer.dashboard.explore import callbacks as explore_callbacks

    stored = {**default_settings("wrong_customer"), "overrides": {"negativity_bias": 2.0}}
    names = slider_order()
    with triggered(None):
        result = explore_callbacks.sync_settings(
            "baseline", [None] * len(names), None, 0, None, None, stored
        )
    scenario, values, _, _, _, plan, seed, settings, description = result
    assert scenario == "wrong_customer" and plan == SCENARIO_PLAN and seed == 0
    assert values[names.index("negativity_bias")] == 2.0
    assert values[names.index("shareholder_pressure")] == 0.9  # the scenario's own value
    assert "S003" in description
    assert settings["overrides"] == {"negativity_bias": 2.0}


def test_moving_a_slider_records_only_what_differs_from_the_scenario(app):
    from eachcustomer.dashboard.explore import callbacks as explore_callbacks

    names = slider_order()
    stored = default_settings("wrong_customer")
    with triggered(None):
        values = explore_callbacks.sync_settings(
            "wrong_customer", [None] * len(names), None, 0, None, None, stored
        )[1]
    values = list(values)
    values[names.index("drift_rate")] = 0.01
    with triggered('{"name":"drift_rate","type":"param"}.value'):
        settings = explore_callbacks.sync_settings(
            "wrong_customer", values, None, 0, None, None, stored
        )[7]
    assert settings["overrides"] == {"drift_rate": 0.01}


def test_changing_scenario_resets_the_changed_parameters_and_offers_its_plans(app):
    from eachcustomer.dashboard.explore import callbacks as explore_callbacks

    stored = {**default_settings(), "overrides": {"drift_rate": 0.02}, "seed": 7}
    names = slider_order()
    with triggered("explore-scenario.value"):
        result = explore_callbacks.sync_settings(
            "equal_budget", [None] * len(names), None, 7, None, None, stored
        )
    settings, options = result[7], result[4]
    assert settings["scenario"] == "equal_budget" and settings["overrides"] == {}
    assert settings["seed"] == 7
    assert {o["value"] for o in options} >= {"training_day", "culture_change", "none"}


def test_render_before_and_after_a_run(baseline_state):
    empty = explore_view.render(None, "band", False)
    assert empty[explore_view.GRAPHS.index(("band", "Attitude by distance"))].layout.annotations
    assert "press Run" in empty[-2]
    drawn = explore_view.render(baseline_state, "department", False)
    assert len(drawn) == len(explore_view.render_outputs())
    assert drawn[-2] == "Week 104 of 104: done."
    assert len(drawn[0].data) == 4 and len(drawn[0].data[0].x) == 105
    assert "department" in drawn[len(explore_view.GRAPHS)].layout.title.text


def test_run_streams_partial_charts_then_returns_the_whole_run(app):
    from eachcustomer.dashboard.explore import callbacks as explore_callbacks

    sent = []
    with triggered("explore-run.n_clicks"):
        final = explore_callbacks.run_simulation(
            sent.append, 1, None, None, settings_with(**SMALL), None, None, "band", "total", False
        )
    assert sent, "no partial charts were sent while running"
    assert len(sent[0]) == len(explore_view.render_outputs()) + 1
    assert sent[0][-1]["week"] == 1
    assert all(isinstance(item, dict) for item in sent[0][: len(explore_view.GRAPHS)])
    state = final[-1]
    assert state["week"] == 20 and final[-3] == "Week 20 of 20: done."


def test_a_paced_run_is_the_same_run_sent_week_by_week():
    """Played at a speed, a run waits between weeks and sends every week it can, and it is
    the run played at full speed; a speed from the browser that is not one is full speed."""
    import time

    from eachcustomer.dashboard.runs import SPEEDS, speed_label, speed_of

    settings = settings_with(**SMALL)
    sent: list = []
    began = time.monotonic()
    paced = advance(settings, None, "run", emit=sent.append, pace=10)
    assert time.monotonic() - began >= 19 / 10  # 20 weeks: 19 waits of a tenth
    weeks = [snapshot["week"] for snapshot in sent]
    assert weeks[0] == 1 and weeks == sorted(set(weeks)) and len(weeks) >= 5
    assert paced["table"] == advance(settings, None, "run")["table"]
    assert [speed_of(i) for i in range(len(SPEEDS))] == list(SPEEDS)
    # Below the scale: the slowest; above it: the fastest; not a number: the fastest.
    for odd, pace in ((-4, 1), (99, None), (None, None), (True, None), ("3", None)):
        assert speed_of(odd) == pace, odd
    assert speed_of(float("nan")) is None
    assert speed_label(0) == "1 week a second" and speed_label(3) == "10 weeks a second"
    assert speed_label(len(SPEEDS) - 1) == "as fast as it computes"


def test_step_continues_from_the_run_shown(app):
    from eachcustomer.dashboard.explore import callbacks as explore_callbacks

    settings = settings_with(**SMALL)
    with triggered("explore-step.n_clicks"):
        first = explore_callbacks.run_simulation(
            lambda _: None, None, 1, None, settings, None, None, "band", "total", False
        )
        second = explore_callbacks.run_simulation(
            lambda _: None, None, 2, None, settings, first[-1], None, "band", "total", False
        )
    assert (first[-1]["week"], second[-1]["week"]) == (1, 2)
    whole = advance(settings, None, "run")
    for column in ("mean_attitude", "active_customers"):
        assert second[-1]["table"][column] == whole["table"][column][:3]


def test_a_paused_run_continues_to_exactly_the_uninterrupted_run():
    settings = settings_with(**SMALL)
    paused = advance(settings, None, "step")
    for _ in range(6):
        paused = advance(settings, paused, "step")
    resumed = advance(settings, paused, "run")
    assert resumed["table"] == advance(settings, None, "run")["table"]


def test_snapshots_are_plain_json_without_negative_zero(baseline_state):
    text = json.dumps(baseline_state, allow_nan=False)
    assert json.loads(text) == baseline_state
    values = [v for column in baseline_state["table"].values() for v in column]
    assert not any(isinstance(v, float) and v == 0 and np.signbit(v) for v in values)


def test_impossible_parameters_give_a_message_not_a_crash():
    state = advance(settings_with(contagion_rate=0.9, negativity_bias=3.0), None, "run")
    assert state["table"] is None
    assert "contagion_rate * negativity_bias" in state["error"]
    assert "/" not in state["error"].split(":")[0], "the message shows a server path"


def test_download_buttons_give_csv_and_a_scenario_file(app, baseline_state):
    from eachcustomer.dashboard.explore import callbacks as explore_callbacks

    csv = explore_callbacks.download_csv(1, baseline_state)
    assert csv["filename"].endswith(".csv") and len(csv["content"].splitlines()) == 106
    toml, message = explore_callbacks.download_scenario(1, settings_with(negativity_bias=1.5))
    assert message == ""
    assert tomllib.loads(toml["content"])["parameters"]["negativity_bias"] == 1.5


def test_added_interventions_are_kept_and_removed(app):
    from eachcustomer.dashboard.explore import changes as explore_changes

    settings = explore_changes.add_intervention(
        1, "slogan_campaign", 5, 8, 0.4, 0.5, 1.5, 2, [], [], default_settings()
    )
    assert settings["interventions"] == [
        {
            "kind": "slogan_campaign",
            "start": 5,
            "strength": 0.4,
            "coverage": {"share": 0.5},
            "hours_per_participant_week": 1.5,
            "direct_cost_per_participant_week": 2.0,
            "duration": 8,
        }
    ]
    listed = str(explore_changes.list_interventions(settings))
    assert "slogan campaign from week 5" in listed
    assert "1.5 staff hours and $2 per participant-week" in listed
    with triggered('{"index":0,"type":"remove-intervention"}.n_clicks'):
        assert explore_changes.remove_intervention([1], settings)["interventions"] == []


# --- the other pages' callbacks ----------------------------------------------------------------


def test_organization_draws_at_once_and_after_a_run(app):
    from eachcustomer.dashboard.organization import page as organization

    figure, history, week_max, week, error, note = organization.draw_now(settings_with(**SMALL))
    assert error == "" and week_max == 0 and "120 employees" in note
    assert figure.data[1].type == "scattergl"
    assert decode_history(history).shape == (1, 120)
    progress = []
    figure, history, week_max, week, error = organization.simulate(
        progress.append, 1, settings_with(**SMALL)
    )
    assert week_max == week == 20 and decode_history(history).shape == (21, 120)
    assert progress[-1] == ("20", "20")
    np.testing.assert_allclose(figure.data[1].marker.color, decode_history(history)[-1], atol=0.005)


def test_a_bad_chart_upload_lists_its_row_and_a_good_one_becomes_the_organization(app):
    import base64

    from eachcustomer.dashboard.organization import page as organization

    def upload(text: str) -> str:
        return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()

    header = "employee_id,manager_id,department,customer_facing\n"
    bad = upload(header + "1,,executive,false\n2,1,sales,maybe\n")
    with triggered("org-upload.contents"):
        settings, message = organization.upload_chart(
            bad, None, None, "mine.csv", None, None, default_settings()
        )
    assert settings is organization.dash.no_update
    text = str(message)
    assert "line 3" in text and "'maybe' is not a flag" in text and "2,1,sales,maybe" in text
    good = upload(header + "1,,executive,false\n2,1,sales,true\n3,1,sales,true\n")
    with triggered("org-upload.contents"):
        settings, message = organization.upload_chart(
            good, None, None, "mine.csv", None, None, default_settings()
        )
    assert settings["chart"]["filename"] == "mine.csv" and "3 employees" in str(message)
    assert organization.draw_now(settings)[0].data[1].x is not None
    with triggered("org-clear.n_clicks"):
        assert (
            organization.upload_chart(good, None, 1, "mine.csv", None, None, settings)[0]["chart"]
            is None
        )


def test_compare_callbacks_run_and_draw_a_verdict(app):
    from eachcustomer.dashboard.compare import page as compare
    from eachcustomer.dashboard.compare import view as compare_view

    progress = []
    result = compare.compare(
        progress.append,
        1,
        settings_with(**SMALL),
        ["plan:none", "plan:training_day"],
        2,
        "as specified",
        None,
    )
    assert result["error"] is None and progress[-1] == ("4", "4")
    drawn = compare.render(result, False)
    assert "week 20" in str(drawn[0])
    assert "compare-forest-customers_lost_total" in str(drawn[0])  # the pictures, then words
    assert "training day" in str(drawn[1])
    charts = compare.draw_charts(result, False, compare_view.DIFFERENCES)
    assert len(charts) == len(compare_view.CHARTS) + 1
    assert all(isinstance(f, go.Figure) for f in charts)
    assert "paired interval" in charts[0].layout.title.subtitle.text
    assert compare.size_charts(True)[-1] == "chart-grid large"
    assert compare.limit_plans(["a", "b", "c", "d", "e"]) == ["a", "b", "c", "d"]


def test_the_plan_finder_offers_its_kinds_by_the_plan_finders_names(app):
    from eachcustomer.dashboard.plan_finder import page as plan_finder
    from eachcustomer.dashboard.plan_finder.search import KIND_COVERAGES
    from eachcustomer.experiments.planfinder.wording import KIND_LABELS

    def find(component, wanted):
        if getattr(component, "id", None) == wanted:
            return component
        children = getattr(component, "children", None)
        for child in children if isinstance(children, list) else [children]:
            found = None if child is None or isinstance(child, str) else find(child, wanted)
            if found is not None:  # a component without children is falsy
                return found
        return None

    kinds = find(plan_finder.layout(), "planfinder-kinds")
    assert [o["value"] for o in kinds.options] == list(KIND_COVERAGES)
    assert [o["label"] for o in kinds.options][:2] == [
        "One-off training day",
        "'Each customer' language",
    ]
    assert all(o["label"] == KIND_LABELS[o["value"]].title for o in kinds.options)


def test_a_lesson_runs_and_opens_in_explore(app):
    from eachcustomer.dashboard.learn import page as learn

    progress = []
    state = learn.run_lesson(progress.append, 1, None, "top", speed=6)  # 6: max speed
    assert state["lesson"] == "top" and state["week"] == 104
    week, horizon, live = progress[-1]  # the run as it plays
    assert int(week) < 104 and horizon == "104" and live["lesson"] == "top"
    assert live["references"] == {}  # the text of this lesson compares with no other run
    charts, hidden, error, status, *_ = learn.draw_lesson(live, False, "top")
    assert len(charts) == 2 and hidden is True and status == f"Week {week} of 104."
    paused = learn.draw_lesson({**live, "paused": True}, False, "top")[3]
    assert paused.startswith(f"Week {week} of 104: paused.")
    assert learn.run_label({**live, "paused": True}, "top") == learn.RESUME_LABEL
    charts, hidden, error, status, done, horizon = learn.draw_lesson(state, False, "top")
    assert hidden is False and len(charts) == 2 and error == "" and done == horizon == "104"
    assert status == "Week 104 of 104: done." and learn.run_label(state, "top") == learn.RUN_LABEL
    assert charts[0].children.id == "lesson-chart-focus_level"
    assert learn.draw_lesson(state, False, "distance")[0] == []  # another lesson's run
    settings, path = learn.open_in_explore(1, "top")
    assert settings["scenario"] == "leadership_change" and path == "/explore"
    assert learn.toggle_presentation(1, False) is True
    assert learn.presentation_class(True)[0].endswith("presentation")
    assert learn.lesson_layout("no-such-lesson").children[0].children == "No such lesson"
