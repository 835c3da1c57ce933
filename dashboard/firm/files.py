"""A firm's files as the page holds them: uploaded, checked together, their targets derived.

The page keeps the files in the browser (store "firm-files": for each role of `ROLES`, the
uploaded file's name and text, or why it could not be read). Every check here rereads them
all: the survey and turnover files are checked against the departments of the org chart,
so a new chart can make them right or wrong. Each file is written under its own (harmless)
name into a private temporary folder and read by the loaders of
`eachcustomer.experiments.firmdata.files` and `eachcustomer.sim.orgchart`, so the messages
next to each upload are theirs, word for word, naming the user's file and line.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from eachcustomer.dashboard.settings import (
    CHART_SUFFIXES,
    MAX_CHART_ROWS,
    safe_filename,
    user_message,
)
from eachcustomer.dashboard.uploads import RowError, decode_upload, split_problems
from eachcustomer.experiments.firmdata.derive import derive_targets
from eachcustomer.experiments.firmdata.files import (
    load_customer_metrics,
    load_survey_results,
    load_turnover,
)
from eachcustomer.experiments.firmdata.fitting import choose, priors_for

EXAMPLE = Path(__file__).resolve().parents[2] / "scenarios" / "data" / "harbour_supply"
"""The worked example: Harbour Supply's files (scenarios/data/harbour_supply/)."""


@dataclass(frozen=True)
class Role:
    """One file the page takes: what it is called in a fitted folder and on the page."""

    name: str  # its name in the folder `fit-firm` reads
    label: str
    required: bool = False


ROLES = {
    "chart": Role("org_chart.csv", "Org chart", required=True),
    "departments": Role("departments.csv", "Departments table (optional)"),
    "survey": Role("survey_results.csv", "Employee survey results"),
    "customers": Role("customer_metrics.csv", "Customer metrics"),
    "turnover": Role("turnover.csv", "Staff turnover"),
}
"""The page's uploads, in order; at least one of the last three is needed for a fit."""
FIRM_FILES = ("survey", "customers", "turnover")
EXAMPLE_FILES = {
    "chart": "org_chart.csv",
    "departments": "departments.csv",
    "survey": "survey_results.csv",
    "customers": "customer_metrics.csv",
    "turnover": "turnover.csv",
}
SCENARIO_NAME = "scenario.toml"


@dataclass
class FirmCheck:
    """Every file's problems (by role), what was read, and the targets derived."""

    problems: dict[str, list[RowError]] = field(default_factory=dict)
    read: dict[str, str] = field(default_factory=dict)  # role -> one line: what the file holds
    targets: pd.DataFrame | None = None
    fitted: tuple[str, ...] = ()  # the parameters a fit would estimate
    missing: str = ""  # what is still needed before a fit, in words

    @property
    def ready(self) -> bool:
        """Whether the files can be fitted: all read, a chart, a figure to fit."""
        return self.targets is not None and not self.missing and bool(self.fitted)


def upload_entry(contents: Any, filename: Any, role: str) -> dict[str, Any]:
    """A file as the store keeps it: its name and text, or why it was not read."""
    default = ROLES[role].name
    name = safe_filename(filename, default)
    if role == "chart" and not name.lower().endswith(CHART_SUFFIXES):
        return {
            "filename": name,
            "problem": f"{name}: unknown file type; upload a .csv or .graphml org chart",
        }
    if role != "chart" and not name.lower().endswith(".csv"):
        return {"filename": name, "problem": f"{name}: unknown file type; upload a .csv file"}
    text, problem = decode_upload(contents, name)
    if problem is not None:
        return {"filename": name, "problem": problem}
    return {"filename": name, "text": text}


def example_files() -> dict[str, Any]:
    """Harbour Supply's files, as the store keeps uploads, with its scenario (its training day)."""
    files: dict[str, Any] = {
        role: {"filename": name, "text": (EXAMPLE / name).read_text(encoding="utf-8")}
        for role, name in EXAMPLE_FILES.items()
    }
    files["scenario"] = {
        "filename": "harbour_supply.toml",
        "text": (EXAMPLE / "harbour_supply.toml").read_text(encoding="utf-8"),
    }
    return files


def stored_files(stored: Any) -> dict[str, dict[str, str]]:
    """The store's files, each checked to be a name with a text or a problem; anything else
    the browser sent is left out."""
    if not isinstance(stored, dict):
        return {}
    files = {}
    for role in (*ROLES, "scenario"):
        entry = stored.get(role)
        if not isinstance(entry, dict) or not isinstance(entry.get("filename"), str):
            continue
        text, problem = entry.get("text"), entry.get("problem")
        if isinstance(text, str):
            files[role] = {"filename": safe_filename(entry["filename"]), "text": text}
        elif isinstance(problem, str):
            files[role] = {"filename": safe_filename(entry["filename"]), "problem": problem}
    return files


def scenario_text(files: dict[str, dict[str, str]]) -> str:
    """The scenario of a fitted folder: the example's, else one naming the uploaded chart
    (no interventions: the page does not ask which the firm ran)."""
    if "scenario" in files and "text" in files["scenario"]:
        return files["scenario"]["text"]
    lines = [
        'title = "Your organization"',
        'description = "Uploaded in the dashboard\'s Your organization page."',
        "",
        "[parameters]",
        "",
        "[organization]",
        f'chart = "{chart_name(files)}"',
    ]
    if "text" in files.get("departments", {}):
        lines.append(f'departments_table = "{ROLES["departments"].name}"')
    return "\n".join(lines) + "\n"


