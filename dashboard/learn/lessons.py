"""Guided lessons for a class, read from dashboard/learn/lessons.toml (data, not code).

Each lesson names a built-in scenario, quotes the seed sentence it illustrates, asks a
question to put to the class before pressing Run, and says what to look at after. What it
says about its charts is also written as claims (`eachcustomer.dashboard.learn.claims`) that
tests/test_lessons.py checks on the run the Learn page draws (`run_scenario`). A number
that is a parameter of the scenario is not typed into the text but written as a
placeholder, `{negativity_bias:g}`, filled from the scenario's parameters as loaded.
"""

from __future__ import annotations

import string
import tomllib
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from eachcustomer.dashboard.figures import EXPLORE_FIGURES
from eachcustomer.dashboard.learn.claims import Claim, LessonRun

SEED_TITLES = {
    "S000": "Our Product, The Customer",
    "S003": "The Wrong Customer and the Real Customer",
}


WHY_CHARTS = {"why_band": "band", "why_department": "department"}
"""Lesson charts beyond Explore's time series: "why it changed" by band or department."""
LESSON_CHARTS = (*EXPLORE_FIGURES, *WHY_CHARTS)


class Event(BaseModel):
    """Something that happens in a lesson's run that its text explains: marked on its
    charts at its week (a dashed line, labelled), once the run has reached it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    week: int = Field(ge=1)
    label: str = Field(min_length=3)


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
    events: tuple[Event, ...] = ()

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
    """The lessons, in the file's order, their placeholders filled (`with_parameters`)."""
    if text is None:
        text = (
            resources.files("eachcustomer.dashboard.learn")
            .joinpath("lessons.toml")
            .read_text(encoding="utf-8")
        )
    return tuple(with_parameters(lesson) for lesson in LessonBook(**tomllib.loads(text)).lessons)


def with_parameters(lesson: Lesson) -> Lesson:
    """The lesson with each `{parameter:format}` of its texts filled from its scenario.

    Raises:
        ValueError: a placeholder names no parameter, or its format does not fit the value.
    """
    params = dict(scenario_params(lesson.scenario))

    def fill(text: str) -> str:
        for _, name, _, _ in string.Formatter().parse(text):
            if name is not None and name not in params:
                raise ValueError(
                    f"lesson {lesson.id}: {{{name}}} is not a parameter of scenario "
                    f"{lesson.scenario!r}"
                )
        try:
            return text.format_map(params)
        except (ValueError, TypeError) as error:
            raise ValueError(f"lesson {lesson.id}: {error} in {text!r}") from None

    return lesson.model_copy(
        update={
            "narrative": fill(lesson.narrative),
            "question": fill(lesson.question),
            "look_at": tuple(fill(item) for item in lesson.look_at),
        }
    )


@cache
def scenario_params(scenario: str) -> Any:
    """The parameters of a built-in scenario as the Learn page runs it."""
    from eachcustomer.dashboard.settings import build_setup, default_settings

    return build_setup(default_settings(scenario)).params


def lesson_by_id(lesson_id: str | None) -> Lesson | None:
    """One lesson, or None for an unknown id."""
    return next((lesson for lesson in load_lessons() if lesson.id == lesson_id), None)


def run_scenario(scenario: str) -> dict[str, Any]:
    """A built-in scenario's run as the Learn page draws it: as built in, seed 0, to its
    horizon (the snapshot of `eachcustomer.dashboard.runs.advance`)."""
    from eachcustomer.dashboard.runs import advance
    from eachcustomer.dashboard.settings import default_settings

    return advance(default_settings(scenario), None, "run")


@cache
def scenario_run(scenario: str) -> LessonRun:
    """The run of `run_scenario` as claims read it; runs of other scenarios on demand."""
    from eachcustomer.dashboard.runs import payload_frame

    state = run_scenario(scenario)
    if state.get("error"):
        raise ValueError(f"scenario {scenario}: {state['error']}")
    return LessonRun(
        table=payload_frame(state["table"]),
        why=state["why"],
        params=scenario_params(scenario),
        reference=scenario_run,
    )
