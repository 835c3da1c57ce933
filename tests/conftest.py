"""Shared fixtures: small parameter sets that switch mechanisms off exactly."""

from __future__ import annotations

import pytest

from sim.params import Params

MECHANISMS_OFF = {
    "encounter_impact": 0.0,
    "strain_recovery": 0.0,
    "drift_rate": 0.0,
    "incentive_rate": 0.0,
    "focus_noise": 0.0,
    "turnover_rate": 0.0,
    "negativity_bias": 1.0,
    "disposition_pull": 0.0,
}
"""Everything but contagion off, contagion symmetric: the DeGroot setting of MODEL.md."""


@pytest.fixture
def degroot_params() -> Params:
    return Params(n_employees=60, customers_per_employee=2, contagion_rate=0.5,
                  **MECHANISMS_OFF)
