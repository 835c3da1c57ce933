"""A class session's state, and what the students' and the teacher's pages see of it.

`ClassRegistry` (`sessions`) keeps a `Session` per class and changes it under the session's
locks; the functions here read one, with its state lock held by the caller, into the
JSON-ready dicts the pages and the API answer with.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from typing import Any

from eachcustomer.dashboard.classroom.game import (
    LEVERS,
    ROLE_KINDS,
    ClassGame,
    PlayerReport,
    Role,
)
from eachcustomer.dashboard.classroom.sentences import report_sentences

WAITING, RUNNING, ENDED = "waiting", "running", "ended"
"""A session's status: between rounds, playing a month, over."""


@dataclass
class Student:
    """One student as the session keeps them between rounds."""

    name: str
    role: Role
    effort: str | None  # None until they choose: their employee follows the model's rules
    language: str | None
    answered_for: int = 0  # the round their last sent choice is for (0: none sent)
    report: PlayerReport | None = None


@dataclass
class Session:
    """One class: the game and its state. `game_lock` guards `game`; `lock` every other
    field."""

    code: str
    teacher_token: str
    scenario: str
    seed: int
    game: ClassGame
    last_seen: float
    max_rounds: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    game_lock: threading.Lock = field(default_factory=threading.Lock)
    status: str = WAITING
    students: dict[str, Student] = field(default_factory=dict)  # by token
    rounds_played: int = 0
    pending_levers: list[str] = field(default_factory=list)
    levers_pulled: dict[int, tuple[str, ...]] = field(default_factory=dict)
    problem: str | None = None
    ended_at: float | None = None


def next_round(session: Session) -> int:
    """The round a choice sent now is for: the next, or the one after while a round runs."""
    return session.rounds_played + (2 if session.status == RUNNING else 1)


def student_view(session: Session, student: Student) -> dict[str, Any]:
    """What a student's page shows: their role, the session's status and round, their
    choice, whether they answered for the next round, their last report in sentences."""
    report = student.report
    levers = session.levers_pulled.get(report.round, ()) if report else ()
    return {
        "code": session.code,
        "name": student.name,
        "role": {**dataclasses.asdict(student.role), "label": ROLE_KINDS[student.role.kind]},
        "status": session.status,
        "round": session.rounds_played,
        "max_rounds": session.max_rounds,
        "choice": {"effort": student.effort, "language": student.language},
        "answered": student.answered_for == next_round(session),
        "report": None
        if report is None
        else {
            **dataclasses.asdict(report),
            "sentences": report_sentences(report, student.role, levers),
        },
        "message": session.problem if session.status == ENDED else None,
    }


def teacher_view(session: Session) -> dict[str, Any]:
    """What the teacher's page shows: status, rounds, the roster, each lever's state
    ("available", "pending" for the next round, "round N" once played)."""
    pulled = {lever: r for r, levers in session.levers_pulled.items() for lever in levers}
    return {
        "code": session.code,
        "scenario": session.scenario,
        "seed": session.seed,
        "status": session.status,
        "round": session.rounds_played,
        "max_rounds": session.max_rounds,
        "students": [
            {
                "name": s.name,
                "role": ROLE_KINDS[s.role.kind],
                "department": s.role.department,
                "distance": s.role.distance,
                "answered": s.answered_for == next_round(session),
                "effort": s.effort,
                "language": s.language,
            }
            for s in session.students.values()
        ],
        "levers": {
            lever: "pending"
            if lever in session.pending_levers
            else (f"round {pulled[lever]}" if lever in pulled else "available")
            for lever in LEVERS
        },
        "problem": session.problem,
    }