def chart_name(files: dict[str, dict[str, str]]) -> str:
    """The chart's name in a fitted folder: org_chart with the upload's own suffix."""
    suffix = Path(files.get("chart", {}).get("filename", "")).suffix.lower()
    return "org_chart" + (suffix if suffix in CHART_SUFFIXES else ".csv")


def write_folder(files: dict[str, dict[str, str]], folder: Path) -> None:
    """The readable files under the names `eachcustomer fit-firm` reads, and the scenario.

    The example's scenario names its chart by the example's file names, which are the
    names here too."""
    folder.mkdir(parents=True, exist_ok=True)
    for role, entry in files.items():
        if role == "scenario" or "text" not in entry:
            continue
        name = chart_name(files) if role == "chart" else ROLES[role].name
        (folder / name).write_text(entry["text"], encoding="utf-8")
    (folder / SCENARIO_NAME).write_text(scenario_text(files), encoding="utf-8")


def _read_chart(entry: dict[str, str], table: dict[str, str] | None, folder: Path) -> Any:
    """The org chart (and departments table) as `load_org_chart` reads it."""
    from eachcustomer.sim.orgchart import load_org_chart
    from eachcustomer.sim.params import Params

    chart_path = folder / "chart" / entry["filename"]
    chart_path.parent.mkdir()
    chart_path.write_text(entry["text"], encoding="utf-8")
    table_path = None
    if table is not None:
        table_path = folder / "departments" / table["filename"]
        table_path.parent.mkdir()
        table_path.write_text(table["text"], encoding="utf-8")
    return load_org_chart(
        chart_path, departments=table_path, params=Params(), max_rows=MAX_CHART_ROWS
    )


LOADERS: dict[str, Callable[[Path, Any], pd.DataFrame]] = {
    "survey": lambda path, names: load_survey_results(path, names),
    "customers": lambda path, _names: load_customer_metrics(path),
    "turnover": lambda path, names: load_turnover(path, names),
}


def check_files(stored: Any) -> FirmCheck:
    """Check every file the page holds; derive the targets when all can be read."""
    files = stored_files(stored)
    check = FirmCheck()
    for role, entry in files.items():
        if "problem" in entry and role in ROLES:
            check.problems[role] = [RowError("file", entry["problem"])]
    tables: dict[str, pd.DataFrame] = {}
    with tempfile.TemporaryDirectory(prefix="eachcustomer-firm-") as temporary:
        folder = Path(temporary)
        names = None
        chart = files.get("chart")
        found = files.get("departments")
        table = found if found is not None and "text" in found else None
        if chart is not None and "text" in chart:
            try:
                org = _read_chart(chart, table, folder)
            except ValueError as error:  # OrgChartError and its kin: row by row
                texts: dict[str, str | None] = {chart["filename"]: chart["text"]}
                if table is not None:
                    texts[table["filename"]] = table["text"]
                check.problems["chart"] = split_problems(user_message(error), texts)
            except Exception as error:  # noqa: BLE001 - a hostile file must not crash the page
                check.problems["chart"] = [
                    RowError(
                        "file", f"{chart['filename']}: cannot be read ({type(error).__name__})"
                    )
                ]
            else:
                names = list(org.department_names)
                check.read["chart"] = (
                    f"{org.size:,} employees in {len(names)} departments: {', '.join(names)}"
                )
                if table is not None:
                    check.read["departments"] = "read with the chart"
        for role, loader in LOADERS.items():
            if "text" not in files.get(role, {}):
                continue
            entry = files[role]
            path = folder / role / entry["filename"]
            path.parent.mkdir()
            path.write_text(entry["text"], encoding="utf-8")
            try:
                tables[role] = loader(path, names)
            except ValueError as error:  # FirmDataError: every bad cell, one a line
                check.problems[role] = split_problems(
                    str(error), {entry["filename"]: entry["text"]}
                )
            except Exception as error:  # noqa: BLE001 - as above
                check.problems[role] = [
                    RowError(
                        "file", f"{entry['filename']}: cannot be read ({type(error).__name__})"
                    )
                ]
            else:
                check.read[role] = f"{len(tables[role])} rows read" + (
                    "" if names is not None else " (departments not yet checked: no chart read)"
                )
    check.missing = _missing(files, check, tables)
    if tables and not check.problems:
        check.targets = choose(
            derive_targets(tables.get("survey"), tables.get("customers"), tables.get("turnover"))
        )
        check.fitted = tuple(priors_for(check.targets))
    return check


def _missing(
    files: dict[str, dict[str, str]], check: FirmCheck, tables: dict[str, pd.DataFrame]
) -> str:
    if check.problems:
        return "Correct the files marked above."
    if "chart" not in check.read:
        return "Upload the org chart."
    if not tables:
        return "Upload at least one of the survey results, customer metrics and turnover."
    return ""


def targets_rows(targets: pd.DataFrame) -> list[dict[str, Any]]:
    """The derived targets as the page's table shows them."""
    rows = []
    for row in targets.itertuples(index=False):
        week = row.week
        rows.append(
            {
                "target": row.key,
                "department": row.department
                if isinstance(row.department, str) and row.department
                else "whole firm",
                "week": "" if pd.isna(week) else int(week),
                "value": f"{row.value:.4g}",
                "standard error": f"{row.standard_error:.3g}",
                "tolerance": f"{row.tolerance:.3g}",
                "n": int(row.n),
                "from": row.figure,
                "use": row.use,
            }
        )
    return rows
