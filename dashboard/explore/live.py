"""Changes made while a run is under way: the session's settings timeline.

A leader pauses (or keeps the run going), moves a slider or adds an intervention, and the
run goes on from the week shown with the new values, NetLogo-style. The server keeps no
model: the settings hold a timeline, a list of {"week", "overrides", "interventions"}
entries next to the settings of week 0, and a run replays it from the seed
(`eachcustomer.experiments.loading.timeline`), so it is reproducible and exports as a scenario's
`[[timeline]]`.

A run shown (a snapshot, `eachcustomer.dashboard.runs.snapshot`) records the settings of week 0 (as
a fingerprint) and the timeline it was made with; `kept_weeks` says how many of its weeks
still hold under the current settings, which is where a run goes on from.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from eachcustomer.experiments.loading.timeline import NOT_IN_TIMELINE
from eachcustomer.sim.params import Params

MAX_CHANGES = 24
"""Most entries a session's timeline keeps."""
MAX_WEEK = 5200
MAX_INTERVENTIONS_PER_CHANGE = 6


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def clean_overrides(overrides: Any) -> dict[str, Any]:
    """Known scalar parameters with numbers, from the browser; anything else is dropped."""
    if not isinstance(overrides, dict):
        return {}
    known = Params.model_fields
    return {
        key: value
        for key, value in overrides.items()
        if key in known and key != "departments" and _numeric(value)
    }


def clean_timeline(timeline: Any) -> list[dict[str, Any]]:
    """The timeline from the browser: entries in week order, one per week, malformed dropped."""
    if not isinstance(timeline, list):
        return []
    by_week: dict[int, dict[str, Any]] = {}
    for item in timeline[: MAX_CHANGES * 2]:
        if not isinstance(item, dict):
            continue
        week = item.get("week")
        if not isinstance(week, int) or isinstance(week, bool) or not 1 <= week <= MAX_WEEK:
            continue
        overrides = clean_overrides(item.get("overrides"))
        added = item.get("interventions")
        interventions = (
            [i for i in added[:MAX_INTERVENTIONS_PER_CHANGE] if isinstance(i, dict)]
            if isinstance(added, list)
            else []
        )
        entry = by_week.setdefault(week, {"week": week, "overrides": {}, "interventions": []})
        entry["overrides"].update(overrides)
        entry["interventions"] += interventions
    entries = [e for _, e in sorted(by_week.items()) if e["overrides"] or e["interventions"]]
    return entries[:MAX_CHANGES]


def fingerprint(value: Any) -> str:
    """A short hash of JSON-ready data."""
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def start_key(settings: dict[str, Any]) -> str:
    """The fingerprint of the settings of week 0 (normalized settings), without the timeline
    and the run's length: a run made with them holds, as far as it goes, whatever the
    timeline does later or however long the run is."""
    overrides = {k: v for k, v in settings["overrides"].items() if k != "horizon_weeks"}
    return fingerprint({**settings, "overrides": overrides, "timeline": None})


def kept_weeks(snapshot: Any, settings: dict[str, Any]) -> int:
    """How many weeks of the run shown still hold under `settings` (normalized).

    0 when the settings of week 0 differ; else its week, or the first week at which the
    timelines differ if that is earlier (a change at week w changes weeks after w only).
    """
    if not isinstance(snapshot, dict) or snapshot.get("error") or not snapshot.get("table"):
        return 0
    if snapshot.get("start") != start_key(settings):
        return 0
    week = int(snapshot.get("week") or 0)
    mine = {e["week"]: e for e in settings["timeline"]}
    theirs = {e["week"]: e for e in clean_timeline(snapshot.get("timeline"))}
    differing = [w for w in mine.keys() | theirs.keys() if mine.get(w) != theirs.get(w)]
    return min([week, *differing])


def values_at(settings: dict[str, Any], base: dict[str, Any], week: int) -> dict[str, Any]:
    """Parameter values in force after `week` weeks: the scenario's (`base`), the changes of
    week 0, then every timeline change up to and including `week`."""
    values = {**base, **settings["overrides"]}
    for entry in settings["timeline"]:
        if entry["week"] <= week:
            values.update(entry["overrides"])
    return values


def change_parameters(
    settings: dict[str, Any], base: dict[str, Any], week: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """Settings with `changes` made at `week` (0: before the run).

    A change at week 0, at or after the horizon (a finished run starts over), or of a
    parameter a run cannot change as it goes (`NOT_IN_TIMELINE`: the organization, the
    starting state, the run's length) goes to the settings of week 0; a finished run's
    change also replaces that parameter's later changes. Any other change goes to the
    timeline entry of `week`, and only where it differs from the value in force before.
    """
    overrides = dict(settings["overrides"])
    timeline = [
        {**e, "overrides": dict(e["overrides"]), "interventions": list(e["interventions"])}
        for e in settings["timeline"]
    ]
    horizon = values_at(settings, base, week).get("horizon_weeks", 0)
    finished = week >= horizon
    for name, value in changes.items():
        if week <= 0 or finished or name in NOT_IN_TIMELINE:
            if value == base.get(name):
                overrides.pop(name, None)
            else:
                overrides[name] = value
            if finished:
                for later in timeline:
                    later["overrides"].pop(name, None)
            continue
        entry = next((e for e in timeline if e["week"] == week), None)
        if entry is None:
            entry = {"week": week, "overrides": {}, "interventions": []}
            timeline.append(entry)
        before = values_at(
            {**settings, "overrides": overrides, "timeline": timeline}, base, week - 1
        )
        if value == before.get(name):
            entry["overrides"].pop(name, None)
        else:
            entry["overrides"][name] = value
    return {**settings, "overrides": overrides, "timeline": clean_timeline(timeline)}


def add_intervention(
    settings: dict[str, Any], week: int, horizon: int, item: dict[str, Any]
) -> dict[str, Any]:
    """Settings with an intervention added at `week`: to week 0's list before the run or
    once it has finished, else to the timeline, starting no earlier than week + 1."""
    if week <= 0 or week >= horizon:
        added = (settings["interventions"] + [item])[-MAX_INTERVENTIONS_PER_CHANGE:]
        return {**settings, "interventions": added}
    item = {**item, "start": max(int(item.get("start") or 1), week + 1)}
    timeline = [dict(e) for e in settings["timeline"]]
    entry = next((e for e in timeline if e["week"] == week), None)
    if entry is None:
        timeline.append({"week": week, "overrides": {}, "interventions": [item]})
    else:
        entry["interventions"] = (entry["interventions"] + [item])[-MAX_INTERVENTIONS_PER_CHANGE:]
    return {**settings, "timeline": clean_timeline(timeline)}


def remove_change(settings: dict[str, Any], week: int) -> dict[str, Any]:
    """Settings without the timeline entry of `week`."""
    return {**settings, "timeline": [e for e in settings["timeline"] if e["week"] != week]}


def pending_note(settings: dict[str, Any], snapshot: Any, key: str) -> str:
    """What pressing Run will do with changes not yet simulated ("" when there are none)."""
    if not isinstance(snapshot, dict) or not snapshot.get("table") or snapshot.get("key") == key:
        return ""
    kept = kept_weeks(snapshot, settings)
    week = int(snapshot.get("week") or 0)
    if kept == 0:
        return "The settings changed since this run: press Run to simulate them from week 0."
    if kept < week:
        return f"A change at week {kept} replays the run from there: press Run or Step."
    return f"Your changes act from week {kept + 1}: press Run or Step to go on."
