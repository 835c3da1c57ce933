"""The one interval and paired difference: exact t intervals for any replication count."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from eachcustomer.experiments.analysis.statistics import paired_difference, t_interval


@pytest.mark.parametrize("count", [2, 5, 20, 37])
def test_the_interval_uses_t_with_n_minus_one_degrees_of_freedom(count):
    values = np.arange(count, dtype=float) ** 1.5
    found = t_interval(values, 0.95)
    sd = values.std(ddof=1)
    half = stats.t.ppf(0.975, count - 1) * sd / np.sqrt(count)
    assert found.n == count and found.mean == pytest.approx(values.mean())
    assert found.half_width == pytest.approx(half)
    assert (found.low, found.high) == pytest.approx((values.mean() - half, values.mean() + half))


def test_hand_computed_interval_of_four_values():
    found = t_interval([1.0, 2.0, 3.0, 4.0], 0.95)
    half = 3.182446305284263 * np.sqrt(5 / 3) / 2  # t(0.975, 3) * sd / sqrt(4)
    assert (found.n, found.mean) == (4, 2.5)
    assert found.sd == pytest.approx(np.sqrt(5 / 3))
    assert (found.low, found.high) == pytest.approx((2.5 - half, 2.5 + half))


def test_the_confidence_level_widens_the_interval():
    values = [0.1, 0.4, 0.35, 0.2, 0.3]
    assert t_interval(values, 0.99).half_width > t_interval(values, 0.9).half_width


def test_nan_is_left_out_and_one_value_has_no_interval():
    assert t_interval([1.0, np.nan, 3.0]).n == 2
    single = t_interval([7.0])
    assert single.mean == 7.0 and np.isnan(single.low) and not single.excludes_zero


def test_bands_over_replications_equal_the_one_dimensional_interval_per_week():
    rng = np.random.default_rng(3)
    weekly = rng.normal(size=(6, 4))
    n, mean, _, low, high = t_interval(weekly, 0.95, axis=0)
    for week in range(4):
        column = t_interval(weekly[:, week], 0.95)
        assert n[week] == 6
        assert (mean[week], low[week], high[week]) == pytest.approx(
            (column.mean, column.low, column.high)
        )


def test_a_paired_difference_removes_shared_luck():
    luck = np.array([1.0, 5.0, 9.0, -3.0])
    effect = np.array([0.5, 0.6, 0.4, 0.5])
    paired = paired_difference(luck + effect, luck)
    unpaired_low = t_interval(luck + effect).low - t_interval(luck).high
    assert paired.mean == pytest.approx(0.5)
    assert paired.excludes_zero and unpaired_low < 0


def test_an_interval_that_straddles_zero_is_not_a_difference():
    gap = paired_difference([1.0, 2.0, 3.0], [1.5, 1.0, 3.2])
    assert gap.low < 0 < gap.high and not gap.excludes_zero


def test_pairs_must_match_in_number():
    with pytest.raises(ValueError, match="one value per replication"):
        paired_difference([1.0, 2.0], [1.0])
