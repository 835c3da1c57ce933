"""A class session without the web: roles, rounds, choices, levers, reports, exports.

INTERFACE FIRST (the implementation lands on main shortly): the names, fields and
signatures below are the contract the web parts code against.

A session is one run of a scenario (a small organization, e.g. 120 employees) in which
some employees are played by students (`eachcustomer.sim.players`). Each round is a
simulated month (`ROUND_WEEKS` weeks). Before a round, each student picks how to spend
their effort (`EFFORTS`) and how to speak of customers (`LANGUAGES`); one who does not
answer keeps their last choice. The teacher may pull levers (`LEVERS`, plans of the plan
library started at the round's first week). `play_round` runs the month and records, for
each student, what happened to them (`PlayerReport`) and, for the class, the round's
outputs (`RoundSummary`).

Everything a session did is data: the scenario, the seed, the players and a timeline of
choices and levers, so `scenario_text()` is a scenario file that `eachcustomer run`
replays exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

ROUND_WEEKS = 4
"""Weeks in a round: a simulated month."""

MAX_ROUNDS = 24
"""Most rounds a session plays (two simulated years)."""

EFFORTS: dict[str, str] = {
    "boss": "the boss's priorities",
    "balanced": "half and half",
    "customer": "the customer in front of me",
}
"""How a student spends their effort, by key: their customer focus is held at
`eachcustomer.sim.players.EFFORT_FOCUS[key]` for the round."""

LANGUAGES: dict[str, str] = {
    "the_customer": "\u201cthe customer\u201d",
    "each_customer": "\u201ceach customer\u201d",
}
"""How a student speaks of customers: "each customer" slows their own distance drift as
the library's language plan does (S000: words carry distance)."""

ROLE_KINDS: dict[str, str] = {
    "front_line": "front line",
    "customer_service": "customer service",
    "back_office": "back office",
    "manager": "manager",
}
"""The roles students get, in the order they are handed out (round robin over joins)."""

LEVERS: dict[str, str] = {
    "aligned_incentives": "Customer outcomes in every evaluation",
    "leadership_tone": "New leadership tone",
    "training_day": "One-off training day",
}
"""The teacher's levers: names of plans of the plan library (scenarios/plans/), each
started at the first week of the next round."""


class GameError(ValueError):
    """A request the session refuses (full, unknown name, bad choice, finished): its text
    is shown to the user as it is."""


@dataclass(frozen=True)
class Role:
    """A student's place in the organization.

    Attributes:
        kind: a key of `ROLE_KINDS`.
        position: the employee's row in the organization.
        department: department name.
        level: hierarchy level (1 is the chief).
        distance: hops from the nearest customer contact (1 on the front line).
        reports: how many people report to this employee.
        description: one sentence for the student ("You work in Sales, on the front line,
            meeting customers every week.").
    """

    kind: str
    position: int
    department: str
    level: int
    distance: int
    reports: int
    description: str


@dataclass(frozen=True)
class PlayerReport:
    """What happened to one student in one round.

    Attributes:
        round: the round (1 is the first).
        name: the student's name.
        effort, language: the choice they played the round with (keys).
        encounters: customer encounters they had in the round (0 off the front line).
        good_encounters, hostile_encounters: of those, good (quality > 0) and hostile.
        customers_lost: customers who left for good after an encounter with them.
        customer_satisfaction: mean satisfaction, at the round's end, of the customers they
            met in it ([-1, 1]; None when they met none).
        boss_approval: how well their effort matched what their boss values, [0, 1].
        evaluation: their evaluation, [0, 1]: customer outcomes (as visible from where they
            sit) weighted by their department's customer weight, boss approval by the rest.
        bonus: their bonus in dollars for the month (evaluation x `BONUS_POOL`).
        attitude_before, attitude_after: their own attitude (as the model keeps it).
        neighbours_before, neighbours_after: mean attitude of their network neighbours.
        focus: the customer focus they played with.
    """

    round: int
    name: str
    effort: str
    language: str
    encounters: int
    good_encounters: int
    hostile_encounters: int
    customers_lost: int
    customer_satisfaction: float | None
    boss_approval: float
    evaluation: float
    bonus: float
    attitude_before: float
    attitude_after: float
    neighbours_before: float
    neighbours_after: float
    focus: float


@dataclass(frozen=True)
class RoundSummary:
    """The class-level outcome of one round.

    Attributes:
        round: the round (1 is the first); first_week, last_week: its weeks.
        levers: the levers pulled before it (keys of `LEVERS`).
        students: students playing it; customer_share: share of them who chose "customer".
        student_focus, simulated_focus: mean customer focus of the students and of the
            simulated employees.
        mean_bonus: students' mean bonus; mean_evaluation: everyone's mean evaluation.
        mean_attitude: everyone's mean attitude at the round's end.
        attitude_by_distance: mean attitude by distance band ("1", "2", "3+").
        active_customers, customers_lost, satisfaction, revenue: the business at the
            round's end (customers lost and revenue over the round).
    """

    round: int
    first_week: int
    last_week: int
    levers: tuple[str, ...]
    students: int
    customer_share: float
    student_focus: float
    simulated_focus: float
    mean_bonus: float
    mean_evaluation: float
    mean_attitude: float
    attitude_by_distance: dict[str, float]
    active_customers: float
    customers_lost: float
    satisfaction: float
    revenue: float


BONUS_POOL = 1000.0
"""A month's bonus in dollars at a perfect evaluation (a teaching device, not calibrated)."""


class ClassGame:
    """One class session's model: scenario, seed, players, choices, levers, history.

    Build with `ClassGame.start(scenario="baseline", seed=0, employees=120)`: a built-in
    scenario name (`eachcustomer scenarios`) or a path, the run's seed, the head count of
    a generated organization (None: the scenario's own).

    Methods (all raise `GameError` with a user-facing sentence on bad input):
        join(name) -> Role: a new student, given the next role of `ROLE_KINDS`' round robin
            on a free position of that kind (another kind when none is free); names are
            1-24 printable characters, unique in the session (case-insensitive). A student
            may join between any two rounds.
        role(name) -> Role.
        choose(name, effort, language): the student's choice for the next round.
        choice(name) -> tuple[str, str]: the choice the next round will use.
        pull_lever(lever): a key of `LEVERS`, for the next round; each lever at most once.
        play_round() -> RoundSummary: runs the next month (fast: well under a second at
            120 employees); refuses beyond `MAX_ROUNDS`. Not thread-safe: callers lock.
        reports(name) -> list[PlayerReport]: the student's reports, round by round.
        choices_csv() -> str: one row per student per round: choice and outcomes.
        scenario_text() -> str: a scenario file (TOML) whose run replays the session.

    Attributes:
        scenario_title, seed, rounds_played, week, history (list[RoundSummary]),
        players (dict name -> Role, in join order), pending_levers (tuple of lever keys),
        levers_pulled (dict round -> tuple of lever keys).
    """

    @classmethod
    def start(
        cls, scenario: str = "baseline", *, seed: int = 0, employees: int | None = 120
    ) -> ClassGame:
        raise NotImplementedError
