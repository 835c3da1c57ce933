"""Exports: outputs and org charts as CSV, and the settings as a scenario `eachcustomer run` reads.

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
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w
from dash.exceptions import PreventUpdate

from eachcustomer.dashboard.settings import build_setup, normalize, safe_filename
from eachcustomer.experiments.loading.catalogue import builtins
from eachcustomer.experiments.loading.files import safe_csv_frame
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
    """dcc.Download data for the weekly outputs."""
    return text_download(
        safe_csv_frame(frame).to_csv(index=False), f"{slugify(title)}-outputs.csv", "text/csv"
    )


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


def describe_changes(settings: dict[str, Any], setup: RunSetup) -> str:
    """What the user changed, in words, for the exported description."""
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
        f"{settings['seed']}. `eachcustomer run FILE` reproduces the dashboard's run."
        f"\n\n{setup.description}"
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
    return table


def scenario_toml(
    settings: Any,
    setup: RunSetup | None = None,
    chart_name: str | None = None,
    table_name: str | None = None,
    staff_per_manager: int = 0,
) -> str:
    """The settings as scenario TOML text (chart and table names relative to the file)."""
    settings = normalize(settings)
    setup = setup if setup is not None else build_setup(settings)
    params = setup.params
    organization: dict[str, Any] = {}
    if chart_name is not None:
        organization["chart"] = chart_name
        if table_name is not None:
            organization["departments_table"] = table_name
        if staff_per_manager:
            organization["staff_per_manager"] = staff_per_manager
    else:
        organization["employees"] = params.n_employees
        organization["span_of_control"] = params.span_of_control
        if params.departments != DEFAULT_DEPARTMENTS:
            organization["departments"] = [d.model_dump(mode="json") for d in params.departments]
    scenario: dict[str, Any] = {
        "title": "Dashboard: " + setup.title,
        "description": describe_changes(settings, setup),
        "seed": settings["seed"],
        "parameters": changed_parameters(params),
        "organization": organization,
    }
    if setup.individuals:
        scenario["individuals"] = [g.model_dump(mode="json") for g in setup.individuals]
    if setup.interventions:
        scenario["interventions"] = intervention_tables(setup.interventions)
    if setup.plans:
        scenario["plans"] = {name: intervention_tables(p) for name, p in setup.plans.items()}
    if setup.timeline:
        scenario["timeline"] = [timeline_table(entry) for entry in setup.timeline]
    header = (
        f"# {setup.title}, as set in the EachCustomer dashboard\n"
        "# eachcustomer run THIS_FILE (the seed and the changes during the run are below)\n\n"
    )
    return header + tomli_w.dumps(scenario, multiline_strings=True)


def scenario_files(settings: Any) -> tuple[str, dict[str, bytes]]:
    """The download's file name and the files it holds (TOML, and any chart files)."""
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
        text = scenario_toml(settings, setup, chart_name, table_name)
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
            settings, setup, chart_path.name, table_name, spec.organization.staff_per_manager
        )
        return f"{stem}.zip", {SCENARIO_FILE: text.encode("utf-8"), **files}
    return f"{stem}.toml", {SCENARIO_FILE: scenario_toml(settings, setup).encode("utf-8")}


def scenario_download(settings: Any) -> dict[str, Any]:
    """dcc.Download data: a .toml file, or a .zip when an org chart comes along."""
    name, files = scenario_files(settings)
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
