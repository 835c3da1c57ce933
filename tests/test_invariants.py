"""Invariants over many parameter draws: bounds, no NaN, constant head count."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eachcustomer.sim.model import OrgModel
from eachcustomer.sim.params import Params

unit = st.floats(0.0, 1.0)


@st.composite
def parameter_draws(draw) -> Params:
    bias = draw(st.floats(1.0, 10.0))
    return Params(
        n_employees=draw(st.integers(5, 120)),
        span_of_control=draw(st.integers(2, 12)),
        customers_per_employee=draw(st.floats(0.0, 20.0)),
        negativity_bias=bias,
        contagion_rate=draw(unit) / bias,
        disposition_pull=draw(unit),
        drift_rate=draw(st.floats(0.0, 0.2)),
        disposition_mean=draw(st.floats(-1.0, 1.0)),
        disposition_sd=draw(st.floats(0.0, 2.0)),
        encounter_impact=draw(st.floats(0.0, 5.0)),
        hostile_attitude_push=draw(unit),
        good_attitude_lift=draw(unit),
        strain_gain=draw(unit),
        strain_recovery=draw(unit),
        quality_noise=draw(st.floats(0.0, 2.0)),
        contact_rate=draw(unit),
        incentive_rate=draw(unit),
        focus_noise=draw(st.floats(0.0, 0.5)),
        shareholder_pressure=draw(unit),
        turnover_rate=draw(st.floats(0.0, 0.5)),
        strain_turnover=draw(st.floats(0.0, 50.0)),
        bad_interaction_weight=draw(st.floats(1.0, 10.0)),
        satisfaction_learning=draw(unit),
        acquisition_rate=draw(unit),
        dissatisfied_churn=draw(st.floats(0.0, 0.5)),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=parameter_draws(), seed=st.integers(0, 2**32 - 1))
def test_state_stays_in_bounds(params, seed):
    model = OrgModel(params, rng=seed)
    size = model.org.size
    for _ in range(15):
        model.step()
        staff, customers = model.employees, model.customers
        for values, low, high in (
            (staff.attitude, -1, 1),
            (staff.disposition, -1, 1),
            (staff.customer_focus, 0, 1),
            (staff.strain, 0, 1),
            (customers.satisfaction, -1, 1),
            (customers.expectation, -1, 1),
        ):
            assert not np.isnan(values).any()
            assert np.all((values >= low) & (values <= high))
        assert len(staff.attitude) == size
        assert np.all(np.abs(customers.reputation) <= 1)
        kept = customers.tally.copy()  # active, satisfaction sum, promoters, detractors
        customers.recount()
        np.testing.assert_array_equal(kept[:, [0, 2, 3]], customers.tally[:, [0, 2, 3]])
        np.testing.assert_allclose(kept[:, 1], customers.tally[:, 1], atol=1e-6)
    table = model.outputs()
    assert (table["active_customers"] >= 0).all()
    assert (table["customers_lost"] >= 0).all()
    assert len(model.agents) == size
