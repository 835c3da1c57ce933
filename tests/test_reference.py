"""The vectorized OrgModel against the agent-by-agent ReferenceModel (sim/reference.py)."""

from __future__ import annotations

import numpy as np
import pytest

from eachcustomer.sim.model import OrgModel
from eachcustomer.sim.organization import Organization
from eachcustomer.sim.params import Params
from eachcustomer.sim.reference import ReferenceModel
from eachcustomer.sim.replications import replication_seeds

DETERMINISTIC = {
    "customers_per_employee": 0.0,  # no encounters, no customers
    "turnover_rate": 0.0,
    "focus_noise": 0.0,
    "contagion_rate": 0.3,
    "negativity_bias": 3.0,
    "disposition_pull": 0.05,
    "disposition_sd": 0.5,
    "drift_rate": 0.03,
    "incentive_rate": 0.2,
    "strain_recovery": 0.1,
    "shareholder_pressure": 0.7,  # the chief's boss focus 0.3, not the default 0.5
}
"""Contagion (with negativity bias and disposition pull), drift, incentives and strain
recovery all on, nothing random after the initial draws."""

COMPARED_COLUMNS = [
    "mean_attitude",
    "attitude_band_1",
    "attitude_band_2",
    "attitude_band_3",
    "attitude_band_4plus",
    "focus_front_line",
    "focus_back_office",
    "strain_front_line",
]


def hand_made_org() -> Organization:
    """Eight people: a chief, a sales head with three front-liners (one at the complaint
    desk), an operations head with two staff; peers: two sales staff, the two heads, and a
    complaint handler with an operations clerk. Distances run from 1 to 4."""
    return Organization(
        boss=np.array([-1, 0, 0, 1, 1, 1, 2, 2]),
        department=np.array([2, 0, 1, 0, 0, 0, 1, 1]),
        department_names=("sales", "operations", "executive"),
        department_customer_weight=np.array([0.5, 0.0, 0.0]),
        customer_facing=np.array([0, 0, 0, 1, 1, 1, 0, 0], dtype=bool),
        handles_complaints=np.array([0, 0, 0, 0, 0, 1, 0, 0], dtype=bool),
        peer_ties=np.array([[3, 4], [1, 2], [5, 6]]),
        employee_ids=tuple("ABCDEFGH"),
    )


def test_hand_made_org_is_as_described():
    org = hand_made_org()
    np.testing.assert_array_equal(org.distance_to_customer, [3, 2, 3, 1, 1, 1, 2, 4])


@pytest.mark.parametrize("org_maker", [None, hand_made_org], ids=["generated", "hand_made"])
def test_deterministic_processes_match_the_reference(org_maker):
    params = Params(n_employees=300, **DETERMINISTIC)
    org = org_maker() if org_maker else None
    core = OrgModel(params, org=org, rng=42)
    reference = ReferenceModel(params, org=org, rng=42)
    # Same seed, same organization and initial state, drawn in the same order.
    np.testing.assert_array_equal(core.org.boss, reference.org.boss)
    np.testing.assert_array_equal(core.employees.attitude, reference.attitudes())
    assert core.rng.bit_generator.state == reference.rng.bit_generator.state
    # Start with some strain, so that its recovery is compared too.
    strain = np.random.default_rng(7).uniform(0.0, 0.8, core.org.size)
    core.employees.strain = strain.copy()
    for employee, value in zip(reference.employees, strain, strict=True):
        employee.strain = float(value)
    start_attitude = core.employees.attitude.copy()
    start_focus = core.employees.customer_focus.copy()

    for _ in range(20):
        core.step()
        reference.step()
        np.testing.assert_allclose(core.employees.attitude, reference.attitudes(), atol=1e-9)
        np.testing.assert_allclose(core.employees.customer_focus, reference.focuses(), atol=1e-9)
        np.testing.assert_allclose(core.employees.strain, reference.strains(), atol=1e-9)

    # The comparison is not of things standing still.
    assert np.abs(core.employees.attitude - start_attitude).max() > 0.05
    assert np.abs(core.employees.customer_focus - start_focus).max() > 0.05
    assert np.abs(core.employees.strain - strain).max() > 0.05
    core_table, reference_table = core.outputs(), reference.outputs()
    assert len(reference_table) == 21
    np.testing.assert_allclose(
        core_table[COMPARED_COLUMNS].iloc[1:].to_numpy(),
        reference_table[COMPARED_COLUMNS].iloc[1:].to_numpy(),
        atol=1e-9,
    )


