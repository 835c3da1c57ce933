"""Kim and Nelson's procedure on hand-computed numbers, and the page's selection within its
limits."""

from __future__ import annotations

import numpy as np
from test_plan_finder_known_answers import DASHBOARD, spec

from eachcustomer.dashboard.plan_finder.search import LIMITS
from eachcustomer.experiments.planfinder.checks import check_size, parse_plan_search
from eachcustomer.experiments.planfinder.selection import allowance, kn_constant, screen


def test_kn_constant_is_the_papers_h2():
    # k = 2, n0 = 10, alpha = 0.05: eta = (0.1 ** (-2 / 9) - 1) / 2 = 0.3340503, h2 = 18 eta.
    np.testing.assert_allclose(kn_constant(2, 10), 18 * 0.3340503, rtol=1e-6)
    # More finalists need a wider region; one finalist needs none.
    assert kn_constant(6, 10) > kn_constant(2, 10) and kn_constant(1, 10) == 0.0


def test_the_allowance_shrinks_to_nothing():
    # W = delta / (2 r) (h2 S2 / delta^2 - r): 1 / 4 (4 * 2 - 2) = 1.5 after 2 replications.
    assert allowance(delta=1.0, h2=4.0, variance=2.0, replications=2) == 1.5
    assert allowance(delta=1.0, h2=4.0, variance=2.0, replications=8) == 0.0
    assert allowance(delta=1.0, h2=4.0, variance=0.0, replications=2) == 0.0


def test_screening_drops_a_plan_led_by_more_than_its_allowance():
    means = {"a": 1.0, "b": 0.0, "c": 0.9}
    exact = {(i, j): 0.0 for i in means for j in means if i != j}
    assert screen(means, exact, list(means), delta=0.5, h2=4.0, replications=2) == ["a"]
    noisy = {pair: 1.0 for pair in exact}
    # W = 0.5 / 4 (4 / 0.25 - 2) = 1.75: nobody is far enough behind yet.
    kept = screen(means, noisy, list(means), delta=0.5, h2=4.0, replications=2)
    assert kept == ["a", "b", "c"]


def test_the_pages_default_search_and_selection_fit_the_dashboards_runs():
    problem = parse_plan_search(spec(DASHBOARD, 1, 1.0, 1.0))
    runs = check_size(problem.spec, LIMITS, "page")
    assert runs <= LIMITS.runs
    assert runs == 8 * 4 * 3 + 5 * 20 + 4 * 20  # search, selection, confirmation (2 levers)
