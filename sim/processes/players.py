"""Players hold their own choices: focus and drift (`eachcustomer.sim.players`).

Applied after the week's processes (and whenever choices or levers change), so a player's
choice is what every process of the next week reads: encounters read the held focus, the
incentives of their reports read it as their boss's, distance drift reads the held
retention.
"""

from __future__ import annotations

import numpy as np

from eachcustomer.sim.players import EACH_CUSTOMER_DRIFT, Seats
from eachcustomer.sim.processes.drift import distance_retention


def hold_focus(customer_focus: np.ndarray, seats: Seats) -> np.ndarray:
    """Customer focus with each playing player's chosen focus in place of the model's."""
    playing = seats.playing
    if not playing.any():
        return customer_focus
    held = customer_focus.copy()
    held[seats.row[playing]] = seats.focus[playing]
    return held


def hold_retention(
    retention: np.ndarray,
    seats: Seats,
    effective_distance: np.ndarray,
    drift_rate: np.ndarray,
) -> np.ndarray:
    """Drift retention with each "each customer" player's drift slowed as language slows it.

    The slowed retention is `eachcustomer.sim.processes.drift.distance_retention` at the
    player's drift rate x (1 - `EACH_CUSTOMER_DRIFT`).

    Args:
        retention: the batch's retention per employee, from the levers in force.
        seats: the players.
        effective_distance: the lever in force, per employee of the batch.
        drift_rate: the lever in force, per employee of the batch.
    """
    playing = seats.playing
    if not playing.any():
        return retention
    # Every playing player's row is recomputed, not only the slowed ones: a player who
    # goes back to "the customer" gets the levers' retention again. Players who have not
    # chosen keep the levers' own, so seating one changes nothing until they choose.
    rows = seats.row[playing]
    slowed = seats.each_customer[playing]
    held = retention.copy()
    held[rows] = distance_retention(
        effective_distance[rows],
        drift_rate[rows] * np.where(slowed, 1.0 - EACH_CUSTOMER_DRIFT, 1.0),
    )
    return held
