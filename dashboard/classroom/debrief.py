"""The Class page's debrief: the charts for the projector, what changed after each of the
teacher's levers, and the session's exports (its choices as CSV, a scenario file that
replays it).

`render(game, presentation)` draws the section from a `ClassGame`; the teacher's page puts
it in its `html.Div(id="class-debrief")`. The exports are callbacks keyed on the teacher's
`class-teacher` store ({"code", "token"}): they find the game through the sessions registry,
so a closed tab's leftovers or another session's code get a sentence, never a file.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

import dash
from dash import Input, Output, State, callback, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from eachcustomer.dashboard.chart_style import graph_config
from eachcustomer.dashboard.classroom.counterfactual import (
    SEEDS,
    LeverTest,
    lever_tests,
    verdict_cell,
)
from eachcustomer.dashboard.classroom.effects import LeverEffect, lever_effects, lever_label
from eachcustomer.dashboard.classroom.figures import debrief_figures
from eachcustomer.dashboard.classroom.game import (
    ROUND_WEEKS,
    GameError,
    PlayerReport,
    Role,
    RoundSummary,
)
from eachcustomer.dashboard.classroom.sessions import ClassError, registry
from eachcustomer.dashboard.exports import safe_csv_text, slugify, text_download


class DebriefGame(Protocol):
    """What the debrief reads of a `ClassGame` (a hand-built stand-in will do in tests)."""

    @property
    def history(self) -> Sequence[RoundSummary]: ...
    @property
    def players(self) -> Mapping[str, Role]: ...
    @property
    def pending_levers(self) -> Sequence[str]: ...
    @property
    def rounds_played(self) -> int: ...
    def reports(self, name: str) -> list[PlayerReport]: ...
    def choices_csv(self) -> str: ...
    def scenario_text(self) -> str: ...


EMPTY = (
    "No month played yet. The debrief's charts appear here after the first month: the "
    "class's choices against the simulated employees', bonus success against business "
    "success, attitude by distance, and what changed after each lever."
)
METHOD = (
    "Each lever's change is the mean over the months it acted on (up to the next lever) "
    "minus the mean over the months before it (since the previous lever): a reading of this "
    "session, not a controlled experiment. The last two columns are a controlled one: the "
    f"session replayed on {SEEDS} fresh seeds with the lever and without it, the same "
    "students in the same seats making the same choices, paired by seed: the difference "
    "(with minus without) over the months since the lever started, its 95% interval, and "
    "what that interval lets us say."
)
NO_SESSION = "This session has ended or is not yours: start a new session to export."
CHOICES_LABEL = "Download choices (CSV)"
SCENARIO_LABEL = "Download replay scenario (TOML)"


def all_reports(game: DebriefGame) -> list[PlayerReport]:
    """Every student's reports, student by student in join order."""
    return [report for name in game.players for report in game.reports(name)]


def chart_boxes(game: DebriefGame, presentation: bool) -> html.Div:
    """The charts, each in a box of fixed height (a graph's own height is lost in a grid),
    one to a row on a projector."""
    drawn = debrief_figures(game.history, all_reports(game), large=presentation)
    return html.Div(
        className="lesson-charts",
        style={"gridTemplateColumns": "1fr"} if presentation else {},
        children=[
            html.Div(
                style={"height": "560px" if presentation else "400px"},
                children=dcc.Graph(
                    figure=figure,
                    id=f"class-debrief-{name}",
                    className="chart",
                    style={"height": "100%"},
                    config=graph_config(f"class-{name}"),
                ),
            )
            for name, figure in drawn.items()
        ],
    )


def signed(value: float | None, fmt: str) -> str:
    """A change with its sign; a dash when there is nothing to compare with (no round
    before, or no student playing on one side: NaN)."""
    return "\u2014" if value is None or math.isnan(value) else format(value, fmt)


def span(rounds: tuple[int, int] | None) -> str:
    """Rounds in words: "3", "3-5", or none."""
    if rounds is None:
        return "none"
    first, last = rounds
    return str(first) if first == last else f"{first}\u2013{last}"


