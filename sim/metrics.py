"""Outputs, one small function per quantity, each used by `eachcustomer.sim.recording.Recorder`.

They work on arrays or on the running aggregates of `eachcustomer.sim.state.Customers` (active
count, satisfaction sum, promoters, detractors), never agent by agent and never by scanning the
whole customer base. In a batch each gives one value per replication.
"""

from __future__ import annotations

import numpy as np

from eachcustomer.sim.compiled import inlined_kernel, kernel
from eachcustomer.sim.processes.incentives import focus_of_boss

BANDS = ("1", "2", "3", "4plus")
"""Distance bands of MODEL.md's outputs: 1, 2, 3 and 4 or more hops + 1."""

NEGATIVE_BELOW = -0.2
POSITIVE_ABOVE = 0.2
"""Attitudes within +-0.2 count as neutral in the negative and positive shares."""

PROMOTER_ABOVE = 0.5
DETRACTOR_BELOW = 0.0
"""Net-promoter style: promoters are customers above 0.5 satisfaction, detractors below 0."""


def distance_band(distance: np.ndarray) -> np.ndarray:
    """Band index 0..3 for distances 1, 2, 3 and 4+."""
    return np.clip(np.asarray(distance, dtype=np.int64), 1, 4) - 1


@kernel
def means_of_groups(
    values: np.ndarray, members: np.ndarray, group_start: np.ndarray, empty: float
) -> np.ndarray:
    """The mean of `values` over each group; `empty` for a group without members.

    Group g's members are `members[group_start[g]:group_start[g + 1]]`, summed in that order.
    """
    means = np.empty(len(group_start) - 1)
    for group in range(len(group_start) - 1):
        first, stop = group_start[group], group_start[group + 1]
        total = 0.0
        for k in range(first, stop):
            total += values[members[k]]
        means[group] = total / (stop - first) if stop > first else empty
    return means


@kernel
def numpy_sum(values: np.ndarray, first: int, count: int) -> float:
    """values[first:first + count].sum() as numpy adds them up (pairwise), to the last bit.

    Numpy sums a float array in blocks of 8 partial sums, halving runs above 128 values;
    a plain loop would differ in the last bits.
    """
    if count < 8:
        total = -0.0  # numpy starts from the identity of addition, -0.0
        for i in range(first, first + count):
            total += values[i]
        return total
    if count <= 128:
        partial = values[first : first + 8].copy()
        i = 8
        while i < count - count % 8:
            for j in range(8):
                partial[j] += values[first + i + j]
            i += 8
        total = ((partial[0] + partial[1]) + (partial[2] + partial[3])) + (
            (partial[4] + partial[5]) + (partial[6] + partial[7])
        )
        for k in range(first + i, first + count):
            total += values[k]
        return total
    half = count // 2
    half -= half % 8
    return numpy_sum(values, first, half) + numpy_sum(values, first + half, count - half)


