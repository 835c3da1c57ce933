"""The Explore page's callbacks: settings, running, drawing and exports.

Callbacks are thin: widgets -> the session's settings (`dcc.Store` "settings") -> a run
(`dashboard.runs.advance`) -> the stored run ("explore-state") -> charts
(`dashboard.explore_view.render`). Importing this module registers them.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, clientside_callback, html
from dash.exceptions import PreventUpdate

from dashboard.common import triggered_id
from dashboard.controls import control_by_name, slider_order
from dashboard.explore_layout import SCENARIO_PLAN, plan_options
from dashboard.explore_view import drawn, render, render_outputs
from dashboard.exports import outputs_csv, scenario_download
from dashboard.runs import advance, payload_frame
from dashboard.settings import (
    MAX_EXTRA_INTERVENTIONS,
    default_settings,
    normalize,
    scenario_values,
    settings_key,
)
from experiments.scenario_files import builtin_scenarios, read_scenario

# --- settings: scenario, sliders, plan, seed ---------------------------------------------


def clean_value(name: str, value: Any) -> Any:
    """A slider value as the parameter's type, without floating-point dust."""
    control = control_by_name()[name]
    if control.integer:
        return int(round(float(value)))
    return round(float(value), 9)


def scenario_text(scenario: str) -> str:
    """The scenario's description (it cites the seed sentence it illustrates)."""
    path = builtin_scenarios().get(scenario)
    if path is None:
        return ""
    try:
        return " ".join(read_scenario(path).description.split())
    except ValueError:
        return ""


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
    State("settings", "data"),
)
def sync_settings(
    scenario: str, values: list[Any], plan: str, seed: Any, _defaults: Any, stored: Any
) -> tuple:
    """Keep the widgets and the session's settings in step, whichever changed."""
    settings = normalize(stored)
    trigger = triggered_id()
    names = slider_order()
    if trigger == "explore-scenario" and scenario != settings["scenario"]:
        settings = {
            **default_settings(scenario),
            "seed": settings["seed"],
            "chart": settings["chart"],
        }
    elif trigger == "explore-defaults":
        settings = {**settings, "overrides": {}}
    elif isinstance(trigger, dict) and trigger.get("type") == "param":
        base = scenario_values(settings["scenario"])
        overrides = dict(settings["overrides"])
        for name, value in zip(names, values, strict=False):
            if value is None:
                continue  # a half-typed number: keep what was there
            value = clean_value(name, value)
            if value == base.get(name):
                overrides.pop(name, None)
            else:
                overrides[name] = value
        settings = {**settings, "overrides": overrides}
    elif trigger == "explore-plan":
        settings = {**settings, "plan": None if plan in (None, SCENARIO_PLAN) else plan}
    elif trigger == "explore-seed" and isinstance(seed, int | float) and seed >= 0:
        settings = {**settings, "seed": int(seed)}
    current = {**scenario_values(settings["scenario"]), **settings["overrides"]}
    controls = control_by_name()
    shown = [current.get(name, controls[name].default) for name in names]
    lows = [min(controls[n].low, v) for n, v in zip(names, shown, strict=True)]
    highs = [max(controls[n].high, v) for n, v in zip(names, shown, strict=True)]
    plan_value = settings["plan"] if settings["plan"] is not None else SCENARIO_PLAN
    return (
        settings["scenario"],
        shown,
        lows,
        highs,
        plan_options(settings["scenario"]),
        plan_value,
        settings["seed"],
        settings,
        scenario_text(settings["scenario"]),
    )


@callback(
    Output("settings", "data", allow_duplicate=True),
    Input("explore-add", "n_clicks"),
    State("explore-add-kind", "value"),
    State("explore-add-start", "value"),
    State("explore-add-duration", "value"),
    State("explore-add-strength", "value"),
    State("explore-add-share", "value"),
    State("explore-add-cost", "value"),
    State("settings", "data"),
    prevent_initial_call=True,
)
def add_intervention(
    _clicks: Any,
    kind: str,
    start: Any,
    duration: Any,
    strength: Any,
    share: Any,
    cost: Any,
    stored: Any,
) -> dict[str, Any]:
    """Append an intervention (validated when the run is built) to the settings."""
    if not _clicks:
        raise PreventUpdate
    settings = normalize(stored)
    item: dict[str, Any] = {
        "kind": kind,
        "start": int(start or 1),
        "strength": float(0.5 if strength is None else strength),
        "coverage": {"share": float(1 if share is None else share)},
        "cost_per_participant_week": float(cost or 0),
    }
    if duration:
        item["duration"] = int(duration)
    added = (settings["interventions"] + [item])[-MAX_EXTRA_INTERVENTIONS:]
    return {**settings, "interventions": added}


