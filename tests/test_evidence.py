"""The evidence folder: the tables of `eachcustomer analyze`, written and read back, shipped."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats
from test_decisions import TINY_MAP
from test_sweeps import said, write_spec
from typer.testing import CliRunner

from eachcustomer.cli import app
from eachcustomer.experiments.analysis import decisions, discovery
from eachcustomer.experiments.analysis.tables import load_results
from eachcustomer.experiments.loading.catalogue import resolve
from eachcustomer.experiments.reports import evidence
from eachcustomer.experiments.reports.evidence import EvidenceError, build_evidence, read_evidence
from eachcustomer.sim.params import Params

REPO = Path(__file__).resolve().parents[1]
SHIPPED = evidence.shipped_folder()
runner = CliRunner()


@pytest.fixture(scope="module")
def tiny_sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A finished sweep of two plans over a price and a fade rate: 32 small runs."""
    folder = tmp_path_factory.mktemp("tiny-map")
    spec = write_spec(folder, TINY_MAP)
    out = folder / "results"
    swept = runner.invoke(app, ["sweep", str(spec), "--out", str(out), "--workers", "1"])
    assert swept.exit_code == 0, swept.output
    return spec, out


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path)


def test_the_folder_holds_what_the_decision_map_and_prim_give(tiny_sweep, tmp_path):
    spec, results_folder = tiny_sweep
    out = tmp_path / "evidence"
    written = build_evidence(results_folder, out, figures=None)
    assert {path.name for path in written} == {
        "decision_map.csv",
        "break_even.csv",
        "scenario_boxes.csv",
        "spec.toml",
        "manifest.json",
        "README.md",
    }
    results = load_results(results_folder)
    table = decisions.decision_map(results)
    pd.testing.assert_frame_equal(read(out / "decision_map.csv"), table)
    crossings = decisions.break_even(table, "price_multiplier", "disposition_pull")
    pd.testing.assert_frame_equal(read(out / "break_even.csv"), crossings, check_dtype=False)
    boxes = discovery.scenario_boxes(results)
    expected = discovery.boxes_table(boxes).astype({"low": float, "high": float})
    pd.testing.assert_frame_equal(
        read(out / "scenario_boxes.csv").fillna({"factor": ""}),  # "": a box without limits
        expected,
        check_dtype=False,
    )
    assert (out / "spec.toml").read_text() == spec.read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["spec_sha256"] == hashlib.sha256(spec.read_bytes()).hexdigest()
    assert manifest["differences"] == []  # built from the spec it ran
    assert manifest["master_seed"] == 5 and manifest["runs"] == {"ok": 32, "failed": 0}
    assert manifest["axes"] == ["price_multiplier", "disposition_pull"]
    assert manifest["commands"][0].startswith("eachcustomer sweep ")
    # Read back, the boxes say what PRIM found, word for word.
    found = read_evidence(out)
    assert [discovery.box_sentence(b) for b in found.boxes] == [
        discovery.box_sentence(b) for b in boxes
    ]
    assert "Preliminary" not in (out / "README.md").read_text()


