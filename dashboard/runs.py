"""Runs for the dashboard: settings in, plain JSON-ready snapshots out.

A snapshot holds what the Explore page draws: the weekly output table so far, the
"why it changed" totals by distance band and department, and the changes made during the
run (marked on the charts). Runs are deterministic in the seed and the settings timeline
(`eachcustomer.dashboard.explore.live`), so a paused run continues by replaying its weeks quietly
and going on; no model object is kept between requests.
"""

from __future__ import annotations

import functools
import math
import re
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from eachcustomer.dashboard.controls import label_of
from eachcustomer.dashboard.explore.live import kept_weeks, start_key
from eachcustomer.dashboard.settings import (
    build_setup,
    describe_org,
    normalize,
    run_record,
    settings_key,
    user_message,
)
from eachcustomer.experiments.loading.scenario_files import RunSetup
from eachcustomer.experiments.loading.timeline import TimelineEntry, step_with_timeline
from eachcustomer.sim.model import OrgModel

EMIT_EVERY_SECONDS = 0.2
"""How often a running simulation sends its partial table to the browser."""
PACE_SLACK = 0.01
"""Seconds of the clock's jitter forgiven when a paced run decides to send a week."""
SPEEDS: tuple[float | None, ...] = (1, 2, 5, 10, 20, 50, None)
"""The speed control's settings, weeks shown per second (None: as fast as it computes)."""
EXPLORE_SPEED = 4
"""Explore's speed at first (an index of SPEEDS): 20 weeks a second, a default run of two
years in about five seconds, slow enough to watch and to pause at a week."""
LESSON_SPEED = 3
"""A lesson's speed at first: 10 weeks a second, two years in about ten seconds."""


def speed_of(index: Any) -> float | None:
    """Weeks per second of a speed control's value (an index of SPEEDS), None for "max";
    anything else from the browser is "max"."""
    if isinstance(index, int | float) and not isinstance(index, bool) and math.isfinite(index):
        return SPEEDS[min(max(int(index), 0), len(SPEEDS) - 1)]
    return None


def speed_label(index: Any) -> str:
    """The speed in words, for the control's note."""
    pace = speed_of(index)
    if pace is None:
        return "as fast as it computes"
    return f"{pace:g} week{'' if pace == 1 else 's'} a second"


def make_model(setup: RunSetup, seed: int, keep_history: bool = False) -> OrgModel:
    """The model of a setup, exactly as `eachcustomer run --seed` builds it."""
    return OrgModel(
        setup.params,
        org=setup.org,
        rng=seed,
        interventions=setup.interventions,
        individuals=setup.individuals,
        players=setup.players,
        keep_history=keep_history,
    )


def plain_column(values: pd.Series) -> list[Any]:
    """A column as JSON-ready values, exactly: NaN becomes None, -0.0 becomes 0.0.

    JSON carries a float to the browser and back unchanged (both sides write the shortest
    text that reads back as the same number), so the table kept is the run's, bit for bit,
    and its CSV is the one `eachcustomer run --out` writes. The browser's session store checks
    that what it saved reads back equal; JSON writes -0.0 as 0, which would never compare
    equal to -0.0 and make it save again forever (the CSV writer writes -0.0 as 0.0 too).
    """
    array = values.to_numpy()
    if array.dtype.kind in "iub":
        return array.tolist()
    plain = array.astype(float) + 0.0
    return [None if math.isnan(v) else v for v in plain.tolist()]


