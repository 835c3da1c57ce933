"""Guided lessons for a class, read from dashboard/lessons.toml (data, not code).

Each lesson names a built-in scenario, quotes the seed sentence it illustrates, asks a
question to put to the class before pressing Run, and says what to look at after.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from dashboard.figures import EXPLORE_FIGURES

SEED_TITLES = {
    "S000": "Our Product, The Customer",
    "S003": "The Wrong Customer and the Real Customer",
}


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
    charts: tuple[Literal[tuple(EXPLORE_FIGURES)], ...] = Field(min_length=1)  # type: ignore[valid-type]

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