def effect_row(effect: LeverEffect, tested: LeverTest | None = None) -> html.Tr:
    """One lever's row; `tested`: its comparison with and without it, if run."""
    name = lever_label([effect.lever])
    if effect.together:
        name += f" (with {lever_label(effect.together)})"
    cells = [
        name,
        str(effect.round),
        f"{span(effect.before)} \u2192 {span(effect.after)}",
        signed(effect.attitude, "+.3f"),
        signed(effect.class_focus, "+.2f"),
        signed(effect.simulated_focus, "+.2f"),
        signed(effect.customers_lost, "+.1f"),
        verdict_cell(tested.customers_lost, "+.1f") if tested else "\u2014",
        verdict_cell(tested.attitude, "+.3f") if tested else "\u2014",
    ]
    return html.Tr([html.Td(cell) for cell in cells])


EFFECT_COLUMNS = (
    "Lever",
    "First month",
    "Months: before \u2192 after",
    "Mean attitude",
    "Students' focus",
    "Simulated employees' focus",
    "Customers lost a month",
    "With against without it: customers lost since it started",
    "With against without it: mean attitude now",
)


def lever_section(game: DebriefGame, presentation: bool = False) -> html.Div:
    """What changed after each lever: a table, the method in a sentence, and the levers
    pulled for a round not played yet."""
    effects = lever_effects(game.history)
    # A hand-built game (the tests' and the protocol's) has no replay to compare against.
    tested = lever_tests(game) if hasattr(game, "lever_interventions") else {}
    children: list[Component] = [html.H3("What changed after each lever")]
    if effects:
        children += [
            html.Table(
                className="plan-table",
                id="class-lever-effects",
                style={"fontSize": "22px"} if presentation else {},
                children=[
                    html.Thead(html.Tr([html.Th(column) for column in EFFECT_COLUMNS])),
                    html.Tbody([effect_row(e, tested.get(e.lever)) for e in effects]),
                ],
            ),
            html.P(METHOD, className="note"),
        ]
    else:
        children.append(html.P("No lever has acted on a month yet.", className="muted"))
    if game.pending_levers:
        children.append(
            html.P(
                f"Pulled for month {game.rounds_played + 1}: {lever_label(game.pending_levers)}.",
                className="note",
            )
        )
    return html.Div(children, className="class-levers")


def export_controls(weeks: int) -> html.Div:
    """The two download buttons, their downloads and the message they may leave; `weeks`:
    the weeks played, which the replay's command runs."""
    return html.Div(
        className="class-exports",
        children=[
            html.H3("Export the session"),
            html.Div(
                className="run-buttons",
                children=[
                    html.Button(CHOICES_LABEL, id="class-download-choices", className="button"),
                    html.Button(SCENARIO_LABEL, id="class-download-scenario", className="button"),
                ],
            ),
            html.P(
                [
                    "The choices file has a row per student per month: the choice and what "
                    "followed. The scenario file replays the session exactly: ",
                    html.Code(f"eachcustomer run FILE --steps {weeks} --out outputs.csv"),
                    f" (the {weeks} weeks played so far).",
                ]
                if weeks
                else "The choices file has a row per student per month, the scenario file "
                "replays the session: both once a month is played.",
                className="note",
                id="class-export-note",
            ),
            dcc.Download(id="class-choices-file"),
            dcc.Download(id="class-scenario-file"),
            html.Div(id="class-export-message", className="status", role="status"),
        ],
    )


def render(game: DebriefGame, presentation: bool) -> list[Component]:
    """The debrief section of a session: its charts (once a round is played), what changed
    after each lever, and the exports; `presentation`: large type for a projector."""
    parts: list[Component] = [
        html.Div(
            [html.H2("Debrief"), presentation_toggle(presentation)],
            style={"display": "flex", "alignItems": "center", "gap": "16px"},
        )
    ]
    if game.history:
        parts += [chart_boxes(game, presentation), lever_section(game, presentation)]
    else:
        parts.append(html.P(EMPTY, className="muted", id="class-debrief-empty"))
    parts.append(export_controls(game.rounds_played * ROUND_WEEKS))
    # The page's large type (the Learn page's `.presentation` style) for the section only.
    return [html.Div(parts, className="presentation" if presentation else "")]


