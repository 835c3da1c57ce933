"""The Explore page's callbacks: settings, running, drawing and exports.

Callbacks are thin: widgets -> the session's settings (`dcc.Store` "settings") -> a run
(`eachcustomer.dashboard.runs.advance`) -> the stored run ("explore-state") -> charts
(`eachcustomer.dashboard.explore.view.render`). Importing this module registers them.
"""

from __future__ import annotations

import time
from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, clientside_callback
from dash.exceptions import PreventUpdate

from eachcustomer.dashboard.common import triggered_id
from eachcustomer.dashboard.controls import control_by_name, slider_order
from eachcustomer.dashboard.explore.changes import (
    keep_going,
    run_week,
)  # registers its callbacks too
from eachcustomer.dashboard.explore.layout import SCENARIO_PLAN, plan_options
from eachcustomer.dashboard.explore.live import (
    change_parameters,
    kept_weeks,
    pending_note,
    values_at,
)
from eachcustomer.dashboard.explore.view import drawn, render, render_outputs
from eachcustomer.dashboard.exports import export_note, outputs_csv, scenario_download
from eachcustomer.dashboard.runs import advance, payload_frame, speed_label, speed_of
from eachcustomer.dashboard.settings import (
    default_settings,
    normalize,
    scenario_values,
    settings_key,
)
from eachcustomer.experiments.loading.catalogue import builtins
from eachcustomer.experiments.loading.scenario_files import read_scenario

# --- settings: scenario, sliders, plan, seed ---------------------------------------------


def clean_value(name: str, value: Any) -> Any:
    """A slider value as the parameter's type, without floating-point dust."""
    control = control_by_name()[name]
    if control.integer:
        return int(round(float(value)))
    return round(float(value), 9)


def scenario_text(scenario: str, chart: dict[str, Any] | None = None) -> str:
    """The scenario's description (it cites the seed sentence it illustrates); with an
    uploaded org chart, that chart in place of the organization the description tells of."""
    path = builtins("scenario").get(scenario)
    if path is None:
        return ""
    try:
        spec = read_scenario(path)
    except ValueError:
        return ""
    if chart is None:
        return " ".join(spec.description.split())
    size = chart.get("employees")
    people = f" of {size:,} employees" if isinstance(size, int) else ""
    return (
        f"Your org chart {chart['filename']}{people}, in place of the scenario's "
        f"organization; the rest is the scenario '{spec.title}' (its parameters and "
        "interventions). Upload another or go back to a generated organization on the "
        "Organization page."
    )


def slider_values(settings: dict[str, Any], week: int) -> tuple[list, list, list]:
    """The sliders' values in force after `week` weeks, and their ranges widened to show them."""
    names = slider_order()
    current = values_at(settings, scenario_values(settings["scenario"]), week)
    controls = control_by_name()
    shown = [current.get(name, controls[name].default) for name in names]
    lows = [min(controls[n].low, v) for n, v in zip(names, shown, strict=True)]
    highs = [max(controls[n].high, v) for n, v in zip(names, shown, strict=True)]
    return shown, lows, highs


@callback(
    Output({"type": "param", "name": ALL}, "value", allow_duplicate=True),
    Output({"type": "param", "name": ALL}, "min", allow_duplicate=True),
    Output({"type": "param", "name": ALL}, "max", allow_duplicate=True),
    Input("explore-state", "data"),
    State("settings", "data"),
    prevent_initial_call=True,
)
def show_values_of_week(state: Any, stored: Any) -> tuple[list, list, list]:
    """When the run shown changes (paused, finished, reset), the sliders show its week's values."""
    settings = normalize(stored)
    return slider_values(settings, kept_weeks(state, settings))


