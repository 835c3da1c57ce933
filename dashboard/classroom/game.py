"""A class session without the web: roles, rounds, choices, levers, reports, exports.

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

import csv
import dataclasses
import io
import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from eachcustomer.dashboard.runs import make_model
from eachcustomer.experiments.loading.plans import plan_library
from eachcustomer.experiments.loading.scenario_files import RunSetup, load_scenario
from eachcustomer.experiments.loading.timeline import TimelineEntry, apply_entry
from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.metrics import evaluations
from eachcustomer.sim.players import Choice, Player

if TYPE_CHECKING:
    import pandas as pd

    from eachcustomer.sim.model import OrgModel
    from eachcustomer.sim.organization import Organization

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
        distance: steps from the customers (1 on the front line, who meet them; else 1 + the
            hops to the nearest front-line colleague: docs/ODD.md's distance).
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
        focus: the customer focus they played with (the model's, before their first
            choice).
        new_in_post: their post turned over during the round (they now play the new hire).
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
    new_in_post: bool = False


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
    scenario name (`eachcustomer scenarios`) or a path (a generated organization, no
    timeline of its own), the run's seed, and the head count (None: the scenario's own).

    The model is built when the first round is played, with the students who have joined
    by then and their first choices; a student who joins later is seated then and plays
    from their first choice on. Every choice and lever is a timeline entry at the week it
    acts after, so `scenario_text` replays the session with the same code path.
    Not thread-safe: callers lock (`eachcustomer.dashboard.classroom.sessions`).

    Attributes:
        scenario, scenario_title, seed: what the session runs.
        players: name -> Role, in join order.
        history: the rounds played (`RoundSummary`).
        levers_pulled: round -> the levers pulled before it.
        lever_interventions: lever -> the interventions it started.
    """

    def __init__(self, scenario: str, setup: RunSetup, seed: int, org: Organization) -> None:
        self.scenario = scenario
        self.scenario_title = setup.title
        self.seed = seed
        self.setup = setup
        self.org = org
        self.players: dict[str, Role] = {}
        self.history: list[RoundSummary] = []
        self.levers_pulled: dict[int, tuple[str, ...]] = {}
        self._reports: dict[str, list[PlayerReport]] = {}
        self._choices: dict[str, Choice] = {}  # in force (played) or chosen for next round
        self._played: dict[str, Choice] = {}  # what the model holds now
        self._pending_levers: list[str] = []
        self.lever_interventions: dict[str, tuple[Intervention, ...]] = {}
        self._timeline: list[TimelineEntry] = []
        self._first: list[Player] = []
        self._first_levers: tuple[Intervention, ...] = ()
        self._model: OrgModel | None = None
        self._roles_rng = np.random.default_rng([seed, 24])
        self._neighbours = network_neighbours(org)
        self.max_rounds = min(MAX_ROUNDS, setup.params.horizon_weeks // ROUND_WEEKS)

    @classmethod
    def start(
        cls, scenario: str = "baseline", *, seed: int = 0, employees: int | None = 120
    ) -> ClassGame:
        """A new session on `scenario` (see the class docstring).

        Raises:
            GameError: a scenario a class cannot play (an org chart, a timeline of its own).
            ScenarioError and the loader's other errors: a scenario that does not load.
        """
        setup = load_scenario(scenario, seed=seed)
        if setup.org is not None or setup.timeline or setup.players:
            raise GameError(
                f"{setup.title}: a class plays a scenario with a generated organization and "
                "no timeline of its own; pick another scenario"
            )
        if employees is not None:
            setup = load_scenario(scenario, employees=employees, seed=seed)
        return cls(scenario, setup, seed, make_model(setup, seed).org)

    # --- the class --------------------------------------------------------------------
    @property
    def rounds_played(self) -> int:
        return len(self.history)

    @property
    def week(self) -> int:
        return self.rounds_played * ROUND_WEEKS

    @property
    def pending_levers(self) -> tuple[str, ...]:
        return tuple(self._pending_levers)

    @property
    def finished(self) -> bool:
        return self.rounds_played >= self.max_rounds

    def join(self, name: str) -> Role:
        """Seat a new student on a free position of the next role kind; their `Role`."""
        name = _valid_name(name)
        if name.casefold() in {known.casefold() for known in self.players}:
            raise GameError(f"{name!r} has already joined: add an initial or pick another name")
        if self.finished:
            raise GameError("The session has played its last round.")
        taken = {role.position for role in self.players.values()}
        wanted = list(ROLE_KINDS)[len(self.players) % len(ROLE_KINDS)]
        for kind in [wanted, *ROLE_KINDS]:
            free = [p for p in role_positions(self.org, kind) if p not in taken]
            if free:
                position = int(self._roles_rng.choice(free))
                break
        else:
            raise GameError("Every position of the organization is taken.")
        role = describe_role(self.org, kind, position)
        self.players[name] = role
        self._reports[name] = []
        if self._model is not None:
            self._model.batch.seat(0, Player(name=name, position=position))
        return role

    def role(self, name: str) -> Role:
        return self.players[self._known(name)]

    def choose(self, name: str, effort: str, language: str) -> None:
        """The student's choice for the next round (and the rounds after, until changed)."""
        name = self._known(name)
        if effort not in EFFORTS:
            raise GameError(f"Pick how to spend your effort: {', '.join(EFFORTS.values())}.")
        if language not in LANGUAGES:
            raise GameError(f"Pick how you speak of customers: {', '.join(LANGUAGES.values())}.")
        self._choices[name] = Choice.model_validate({"effort": effort, "language": language})

    def choice(self, name: str) -> tuple[str, str] | None:
        """The choice the next round will use, or None while the model decides."""
        chosen = self._choices.get(self._known(name))
        return None if chosen is None else (chosen.effort, chosen.language)

    def pull_lever(self, lever: str) -> None:
        """Start a lever (a plan of the library) at the first week of the next round."""
        if lever not in LEVERS:
            raise GameError(f"No lever {lever!r}: one of {', '.join(LEVERS)}.")
        pulled = {key for keys in self.levers_pulled.values() for key in keys}
        if lever in pulled or lever in self._pending_levers:
            raise GameError(f"{LEVERS[lever]} has already been pulled.")
        self._pending_levers.append(lever)

    def reports(self, name: str) -> list[PlayerReport]:
        return list(self._reports[self._known(name)])

    # --- a round ----------------------------------------------------------------------
    def play_round(self) -> RoundSummary:
        """Run the next month with the choices and levers given; its summary."""
        if self.finished:
            raise GameError(f"The session has played its {self.max_rounds} rounds.")
        week, levers = self.week, tuple(self._pending_levers)
        by_lever = {
            lever: tuple(
                item.model_copy(update={"start": week + 1})
                for item in plan_library()[lever].interventions
            )
            for lever in levers
        }
        started = tuple(item for items in by_lever.values() for item in items)
        self.lever_interventions.update(by_lever)
        changed = {n: c for n, c in self._choices.items() if self._played.get(n) != c}
        if self._model is None:
            self._first = [
                Player(
                    name=n, position=r.position, **(changed[n].model_dump() if n in changed else {})
                )
                for n, r in self.players.items()
            ]
            self._first_levers = started
            self._model = make_model(self.replay_setup(), self.seed)
        elif started or changed:
            entry = TimelineEntry(week=week, interventions=started, choices=changed)
            apply_entry(self._model, entry)
            self._timeline.append(entry)
        self._played.update(changed)
        self._pending_levers.clear()
        self.levers_pulled[self.rounds_played + 1] = levers
        summary = self._play_month(self._model, levers)
        self.history.append(summary)
        return summary

    def _play_month(self, model: OrgModel, levers: tuple[str, ...]) -> RoundSummary:
        rows = {name: role.position for name, role in self.players.items()}
        before = model.employees.attitude.copy()
        hired_before = model.employees.weeks_in_post.copy()
        tally = {name: np.zeros(4) for name in rows}  # encounters, good, hostile, lost
        met: dict[str, set[int]] = {name: set() for name in rows}
        scores = np.zeros(self.org.size)
        hostile = self.setup.params.hostile_quality
        for _ in range(ROUND_WEEKS):
            model.step()
            week = model.batch.encounters
            for name, row in rows.items():
                mine = week.employee == row
                quality = week.quality[mine]
                tally[name] += (
                    len(quality),
                    int((quality > 0).sum()),
                    int((quality < hostile).sum()),
                    int(week.lost[mine].sum()),
                )
                met[name].update(week.customer[mine].tolist())
            scores += employee_evaluations(model)
        scores /= ROUND_WEEKS
        after = model.employees.attitude
        number = self.rounds_played + 1
        for name, row in rows.items():
            self._reports[name].append(
                self._report(model, number, name, row, tally[name], met[name], scores, before)
            )
        self._reports_new_in_post(number, hired_before, model)
        return self._summary(model, number, levers, scores, after)

    def _report(
        self,
        model: OrgModel,
        number: int,
        name: str,
        row: int,
        tally: np.ndarray,
        met: set[int],
        scores: np.ndarray,
        before: np.ndarray,
    ) -> PlayerReport:
        customers = model.customers
        slots = np.array(sorted(met), dtype=np.int64)
        still = slots[customers.active[slots]] if len(slots) else slots
        satisfaction = float(customers.satisfaction[still].mean()) if len(still) else None
        neighbours = self._neighbours[row]
        played = self._played.get(name)
        focus = float(model.employees.customer_focus[row])
        return PlayerReport(
            round=number,
            name=name,
            effort=played.effort if played else "model",
            language=played.language if played else "model",
            encounters=int(tally[0]),
            good_encounters=int(tally[1]),
            hostile_encounters=int(tally[2]),
            customers_lost=int(tally[3]),
            customer_satisfaction=satisfaction,
            boss_approval=boss_approval(model, row),
            evaluation=float(scores[row]),
            bonus=round(float(scores[row]) * BONUS_POOL, 2),
            attitude_before=float(before[row]),
            attitude_after=float(model.employees.attitude[row]),
            neighbours_before=_mean(before[neighbours]),
            neighbours_after=_mean(model.employees.attitude[neighbours]),
            focus=focus,
        )

    def _reports_new_in_post(self, number: int, hired_before: np.ndarray, model: OrgModel) -> None:
        weeks_now = model.employees.weeks_in_post
        for name, role in self.players.items():
            row = role.position
            if weeks_now[row] < hired_before[row] + ROUND_WEEKS:
                last = self._reports[name][-1]
                self._reports[name][-1] = PlayerReport(**{**asdict(last), "new_in_post": True})

    def _summary(
        self,
        model: OrgModel,
        number: int,
        levers: tuple[str, ...],
        scores: np.ndarray,
        attitude: np.ndarray,
    ) -> RoundSummary:
        table = model.batch.recorder.values()[0]
        column = {name: i for i, name in enumerate(model.batch.recorder.columns)}
        month = table[-ROUND_WEEKS:]
        focus = model.employees.customer_focus
        student_rows = np.array([r.position for r in self.players.values()], dtype=np.int64)
        simulated = np.ones(self.org.size, dtype=bool)
        simulated[student_rows] = False
        playing = [n for n in self.players if n in self._played]
        distance = self.org.distance_to_customer
        bands = {"1": distance == 1, "2": distance == 2, "3+": distance >= 3}
        return RoundSummary(
            round=number,
            first_week=self.week + 1,
            last_week=self.week + ROUND_WEEKS,
            levers=levers,
            students=len(playing),
            customer_share=_mean(np.array([self._played[n].effort == "customer" for n in playing])),
            student_focus=_mean(focus[student_rows]),
            simulated_focus=_mean(focus[simulated]),
            mean_bonus=_mean(scores[student_rows]) * BONUS_POOL
            if len(student_rows)
            else float("nan"),
            mean_evaluation=_mean(scores),
            mean_attitude=_mean(attitude),
            attitude_by_distance={band: _mean(attitude[rows]) for band, rows in bands.items()},
            active_customers=float(month[-1, column["active_customers"]]),
            customers_lost=float(month[:, column["customers_lost"]].sum()),
            satisfaction=float(month[-1, column["mean_satisfaction"]]),
            revenue=float(month[:, column["revenue"]].sum()),
        )

    # --- exports ----------------------------------------------------------------------
    def weekly_outputs(self) -> pd.DataFrame:
        """The session's weekly outputs, as `eachcustomer run --out` writes them."""
        if self._model is None:
            raise GameError("No round has been played yet.")
        return self._model.batch.recorder.table(0)

    def choices_csv(self) -> str:
        """One row per student per round: the role, the choice, what happened."""
        out = io.StringIO()
        fields = ["round", "name", "role", "position", *PlayerReport.__dataclass_fields__][:]
        fields = list(dict.fromkeys(fields))
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        for name, role in self.players.items():
            for report in self._reports[name]:
                writer.writerow({**asdict(report), "role": role.kind, "position": role.position})
        return out.getvalue()

    def replay_setup(self) -> RunSetup:
        """The session as a run setup: the students as players, their later choices and the
        levers as a timeline (the levers pulled before round 1 as interventions).

        The session's own model is built from it (`make_model`, as Explore and `eachcustomer
        run` build theirs), so the replay is the same code path.
        """
        late = [
            Player(name=n, position=r.position)
            for n, r in self.players.items()
            if n not in {p.name for p in self._first}
        ]
        return dataclasses.replace(
            self.setup,
            interventions=self.setup.interventions + self._first_levers,
            timeline=tuple(self._timeline),
            players=(*self._first, *late),
        )

    def without_lever(self, lever: str) -> RunSetup:
        """The session's replay with one lever left out (a counterfactual), on the session's
        own organization, so that fresh seeds keep every student in their seat."""
        dropped = self.lever_interventions[lever]
        setup = self.replay_setup()
        kept = tuple(item for item in setup.interventions if item not in dropped)
        timeline = tuple(
            entry.model_copy(
                update={"interventions": tuple(i for i in entry.interventions if i not in dropped)}
            )
            for entry in setup.timeline
        )
        return dataclasses.replace(setup, org=self.org, interventions=kept, timeline=timeline)

    def with_levers(self) -> RunSetup:
        """The session's replay on its own organization (fresh seeds keep every seat)."""
        return dataclasses.replace(self.replay_setup(), org=self.org)

    def scenario_text(self) -> str:
        """A scenario file that replays the session: `eachcustomer run FILE --steps W`."""
        import tomli_w

        from eachcustomer.dashboard.exports import setup_tables

        tables = {
            "title": f"Class session: {self.scenario_title}",
            "description": (
                f"A class session of {len(self.players)} students over {self.rounds_played} "
                f"rounds of {ROUND_WEEKS} weeks on the built-in scenario {self.scenario!r}: "
                "the students are [[players]], their later choices and the teacher's levers "
                "are in the timeline."
            ),
            "seed": self.seed,
            **setup_tables(self.replay_setup()),
        }
        header = (
            f"# EachCustomer class session, {self.rounds_played} rounds\n"
            f"# eachcustomer run THIS_FILE --steps {self.week} replays it exactly\n\n"
        )
        return header + tomli_w.dumps(tables, multiline_strings=True)

    def _known(self, name: str) -> str:
        for known in self.players:
            if known.casefold() == str(name).casefold():
                return known
        raise GameError(f"No student named {name!r} in this session.")


# --- the organization, seen from a student's seat -----------------------------------------
NAME = re.compile(r"^[\w][\w .'\-]{0,23}$")


def _valid_name(name: Any) -> str:
    text = " ".join(str(name or "").split())
    if not NAME.match(text):
        raise GameError(
            "A name is 1 to 24 letters, digits, spaces, dots, hyphens or apostrophes, "
            "starting with a letter or digit."
        )
    return text


def role_positions(org: Organization, kind: str) -> np.ndarray:
    """Positions of a role kind: front line (not the complaint desk), customer service
    (the complaint desk), back office (no customers, no reports; two or more steps from
    customers), manager (leads others, below the chief)."""
    leads = org.leads
    if kind == "front_line":
        mask = org.customer_facing & ~org.handles_complaints & ~leads
    elif kind == "customer_service":
        mask = org.handles_complaints & ~leads
    elif kind == "back_office":
        mask = ~org.customer_facing & ~leads & (org.distance_to_customer >= 2)
    else:
        mask = leads & (org.level > 1)
    return np.flatnonzero(mask)


def describe_role(org: Organization, kind: str, position: int) -> Role:
    """The student's role and its one-sentence description."""
    department = org.department_names[org.department[position]]
    distance = int(org.distance_to_customer[position])
    reports = int((org.boss == position).sum())
    where = {
        "front_line": "on the front line, meeting customers every week",
        "customer_service": "at the complaint desk: the customers who call are unhappy",
        "back_office": f"{distance} steps away from any customer",
        "manager": f"leading {reports} people, {distance} steps away from any customer",
    }[kind]
    return Role(
        kind=kind,
        position=position,
        department=department,
        level=int(org.level[position]),
        distance=distance,
        reports=reports,
        description=f"You work in {department.title()}, {where}.",
    )


def network_neighbours(org: Organization) -> list[np.ndarray]:
    """Each employee's neighbours on the org network: boss, reports and peers."""
    links: list[set[int]] = [set() for _ in range(org.size)]
    for employee, boss in enumerate(org.boss.tolist()):
        if boss >= 0:
            links[employee].add(boss)
            links[boss].add(employee)
    for a, b in org.peer_ties.tolist():
        links[a].add(b)
        links[b].add(a)
    return [np.array(sorted(group), dtype=np.int64) for group in links]


def employee_evaluations(model: OrgModel) -> np.ndarray:
    """Every employee's evaluation this week (`eachcustomer.sim.metrics.evaluation_of`, the
    score whose mean is the `bonus_success` output)."""
    batch = model.batch
    table = batch.recorder.values()[0]
    business = table[-1, batch.recorder.columns.index("business_success")]
    levers = batch.lever_arrays
    return evaluations(
        batch.employees.customer_focus,
        batch.boss,
        levers.customer_weight,
        levers.outcome_visibility,
        np.array([business]),
        levers.shareholder_pressure,
        levers.orientation_shift,
        batch.employee_start,
    )


def boss_approval(model: OrgModel, row: int) -> float:
    """1 - |f - f_boss|: how well one's effort matched what the boss values."""
    from eachcustomer.sim.processes.incentives import focus_of_boss

    batch = model.batch
    focus = batch.employees.customer_focus
    boss_focus = focus_of_boss(
        focus,
        batch.boss,
        row,
        float(batch.lever_arrays.shareholder_pressure[0]),
        batch.lever_arrays.orientation_shift,
    )
    return 1.0 - abs(float(focus[row]) - float(boss_focus))


def _mean(values: np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else float("nan")
