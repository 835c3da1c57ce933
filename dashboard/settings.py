"""The current scenario of one browser session, and what a run needs from it.

The settings live in the browser (a `dcc.Store`), never on the server: a plain dict
with the built-in scenario's name, the parameter values the user changed, the plan, the
seed and, optionally, an uploaded org chart. Everything that comes back from the browser
is checked again here before it reaches `eachcustomer.sim`: the scenario must be a built-in name (a
path would let a browser read files on the server), parameters must be known and numeric,
and an org chart is parsed from text in a temporary folder, never executed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from eachcustomer.dashboard.explore.live import clean_overrides, clean_timeline
from eachcustomer.experiments.loading.catalogue import builtins
from eachcustomer.experiments.loading.files import disk_error
from eachcustomer.experiments.loading.plans import NO_PLAN, known_plans
from eachcustomer.experiments.loading.scenario_files import (
    DEFAULT_SCENARIO,
    RunSetup,
    check_coverage_names,
    load_scenario,
    read_scenario,
)
from eachcustomer.experiments.loading.timeline import TimelineEntry, check_timeline
from eachcustomer.sim.budget import cost_basis
from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.limits import DASHBOARD_LIMITS
from eachcustomer.sim.params import Params, describe_validation_error

CHART_SUFFIXES = (".csv", ".graphml", ".xml")
MAX_CHART_BYTES = 2_000_000
"""Largest org chart or departments table accepted from a browser."""
MAX_CHART_ROWS = 20_000
"""Most employees an uploaded chart may list."""
MAX_EXPLORE_EMPLOYEES = DASHBOARD_LIMITS.employees
"""Largest head count the dashboard simulates; larger runs belong to the command line."""


class SettingsError(ValueError):
    """Settings that cannot be run; the message says what to change."""


MAX_EXTRA_INTERVENTIONS = 6


def default_settings(scenario: str = DEFAULT_SCENARIO) -> dict[str, Any]:
    """Settings for a built-in scenario as it is."""
    return {
        "scenario": scenario,
        "overrides": {},
        "plan": None,
        "seed": 0,
        "chart": None,
        "interventions": [],
        "timeline": [],
    }


def scenario_choices() -> list[dict[str, str]]:
    """The built-in scenarios for a dropdown: title as label, name as value."""
    options = []
    for name, path in sorted(builtins("scenario").items()):
        try:
            title = read_scenario(path).title
        except ValueError:
            continue  # a broken scenario file is reported by `eachcustomer scenarios`
        options.append({"label": title, "value": name})
    baseline = [o for o in options if o["value"] == DEFAULT_SCENARIO]
    return baseline + [o for o in options if o["value"] != DEFAULT_SCENARIO]


def safe_filename(name: Any, default: str = "chart.csv") -> str:
    """A file name a user gave, reduced to a harmless base name (no folders)."""
    base = Path(str(name or "")).name
    base = re.sub(r"[^A-Za-z0-9._ -]+", "_", base).strip(" .")[:100]
    return base or default


def normalize(data: Any) -> dict[str, Any]:
    """Settings from the browser, checked: unknown or malformed entries are dropped."""
    settings = default_settings()
    if not isinstance(data, dict):
        return settings
    if data.get("scenario") in builtins("scenario"):
        settings["scenario"] = data["scenario"]
    settings["overrides"] = clean_overrides(data.get("overrides"))
    settings["timeline"] = clean_timeline(data.get("timeline"))
    if isinstance(data.get("plan"), str):
        settings["plan"] = data["plan"][:200]
    seed = data.get("seed")
    if isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed < 2**63:
        settings["seed"] = seed
    settings["chart"] = _chart(data.get("chart"))
    extra = data.get("interventions")
    if isinstance(extra, list):
        settings["interventions"] = [
            item for item in extra[:MAX_EXTRA_INTERVENTIONS] if isinstance(item, dict)
        ]
    return settings


def settings_key(data: Any) -> str:
    """A short fingerprint of the settings: a run belongs to the settings it was made with."""
    text = json.dumps(normalize(data), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def chart_key(chart: dict[str, Any] | None) -> str | None:
    """A fingerprint of an uploaded chart (its files' names and texts); None without one."""
    if chart is None:
        return None
    parts = [chart.get(name) for name in CHART_FIELDS]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


CHART_FIELDS = ("filename", "text", "departments_filename", "departments_text")


def run_record(settings: dict[str, Any]) -> dict[str, Any]:
    """What a run keeps of the (normalized) settings it was made with, for its exports: all
    of them, but an uploaded chart only by name, head count and fingerprint (its text stays
    in the session's settings, and would travel with every partial run)."""
    chart = settings["chart"]
    return {
        **settings,
        "chart": None
        if chart is None
        else {"filename": chart["filename"], "employees": chart.get("employees")},
        "chart_key": chart_key(chart),
    }


def settings_of_record(record: Any, current: dict[str, Any]) -> dict[str, Any] | None:
    """The settings a run was made with (`run_record`), normalized, its chart taken from the
    session's `current` settings; None when the record is missing or its chart is no longer
    the session's."""
    if not isinstance(record, dict):
        return None
    wanted = record.get("chart_key")
    if wanted != chart_key(current["chart"]):
        return None
    return normalize({**record, "chart": current["chart"]})


def extra_interventions(settings: dict[str, Any]) -> tuple[Intervention, ...]:
    """The interventions the user added on top of the scenario's plan, validated."""
    items = []
    for index, item in enumerate(settings.get("interventions") or []):
        try:
            items.append(Intervention(**item))
        except (ValidationError, TypeError) as error:
            raise SettingsError(
                describe_validation_error(error, "added intervention", f"{index + 1}.")
                if isinstance(error, ValidationError)
                else f"added intervention {index + 1}: {error}"
            ) from None
    return tuple(items)


def timeline_entries(settings: dict[str, Any]) -> tuple[TimelineEntry, ...]:
    """The changes made during the run, validated."""
    entries = []
    for item in settings["timeline"]:
        try:
            entries.append(
                TimelineEntry(
                    week=item["week"],
                    parameters=item["overrides"],
                    interventions=item["interventions"],
                )
            )
        except ValidationError as error:
            raise SettingsError(
                describe_validation_error(error, f"change at week {item['week']}")
            ) from None
    return tuple(entries)


def check_coverage(setup: RunSetup, added: tuple[Intervention, ...]) -> None:
    """Added interventions may name only departments and levels the organization has."""
    schedules = {"added intervention": added}
    schedules.update(
        {f"change at week {entry.week}": entry.interventions for entry in setup.timeline}
    )
    named = any(
        item.coverage.departments is not None or item.coverage.levels is not None
        for schedule in schedules.values()
        for item in schedule
    )
    if not named:
        return
    org = cost_basis(setup.params, setup.org)  # the same head counts as the run's
    try:
        for where, schedule in schedules.items():
            check_coverage_names(where, schedule, org.department_names, set(org.level.tolist()))
    except ValueError as error:
        raise SettingsError(str(error)) from None


def _chart(chart: Any) -> dict[str, Any] | None:
    if not isinstance(chart, dict) or not isinstance(chart.get("text"), str):
        return None
    if len(chart["text"]) > MAX_CHART_BYTES:
        return None
    clean = {
        "filename": safe_filename(chart.get("filename")),
        "text": chart["text"],
        "departments_filename": None,
        "departments_text": None,
        "employees": chart.get("employees") if isinstance(chart.get("employees"), int) else None,
    }
    if not clean["filename"].lower().endswith(CHART_SUFFIXES):
        return None
    table = chart.get("departments_text")
    if isinstance(table, str) and len(table) <= MAX_CHART_BYTES:
        clean["departments_filename"] = safe_filename(
            chart.get("departments_filename"), "departments.csv"
        )
        clean["departments_text"] = table
    return clean


@contextlib.contextmanager
def chart_files(chart: dict[str, Any] | None) -> Iterator[tuple[Path | None, Path | None]]:
    """The uploaded chart (and departments table) as files in a private temporary folder."""
    if chart is None:
        yield None, None
        return
    with contextlib.ExitStack() as stack:
        try:  # a full or read-only temporary folder is a message on the page
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="eachcustomer-chart-"))
            chart_path = Path(folder) / safe_filename(chart["filename"])
            chart_path.write_text(chart["text"], encoding="utf-8")
            table_path = None
            if chart.get("departments_text") is not None:
                name = safe_filename(chart.get("departments_filename"), "departments.csv")
                if name == chart_path.name:
                    name = f"departments-{name}"
                table_path = Path(folder) / name
                table_path.write_text(chart["departments_text"], encoding="utf-8")
        except OSError as problem:
            found = disk_error(problem, tempfile.gettempdir())
            if found is None:
                raise
            raise SettingsError(f"the org chart cannot be read: {found}") from None
        yield chart_path, table_path


