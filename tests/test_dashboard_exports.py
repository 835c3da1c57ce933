"""Explore's two exports describe one run, the run shown, and its CSV is what the command line
writes: `eachcustomer run FILE --out OUT.csv` on the exported scenario gives the exported
CSV byte for byte, after the settings have changed, for a paused run and for changes made
during the run."""

from __future__ import annotations

import base64
import io
import json
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from eachcustomer.cli import app
from eachcustomer.dashboard.explore.live import change_parameters
from eachcustomer.dashboard.exports import (
    export_note,
    exported_settings,
    outputs_csv,
    scenario_download,
)
from eachcustomer.dashboard.runs import advance, payload_frame
from eachcustomer.dashboard.settings import default_settings, scenario_values
from eachcustomer.experiments.loading.files import csv_text, write_table

SMALL = {"n_employees": 60, "horizon_weeks": 12}
HEADER = "employee_id,manager_id,department,customer_facing\n"
CHART = HEADER + "1,,executive,false\n2,1,sales,true\n3,1,sales,true\n4,1,finance,false\n"


def through_the_browser(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot as the page keeps it: JSON there and back."""
    return json.loads(json.dumps(snapshot))


def page_csv(state: dict[str, Any]) -> str:
    """What the Outputs (CSV) button downloads for the run shown."""
    from eachcustomer.dashboard.explore.callbacks import download_csv

    return download_csv(1, state)["content"]


def export_folder(settings: dict[str, Any], state: Any, folder: Path) -> Path:
    """What the Scenario (TOML) button downloads, unpacked: the scenario file's path."""
    download = scenario_download(settings, state)
    if download["base64"]:
        with zipfile.ZipFile(io.BytesIO(base64.b64decode(download["content"]))) as archive:
            archive.extractall(folder)
        return next(folder.glob("*/scenario.toml"))
    path = folder / download["filename"]
    path.write_text(download["content"], encoding="utf-8")
    return path


def cli_csv(scenario: Path, folder: Path, *options: str) -> str:
    out = folder / "cli.csv"
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_the_pages_csv_is_what_the_command_line_writes(tmp_path):
    settings = {**default_settings(), "overrides": SMALL, "seed": 5}
    state = through_the_browser(advance(settings, None, "run"))
    exported = page_csv(state)
    assert exported == cli_csv(export_folder(settings, state, tmp_path), tmp_path)
    rows = exported.splitlines()
    header = rows[0].split(",")
    first = dict(zip(header, rows[1].split(","), strict=True))
    assert "." not in first["active_customers"] and "." not in first["week"]  # counts: ints
    assert len(rows) == 1 + 13


def test_after_a_change_both_exports_are_the_run_shown(tmp_path):
    shown = {**default_settings(), "overrides": SMALL, "seed": 2}
    state = through_the_browser(advance(shown, None, "run"))
    changed = {**shown, "overrides": {**SMALL, "negativity_bias": 1.0}}
    scenario = export_folder(changed, state, tmp_path)
    data = tomllib.loads(scenario.read_text())
    assert "negativity_bias" not in data["parameters"]  # the run shown, not the new setting
    assert "reproduces the run shown on the dashboard, weeks 0 to 12" in data["description"]
    assert scenario.read_text().startswith(
        "# Baseline: an ordinary organization, as set in the EachCustomer dashboard\n"
        "# eachcustomer run THIS_FILE reproduces the run shown\n"
    )
    assert page_csv(state) == cli_csv(scenario, tmp_path)
    assert export_note(changed, state) == (
        "Both exports: the run shown, not the changes made since."
    )
    assert export_note(shown, state) == "Both exports: the run shown."


def test_a_paused_run_exports_with_the_weeks_it_went_to(tmp_path):
    settings = {**default_settings(), "overrides": SMALL, "seed": 1}
    state = None
    for _ in range(5):
        state = advance(settings, state, "step")
    state = through_the_browser(state)
    scenario = export_folder(settings, state, tmp_path)
    text = scenario.read_text()
    assert "# eachcustomer run THIS_FILE --steps 5 reproduces the run shown (week 5 of 12)" in text
    assert "stopped at week 5 of 12" in tomllib.loads(text)["description"]
    assert page_csv(state) == cli_csv(scenario, tmp_path, "--steps", "5")
    assert export_note(settings, state) == "Both exports: the run shown (to week 5)."


def test_changes_made_during_the_run_export_as_its_timeline(tmp_path):
    settings = {**default_settings(), "overrides": SMALL, "seed": 4}
    paused = advance(settings, advance(settings, None, "step"), "step")
    paused = advance(settings, paused, "step")  # week 3
    base = scenario_values(settings["scenario"])
    changed = change_parameters(settings, base, 3, {"negativity_bias": 1.2})
    assert changed["timeline"]
    state = through_the_browser(advance(changed, paused, "run", live=None))
    assert state["week"] == 12
    scenario = export_folder(changed, state, tmp_path)
    assert tomllib.loads(scenario.read_text())["timeline"][0]["week"] == 3
    assert page_csv(state) == cli_csv(scenario, tmp_path)


def test_with_no_run_shown_the_file_says_it_holds_settings_not_yet_run(tmp_path):
    settings = {**default_settings(), "overrides": SMALL}
    data = tomllib.loads(export_folder(settings, None, tmp_path).read_text())
    assert "not yet run there" in data["description"]
    assert "reproduces" not in data["description"]
    assert export_note(settings, None) == "Scenario (TOML): the settings above, not run yet."


def test_a_run_made_with_a_chart_no_longer_loaded_exports_the_settings_and_says_why(tmp_path):
    chart = {"filename": "ours.csv", "text": CHART, "employees": 4}
    with_chart = {**default_settings(), "overrides": {"horizon_weeks": 4}, "chart": chart}
    state = through_the_browser(advance(with_chart, None, "run"))
    # The chart's text is not in the snapshot: only its name, head count and fingerprint.
    assert "executive" not in json.dumps(state["settings"])
    exported = exported_settings(with_chart, state)
    assert exported.run is not None and exported.settings["chart"]["text"] == CHART
    assert page_csv(state) == cli_csv(export_folder(with_chart, state, tmp_path), tmp_path)
    without = {**with_chart, "chart": None}
    exported = exported_settings(without, state)
    assert exported.run is None and exported.settings["chart"] is None
    assert "the org chart ours.csv, no longer loaded" in exported.reason
    assert "ours.csv, no longer loaded" in export_note(without, state)


def test_the_table_comes_back_from_the_browser_exactly(tmp_path):
    settings = {**default_settings(), "overrides": SMALL, "seed": 9}
    state = advance(settings, None, "run")
    kept = through_the_browser(state)
    frame = payload_frame(kept["table"], kept["dtypes"])
    from eachcustomer.dashboard.runs import make_model
    from eachcustomer.dashboard.settings import build_setup
    from eachcustomer.experiments.loading.timeline import step_with_timeline

    setup = build_setup(settings)
    model = make_model(setup, 9)
    step_with_timeline(model, setup.timeline, 12)
    expected = model.outputs()
    pd.testing.assert_frame_equal(frame, expected, check_exact=True)
    assert outputs_csv(frame, "x")["content"] == csv_text(expected)


def test_one_csv_writer_for_files_and_downloads(tmp_path):
    frame = pd.DataFrame(
        {
            "week": [0, 1],
            "count": [5000, 4999],
            "value": [-0.0, 0.1 + 0.2],
            "gap": [np.nan, 1.5],
            "note": ["=SUM(A1)", "-2.5"],
        }
    )
    text = csv_text(frame)
    assert text == (
        "week,count,value,gap,note\n0,5000,0.0,,'=SUM(A1)\n1,4999,0.30000000000000004,1.5,-2.5\n"
    )
    path = write_table(frame, tmp_path / "table.csv")
    assert path.read_bytes() == text.encode("utf-8")
    assert frame["value"].iloc[0] == 0 and np.signbit(frame["value"].iloc[0])  # left as it was


@pytest.mark.parametrize("size", [None, {"n_employees": 5000, "horizon_weeks": 2}])
def test_a_payload_without_types_reads_as_floats(size):
    settings = {**default_settings(), "overrides": size or SMALL}
    state = through_the_browser(advance(settings, None, "step"))
    assert payload_frame(state["table"]).dtypes.eq(float).all()  # the charts' reading
    typed = payload_frame(state["table"], state["dtypes"])
    assert typed["active_customers"].dtype == np.int64
