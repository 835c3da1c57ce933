"""Guided lessons for a class, read from dashboard/lessons.toml (data, not code).

Each lesson names a built-in scenario, quotes the seed sentence it illustrates, asks a
question to put to the class before pressing Run, and says what to look at after. What it
says about its charts is also written as claims (`dashboard.lesson_claims`) that
tests/test_lessons.py checks on the run the Learn page draws (`run_scenario`).
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dashboard.figures import EXPLORE_FIGURES
from dashboard.lesson_claims import Claim, LessonRun

SEED_TITLES = {
    "S000": "Our Product, The Customer",
    "S003": "The Wrong Customer and the Real Customer",
}


WHY_CHARTS = {"why_band": "band", "why_department": "department"}
"""Lesson charts beyond Explore's time series: "why it changed" by band or department."""
LESSON_CHARTS = (*EXPLORE_FIGURES, *WHY_CHARTS)


class Lesson(BaseModel):
    """One lesson."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    scenario: str
    seed: Literal["S000", "S003"]
    quote: str = Field(min_length=5)
    narrative: str
    question: str
    look_at: tuple[str, ...] = Field(min_length=1)
    charts: tuple[Literal[LESSON_CHARTS], ...] = Field(min_length=1)  # type: ignore[valid-type]
    claims: tuple[Claim, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _claims_point_at_items(self) -> Lesson:
        for claim in self.claims:
            if claim.item is not None and claim.item > len(self.look_at):
                raise ValueError(
                    f"lesson {self.id}: a claim checks look_at item {claim.item}; "
                    f"there are {len(self.look_at)}"
                )
        return self

    @property
    def source(self) -> str:
        """The seed article, for the citation under the quote."""
        return f"{self.seed}, \u201c{SEED_TITLES[self.seed]}\u201d"


class LessonBook(BaseModel):
    """The lessons file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lessons: tuple[Lesson, ...]


def load_lessons(text: str | None = None) -> tuple[Lesson, ...]:
    """The lessons, in the file's order."""
    if text is None:
        text = resources.files("dashboard").joinpath("lessons.toml").read_text(encoding="utf-8")
    return LessonBook(**tomllib.loads(text)).lessons


def lesson_by_id(lesson_id: str | None) -> Lesson | None:
    """One lesson, or None for an unknown id."""
    return next((lesson for lesson in load_lessons() if lesson.id == lesson_id), None)


def run_scenario(scenario: str) -> dict[str, Any]:
    """A built-in scenario's run as the Learn page draws it: as built in, seed 0, to its
    horizon (the snapshot of `dashboard.runs.advance`)."""
    from dashboard.runs import advance
    from dashboard.settings import default_settings

    return advance(default_settings(scenario), None, "run")


@cache
def scenario_run(scenario: str) -> LessonRun:
    """The run of `run_scenario` as claims read it; runs of other scenarios on demand."""
    from dashboard.runs import payload_frame
    from dashboard.settings import build_setup, default_settings

    state = run_scenario(scenario)
    if state.get("error"):
        raise ValueError(f"scenario {scenario}: {state['error']}")
    return LessonRun(
        table=payload_frame(state["table"]),
        why=state["why"],
        params=build_setup(default_settings(scenario)).params,
        reference=scenario_run,
    )