def test_runs_that_differ_from_the_named_spec_are_listed_as_preliminary(tiny_sweep, tmp_path):
    spec, results_folder = tiny_sweep
    named = write_spec(
        tmp_path, spec.read_text().replace("replications = 4", "replications = 30"), "full.toml"
    )
    out = tmp_path / "evidence"
    result = runner.invoke(
        app,
        ["evidence", str(results_folder), "--out", str(out), "--spec", str(named)]
        + ["--figures", str(tmp_path / "figures")],
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["differences"] == ["replications: 4 in these runs, 30 in the spec"]
    assert manifest["spec_sha256"] == hashlib.sha256(named.read_bytes()).hexdigest()
    assert manifest["ran_spec_sha256"] == hashlib.sha256(spec.read_bytes()).hexdigest()
    assert "--spec" in manifest["commands"][1]
    assert "Preliminary" in (out / "README.md").read_text()


def test_an_unfinished_sweep_or_a_missing_spec_is_refused_without_a_traceback(tiny_sweep, tmp_path):
    spec, results_folder = tiny_sweep
    missing = runner.invoke(
        app, ["evidence", str(results_folder), "--out", str(tmp_path / "e"), "--spec", "no.toml"]
    )
    assert missing.exit_code == 2 and "no.toml: no such sweep spec file" in said(missing)
    unfinished = tmp_path / "unfinished"
    unfinished.mkdir()
    for path in results_folder.rglob("*"):
        if path.is_file():
            target = unfinished / path.relative_to(results_folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    next((unfinished / "runs").glob("part-*.parquet")).unlink()
    result = runner.invoke(app, ["evidence", str(unfinished), "--out", str(tmp_path / "e")])
    assert result.exit_code == 2
    assert "the sweep is not finished (1 of 32 runs missing)" in said(result)
    assert "Traceback" not in result.output


def test_a_damaged_folder_is_named_in_the_error(tiny_sweep, tmp_path):
    _, results_folder = tiny_sweep
    with pytest.raises(EvidenceError, match=r"manifest.json: cannot read it \(no such file\)"):
        read_evidence(tmp_path / "nowhere")
    out = tmp_path / "evidence"
    build_evidence(results_folder, out, figures=None)
    (out / "scenario_boxes.csv").write_text("outcome,plan\nx,y\n")
    with pytest.raises(EvidenceError, match=r"scenario_boxes.csv: no column other, found"):
        read_evidence(out)
    (out / "manifest.json").write_text("{not json")
    with pytest.raises(EvidenceError, match="manifest.json: cannot read it"):
        read_evidence(out)


def test_the_shipped_folder_stands_for_the_current_decision_map_spec():
    """Changing experiments/specs/decision_map.toml without regenerating fails here."""
    manifest = json.loads((SHIPPED / "manifest.json").read_text())
    assert manifest["spec"] == "decision_map"  # a built-in name, valid wherever installed
    assert manifest["commands"][0] == "eachcustomer sweep decision_map --out results/decision_map"
    current = hashlib.sha256(resolve("sweep", manifest["spec"]).read_bytes()).hexdigest()
    assert manifest["spec_sha256"] == current, (
        "experiments/specs/decision_map.toml changed since "
        "experiments/specs/evidence/decision_map was built; regenerate it: "
        + " && ".join(manifest["commands"])
    )
    # The whole spec ran (no replications cut for a quick look), at today's defaults.
    assert manifest["differences"] == []
    assert manifest["defaults"]["disposition_pull"] == Params().disposition_pull
    assert manifest["defaults"]["strength_multiplier"] == 1.0
    found = read_evidence(SHIPPED)
    assert found.axes == ("price_multiplier", "strength_multiplier")
    assert set(found.table["challenger"]) == {"culture_change"}
    assert set(found.table["reference"]) == {"training_day"}
    assert len(found.boxes) == 2 * found.table["outcome"].nunique()
    for outcome in found.table["outcome"].unique():
        assert (REPO / evidence.FIGURES / f"decision_map_{outcome}.png").is_file()


def test_a_folder_of_unadjusted_intervals_is_restated_from_its_tables_alone(tiny_sweep, tmp_path):
    _, results_folder = tiny_sweep
    built, old = tmp_path / "built", tmp_path / "old"
    build_evidence(results_folder, built, figures=None)
    build_evidence(results_folder, old, figures=None)
    # As written before the adjustment: each of the 4 cells at 95% alone, no run counts.
    alone = read(built / "decision_map.csv").drop(columns="comparisons")
    shrink = stats.t.ppf(0.975, 3) / stats.t.ppf(1 - 0.025 / 4, 3)  # 4 pairs per cell
    for column in ("ci_low", "ci_high"):
        alone[column] = alone["mean"] + (alone[column] - alone["mean"]) * shrink
    alone.to_csv(old / "decision_map.csv", index=False)
    boxes = read(old / "scenario_boxes.csv").drop(columns=["cases", "min_cases"])
    boxes.to_csv(old / "scenario_boxes.csv", index=False)
    result = runner.invoke(app, ["evidence", str(old), "--figures", str(tmp_path / "figures")])
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(
        read(old / "decision_map.csv"), read(built / "decision_map.csv"), rtol=1e-9
    )
    pd.testing.assert_frame_equal(
        read(old / "scenario_boxes.csv"), read(built / "scenario_boxes.csv")
    )
    assert "Restated from these tables with no new run" in (old / "README.md").read_text()
    before = (old / "decision_map.csv").read_text()
    evidence.restate_evidence(old, figures=None)  # a second restatement changes nothing
    assert (old / "decision_map.csv").read_text() == before
