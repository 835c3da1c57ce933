"""docs/CLASS_LESSON.md quotes the seed articles word for word: every block quote is a
sentence of the article its last line names ("> — S003, ..."), as the Learn page's lessons
do (tests/test_dashboard_logic.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from seed_articles import needs_seed_articles, seed_articles

LESSON_PLAN = Path(__file__).resolve().parents[1] / "docs" / "CLASS_LESSON.md"
SOURCE = re.compile(r"^\u2014 (S\d{3}), ")


def block_quotes(text: str) -> list[list[str]]:
    """The lines of each block quote (their "> " and indentation removed)."""
    quotes: list[list[str]] = []
    previous_was_quote = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(">"):
            if not previous_was_quote:
                quotes.append([])
            quotes[-1].append(stripped.removeprefix(">").strip())
        previous_was_quote = stripped.startswith(">")
    return quotes


def quotes_with_sources(text: str) -> list[tuple[str, str]]:
    """(seed, quoted text) of each block quote; a quote without its source line is refused."""
    found = []
    for lines in block_quotes(text):
        source = SOURCE.match(lines[-1])
        if source is None:
            raise ValueError(f"a quote names no seed article on its last line: {lines}")
        found.append((source.group(1), " ".join(" ".join(lines[:-1]).split())))
    return found


def missing(text: str, articles: dict[str, str]) -> list[tuple[str, str]]:
    """The quotes of `text` not word for word in the article they name."""
    return [(seed, q) for seed, q in quotes_with_sources(text) if q not in articles[seed]]


@needs_seed_articles
def test_every_quote_of_the_lesson_plan_is_word_for_word_in_its_seed_article():
    articles = seed_articles()
    text = LESSON_PLAN.read_text(encoding="utf-8")
    assert len(quotes_with_sources(text)) >= 8
    assert not missing(text, articles)


def test_the_check_refuses_a_changed_word_and_a_quote_without_its_source():
    articles = {"S003": "So, what to do? Bonus or business, who wins? Something to remember."}
    quoted = 'Intro.\n\n> Bonus or business,\n> who wins?\n> \u2014 S003, "The Wrong Customer"\n'
    assert quotes_with_sources(quoted) == [("S003", "Bonus or business, who wins?")]
    assert not missing(quoted, articles)
    assert missing(quoted.replace("wins", "loses"), articles)
    with pytest.raises(ValueError, match="names no seed article"):
        quotes_with_sources("> A sentence nobody wrote.\n")


def test_the_lesson_plan_names_the_pages_buttons_and_levers_as_they_are():
    from eachcustomer.dashboard.classroom import debrief
    from eachcustomer.dashboard.classroom.game import LEVERS

    text = " ".join(LESSON_PLAN.read_text(encoding="utf-8").split())
    page_source = (LESSON_PLAN.parents[1] / "dashboard" / "classroom" / "page.py").read_text(
        encoding="utf-8"
    )
    for lever in LEVERS.values():
        assert f'"{lever}"' in text, lever
    for label in (debrief.CHOICES_LABEL, debrief.SCENARIO_LABEL):
        assert label in text
    assert '"Play next month"' in text and '"Play next month"' in page_source
    assert "Presentation mode button" in text
    assert debrief.presentation_toggle(False).children == "Presentation mode"