def presentation_toggle(presentation: bool) -> html.Button:
    """Large type for a projector, as on the Learn page (the same setting, kept across
    pages); the debrief is drawn again at the new size."""
    return html.Button(
        "Leave presentation mode" if presentation else "Presentation mode",
        id="class-presentation",
        className="button",
        title="Large type and charts for a projector (press again to leave)",
    )


@callback(
    Output("presentation", "data", allow_duplicate=True),
    Input("class-presentation", "n_clicks"),
    State("presentation", "data"),
    prevent_initial_call=True,
)
def toggle_presentation(clicks: Any, on: Any) -> bool:
    """Switch presentation mode."""
    if not clicks:
        raise PreventUpdate
    return not bool(on)


T = TypeVar("T")


class Registry(Protocol):
    """What the exports ask of the sessions registry (`sessions.ClassRegistry`)."""

    def read_game(self, code: Any, teacher_token: Any, read: Callable[[Any], T]) -> T: ...


def held(teacher: Any) -> tuple[str, str] | None:
    """The code and token the teacher's store ({"code", "token"}) holds, or None."""
    if not isinstance(teacher, dict):
        return None
    code, token = teacher.get("code"), teacher.get("token")
    if not isinstance(code, str) or not isinstance(token, str):
        return None
    return code, token


def file_of(kind: str, game: DebriefGame, name: str) -> dict[str, Any]:
    """dcc.Download data for `kind` ("choices" or "scenario") of `game`."""
    if kind == "choices":
        # Students type their names; the game refuses one that starts like a formula, and
        # the CSV goes through the dashboard's one neutralizer all the same, as every CSV.
        text = safe_csv_text(game.choices_csv())
        return text_download(text, f"{name}-choices.csv", "text/csv")
    return text_download(game.scenario_text(), f"{name}-replay.toml", "application/toml")


def export_file(kind: str, teacher: Any, sessions: Registry) -> tuple[dict[str, Any] | None, str]:
    """dcc.Download data for `kind` ("choices" or "scenario") of the teacher's session and
    an empty message, or no data and a message saying why.

    The game is read through the registry (`ClassRegistry.read_game`), which waits a moment
    for a month being played and otherwise says to try again (its sentence is shown). An
    ended session the registry still keeps exports: a teacher ends, then downloads.
    """
    pair = held(teacher)
    if pair is None:
        return None, NO_SESSION
    name = f"class-{slugify(pair[0])}"
    try:
        return sessions.read_game(*pair, lambda game: file_of(kind, game, name)), ""
    except ClassError as refused:
        # 409: not now (a month is being played); otherwise not this teacher's session.
        return None, str(refused) if refused.status == 409 else NO_SESSION
    except GameError as refused:
        return None, str(refused)


DOWNLOADS = {"class-download-choices": "choices", "class-download-scenario": "scenario"}


@callback(
    Output("class-choices-file", "data"),
    Output("class-scenario-file", "data"),
    Output("class-export-message", "children"),
    Input("class-download-choices", "n_clicks"),
    Input("class-download-scenario", "n_clicks"),
    State("class-teacher", "data"),
    prevent_initial_call=True,
)
def download(choices: Any, scenario: Any, teacher: Any) -> Sequence[Any]:
    """Hand out the export asked for, or say why not."""
    kind = DOWNLOADS.get(str(dash.ctx.triggered_id))
    if kind is None or not (choices if kind == "choices" else scenario):
        raise PreventUpdate
    data, message = export_file(kind, teacher, registry())
    if kind == "choices":
        return data or dash.no_update, dash.no_update, message
    return dash.no_update, data or dash.no_update, message