STOCHASTIC = Params(
    n_employees=120,
    customers_per_employee=10,
    turnover_rate=0.01,
    offer_weight=0.0,
    offer_quality_sd=0.0,
)
"""Encounters, customers and turnover with the offer off (every organization the same)."""
WITH_OFFER = STOCHASTIC.replace(offer_weight=0.6, offer_quality_mean=0.1, offer_quality_sd=0.3)
"""The offer on (docs/CALIBRATION.md 3.1), each replication with an offer of its own."""
REPLICATIONS = 20
WEEKS = 30
TOLERANCE = {
    "mean_attitude": 0.002,
    "strain_front_line": 0.002,
    "active_customers": 1.0,
    "mean_satisfaction": 0.002,
    "customers_lost": 1.0,
    "hires": 1.0,
    "contacts": 1.0,
    "bad_interactions": 1.0,
    "very_bad_interactions": 1.0,
    "walkouts": 1.0,
}
TOTALS = (
    "customers_lost",
    "hires",
    "contacts",
    "bad_interactions",
    "very_bad_interactions",
    "walkouts",
)
"""Outcomes compared as the run's totals; the others at the final week."""


def final_outcomes(model_class: type, params: Params) -> dict[str, np.ndarray]:
    """Per replication: the final week's levels and the run's totals of the weekly counts."""
    outcomes: dict[str, list[float]] = {name: [] for name in TOLERANCE}
    for seed in replication_seeds(2024, REPLICATIONS):
        table = model_class(params, rng=seed).run(WEEKS)
        for name in TOLERANCE:
            column = table[name]
            outcomes[name].append(float(column.sum() if name in TOTALS else column.iloc[-1]))
    return {name: np.array(values) for name, values in outcomes.items()}


def test_both_models_draw_the_same_offer_for_a_seed():
    for seed in replication_seeds(2024, 3):
        core, reference = OrgModel(WITH_OFFER, rng=seed), ReferenceModel(WITH_OFFER, rng=seed)
        assert core.customers.offer_quality.tolist() == [reference.offer_quality]
        assert core.rng.bit_generator.state == reference.rng.bit_generator.state
    assert OrgModel(STOCHASTIC, rng=1).customers.offer_quality.tolist() == [0.35]


@pytest.mark.parametrize("params", [STOCHASTIC, WITH_OFFER], ids=["offer_off", "offer_on"])
def test_stochastic_processes_agree_with_the_reference_over_replications(params):
    """Encounters, customers and turnover: means over 20 replications agree.

    Margin, per outcome: |mean(core) - mean(reference)| < 3 * sqrt(se_core^2 + se_ref^2)
    + tolerance, se the standard error of each mean over the replications, and tolerance
    TOLERANCE (0.002 on the [-1, 1] and [0, 1] scales, 1 customer or hire on counts), room
    for the core's O(rate^2) sampling approximations (sim/reference.py's docstring).
    """
    core, reference = final_outcomes(OrgModel, params), final_outcomes(ReferenceModel, params)
    for name, tolerance in TOLERANCE.items():
        standard_error = np.sqrt(
            core[name].var(ddof=1) / REPLICATIONS + reference[name].var(ddof=1) / REPLICATIONS
        )
        difference = core[name].mean() - reference[name].mean()
        assert abs(difference) < 3 * standard_error + tolerance, (
            f"{name}: core {core[name].mean():.4f}, reference {reference[name].mean():.4f}, "
            f"standard error {standard_error:.4f}"
        )
    # Something happened: customers were lost, people left, the front line felt strain.
    assert reference["customers_lost"].min() > 0 and reference["hires"].min() > 0
    assert reference["walkouts"].min() > 0
    assert reference["strain_front_line"].mean() > 0.01