@kernel
def counts_and_means_of_parts(values: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Per part c (values start[c]..start[c + 1] - 1): its count and mean (NaN if empty)."""
    figures = np.empty((len(start) - 1, 2))
    for c in range(len(start) - 1):
        count = start[c + 1] - start[c]
        figures[c, 0] = count
        figures[c, 1] = numpy_sum(values, start[c], count) / count if count else np.nan
    return figures


@inlined_kernel
def attitude_shares(attitude: np.ndarray, employee_start: np.ndarray) -> np.ndarray:
    """Per replication, the shares of employees with negative and with positive attitudes.

    Column 0: who see "the customer" (attitude below -0.2); column 1: who see "each
    customer" (above 0.2).
    """
    shares = np.zeros((len(employee_start) - 1, 2))
    for c in range(len(employee_start) - 1):
        first, stop = employee_start[c], employee_start[c + 1]
        negative = positive = 0
        for i in range(first, stop):
            negative += attitude[i] < NEGATIVE_BELOW
            positive += attitude[i] > POSITIVE_ABOVE
        shares[c, 0] = negative / (stop - first)
        shares[c, 1] = positive / (stop - first)
    return shares


@inlined_kernel
def mean_satisfaction(satisfaction_sum: float, active_count: float) -> float:
    """Mean satisfaction of the active customers, [-1, 1]; NaN when there are none."""
    return satisfaction_sum / active_count if active_count > 0 else np.nan


@inlined_kernel
def net_promoter_score(promoters: float, detractors: float, active_count: float) -> float:
    """Promoters minus detractors among active customers, in percent, [-100, 100]; NaN if none."""
    return 100.0 * (promoters - detractors) / active_count if active_count > 0 else np.nan


@inlined_kernel
def business_success(mean_satisfaction: float, active_count: float) -> float:
    """What customers experience: mean satisfaction rescaled to [0, 1]; 0 with no customers."""
    return (mean_satisfaction + 1.0) / 2.0 if active_count > 0 else 0.0


@inlined_kernel
def customer_figures(tally: np.ndarray) -> np.ndarray:
    """Per replication, the customer figures of `eachcustomer.sim.state.Customers.tally`.

    Columns: active customers, their mean satisfaction, the net promoter score and the
    business success.
    """
    figures = np.empty((tally.shape[0], 4))
    for c in range(tally.shape[0]):
        active, total, promoters, detractors = tally[c, 0], tally[c, 1], tally[c, 2], tally[c, 3]
        satisfaction = mean_satisfaction(total, active)
        figures[c, 0] = active
        figures[c, 1] = satisfaction
        figures[c, 2] = net_promoter_score(promoters, detractors, active)
        figures[c, 3] = business_success(satisfaction, active)
    return figures


@inlined_kernel
def evaluation_of(
    employee: int,
    customer_focus: np.ndarray,
    boss: np.ndarray,
    customer_weight: np.ndarray,
    visibility: np.ndarray,
    business: float,
    shareholder_pressure: float,
    orientation_shift: np.ndarray,
) -> float:
    """One employee's evaluation score, [0, 1]: (1 - w) approval + w V business.

    Boss approval is 1 - |f_i - f_boss|, matching what the boss values; the customer part is
    the business success as far as it is visible from where one sits.
    """
    boss_focus = focus_of_boss(
        customer_focus, boss, employee, shareholder_pressure, orientation_shift
    )
    approval = 1.0 - abs(customer_focus[employee] - boss_focus)
    weight = customer_weight[employee]
    return (1.0 - weight) * approval + weight * visibility[employee] * business


@kernel
def evaluations(
    customer_focus: np.ndarray,
    boss: np.ndarray,
    customer_weight: np.ndarray,
    visibility: np.ndarray,
    business: np.ndarray,
    shareholder_pressure: np.ndarray,
    orientation_shift: np.ndarray,
    employee_start: np.ndarray,
) -> np.ndarray:
    """Every employee's evaluation score (`evaluation_of`), replication by replication."""
    scores = np.empty(len(customer_focus))
    for c in range(len(employee_start) - 1):
        for i in range(employee_start[c], employee_start[c + 1]):
            scores[i] = evaluation_of(
                i,
                customer_focus,
                boss,
                customer_weight,
                visibility,
                business[c],
                shareholder_pressure[c],
                orientation_shift,
            )
    return scores


@inlined_kernel
def bonus_success(
    customer_focus: np.ndarray,
    boss: np.ndarray,
    customer_weight: np.ndarray,
    visibility: np.ndarray,
    business: np.ndarray,
    shareholder_pressure: np.ndarray,
    orientation_shift: np.ndarray,
    employee_start: np.ndarray,
) -> np.ndarray:
    """Mean evaluation score per replication: what employees are rewarded for, [0, 1].

    Each employee's score is `evaluation_of`'s (`evaluations`); the mean sums them in row
    order.
    """
    each = evaluations(
        customer_focus,
        boss,
        customer_weight,
        visibility,
        business,
        shareholder_pressure,
        orientation_shift,
        employee_start,
    )
    scores = np.empty(len(employee_start) - 1)
    for c in range(len(employee_start) - 1):
        first, stop = employee_start[c], employee_start[c + 1]
        total = 0.0
        for i in range(first, stop):
            total += each[i]
        scores[c] = total / (stop - first)
    return scores


@kernel
def tally_contacts(
    copy: np.ndarray,
    complaint: np.ndarray,
    quality: np.ndarray,
    lost: np.ndarray,
    very_bad_quality: float,
    copies: int,
) -> np.ndarray:
    """This week's contacts per replication.

    In the order of `eachcustomer.sim.output_columns.WEEK_TALLIES`. Columns: contacts, complaints,
    mean quality (NaN if none), bad ones (quality q below 0),
    very bad ones (q below `very_bad_quality`, which is at most 0), walk-outs (very bad ones
    that lost the customer), and walk-outs again as the week's first customers lost (churn
    adds the rest). So walk-outs <= very bad <= bad <= contacts.
    """
    counts = np.zeros((copies, 7))
    for k in range(len(copy)):
        c = copy[k]
        counts[c, 0] += 1.0
        counts[c, 1] += complaint[k]
        counts[c, 2] += quality[k]
        counts[c, 3] += quality[k] < 0.0
        counts[c, 4] += quality[k] < very_bad_quality
        counts[c, 5] += lost[k]
        counts[c, 6] += lost[k]
    for c in range(copies):
        counts[c, 2] = counts[c, 2] / counts[c, 0] if counts[c, 0] > 0 else np.nan
    return counts
