"""Exports: outputs and org charts as CSV, and the settings as a scenario `eachcustomer run` reads.

Explore's two exports describe one run, the run shown: its weekly outputs exactly as
`eachcustomer run FILE --out OUT.csv` writes them (the one CSV writer,
`eachcustomer.experiments.loading.files.csv_text`), and the settings it was made with (the
run keeps them, `eachcustomer.dashboard.settings.run_record`), whatever the sliders say now.
Only with no run shown, or one made with an org chart no longer loaded, does the scenario
file hold the current settings, and then it says so.

A scenario with an org chart is a zip holding the TOML file and the chart (and its
departments table) side by side, because a scenario names its chart by a relative path.
Every CSV the dashboard hands out goes through
`eachcustomer.experiments.loading.files.safe_csv_frame`: a text cell a spreadsheet would run as a
formula (an uploaded chart's id `=cmd|' /C calc'!A0`) comes back with a leading single quote;
numbers are unchanged.
"""

from __future__ import annotations

import base64
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w
from dash.exceptions import PreventUpdate

from eachcustomer.dashboard.settings import (
    build_setup,
    normalize,
    safe_filename,
    settings_of_record,
)
from eachcustomer.experiments.loading.catalogue import builtins
from eachcustomer.experiments.loading.files import csv_text, safe_csv_frame
from eachcustomer.experiments.loading.scenario_files import (
    RunSetup,
    read_scenario,
)
from eachcustomer.experiments.loading.timeline import TimelineEntry
from eachcustomer.sim.organization import Organization
from eachcustomer.sim.orgchart import write_org_chart_csv
from eachcustomer.sim.params import DEFAULT_DEPARTMENTS, Params

SCENARIO_FILE = "scenario.toml"


def slugify(text: str) -> str:
    """A file-name-safe form of a title."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "eachcustomer"


def text_download(content: str, filename: str, kind: str) -> dict[str, Any]:
    """dcc.Download data for a text file whose MIME type is `kind`."""
    return {"content": content, "filename": filename, "type": kind, "base64": False}


def stored_toml_download(result: Any, key: str, filename: str) -> dict[str, Any]:
    """dcc.Download data: the TOML text a page's result holds under `key`; none yet, no update."""
    if not isinstance(result, dict) or not result.get(key):
        raise PreventUpdate
    return text_download(result[key], filename, "application/toml")


def outputs_csv(frame: pd.DataFrame, title: str) -> dict[str, Any]:
    """dcc.Download data for the weekly outputs: what `eachcustomer run --out` writes."""
    return text_download(csv_text(frame), f"{slugify(title)}-outputs.csv", "text/csv")


def safe_csv_text(text: str) -> str:
    """CSV text with its formula-like text cells neutralized (`safe_csv_frame`); every cell
    is read as text, so ids and numbers keep their spelling."""
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return safe_csv_frame(frame).to_csv(index=False)


def org_chart_csv(org: Organization) -> dict[str, Any]:
    """dcc.Download data: an organization as a chart CSV
    (`eachcustomer.sim.orgchart.write_org_chart_csv`) that a spreadsheet opens without running
    anything."""
    with tempfile.TemporaryDirectory(prefix="eachcustomer-template-") as folder:
        path = Path(folder) / "org_chart.csv"
        write_org_chart_csv(org, path)
        text = safe_csv_text(path.read_text(encoding="utf-8"))
    return text_download(text, "org_chart.csv", "text/csv")


def chart_file_bytes(name: str, text: str) -> bytes:
    """An uploaded chart or departments table as the scenario zip holds it (CSV neutralized)."""
    return (safe_csv_text(text) if name.lower().endswith(".csv") else text).encode("utf-8")


# --- the scenario -----------------------------------------------------------------------------


def changed_parameters(params: Params) -> dict[str, Any]:
    """Scalar parameters that differ from the model's defaults (organization shape aside)."""
    defaults = Params()
    shape = ("n_employees", "span_of_control", "departments")
    return {
        name: getattr(params, name)
        for name in Params.model_fields
        if name not in shape and getattr(params, name) != getattr(defaults, name)
    }


@dataclass(frozen=True)
class ShownRun:
    """The run an export describes: the weeks it went to of its horizon."""

    week: int
    horizon: int

    @property
    def finished(self) -> bool:
        return self.week >= self.horizon

    def command(self) -> str:
        """The command that reproduces it from the exported file."""
        steps = "" if self.finished else f" --steps {self.week}"
        return f"eachcustomer run FILE{steps}"


@dataclass(frozen=True)
class Exported:
    """What the scenario export holds: the settings, and the run shown they were run as
    (None: the current settings, not run on the dashboard), and why when the run shown
    could not be exported."""

    settings: dict[str, Any]
    run: ShownRun | None
    reason: str = ""


