"""Compare's pictures say what its words say: the forest rows are the verdict's paired
intervals, and the charts' paired bands end at them."""

from __future__ import annotations

import numpy as np
import pytest

from eachcustomer.dashboard.compare import view
from eachcustomer.dashboard.compare.comparison import REFERENCE, run_comparison
from eachcustomer.dashboard.compare.verdict import OUTCOME_BY_COLUMN, OUTCOMES
from eachcustomer.dashboard.forest import plan_forest
from eachcustomer.dashboard.settings import default_settings
from eachcustomer.experiments.analysis.outcomes import Outcome
from eachcustomer.experiments.analysis.statistics import paired_difference
from eachcustomer.experiments.analysis.verdicts import judge
from eachcustomer.experiments.reports.forest import VERDICT_COLOURS
from eachcustomer.experiments.reports.palette import GREY

SMALL = {"n_employees": 80, "horizon_weeks": 40}


def shown(value: float, item: Outcome) -> str:
    """A signed number in the outcome's format, "-0" written as 0."""
    text = format(value, item.fmt)
    return format(0.0, item.fmt) if text.startswith("-") and not text.strip("-0.,%") else text


@pytest.fixture(scope="module")
def comparison():
    """Two plans without doing nothing: the page runs it as the reference."""
    settings = {**default_settings("baseline"), "seed": 11, "overrides": SMALL}
    result = run_comparison(
        settings, ["plan:training_day", "plan:culture_change"], 4, "coverage", 200_000.0
    )
    assert result["error"] is None and result["reference"] == REFERENCE
    return result


def test_the_forest_rows_are_the_paired_intervals_the_verdict_states(comparison):
    finals = comparison["finals"]
    lines = {line["outcome"]: line for line in comparison["verdict"]["against_nothing"]}
    assert set(lines) == {item.column for item in OUTCOMES}
    words = set()
    for item in OUTCOMES:
        effects = view.forest_effects(comparison, item.column)
        assert [e.plan for e in effects] == ["One-off training day", "Culture-wide change"]
        figure = plan_forest(effects, item)
        drawn = {trace.name: trace for trace in figure.data}
        for effect in effects:
            gap = paired_difference(
                finals[item.column][effect.plan], finals[item.column][REFERENCE]
            )
            word = judge(gap, item.higher_is_better, against="nothing").word
            assert (effect.mean, effect.low, effect.high, effect.n) == (
                gap.mean,
                gap.low,
                gap.high,
                gap.n,
            )
            assert effect.verdict == word
            words.add(word)
            # The same numbers and word in the picture ...
            trace = drawn[effect.plan]
            assert trace.x == (gap.mean,)
            np.testing.assert_allclose(
                [gap.mean - trace.error_x.arrayminus[0], gap.mean + trace.error_x.array[0]],
                [gap.low, gap.high],
            )
            assert trace.customdata[0][2] == word
            assert trace.marker.color == VERDICT_COLOURS.get(word, GREY)
            # ... and in the words, as the verdict writes numbers.
            unit = {"customers": " customers", "currency": " US dollars"}.get(item.unit, "")
            assert (
                f"{effect.plan} {shown(gap.mean, item)}{unit} ({word}; 95% interval "
                in (lines[item.column]["text"])
            )
            assert (
                f"interval {shown(gap.low, item)} to {shown(gap.high, item)})"
                in (lines[item.column]["text"])
            )
        assert [shape.x0 for shape in figure.layout.shapes] == [0]  # doing nothing
    assert len(words) >= 2  # the case tells at least two verdicts apart: the test can fail


def test_the_paired_bands_end_at_the_verdicts_interval(comparison):
    for item in OUTCOMES:
        against = view.forest_effects(comparison, item.column)
        bands = comparison["paired"][item.column]
        assert bands[REFERENCE]["mean"][-1] == 0.0
        for effect in against:
            band = bands[effect.plan]
            last = (band["mean"][-1], band["low"][-1], band["high"][-1])
            np.testing.assert_allclose(last, (effect.mean, effect.low, effect.high), atol=1e-6)


def test_the_charts_say_what_their_bands_are(comparison):
    levels = view.band_charts(comparison, False, view.LEVELS)
    paired = view.band_charts(comparison, False, view.DIFFERENCES)
    for level, difference in zip(levels[:-1], paired[:-1], strict=True):
        assert "unpaired" in level.layout.title.subtitle.text
        assert "4 runs" in level.layout.title.subtitle.text
        assert "paired interval" in difference.layout.title.subtitle.text
        assert [shape.y0 for shape in difference.layout.shapes] == [0]
    attitude = [t for t in paired[0].data if t.mode == "lines"]
    assert [t.name for t in attitude] == [
        "One-off training day",
        "Culture-wide change",
        REFERENCE,
    ]
    np.testing.assert_allclose(attitude[-1].y, 0.0)  # doing nothing against itself


def test_the_words_fold_under_the_pictures(comparison):
    box = view.verdict_box(comparison)
    ids = [getattr(part, "id", None) for part in box]
    assert ids.index("compare-headline") < ids.index("compare-forest") < ids.index("compare-words")
    forests = box[ids.index("compare-forest")].children
    assert [graph.id for graph in forests] == [f"compare-forest-{c}" for c in OUTCOME_BY_COLUMN]
