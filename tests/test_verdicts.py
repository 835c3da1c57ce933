"""The one vocabulary of verdicts: the same interval gets the same words everywhere."""

from __future__ import annotations

import numpy as np
import pytest

from eachcustomer.dashboard.compare.verdict import against_reference, outcome_verdict
from eachcustomer.experiments.analysis.decisions import cell_word
from eachcustomer.experiments.analysis.outcomes import outcome
from eachcustomer.experiments.analysis.statistics import Interval, paired_difference
from eachcustomer.experiments.analysis.verdicts import (
    BETTER,
    NO_CLEAR_EFFECT,
    TOO_CLOSE,
    TOO_FEW,
    WORSE,
    judge,
    pairs_to_separate,
    settle,
)


def interval(mean: float, half: float, n: int = 10) -> Interval:
    return Interval(n, mean, float("nan"), mean - half, mean + half)


@pytest.mark.parametrize(
    ("mean", "half", "higher", "against", "word"),
    [
        (1.0, 0.5, True, "nothing", BETTER),
        (1.0, 0.5, False, "nothing", WORSE),  # more customers lost is worse
        (-1.0, 0.5, False, "plan", BETTER),
        (0.2, 0.5, True, "nothing", NO_CLEAR_EFFECT),
        (0.2, 0.5, True, "plan", TOO_CLOSE),
        (-0.2, 0.5, False, "plan", TOO_CLOSE),
    ],
)
def test_the_word_follows_the_interval_and_the_outcomes_direction(
    mean, half, higher, against, word
):
    found = judge(interval(mean, half), higher, against)
    assert found.word == word
    assert found.clear == (word in (BETTER, WORSE))
    assert found.advantage == (mean if higher else -mean)


def test_fewer_than_two_pairs_say_so_and_ask_for_replications():
    single = paired_difference([1.0], [0.0])
    found = judge(single, True, "plan")
    assert found.word == TOO_FEW and not found.clear
    assert "two replications" in settle(found)


def test_settle_estimates_the_pairs_that_would_separate_an_effect_of_this_size():
    # half-width 0.5 at n=10 with a mean of 0.25: (0.5/0.25)^2 = 4 times the pairs
    assert pairs_to_separate(interval(0.25, 0.5, 10)) == 40
    assert "about 40 paired replications (now 10)" in settle(judge(interval(0.25, 0.5), True))
    assert settle(judge(interval(1.0, 0.5), True)) == ""
    # and the estimate holds for real draws: quadrupling pairs halves the half-width
    rng = np.random.default_rng(5)
    draws = rng.normal(0.3, 1.0, 4000)
    small, large = paired_difference(draws[:100], 0 * draws[:100]), None
    needed = pairs_to_separate(small)
    large = paired_difference(draws[: needed * 2], 0 * draws[: needed * 2])
    assert large.excludes_zero


def test_compare_and_the_decision_map_use_the_same_words_for_the_same_interval():
    rng = np.random.default_rng(3)
    base = rng.normal(0, 1, 12)
    close = {"a": base + 0.01 + rng.normal(0, 0.5, 12), "b": base}
    clear = {"a": base + 2.0 + rng.normal(0, 0.1, 12), "b": base}
    item = outcome("mean_satisfaction")
    for finals in (close, clear):
        gap = paired_difference(finals["a"], finals["b"])
        word = judge(gap, True, "plan").word
        line = outcome_verdict(item, finals, 104)
        row = type("Row", (), {})()
        row.n, row.mean, row.ci_low, row.ci_high = gap.n, gap.mean, gap.low, gap.high
        row.challenger, row.reference = "a", "b"
        cell = cell_word(row)
        if word == TOO_CLOSE:
            assert not line["clear"] and TOO_CLOSE in line["text"] and cell == TOO_CLOSE
        else:
            assert line["clear"] and line["winner"] == "a" and cell == "a"
        against = against_reference(item, finals, "b")
        assert against["effects"]["a"]["verdict"] == judge(gap, True, "nothing").word


def test_the_forest_plot_draws_each_effect_with_its_interval_and_verdict_colour():
    from eachcustomer.experiments.reports.forest import VERDICT_COLOURS, Effect, forest_figure
    from eachcustomer.experiments.reports.palette import GREY

    effects = [
        Effect("culture change", 0.3, 0.1, 0.5, BETTER, 20),
        Effect("training day", -0.05, -0.2, 0.1, NO_CLEAR_EFFECT, 20),
    ]
    figure = forest_figure(effects, "satisfaction")
    points = {trace.name: trace for trace in figure.data}
    culture = points["culture change"]
    assert culture.x == (0.3,) and culture.error_x.array == (0.2,)
    assert (
        culture.error_x.arrayminus == (0.19999999999999998,)
        or abs(culture.error_x.arrayminus[0] - 0.2) < 1e-12
    )
    assert culture.marker.color == VERDICT_COLOURS[BETTER]
    assert points["training day"].marker.color == GREY
    assert list(figure.layout.yaxis.categoryarray) == ["training day", "culture change"]