def build_setup(data: Any) -> RunSetup:
    """The run setup of the settings: scenario, changed parameters, plan, org chart.

    Raises:
        ValueError: (ScenarioError, ParamsError, OrgChartError, SettingsError) with a
            message for the user.
    """
    settings = normalize(data)
    overrides = dict(settings["overrides"])
    employees = overrides.pop("n_employees", None)
    if employees is not None and employees > MAX_EXPLORE_EMPLOYEES:
        raise SettingsError(
            f"{employees:,} employees is more than the dashboard simulates "
            f"({MAX_EXPLORE_EMPLOYEES:,}); use `eachcustomer run "
            f"--employees {employees}` for larger organizations"
        )
    if (
        settings["chart"] is not None
        or read_scenario(builtins("scenario")[settings["scenario"]]).organization.chart is not None
    ):
        # An org chart fixes the head count and spans (load_scenario refuses both): the
        # Employees and span sliders shape generated organizations only.
        employees = None
        overrides.pop("span_of_control", None)
    plan = settings["plan"]
    with chart_files(settings["chart"]) as (chart_path, table_path):
        setup = load_scenario(
            settings["scenario"],
            employees=employees,
            org_chart=chart_path,
            departments=table_path,
            plan=plan,
            seed=settings["seed"],
            limits=DASHBOARD_LIMITS,
            **overrides,
        )
    extra = extra_interventions(settings)
    if extra:
        setup = dataclasses.replace(setup, interventions=tuple(setup.interventions) + extra)
    timeline = timeline_entries(settings)
    try:
        check_timeline(timeline, setup.params.horizon_weeks, setup.params)
    except ValueError as error:
        raise SettingsError(f"changes during the run: {error}") from None
    setup = dataclasses.replace(setup, timeline=timeline)
    check_coverage(setup, extra)
    size = setup.org.size if setup.org is not None else setup.params.n_employees
    if size > MAX_EXPLORE_EMPLOYEES:
        raise SettingsError(
            f"{size:,} employees is more than the dashboard simulates "
            f"({MAX_EXPLORE_EMPLOYEES:,}); use `eachcustomer run`"
        )
    return setup


