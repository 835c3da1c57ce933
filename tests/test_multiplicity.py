"""Many comparisons at once: Bonferroni intervals widen as the number of cells grows."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from eachcustomer.experiments.analysis.multiplicity import family_level, family_note, widen
from eachcustomer.experiments.analysis.statistics import t_interval


def test_each_interval_is_at_the_bonferroni_level():
    assert family_level(0.95, 1) == pytest.approx(0.95)
    assert family_level(0.95, 30) == pytest.approx(1 - 0.05 / 30)
    with pytest.raises(ValueError, match="at least 1"):
        family_level(0.95, 0)
    with pytest.raises(ValueError, match="between 0 and 1"):
        family_level(1.0, 3)


def test_intervals_widen_as_the_number_of_cells_grows():
    values = np.array([1.0, 2.0, 4.0, 3.0, 5.0, 2.5])
    alone = t_interval(values, 0.95)
    widths = [widen(alone, 0.95, cells).half_width for cells in (1, 2, 6, 30, 300)]
    assert widths[0] == pytest.approx(alone.half_width)
    assert all(a < b for a, b in zip(widths, widths[1:], strict=False))
    # Widening a 95% interval gives the interval computed at the Bonferroni level directly.
    direct = t_interval(values, family_level(0.95, 30))
    found = widen(alone, 0.95, 30)
    np.testing.assert_allclose([found.low, found.high], [direct.low, direct.high])
    assert found.mean == alone.mean
    quantile = stats.t.ppf(1 - 0.025 / 30, len(values) - 1)
    assert found.half_width == pytest.approx(quantile * values.std(ddof=1) / np.sqrt(6))


def test_the_note_says_how_many_comparisons_and_the_level():
    note = family_note(0.95, 30)
    assert "30 cells are 30 comparisons at once" in note and "Bonferroni" in note
    assert "99.83%" in note
    assert "plain 95% interval" in family_note(0.95, 1)
