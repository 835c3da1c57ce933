"""docs/CALIBRATION.md stays in step with the shipped targets file and the statistics.

Every target of experiments/specs/published_targets.toml is a row of the document's
targets table with the same value, accepted range and use, and every row is a target of
the file; likewise the priors table and the file's [priors] (which are also the defaults
of a targets file without priors), and the statistics table and the registry of
statistics.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest
from test_odd import parse_range, table, unquote

from eachcustomer.experiments.calibration.statistics import STATISTICS
from eachcustomer.experiments.calibration.targets import DEFAULT_PRIORS
from eachcustomer.sim.params import Params

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "CALIBRATION.md"
PUBLISHED = ROOT / "experiments" / "specs" / "published_targets.toml"
TARGET_HEADER = [
    "key",
    "published figure",
    "source (grade)",
    "model output, level and measurement",
    "target",
    "accepted range",
    "use",
    "mostly informs",
    "model before",
    "model after",
]
PRIOR_HEADER = [
    "parameter",
    "distribution",
    "range",
    "evidence (grade)",
    "default before calibration",
    "posterior median [5%, 95%]",
    "calibrated default",
]
SHIPPED = ROOT / "experiments" / "specs" / "calibration" / "published"
"""The published calibration (stage 1) the defaults come from."""
STATISTIC_HEADER = ["statistic", "meaning", "runs", "replications", "possible values"]


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def published() -> dict:
    return tomllib.loads(PUBLISHED.read_text(encoding="utf-8"))


def interval(cell: str) -> tuple[float, float]:
    bounds = parse_range(cell)
    assert bounds is not None, cell
    return bounds


def accepted(entry: dict) -> tuple[float, float]:
    if "accepted" in entry:
        return tuple(entry["accepted"])
    return entry["value"] - entry["tolerance"], entry["value"] + entry["tolerance"]


def test_every_published_target_is_in_the_table_with_its_value_range_and_use(doc, published):
    rows = {unquote(row["key"]): row for row in table(doc, TARGET_HEADER)}
    targets = published["targets"]
    assert set(rows) == set(targets)
    for key, entry in targets.items():
        row = rows[key]
        assert float(row["target"]) == entry["value"], key
        assert interval(row["accepted range"]) == pytest.approx(accepted(entry)), key
        assert row["use"] == entry.get("use", "fit"), key


def test_every_prior_is_in_the_priors_table_and_the_published_priors_are_the_defaults(
    doc, published
):
    rows = {unquote(row["parameter"]): row for row in table(doc, PRIOR_HEADER)}
    shipped = pd.read_csv(SHIPPED / "parameters.csv").set_index("parameter")
    priors = published["priors"]
    assert set(rows) == set(priors) == set(DEFAULT_PRIORS)
    for name, prior in priors.items():
        row = rows[name]
        distribution = prior.get("distribution", "uniform")
        assert row["distribution"] == distribution == DEFAULT_PRIORS[name].distribution, name
        assert interval(row["range"]) == (prior["low"], prior["high"]), name
        assert (DEFAULT_PRIORS[name].low, DEFAULT_PRIORS[name].high) == interval(row["range"])
        # The defaults before: what the shipped calibration started from (its "before").
        assert float(row["default before calibration"]) == shipped.loc[name, "before"], name
        # The defaults now: the code's, inside the shipped posterior's 5-95% interval.
        default = Params.model_fields[name].default
        assert float(row["calibrated default"]) == default, name
        assert shipped.loc[name, "posterior_q05"] <= default <= shipped.loc[name, "posterior_q95"]


def test_every_statistic_is_documented_with_its_runs_replications_and_range(doc):
    rows = {unquote(row["statistic"]): row for row in table(doc, STATISTIC_HEADER)}
    assert set(rows) == set(STATISTICS)
    for name, statistic in STATISTICS.items():
        row = rows[name]
        assert row["runs"] == statistic.runs, name
        assert int(row["replications"]) == statistic.replications, name
        assert interval(row["possible values"]) == (statistic.low, statistic.high), name