def table_payload(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """A table as {column: values}."""
    return {column: plain_column(frame[column]) for column in frame.columns}


PAYLOAD_DTYPES = ("int64", "float64", "bool")
"""The column types a payload records (JSON writes 5000.0 as 5000: the type says which)."""


def table_dtypes(frame: pd.DataFrame) -> dict[str, str]:
    """Each column's type, for `payload_frame` to give it back."""
    return {column: str(frame[column].dtype) for column in frame.columns}


def payload_frame(
    table: dict[str, list[Any]] | None, dtypes: dict[str, str] | None = None
) -> pd.DataFrame:
    """The table of a payload, NaN where the browser holds None.

    With the columns' types (`table_dtypes`) it is the model's table exactly; without them
    every column is a float.
    """
    if not table:
        return pd.DataFrame()
    frame = pd.DataFrame(table)
    if not isinstance(dtypes, dict):
        return frame.astype(float, errors="ignore").fillna(np.nan)
    types = {
        column: kind if kind in PAYLOAD_DTYPES else "float64"
        for column, kind in ((c, dtypes.get(c)) for c in frame.columns)
    }
    return frame.astype(types)


def why_totals(model: OrgModel, by: str) -> dict[str, Any]:
    """Change of each group's mean attitude since week 0, split by mechanism."""
    long = model.attribution(by)
    totals = long.groupby(["group", "mechanism"], sort=False)["change"].sum().unstack()
    return {
        "groups": [str(g) for g in totals.index],
        "mechanisms": [str(m) for m in totals.columns],
        "values": (np.round(totals.to_numpy(dtype=float), 6) + 0.0).tolist(),
    }


def describe_change(entry: TimelineEntry) -> str:
    """A change made during the run in a few words, with the sliders' labels."""
    parts = [f"{label_of(name)} {value:g}" for name, value in entry.parameters.items()]
    parts += [
        f"+ {item.name.replace('_', ' ')} from week {item.start}" for item in entry.interventions
    ]
    return ", ".join(parts)


def snapshot(
    model: OrgModel, key: str, horizon: int, setup: RunSetup, settings: dict[str, Any]
) -> dict[str, Any]:
    """What the browser keeps of a run so far; its exports are made from it: the table
    exactly, and the settings it was made with (`eachcustomer.dashboard.settings.run_record`)."""
    outputs = model.outputs()
    return {
        "key": key,
        "start": start_key(settings),
        "timeline": settings["timeline"],
        "marks": [{"week": e.week, "label": describe_change(e)} for e in setup.timeline],
        "week": int(model.steps),
        "horizon": int(horizon),
        "title": setup.title,
        "org": describe_org(setup, settings),
        "employees": int(model.org.size),
        "table": table_payload(outputs),
        "dtypes": table_dtypes(outputs),
        "settings": run_record(settings),
        "why": {"band": why_totals(model, "band"), "department": why_totals(model, "department")},
        "error": None,
        "updated": time.time(),
    }


# --- what a snapshot from the browser must look like ----------------------------------------

MAX_SNAPSHOT_WEEK = 5200
"""The longest run a snapshot may hold (`eachcustomer.sim.params.Params.horizon_weeks`)."""
VARYING_COLUMN = re.compile(r"_(dept|level)_")
"""Columns whose names depend on the organization (its departments and levels)."""


class _Shape(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")


class WhyShape(_Shape):
    """`why_totals`: a value per group and mechanism."""

    groups: list[str]
    mechanisms: list[str]
    values: list[list[float]]

    @model_validator(mode="after")
    def _sizes(self) -> WhyShape:
        if len(self.values) != len(self.groups) or any(
            len(row) != len(self.mechanisms) for row in self.values
        ):
            raise ValueError("values must have a row per group and a value per mechanism")
        return self


class MarkShape(_Shape):
    week: int
    label: str


class SnapshotShape(_Shape):
    """What `snapshot` (or `error_payload`) gives the browser, as the pages read it back."""

    key: str | None = None
    start: str | None = None
    week: int = Field(0, ge=0, le=MAX_SNAPSHOT_WEEK)
    horizon: int = Field(0, ge=0, le=MAX_SNAPSHOT_WEEK)
    title: str = ""
    org: str = ""
    employees: int | None = None
    table: dict[str, list[float | None]] | None = None
    dtypes: dict[str, str] | None = None
    why: dict[str, WhyShape | None] | None = None
    marks: list[MarkShape] | None = None
    settings: dict[str, Any] | None = None
    error: str | None = None
    updated: float | None = None

    @model_validator(mode="after")
    def _table(self) -> SnapshotShape:
        if not self.table:
            return self
        lengths = {len(values) for values in self.table.values()}
        if len(lengths) != 1 or not 0 < lengths.pop() <= MAX_SNAPSHOT_WEEK + 1:
            raise ValueError("table: every column must have a value per week, and as many")
        missing = sorted(set(snapshot_columns()) - set(self.table))
        if missing:
            raise ValueError(f"table: no column {missing[0]!r}")
        return self


@functools.cache
def snapshot_columns() -> tuple[str, ...]:
    """The columns every run's table has, whatever its organization (the charts read them)."""
    model = make_model(build_setup(normalize({"overrides": {"n_employees": 20}})), 0)
    return tuple(c for c in model.outputs().columns if not VARYING_COLUMN.search(c))


def snapshot_problem(value: Any) -> str | None:
    """What keeps `value` from being a run the pages can draw and go on from, or None (for
    None too: no run)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        return "a run kept by the page (an object)"
    try:
        SnapshotShape.model_validate(value)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        said = str(first["msg"]).removeprefix("Value error, ")
        return f"a run as the dashboard keeps it ({f'{where}: ' if where else ''}{said})"
    return None


def error_payload(key: str, message: str) -> dict[str, Any]:
    """A snapshot that only carries a message for the user."""
    return {
        "key": key,
        "week": 0,
        "horizon": 0,
        "table": None,
        "why": None,
        "error": message,
        "updated": time.time(),
    }


def newest(*snapshots: Any) -> Any:
    """The snapshot made last (a run's progress can be newer than the run kept)."""
    made = [s for s in snapshots if isinstance(s, dict)]
    return max(made, key=lambda s: s.get("updated") or 0, default=None)


def advance(
    settings: Any,
    state: Any,
    mode: str,
    emit: Callable[[dict[str, Any]], None] | None = None,
    live: Any = None,
    pace: float | None = None,
) -> dict[str, Any]:
    """Run the settings' simulation on from where the run shown stopped.

    Args:
        settings: the session's settings (from the browser; normalized here).
        state: the snapshot kept, or None; the run goes on from its last week that still
            holds under these settings (`eachcustomer.dashboard.explore.live.kept_weeks`).
        mode: "run" to the horizon, "step" one week, "reset" back to week 0.
        emit: called with partial snapshots while running (at most every 0.2 s).
        live: the last partial snapshot of a run under way, or None; used instead of
            `state` when newer (a change made while the run went on).
        pace: weeks per second to play the run at, None for as fast as it computes. A
            paced run waits between weeks and sends a snapshot as often as the page reads
            one, so that the browser shows the weeks one after the other and Pause (which
            ends the job) stops at the week shown. The results do not depend on it.
    """
    settings = normalize(settings)
    key = settings_key(settings)
    try:
        setup = build_setup(settings)
    except ValueError as error:
        return error_payload(key, user_message(error))
    horizon = setup.params.horizon_weeks
    start = 0
    if mode != "reset":
        start = min(kept_weeks(newest(state, live), settings), horizon)
        if start >= horizon and mode == "run":
            start = 0  # a finished run: Run again starts over
    target = {"run": horizon, "step": min(start + 1, horizon), "reset": 0}[mode]
    try:
        model = make_model(setup, settings["seed"])
        # Same seed, same changes at the same weeks: the replay is the run shown.
        step_with_timeline(model, setup.timeline, start)
        last, cost = time.monotonic(), 0.0
        # Unpaced, drawing costs at most about a quarter of the time; paced, the waits
        # between weeks absorb it.
        every = EMIT_EVERY_SECONDS if pace is None else min(EMIT_EVERY_SECONDS, 1.0 / pace)
        share = 3.0 if pace is None else 1.0
        clock = time.monotonic()
        while model.steps < target:
            step_with_timeline(model, setup.timeline, model.steps + 1)
            # Send the first week at once, then pace by what sending costs, so that drawing
            # partial charts never takes more than about a quarter of the time.
            if (
                emit is not None
                and model.steps < target
                and (
                    model.steps == start + 1
                    or time.monotonic() - last >= max(every, share * cost) - PACE_SLACK
                )
            ):
                began = time.monotonic()
                emit(snapshot(model, key, horizon, setup, settings))
                last = time.monotonic()
                cost = last - began
            if pace is not None and model.steps < target:
                # The next week is due (weeks since the start) / pace after the start.
                wait = clock + (model.steps - start) / pace - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
    except ValueError as error:
        return error_payload(key, user_message(error))
    return snapshot(model, key, horizon, setup, settings)


# --- the organization page ------------------------------------------------------------------

NETWORK_CAPTION = "attitude of each employee"


def organization_picture(
    settings: Any, run: bool, on_week: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """The org network at week 0, or after a run, with every week's colours for the slider.

    Returns a dict with "figure", "history" (encoded attitudes, weeks x drawn nodes),
    "weeks", "note" and "error".
    """
    from eachcustomer.dashboard.figures import network_figure
    from eachcustomer.dashboard.organization.network import (
        encode_history,
        network_view,
        node_table,
        reporting_lines,
    )

    settings = normalize(settings)
    try:
        setup = build_setup(settings)
        model = make_model(setup, settings["seed"], keep_history=True)
        weeks = setup.params.horizon_weeks if run else 0
        step_with_timeline(
            model,
            setup.timeline,
            weeks,
            on_week=None if on_week is None else (lambda done: on_week(done, weeks)),
        )
    except ValueError as error:
        return {
            "figure": None,
            "history": None,
            "weeks": 0,
            "note": "",
            "error": user_message(error),
        }
    view = network_view(model.org)
    history = view.node_means(model.attitude_history())
    caption = (
        "mean attitude of each team (square: a manager and everyone below)"
        if view.aggregated
        else NETWORK_CAPTION
    )
    nodes = node_table(view, model.org, history[-1])
    title = (
        f"Week {weeks} of {weeks}: {caption}"
        if weeks
        else f"Week 0: {caption} (press Simulate and watch)"
    )
    figure = network_figure(nodes, reporting_lines(view), title=title)
    encoded = {**encode_history(history), "label": "Week", "caption": caption}
    note = (
        f"{model.org.size:,} employees drawn as {len(view.drawn):,} nodes: the deepest "
        "levels are folded into their managers (size shows head count)."
        if view.aggregated
        else f"{model.org.size:,} employees, each a node."
    )
    return {
        "figure": figure,
        "history": encoded,
        "weeks": weeks,
        "note": f"{setup.title} · {describe_org(setup, settings)}. {note}",
        "error": None,
    }