def exported_settings(current: Any, state: Any) -> Exported:
    """The settings the scenario export describes: those of the run shown (`state`), else
    the session's `current` settings, saying why."""
    current = normalize(current)
    if not isinstance(state, dict) or not state.get("table") or state.get("error"):
        return Exported(current, None)
    settings = settings_of_record(state.get("settings"), current)
    week, horizon = state.get("week"), state.get("horizon")
    if settings is None or not isinstance(week, int) or not isinstance(horizon, int):
        record = state.get("settings")
        chart = record.get("chart") if isinstance(record, dict) else None
        if isinstance(chart, dict) and chart.get("filename"):
            reason = f"the run shown used the org chart {chart['filename']}, no longer loaded"
        else:
            reason = "the run shown does not say what it was made with"
        return Exported(current, None, reason)
    return Exported(settings, ShownRun(week, horizon))


def export_note(current: Any, state: Any) -> str:
    """Which run the exports describe, for the page."""
    exported = exported_settings(current, state)
    if exported.run is None:
        if not exported.reason:
            return "Scenario (TOML): the settings above, not run yet."
        return (
            f"Outputs (CSV): the run shown. Scenario (TOML): the settings above, not run yet "
            f"({exported.reason})."
        )
    week = exported.run.week
    what = "the run shown" + ("" if exported.run.finished else f" (to week {week})")
    same = exported.settings == normalize(current)
    return f"Both exports: {what}" + ("." if same else ", not the changes made since.")


def describe_changes(
    settings: dict[str, Any], setup: RunSetup, run: ShownRun | None = None, reason: str = ""
) -> str:
    """What the user changed, and which run the file reproduces, in words, for the exported
    description."""
    parts = [f"{name.replace('_', ' ')} {value}" for name, value in settings["overrides"].items()]
    if settings["plan"] is not None:
        parts.append(f"plan {settings['plan']!r}")
    if settings["interventions"]:
        parts.append(f"{len(settings['interventions'])} added intervention(s)")
    if settings["timeline"]:
        weeks = ", ".join(str(entry["week"]) for entry in settings["timeline"])
        parts.append(f"changes during the run at week(s) {weeks}")
    if settings["chart"] is not None:
        parts.append(f"org chart {settings['chart']['filename']}")
    changes = "; ".join(parts) if parts else "no changes"
    return (
        f"Exported from the EachCustomer dashboard on {date.today().isoformat()}: the "
        f"scenario '{settings['scenario']}' ({setup.title}) with {changes}, seed "
        f"{settings['seed']}. {reproduces(run, reason)}"
        f"\n\n{setup.description}"
    )


def reproduces(run: ShownRun | None, reason: str = "") -> str:
    """Which run the file reproduces, and with which command."""
    if run is None:
        why = f" ({reason})" if reason else ""
        return (
            f"These are the dashboard's settings when exported, not yet run there{why}; "
            "`eachcustomer run FILE` runs them."
        )
    if run.finished:
        return (
            f"`{run.command()}` reproduces the run shown on the dashboard, weeks 0 to "
            f"{run.week}, exactly (`--out FILE.csv` writes its outputs as the dashboard does)."
        )
    return (
        f"The run shown on the dashboard stopped at week {run.week} of {run.horizon}: "
        f"`{run.command()}` reproduces it exactly (`--out FILE.csv` writes its outputs as the "
        f"dashboard does); `eachcustomer run FILE` goes on to week {run.horizon}."
    )


def intervention_tables(interventions: Any) -> list[dict[str, Any]]:
    """Interventions as TOML tables, without their default values."""
    tables = []
    for item in interventions:
        values = item.model_dump(mode="json", exclude_defaults=True)
        values.setdefault("kind", item.kind)
        tables.append(values)
    return tables


def timeline_table(entry: TimelineEntry) -> dict[str, Any]:
    """A change made during the run as a `[[timeline]]` table."""
    table: dict[str, Any] = {"week": entry.week}
    if entry.parameters:
        table["parameters"] = dict(entry.parameters)
    if entry.interventions:
        table["interventions"] = intervention_tables(entry.interventions)
    if entry.choices:
        table["choices"] = {n: c.model_dump(mode="json") for n, c in entry.choices.items()}
    return table


def generated_organization(params: Params) -> dict[str, Any]:
    """A generated organization's shape as the `[organization]` table."""
    organization: dict[str, Any] = {
        "employees": params.n_employees,
        "span_of_control": params.span_of_control,
    }
    if params.departments != DEFAULT_DEPARTMENTS:
        organization["departments"] = [d.model_dump(mode="json") for d in params.departments]
    return organization