@callback(
    Output("explore-scenario", "value"),
    Output({"type": "param", "name": ALL}, "value"),
    Output({"type": "param", "name": ALL}, "min"),
    Output({"type": "param", "name": ALL}, "max"),
    Output("explore-plan", "options"),
    Output("explore-plan", "value"),
    Output("explore-seed", "value"),
    Output("settings", "data"),
    Output("explore-description", "children"),
    Input("explore-scenario", "value"),
    Input({"type": "param", "name": ALL}, "value"),
    Input("explore-plan", "value"),
    Input("explore-seed", "value"),
    Input("explore-defaults", "n_clicks"),
    State("explore-state", "data"),
    State("settings", "data"),
    State("explore-live", "data"),
    State("explore-pause", "disabled"),
)
def sync_settings(
    scenario: str,
    values: list[Any],
    plan: str,
    seed: Any,
    _defaults: Any,
    state: Any,
    stored: Any,
    live: Any = None,
    pause_disabled: Any = True,
) -> tuple:
    """Keep the widgets and the session's settings in step, whichever changed.

    The sliders show the values in force at the week shown; moving one while a run is
    paused or going on changes the parameter from that week on
    (`eachcustomer.dashboard.explore.live`). The run's state is read, not listened to: Dash holds
    back a callback whose input a running job will write, and a slider must answer while the run
    goes on.
    """
    settings = normalize(stored)
    trigger = triggered_id()
    names = slider_order()
    running = pause_disabled is False
    week = run_week(settings, state, live, running)
    base = scenario_values(settings["scenario"])
    before = settings
    if trigger == "explore-scenario" and scenario != settings["scenario"]:
        settings = {
            **default_settings(scenario),
            "seed": settings["seed"],
            "chart": settings["chart"],
        }
    elif trigger == "explore-defaults":
        settings = {**settings, "overrides": {}, "timeline": []}
    elif isinstance(trigger, dict) and trigger.get("type") == "param":
        name = str(trigger.get("name"))
        value = dict(zip(names, values, strict=False)).get(name)
        if value is not None:  # None: a half-typed number, keep what was there
            changes = {name: clean_value(name, value)}
            settings = change_parameters(settings, base, week, changes)
    elif trigger == "explore-plan":
        settings = {**settings, "plan": None if plan in (None, SCENARIO_PLAN) else plan}
    elif trigger == "explore-seed" and isinstance(seed, int | float) and seed >= 0:
        settings = {**settings, "seed": int(seed)}
    shown_values, lows, highs = slider_values(settings, run_week(settings, state, live, running))
    plan_value = settings["plan"] if settings["plan"] is not None else SCENARIO_PLAN
    if settings != before:
        keep_going(settings, live, running)
    return (
        settings["scenario"],
        shown_values,
        lows,
        highs,
        plan_options(settings["scenario"]),
        plan_value,
        settings["seed"],
        settings,
        scenario_text(settings["scenario"], settings["chart"]),
    )


# --- running -------------------------------------------------------------------------------


@callback(
    *render_outputs(duplicate=True),
    Output("explore-state", "data"),
    Input("explore-run", "n_clicks"),
    Input("explore-step", "n_clicks"),
    Input("explore-continue", "data"),
    State("settings", "data"),
    State("explore-state", "data"),
    State("explore-live", "data"),
    State("explore-why-by", "value"),
    State("explore-why-mode", "value"),
    State("presentation", "data"),
    State("explore-speed", "value"),
    State("session", "data"),
    background=True,
    running=[
        (Output("explore-run", "disabled"), True, False),
        (Output("explore-step", "disabled"), True, False),
        (Output("explore-pause", "disabled"), False, True),
    ],
    progress=[*render_outputs(), Output("explore-live", "data")],
    cancel=[Input("explore-pause", "n_clicks"), Input("explore-reset", "n_clicks")],
    interval=100,
    prevent_initial_call=True,
)
def run_simulation(
    set_progress: Any,
    _run: Any,
    _step: Any,
    _continue: Any,
    settings: Any,
    state: Any,
    live: Any,
    by: str,
    why: str,
    large: Any,
    speed: Any = None,
    _session: Any = None,
) -> tuple:
    """Run to the horizon (or one week), drawing the charts as it goes and at the end.

    The run plays at the speed chosen (`eachcustomer.dashboard.runs.SPEEDS`, weeks a
    second): slow enough, the page shows one week after the other, and Pause stops at the
    week shown. A change of speed while it plays goes on from the week shown at the new
    speed ("explore-continue", as for a change of settings).

    The charts are drawn here, in the background job, and sent straight to the graphs (as
    progress while it runs, as the result at the end). A chain of callbacks instead
    (partial table -> store -> redraw on the server) costs a round trip per update, and
    the browser drops a redraw whenever the next partial table arrives first.

    A change made while the job runs sets "explore-continue", which starts this callback
    again: Dash ends the job under way, and the new one goes on from the last week it
    showed ("explore-live"), with the changed settings.
    """
    mode = "step" if triggered_id() == "explore-step" else "run"

    def emit(snapshot: dict[str, Any]) -> None:
        set_progress((*drawn(snapshot, by, large, why), snapshot))

    final = advance(settings, state, mode, emit=emit, live=live, pace=speed_of(speed))
    return (*drawn(final, by, large, why), final)


@callback(
    *render_outputs(duplicate=True),
    Output("explore-state", "data", allow_duplicate=True),
    Input("explore-reset", "n_clicks"),
    State("settings", "data"),
    State("explore-why-by", "value"),
    State("explore-why-mode", "value"),
    State("presentation", "data"),
    prevent_initial_call=True,
)
def reset_run(_clicks: Any, settings: Any, by: str, why: str, large: Any) -> tuple:
    """Back to week 0 of the current settings."""
    state = advance(settings, None, "reset")
    return (*render(state, by, large, why), state)


