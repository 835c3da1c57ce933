"""The scripts behind docs/ODD.md 11.4 and docs/CALIBRATION.md 1.1 run and refuse bad input."""

from __future__ import annotations

import pytest

from eachcustomer.experiments import facts_at_contrasts, unit_correlation_spread
from eachcustomer.experiments.analysis.verdicts import WORDS


def test_the_facts_table_has_one_row_per_contrast_in_the_verdicts_words(capsys):
    assert facts_at_contrasts.main(["--facts", "10", "--replications", "2"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()[2:]
    assert len(rows) == 2  # TARP's twice as loud and the calibrated voice
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[0] == "10"
        assert cells[5] in WORDS
        assert cells[6] == "2"
        assert cells[7] == "`replication_seeds(2024, 2)`"


@pytest.mark.parametrize(
    ("module", "argv", "message"),
    [
        (facts_at_contrasts, ["--replications", "1"], "--replications must be at least 2"),
        (facts_at_contrasts, ["--seed", "-1"], "--seed must be a non-negative integer"),
        (unit_correlation_spread, ["--batches", "1"], "--batches must be at least 2"),
        (unit_correlation_spread, ["--units", "2"], "--units must each be at least 3"),
    ],
)
def test_bad_input_ends_in_an_error_line(module, argv, message, capsys):
    with pytest.raises(SystemExit) as stop:
        module.main(argv)
    assert stop.value.code == 2
    assert f"error: {message}" in capsys.readouterr().err


def test_the_unit_spread_table_reports_each_unit_count(capsys):
    assert unit_correlation_spread.main(["--units", "5", "8", "--batches", "2"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()[2:]
    assert [row.split("|")[1].strip() for row in rows] == ["5", "8"]
    for row in rows:
        mean, sd = (float(cell) for cell in row.split("|")[3:5])
        assert -1 <= mean <= 1 and sd >= 0