def scenario_values(scenario: str) -> dict[str, Any]:
    """The scalar parameter values of a built-in scenario (what its sliders start at)."""
    name = scenario if scenario in builtins("scenario") else DEFAULT_SCENARIO
    try:
        params = load_scenario(name).params
    except ValueError:
        params = Params()
    return {k: v for k, v in params.model_dump().items() if k != "departments"}


def scenario_plans(scenario: str) -> list[str]:
    """Plans a built-in scenario can run besides its own schedule: its [plans], then the
    plan library's (`eachcustomer.experiments.loading.plans`), without "none" (the menus offer it
    apart)."""
    path = builtins("scenario").get(scenario)
    own: dict[str, Any] = {}
    if path is not None:
        try:
            own = dict(read_scenario(path).plans)
        except (ValueError, AttributeError):
            own = {}
    return [name for name in known_plans(own) if name != NO_PLAN]


def describe_org(setup: RunSetup, settings: dict[str, Any]) -> str:
    """One line: where the organization comes from and how big it is."""
    chart = settings.get("chart")
    if chart is not None:
        size = setup.org.size if setup.org is not None else setup.params.n_employees
        return f"your org chart {chart['filename']} ({size:,} employees)"
    if setup.org is not None:
        return f"the scenario's org chart ({setup.org.size:,} employees)"
    return (
        f"generated: {setup.params.n_employees:,} employees, "
        f"{setup.params.span_of_control} reports per manager"
    )


def user_message(error: BaseException) -> str:
    """An error's message with server folders removed: the user sees file names only."""
    text = str(error)
    for path in builtins("scenario").values():
        text = text.replace(str(path), path.name)
    text = re.sub(r"/[^\s:'\"]*/(eachcustomer-chart-[^/\s]+/)", "", text)
    return text.replace("parameters.parameters:", "parameters:")


def org_groups(settings: dict[str, Any]) -> tuple[list[str], list[int]]:
    """The departments and hierarchy levels of the settings' organization (empty when the
    settings cannot be built), for choosing whom an intervention covers."""
    try:
        setup = build_setup({**settings, "interventions": [], "timeline": []})
    except ValueError:
        return [], []
    org = cost_basis(setup.params, setup.org)
    return list(org.department_names), sorted(set(org.level.tolist()))