# Pause cancels the job; the run shown when the job has ended becomes the run kept, and Run or
# Step goes on from it. Taken at the job's end, not at the click: progress that was on its
# way when Pause was pressed still arrives (before the end), and it is what the charts show.
clientside_callback(
    """
    function(idle, pausedAt, runAt, stepAt, resetAt, live, state) {
        const startedAt = Math.max(runAt || 0, stepAt || 0);
        const paused = idle && pausedAt && pausedAt > startedAt && pausedAt > (resetAt || 0);
        if (!paused || !live || (state && (state.updated || 0) >= (live.updated || 0))) {
            return dash_clientside.no_update;
        }
        return live;
    }
    """,
    Output("explore-state", "data", allow_duplicate=True),
    Input("explore-pause", "disabled"),
    State("explore-pause", "n_clicks_timestamp"),
    State("explore-run", "n_clicks_timestamp"),
    State("explore-step", "n_clicks_timestamp"),
    State("explore-reset", "n_clicks_timestamp"),
    State("explore-live", "data"),
    State("explore-state", "data"),
    prevent_initial_call=True,
)


@callback(
    Output("explore-continue", "data"),
    Input("explore-speed", "value"),
    State("settings", "data"),
    State("explore-live", "data"),
    State("explore-pause", "disabled"),
    prevent_initial_call=True,
)
def speed_changed(_speed: Any, stored: Any, live: Any, pause_disabled: Any) -> float:
    """A new speed while a run plays: go on from the week shown, at that speed."""
    if pause_disabled is not False or kept_weeks(live, normalize(stored)) <= 0:
        raise PreventUpdate
    return time.time()


@callback(
    Output("explore-speed-note", "children"),
    Output("explore-run", "children"),
    Input("explore-speed", "value"),
    Input("explore-state", "data"),
    Input("settings", "data"),
)
def run_label(speed: Any, state: Any, stored: Any) -> tuple[str, str]:
    """The speed in words; Run says "Resume" when it goes on with a paused run."""
    note = f"Plays {speed_label(speed)}; change it while it plays, or pause and resume."
    kept = kept_weeks(state, normalize(stored))
    horizon = int(state.get("horizon") or 0) if isinstance(state, dict) else 0
    return note, ("▶ Resume" if 0 < kept < horizon else "▶ Run")


# --- drawing -------------------------------------------------------------------------------


@callback(
    *render_outputs(),
    Input("explore-why-by", "value"),
    Input("explore-why-mode", "value"),
    Input("presentation", "data"),
    State("explore-state", "data"),
)
def redraw(by: str, why: str, large: Any, state: Any) -> tuple:
    """Draw the stored run when the page opens, or when the view or type size changes."""
    return render(state, by, large, why)


@callback(
    Output("explore-page", "className"),
    Input("presentation", "data"),
    Input("explore-page", "id"),  # the page on the screen: Dash calls this when it opens
)
def presentation_grid(large: Any, _page: Any = None) -> str:
    """In presentation mode the charts' type grows, and so do their columns and height
    (`.explore.large` in the style sheet): large type in Explore's narrow columns clipped
    the titles and ran the legends under the mode bar."""
    return "explore page large" if large else "explore page"


@callback(
    Output("explore-stale", "children"), Input("settings", "data"), Input("explore-state", "data")
)
def stale_note(stored: Any, state: Any) -> str:
    """Say what Run will do when the charts show a run made with other settings."""
    settings = normalize(stored)
    return pending_note(settings, state, settings_key(settings))


# --- exports -------------------------------------------------------------------------------


@callback(
    Output("explore-download-csv", "data"),
    Input("explore-csv", "n_clicks"),
    State("explore-state", "data"),
    prevent_initial_call=True,
)
def download_csv(_clicks: Any, state: Any) -> dict[str, Any]:
    """The weekly outputs of the run shown, as CSV: what `eachcustomer run --out` writes."""
    if not _clicks or not isinstance(state, dict) or not state.get("table"):
        raise PreventUpdate
    frame = payload_frame(state["table"], state.get("dtypes"))
    return outputs_csv(frame, state.get("title", "run"))


@callback(
    Output("explore-download-toml", "data"),
    Output("explore-error", "children", allow_duplicate=True),
    Input("explore-toml", "n_clicks"),
    State("settings", "data"),
    State("explore-state", "data"),
    prevent_initial_call=True,
)
def download_scenario(_clicks: Any, settings: Any, state: Any = None) -> tuple[Any, str]:
    """The run shown as a scenario file (a zip with the org chart if there is one); the
    current settings, saying so, when no run is shown (`exports.exported_settings`)."""
    if not _clicks:
        raise PreventUpdate
    try:
        return scenario_download(settings, state), ""
    except ValueError as error:
        return dash.no_update, f"Cannot export: {error}"


@callback(
    Output("explore-export-note", "children"),
    Input("settings", "data"),
    Input("explore-state", "data"),
)
def which_run_exports(settings: Any, state: Any) -> str:
    """Say which run the two exports describe."""
    return export_note(settings, state)
