"""Stage 3: a lever's strength fitted like a model parameter, never drawn into a run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eachcustomer.experiments.calibration.posterior import draw_parameters, load_posterior
from eachcustomer.experiments.calibration.simulate import Request, Simulator
from eachcustomer.experiments.calibration.statistics import Runs, practice_performance_r
from eachcustomer.experiments.loading.catalogue import builtins
from eachcustomer.sim.params import Params


def simulator(count: int) -> Simulator:
    return Simulator(
        base=Params().model_dump(),
        org=None,
        interventions=(),
        requests=(Request("r", "practice_performance_r", count),),
        seed=4,
        unit_employees=20,
    )


def test_the_correlation_grows_with_the_strength_and_vanishes_without_it():
    """A known answer: at strength 0 coverage does nothing, so r is noise around 0; a
    strong bundle makes the organizations that practise it widely keep more customers."""
    sim = simulator(120)
    none = sim({"culture_change_strength": 0.0})["r"]
    strong = sim({"culture_change_strength": 1.0})["r"]
    assert abs(none) < 3 / np.sqrt(120)  # about 3 standard errors of r at rho = 0
    assert strong > none + 0.3


def test_the_statistic_is_pearsons_r_of_the_share_and_the_customers_kept():
    weeks = np.arange(0, 105)

    def series(lost_per_week: float) -> pd.DataFrame:
        return pd.DataFrame(
            {"week": weeks, "active_customers": 100.0, "customers_lost": lost_per_week}
        )

    shares = [0.1, 0.5, 0.9]
    runs = Runs(practices=tuple((s, series(1.0 - s)) for s in shares))
    assert practice_performance_r(runs) == pytest.approx(1.0)
    assert np.isnan(practice_performance_r(Runs(practices=runs.practices[:2])))


def test_the_stage_3_posterior_keeps_the_strength_for_reading_and_never_draws_it():
    folder = builtins("posterior")["published_levers"]
    posterior = load_posterior(folder)
    assert "culture_change_strength" in posterior.table.columns
    assert "culture_change_strength" not in posterior.parameters
    drawn = draw_parameters(posterior, 7)
    assert "culture_change_strength" not in drawn
    Params(**drawn)  # a valid parameter set for a run
    table = pd.read_csv(folder / "parameters.csv")
    assert list(table["parameter"]) == ["culture_change_strength"]
