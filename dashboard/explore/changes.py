"""The Explore page's interventions and changes during the run: the intervention form (whom
it covers: a share of staff, departments, hierarchy levels), the list of interventions added
before the run, and the timeline of changes made while it runs
(`eachcustomer.dashboard.explore.live`).

Importing this module registers the callbacks (`eachcustomer.dashboard.explore.callbacks` does).
"""

from __future__ import annotations

import time
from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, html
from dash.exceptions import PreventUpdate
from pydantic import ValidationError

from eachcustomer.dashboard.common import aria_label, clicked_id
from eachcustomer.dashboard.controls import Price, label_of, library_price
from eachcustomer.dashboard.explore.live import add_intervention as live_add_intervention
from eachcustomer.dashboard.explore.live import kept_weeks, remove_change, values_at
from eachcustomer.dashboard.money import money
from eachcustomer.dashboard.runs import newest
from eachcustomer.dashboard.settings import normalize, org_groups, scenario_values
from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.params import make_params


def run_week(settings: dict[str, Any], state: Any, live: Any, running: bool) -> int:
    """The week a change made now applies at: the week shown, if that run still holds
    (the run under way's last week while it runs), else 0 (before the run)."""
    shown = newest(state, live) if running else state
    return kept_weeks(shown, settings)


def keep_going(settings: dict[str, Any], live: Any, running: bool) -> None:
    """When a run under way still holds under the changed settings, have it go on from its
    week with them: "explore-continue" starts the run's callback again, which ends the job
    under way (`eachcustomer.dashboard.explore.callbacks.run_simulation`).

    Set with `dash.set_props`, not as a declared output: the run's end sets the sliders,
    and sliders that set what starts the run would make a loop of callbacks, which Dash
    refuses.
    """
    if running and kept_weeks(live, settings) > 0:
        dash.set_props("explore-continue", {"data": time.time()})


def intervention_item(
    kind: str,
    start: Any,
    duration: Any,
    strength: Any,
    coverage: dict[str, Any],
    hours: Any = 0,
    direct: Any = 0,
) -> dict[str, Any]:
    """The intervention form's values as an intervention (validated when the run is built),
    priced as the plan library prices one: staff hours and direct spend per participant-week."""
    item: dict[str, Any] = {
        "kind": kind,
        "start": int(start or 1),
        "strength": float(0.5 if strength is None else strength),
        "coverage": coverage,
        "hours_per_participant_week": float(hours or 0),
        "direct_cost_per_participant_week": float(direct or 0),
    }
    if duration:
        item["duration"] = int(duration)
    return item


def form_coverage(share: Any, departments: Any, levels: Any) -> dict[str, Any]:
    """Who takes part: the departments and levels chosen (all when none), then a share."""
    coverage: dict[str, Any] = {"share": float(1 if share is None else share)}
    if departments:
        coverage["departments"] = [str(name) for name in departments]
    if levels:
        coverage["levels"] = sorted(int(level) for level in levels)
    return coverage


@callback(
    Output("settings", "data", allow_duplicate=True),
    Input("explore-add", "n_clicks"),
    State("explore-add-kind", "value"),
    State("explore-add-start", "value"),
    State("explore-add-duration", "value"),
    State("explore-add-strength", "value"),
    State("explore-add-share", "value"),
    State("explore-add-hours", "value"),
    State("explore-add-direct", "value"),
    State("explore-add-departments", "value"),
    State("explore-add-levels", "value"),
    State("settings", "data"),
    State("explore-state", "data"),
    State("explore-live", "data"),
    State("explore-pause", "disabled"),
    prevent_initial_call=True,
)
def add_intervention(
    _clicks: Any,
    kind: str,
    start: Any,
    duration: Any,
    strength: Any,
    share: Any,
    hours: Any,
    direct: Any,
    departments: Any,
    levels: Any,
    stored: Any,
    state: Any = None,
    live: Any = None,
    pause_disabled: Any = True,
) -> dict[str, Any]:
    """Add an intervention: from its start week before the run, or, while a run is paused
    or going on, as a change at the week shown (starting the week after at the earliest)."""
    if not _clicks:
        raise PreventUpdate
    settings = normalize(stored)
    running = pause_disabled is False
    week = run_week(settings, state, live, running)
    horizon = values_at(settings, scenario_values(settings["scenario"]), week)["horizon_weeks"]
    coverage = form_coverage(share, departments, levels)
    item = intervention_item(kind, start, duration, strength, coverage, hours, direct)
    settings = live_add_intervention(settings, week, horizon, item)
    keep_going(settings, live, running)
    return settings