def setup_tables(setup: RunSetup, organization: dict[str, Any] | None = None) -> dict[str, Any]:
    """A run setup as a scenario's tables, but for its title, description and seed: the
    parameters that differ from the defaults, the organization (`organization`, else the
    generated shape), the people placed and played, the plans and the timeline."""
    tables: dict[str, Any] = {
        "parameters": changed_parameters(setup.params),
        "organization": organization or generated_organization(setup.params),
    }
    if setup.individuals:
        tables["individuals"] = [g.model_dump(mode="json") for g in setup.individuals]
    if setup.players:
        tables["players"] = [p.model_dump(mode="json", exclude_none=True) for p in setup.players]
    if setup.interventions:
        tables["interventions"] = intervention_tables(setup.interventions)
    if setup.plans:
        tables["plans"] = {name: intervention_tables(p) for name, p in setup.plans.items()}
    if setup.timeline:
        tables["timeline"] = [timeline_table(entry) for entry in setup.timeline]
    return tables


def scenario_toml(
    settings: Any,
    setup: RunSetup | None = None,
    chart_name: str | None = None,
    table_name: str | None = None,
    staff_per_manager: int = 0,
    run: ShownRun | None = None,
    reason: str = "",
) -> str:
    """The settings as scenario TOML text (chart and table names relative to the file),
    saying which run it reproduces (`run`; None: settings not run on the dashboard)."""
    settings = normalize(settings)
    setup = setup if setup is not None else build_setup(settings)
    organization: dict[str, Any] = {}
    if chart_name is not None:
        organization["chart"] = chart_name
        if table_name is not None:
            organization["departments_table"] = table_name
        if staff_per_manager:
            organization["staff_per_manager"] = staff_per_manager
    scenario: dict[str, Any] = {
        "title": "Dashboard: " + setup.title,
        "description": describe_changes(settings, setup, run, reason),
        "seed": settings["seed"],
        **setup_tables(setup, organization),
    }
    if run is None:
        said = "# Settings not yet run on the dashboard: eachcustomer run THIS_FILE runs them"
    else:
        said = f"# {run.command().replace('FILE', 'THIS_FILE')} reproduces the run shown"
        said += "" if run.finished else f" (week {run.week} of {run.horizon})"
    header = (
        f"# {setup.title}, as set in the EachCustomer dashboard\n"
        f"{said}\n# (the seed and the changes during the run are below)\n\n"
    )
    return header + tomli_w.dumps(scenario, multiline_strings=True)


def scenario_files(
    settings: Any, run: ShownRun | None = None, reason: str = ""
) -> tuple[str, dict[str, bytes]]:
    """The download's file name and the files it holds (TOML, and any chart files); `run`
    is the run shown these settings made (None: not run on the dashboard)."""
    settings = normalize(settings)
    setup = build_setup(settings)
    stem = slugify(f"{settings['scenario']}-dashboard")
    chart = settings["chart"]
    if chart is not None:
        chart_name = safe_filename(chart["filename"])
        files = {chart_name: chart_file_bytes(chart_name, chart["text"])}
        table_name = None
        if chart.get("departments_text") is not None:
            table_name = safe_filename(chart.get("departments_filename"), "departments.csv")
            if table_name == chart_name:
                table_name = f"departments-{table_name}"
            files[table_name] = chart_file_bytes(table_name, chart["departments_text"])
        text = scenario_toml(settings, setup, chart_name, table_name, run=run, reason=reason)
        return f"{stem}.zip", {SCENARIO_FILE: text.encode("utf-8"), **files}
    spec_path = builtins("scenario")[settings["scenario"]]
    spec = read_scenario(spec_path)
    if spec.organization.chart is not None:
        # A built-in scenario's own chart travels with the export.
        chart_path = (spec_path.parent / spec.organization.chart).resolve()
        files = {chart_path.name: chart_path.read_bytes()}
        table_name = None
        if spec.organization.departments_table:
            table_path = (spec_path.parent / spec.organization.departments_table).resolve()
            table_name = table_path.name
            files[table_name] = table_path.read_bytes()
        text = scenario_toml(
            settings,
            setup,
            chart_path.name,
            table_name,
            spec.organization.staff_per_manager,
            run=run,
            reason=reason,
        )
        return f"{stem}.zip", {SCENARIO_FILE: text.encode("utf-8"), **files}
    text = scenario_toml(settings, setup, run=run, reason=reason)
    return f"{stem}.toml", {SCENARIO_FILE: text.encode("utf-8")}


def scenario_download(settings: Any, state: Any = None) -> dict[str, Any]:
    """dcc.Download data: a .toml file, or a .zip when an org chart comes along, of the run
    shown (`state`) when there is one (`exported_settings`)."""
    exported = exported_settings(settings, state)
    name, files = scenario_files(exported.settings, exported.run, exported.reason)
    if name.endswith(".toml"):
        return text_download(files[SCENARIO_FILE].decode("utf-8"), name, "application/toml")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in files.items():
            archive.writestr(f"{Path(name).stem}/{member}", data)
    return {
        "content": base64.b64encode(buffer.getvalue()).decode("ascii"),
        "filename": name,
        "type": "application/zip",
        "base64": True,
    }
