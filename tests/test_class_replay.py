"""A class session replays exactly from its exported scenario file, run by the project's own
command line, and its debrief draws what the session recorded."""

from __future__ import annotations

from statistics import mean
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from eachcustomer.cli import app
from eachcustomer.dashboard.classroom import debrief
from eachcustomer.dashboard.classroom.effects import lever_effects
from eachcustomer.dashboard.classroom.figures import debrief_figures
from eachcustomer.dashboard.classroom.game import LEVERS, ROUND_WEEKS, ClassGame
from eachcustomer.experiments.loading.files import csv_text

runner = CliRunner()


class Held:
    """A registry holding one session, between months."""

    def __init__(self, game: ClassGame) -> None:
        self.game = game

    def read_game(self, code: str, token: str, read: Any) -> Any:
        return read(self.game)


@pytest.fixture(scope="module")
def session() -> ClassGame:
    """Three rounds: two students who change their choices, a lever before round 2, and a
    third student who joins before round 3."""
    game = ClassGame.start("baseline", seed=5, employees=120)
    game.join("Ann")
    game.join("Bo")
    game.choose("Ann", "boss", "the_customer")
    game.choose("Bo", "customer", "each_customer")
    game.play_round()
    game.choose("Ann", "customer", "each_customer")
    game.pull_lever("aligned_incentives")
    game.play_round()
    game.choose("Bo", "boss", "the_customer")
    game.join("Cy")
    game.choose("Cy", "balanced", "each_customer")
    game.play_round()
    return game


def test_the_exported_scenario_replays_the_session_exactly_with_eachcustomer_run(session, tmp_path):
    scenario = tmp_path / "class.toml"
    scenario.write_text(session.scenario_text(), encoding="utf-8")
    weeks = str(session.rounds_played * ROUND_WEEKS)
    for name in ("out.csv", "out.parquet"):
        result = runner.invoke(
            app, ["run", str(scenario), "--steps", weeks, "--out", str(tmp_path / name)]
        )
        assert result.exit_code == 0, result.output
    own = session.weekly_outputs()
    assert list(own["week"]) == list(range(13))
    # Byte for byte what `eachcustomer run --out` writes, and every float bit for bit.
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == csv_text(own)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "out.parquet"), own, check_exact=True)


def test_without_the_students_choices_the_run_differs(session, tmp_path):
    # The replay's equality above means something: the same scenario with the choices taken
    # out of its timeline gives other outputs.
    text = session.scenario_text()
    cut = text.index("[timeline.choices.Ann]")
    stripped = text[:cut] + text[cut:].split("\n\n", 1)[1]
    scenario = tmp_path / "no-ann.toml"
    scenario.write_text(stripped, encoding="utf-8")
    out = tmp_path / "out.parquet"
    result = runner.invoke(app, ["run", str(scenario), "--steps", "12", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not pd.read_parquet(out).equals(session.weekly_outputs())


def test_the_debrief_of_a_played_session_marks_the_lever_and_draws_every_round(session):
    figures = debrief_figures(session.history, debrief.all_reports(session))
    for figure in figures.values():
        assert [shape.x0 for shape in figure.layout.shapes] == [2]
        assert figure.layout.annotations[0].text == f"month 2: {LEVERS['aligned_incentives']}"
    choices = figures["choices"]
    assert list(choices.data[0].x) == [1, 2, 3]
    assert list(choices.data[0].y) == [s.customer_share for s in session.history]
    # Round 1: Bo of two; round 2: Ann and Bo; round 3: Ann of three (Bo the boss, Cy half).
    assert list(choices.data[0].y) == [0.5, 1.0, pytest.approx(1 / 3)]


def test_the_lever_table_of_a_played_session_recomputes_from_its_history(session):
    (effect,) = lever_effects(session.history)
    first, second, third = session.history
    assert (effect.before, effect.after) == ((1, 1), (2, 3))
    assert effect.attitude == pytest.approx(
        mean([second.mean_attitude, third.mean_attitude]) - first.mean_attitude
    )
    assert effect.customers_lost == pytest.approx(
        mean([second.customers_lost, third.customers_lost]) - first.customers_lost
    )
    assert effect.simulated_focus == pytest.approx(
        mean([second.simulated_focus, third.simulated_focus]) - first.simulated_focus
    )


def test_the_choices_export_has_a_row_per_student_per_round(session):
    data, message = debrief.export_file("choices", {"code": "K7Q2", "token": "t"}, Held(session))
    assert message == "" and data is not None
    rows = pd.read_csv(pd.io.common.StringIO(data["content"]))
    assert len(rows) == 2 * 3 + 1  # Ann and Bo three rounds, Cy one
    assert list(rows.loc[rows["name"] == "Ann", "effort"]) == ["boss", "customer", "customer"]