@callback(
    Output("settings", "data", allow_duplicate=True),
    Input({"type": "remove-intervention", "index": ALL}, "n_clicks"),
    State("settings", "data"),
    prevent_initial_call=True,
)
def remove_intervention(clicks: list[Any], stored: Any) -> dict[str, Any]:
    """Drop one added intervention."""
    trigger = clicked_id(clicks)
    settings = normalize(stored)
    added = [
        item
        for index, item in enumerate(settings["interventions"])
        if index != trigger.get("index")
    ]
    return {**settings, "interventions": added}


@callback(
    Output("explore-add-hours", "value"),
    Output("explore-add-direct", "value"),
    Output("explore-add-price", "children"),
    Input("explore-add-kind", "value"),
    State("settings", "data"),
)
def propose_price(kind: str, stored: Any) -> tuple[float, float, str]:
    """The plan library's price of the kind chosen, in the form, and where it comes from."""
    price = library_price(kind)
    if price is None:
        return (
            0,
            0,
            (
                f"No plan of the library has a {str(kind).replace('_', ' ')}: give its price "
                "(staff hours are priced at the wage cost per hour)."
            ),
        )
    settings = normalize(stored)
    params = make_params(values_at(settings, scenario_values(settings["scenario"]), 0))
    return price.hours, price.direct, f"The plan library's price: {price.describe(params)}."


def describe_item(item: dict[str, Any]) -> str:
    """An added intervention in words: what, from when, how strong, for whom, at what price
    (one that is not valid says so: the run refuses it with the reason)."""
    try:
        spec = Intervention(**item)
    except (ValidationError, TypeError):
        return (
            f"{str(item.get('kind', '?')).replace('_', ' ')[:60]}: not valid, see the run's error"
        )
    coverage = spec.coverage
    who = []
    if coverage.departments:
        who.append(", ".join(coverage.departments))
    if coverage.levels:
        who.append("levels " + ", ".join(str(level) for level in coverage.levels))
    whom = f"{coverage.share:.0%} of " + (" at ".join(who) if who else "staff")
    if spec.cost_per_participant_week is not None:  # an all-in price
        cost = f", {money(spec.cost_per_participant_week)} per participant-week"
    else:
        price = Price(
            spec.hours_per_participant_week, spec.direct_cost_per_participant_week, spec.kind
        )
        cost = f", {price.describe()}" if price.hours or price.direct else ""
    return (
        f"{spec.kind.replace('_', ' ')} from week {spec.start}, strength {spec.strength:g}, "
        f"{whom}{cost}"
    )


@callback(Output("explore-added", "children"), Input("settings", "data"))
def list_interventions(stored: Any) -> list[Any]:
    """The added interventions, each with a remove button."""
    settings = normalize(stored)
    rows = []
    for index, item in enumerate(settings["interventions"]):
        text = describe_item(item)
        rows.append(
            html.Div(
                className="added",
                children=[
                    html.Span(text),
                    html.Button(
                        "Remove",
                        id={"type": "remove-intervention", "index": index},
                        className="button small",
                        **aria_label(f"Remove {text}"),
                    ),
                ],
            )
        )
    return rows or [html.Div("None added.", className="note")]


def describe_entry(entry: dict[str, Any]) -> str:
    """A change of the timeline in words."""
    parts = [f"{label_of(name)} {value:g}" for name, value in entry["overrides"].items()]
    parts += [describe_item(item) for item in entry["interventions"]]
    return f"Week {entry['week']}: " + "; ".join(parts)


@callback(Output("explore-changes", "children"), Input("settings", "data"))
def list_changes(stored: Any) -> list[Any]:
    """The changes made during the run, in week order, each with a remove button."""
    settings = normalize(stored)
    rows = []
    for entry in settings["timeline"]:
        text = describe_entry(entry)
        rows.append(
            html.Div(
                className="added",
                children=[
                    html.Span(text),
                    html.Button(
                        "Remove",
                        id={"type": "remove-change", "week": entry["week"]},
                        className="button small",
                        **aria_label(f"Remove the change of {text}"),
                    ),
                ],
            )
        )
    return rows or [html.Div("None yet.", className="note")]


@callback(
    Output("settings", "data", allow_duplicate=True),
    Input({"type": "remove-change", "week": ALL}, "n_clicks"),
    State("settings", "data"),
    prevent_initial_call=True,
)
def remove_timeline_change(clicks: list[Any], stored: Any) -> dict[str, Any]:
    """Drop one change made during the run."""
    trigger = clicked_id(clicks)
    return remove_change(normalize(stored), int(trigger.get("week", -1)))


@callback(
    Output("explore-add-departments", "options"),
    Output("explore-add-levels", "options"),
    Input("settings", "data"),
)
def coverage_options(stored: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """The departments and hierarchy levels of the session's organization."""
    names, levels = org_groups(normalize(stored))
    return names, [
        {"label": "1 (chief)" if level == 1 else str(level), "value": level} for level in levels
    ]
