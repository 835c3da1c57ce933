"""Every replication's levers side by side, in the form the compiled kernels read.

A batch (`eachcustomer.sim.batch.Batch`) keeps each replication's `Levers` as they are and, next to
them, these flat arrays: per employee (one replication after the other) or per replication.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eachcustomer.sim.processes.drift import distance_retention
from eachcustomer.sim.processes.incentives import outcome_visibility
from eachcustomer.sim.state import Levers


@dataclass
class LeverArrays:
    """Every replication's levers side by side, in the form the kernels read.

    Attributes:
        customer_weight: per employee, weight of customer outcomes in evaluations.
        encounter_buffer: per employee, share of a hostile encounter's blow absorbed.
        strain_recovery: per employee, share of strain that wears off each week.
        orientation_shift: per employee, leadership tone's shift of the approval answered to.
        drift_retention: per employee, exp(-k (D - 1)) (`eachcustomer.sim.processes.drift`).
        outcome_visibility: per employee, decay^(D - 1) (`eachcustomer.sim.processes.incentives`).
        shareholder_pressure: per replication.
        hire_attitude_mean: per replication.
    """

    customer_weight: np.ndarray
    encounter_buffer: np.ndarray
    strain_recovery: np.ndarray
    orientation_shift: np.ndarray
    drift_retention: np.ndarray
    outcome_visibility: np.ndarray
    shareholder_pressure: np.ndarray
    hire_attitude_mean: np.ndarray

    @classmethod
    def of(cls, levers: list[Levers], visibility_decay: float) -> LeverArrays:
        """The levers of each replication, one after the other."""
        return cls(
            np.concatenate([lv.customer_weight for lv in levers]),
            np.concatenate([lv.encounter_buffer for lv in levers]),
            np.concatenate([lv.strain_recovery for lv in levers]),
            np.concatenate([lv.orientation_shift for lv in levers]),
            np.concatenate([_retention(lv) for lv in levers]),
            np.concatenate([_visibility(lv, visibility_decay) for lv in levers]),
            np.array([lv.shareholder_pressure for lv in levers], dtype=float),
            np.array([lv.hire_attitude_mean for lv in levers], dtype=float),
        )

    def set_replication(
        self, copy: int, first: int, stop: int, levers: Levers, visibility_decay: float
    ) -> None:
        """Replace replication `copy`'s levers (employees first..stop-1)."""
        rows = slice(first, stop)
        self.customer_weight[rows] = levers.customer_weight
        self.encounter_buffer[rows] = levers.encounter_buffer
        self.strain_recovery[rows] = levers.strain_recovery
        self.orientation_shift[rows] = levers.orientation_shift
        self.drift_retention[rows] = _retention(levers)
        self.outcome_visibility[rows] = _visibility(levers, visibility_decay)
        self.shareholder_pressure[copy] = levers.shareholder_pressure
        self.hire_attitude_mean[copy] = levers.hire_attitude_mean


# Computed on one replication's own arrays, so that a transcendental function meets the
# same array, element for element, alone and in a batch.
def _retention(levers: Levers) -> np.ndarray:
    return distance_retention(levers.effective_distance, levers.drift_rate)


def _visibility(levers: Levers, visibility_decay: float) -> np.ndarray:
    return outcome_visibility(levers.effective_distance, visibility_decay)