@callback(
    Output("settings", "data", allow_duplicate=True),
    Input({"type": "remove-intervention", "index": ALL}, "n_clicks"),
    State("settings", "data"),
    prevent_initial_call=True,
)
def remove_intervention(clicks: list[Any], stored: Any) -> dict[str, Any]:
    """Drop one added intervention."""
    trigger = triggered_id()
    if not isinstance(trigger, dict) or not any(clicks):
        raise PreventUpdate
    settings = normalize(stored)
    added = [
        item
        for index, item in enumerate(settings["interventions"])
        if index != trigger.get("index")
    ]
    return {**settings, "interventions": added}


@callback(Output("explore-added", "children"), Input("settings", "data"))
def list_interventions(stored: Any) -> list[Any]:
    """The added interventions, each with a remove button."""
    settings = normalize(stored)
    rows = []
    for index, item in enumerate(settings["interventions"]):
        share = item.get("coverage", {}).get("share", 1)
        text = (
            f"{str(item.get('kind', '?')).replace('_', ' ')} from week {item.get('start')}"
            f", strength {item.get('strength')}, {share:.0%} of staff"
        )
        rows.append(
            html.Div(
                className="added",
                children=[
                    html.Span(text),
                    html.Button(
                        "Remove",
                        id={"type": "remove-intervention", "index": index},
                        className="button small",
                        **{"aria-label": f"Remove {text}"},
                    ),
                ],
            )
        )
    return rows or [html.Div("None added.", className="note")]


# --- running -------------------------------------------------------------------------------


@callback(
    *render_outputs(duplicate=True),
    Output("explore-state", "data"),
    Input("explore-run", "n_clicks"),
    Input("explore-step", "n_clicks"),
    State("settings", "data"),
    State("explore-state", "data"),
    State("explore-why-by", "value"),
    State("presentation", "data"),
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
    settings: Any,
    state: Any,
    by: str,
    large: Any,
    _session: Any = None,
) -> tuple:
    """Run to the horizon (or one week), drawing the charts as it goes and at the end.

    The charts are drawn here, in the background job, and sent straight to the graphs (as
    progress while it runs, as the result at the end). A chain of callbacks instead
    (partial table -> store -> redraw on the server) costs a round trip per update, and
    the browser drops a redraw whenever the next partial table arrives first.
    """
    mode = "step" if triggered_id() == "explore-step" else "run"

    def emit(snapshot: dict[str, Any]) -> None:
        set_progress((*drawn(snapshot, by, large), snapshot))

    final = advance(settings, state, mode, emit=emit)
    return (*drawn(final, by, large), final)


@callback(
    *render_outputs(duplicate=True),
    Output("explore-state", "data", allow_duplicate=True),
    Input("explore-reset", "n_clicks"),
    State("settings", "data"),
    State("explore-why-by", "value"),
    State("presentation", "data"),
    prevent_initial_call=True,
)
def reset_run(_clicks: Any, settings: Any, by: str, large: Any) -> tuple:
    """Back to week 0 of the current settings."""
    state = advance(settings, None, "reset")
    return (*render(state, by, large), state)


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


# --- drawing -------------------------------------------------------------------------------


@callback(
    *render_outputs(),
    Input("explore-why-by", "value"),
    Input("presentation", "data"),
    State("explore-state", "data"),
)
def redraw(by: str, large: Any, state: Any) -> tuple:
    """Draw the stored run when the page opens, or when the view or type size changes."""
    return render(state, by, large)


@callback(
    Output("explore-stale", "children"), Input("settings", "data"), Input("explore-state", "data")
)
def stale_note(settings: Any, state: Any) -> str:
    """Say so when the charts show a run made with other settings."""
    if not isinstance(state, dict) or not state.get("table"):
        return ""
    if state.get("key") != settings_key(settings):
        return "The settings changed since this run: press Run to simulate them."
    return ""


# --- exports -------------------------------------------------------------------------------


@callback(
    Output("explore-download-csv", "data"),
    Input("explore-csv", "n_clicks"),
    State("explore-state", "data"),
    prevent_initial_call=True,
)
def download_csv(_clicks: Any, state: Any) -> dict[str, Any]:
    """The weekly outputs of the run shown, as CSV."""
    if not _clicks or not isinstance(state, dict) or not state.get("table"):
        raise PreventUpdate
    return outputs_csv(payload_frame(state["table"]), state.get("title", "run"))


@callback(
    Output("explore-download-toml", "data"),
    Output("explore-error", "children", allow_duplicate=True),
    Input("explore-toml", "n_clicks"),
    State("settings", "data"),
    prevent_initial_call=True,
)
def download_scenario(_clicks: Any, settings: Any) -> tuple[Any, str]:
    """The current settings as a scenario file (a zip with the org chart if there is one)."""
    if not _clicks:
        raise PreventUpdate
    try:
        return scenario_download(settings), ""
    except ValueError as error:
        return dash.no_update, f"Cannot export: {error}"
