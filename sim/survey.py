"""What a firm observes of the model's state: surveys with the error real measurement has.

A firm never sees attitudes or satisfactions; it sees an employee survey (Likert items
answered by the staff who respond), a customer survey (a sample of customers rating 0 to
10) and records (customers lost, complaints, leavers). The functions here turn the model's
arrays into those observations, drawing every random number from the generator they are
given, which callers take from a stream of its own (`survey_generator`), so that taking a
survey never changes the model's run. Records are exact counts: their noise is the
randomness of the events themselves, which the model already has.

The noise defaults and their sources are in docs/CALIBRATION.md, section 3.2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eachcustomer.sim.organization import Organization

SURVEY_STREAM = 2**31 + 23
"""Spawn key of the survey's random stream: a child of the run's seed that no model stream
uses (the model's own children are numbered from 0)."""
LIKERT_POINTS = 5
LIKERT_CUTS = np.array([-0.6, -0.2, 0.2, 0.6])
"""Five equal bins of the attitude scale [-1, 1]: answer 1 below -0.6, ..., 5 above 0.6."""
RATING_TOP = 10
"""Customers rate 0 to 10, as in a net-promoter survey."""
PROMOTER_RATING = 9
DETRACTOR_RATING = 6
"""Net promoter score: ratings 9-10 promote, 0-6 detract (Reichheld's convention)."""


@dataclass(frozen=True)
class EmployeeSurveyDesign:
    """An attitude survey: how many items, how noisy each answer, who responds.

    Attributes:
        items: Likert items per respondent (Gallup's Q12 has 12).
        item_noise_sd: SD of each item's answer around the respondent's attitude, on the
            attitude scale [-1, 1], before rounding to the five points.
        response_rate: chance each employee responds, (0, 1].
    """

    items: int = 12
    item_noise_sd: float = 0.5
    response_rate: float = 0.7


@dataclass(frozen=True)
class CustomerSurveyDesign:
    """A customer survey: how many customers are asked, how noisy their answers.

    Attributes:
        sample_size: active customers sampled without replacement (all if fewer).
        answer_noise_sd: SD of an answer around the customer's satisfaction, on [-1, 1],
            before rounding to the 0-10 rating.
    """

    sample_size: int = 50
    answer_noise_sd: float = 0.3


def survey_generator(seed: int) -> np.random.Generator:
    """The survey's own stream for a run with this seed: independent of the model's."""
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(SURVEY_STREAM,)))


def likert_answers(
    attitude: np.ndarray, items: int, item_noise_sd: float, rng: np.random.Generator
) -> np.ndarray:
    """Each person's answers 1..5 to `items` items: attitude + N(0, sd^2), cut in five bins."""
    latent = attitude[:, None] + item_noise_sd * rng.standard_normal((len(attitude), items))
    return np.digitize(latent, LIKERT_CUTS) + 1


def likert_to_attitude(score: np.ndarray | float) -> np.ndarray | float:
    """A 1-5 score on the attitude scale: 1 -> -1, 3 -> 0, 5 -> 1."""
    return (np.asarray(score, dtype=float) - 3.0) / 2.0


def rating_to_satisfaction(rating: np.ndarray | float) -> np.ndarray | float:
    """A 0-10 rating on the satisfaction scale: 0 -> -1, 5 -> 0, 10 -> 1."""
    return np.asarray(rating, dtype=float) / 5.0 - 1.0


def survey_employees(
    attitude: np.ndarray, design: EmployeeSurveyDesign, rng: np.random.Generator
) -> np.ndarray:
    """Each employee's survey score (mean of the items, 1-5), NaN for those who did not respond.

    Who responds is drawn first (one uniform per employee), then the respondents' answers.
    """
    responded = rng.random(len(attitude)) < design.response_rate
    scores = np.full(len(attitude), np.nan)
    answers = likert_answers(attitude[responded], design.items, design.item_noise_sd, rng)
    scores[responded] = answers.mean(axis=1)
    return scores


def survey_customers(
    satisfaction: np.ndarray,
    active: np.ndarray,
    design: CustomerSurveyDesign,
    rng: np.random.Generator,
) -> np.ndarray:
    """Ratings 0..10 of a sample of the active customers: clip(s + N(0, sd^2)) rounded."""
    pool = np.flatnonzero(active)
    chosen = rng.choice(pool, min(design.sample_size, len(pool)), replace=False)
    answer = satisfaction[chosen] + design.answer_noise_sd * rng.standard_normal(len(chosen))
    return np.rint(5.0 * (np.clip(answer, -1.0, 1.0) + 1.0)).astype(np.int64)


def net_promoter_score(ratings: np.ndarray) -> float:
    """Percent of ratings 9-10 minus percent of 0-6, [-100, 100]; NaN without ratings."""
    if len(ratings) == 0:
        return float("nan")
    promoters = np.mean(ratings >= PROMOTER_RATING)
    detractors = np.mean(ratings <= DETRACTOR_RATING)
    return float(100.0 * (promoters - detractors))


def team_of(org: Organization) -> np.ndarray:
    """Each employee's team: the index of their manager, their own for the top of a chart."""
    return np.where(org.boss >= 0, org.boss, np.arange(org.size))


def unit_mean_reliability(icc1: float, respondents: float) -> float:
    """ICC(2), the reliability of a unit mean of n answers: n ICC(1) / (1 + (n - 1) ICC(1)).

    The Spearman-Brown form of tau^2 / (tau^2 + sigma^2 / n), tau^2 the variance between
    units and sigma^2 within (Bliese 2000).
    """
    return respondents * icc1 / (1.0 + (respondents - 1.0) * icc1)


def intraclass_correlations(values: np.ndarray, groups: np.ndarray) -> tuple[float, float]:
    """ICC(1) and ICC(2) of `values` grouped by `groups`, from a one-way ANOVA.

    ICC(1) = (BMS - WMS) / (BMS + (k - 1) WMS) and ICC(2) = (BMS - WMS) / BMS, k the mean
    group size (equal groups assumed; Bliese 2000). NaN values are left out.
    """
    keep = ~np.isnan(values)
    values, groups = values[keep], groups[keep]
    labels, index = np.unique(groups, return_inverse=True)
    sizes = np.bincount(index).astype(float)
    means = np.bincount(index, values) / sizes
    between = float(np.sum(sizes * (means - values.mean()) ** 2)) / (len(labels) - 1)
    within = float(np.sum((values - means[index]) ** 2)) / (len(values) - len(labels))
    k = len(values) / len(labels)
    return (between - within) / (between + (k - 1) * within), (between - within) / between
