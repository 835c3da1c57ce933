"""Players: employees whose choices are made by people, not by the model's rules.

In a class session (the dashboard's Class page, docs/CLASS_LESSON.md) each student plays
one employee. Two choices replace two of the model's rules for that employee, nothing else:

- **effort**: how the employee splits effort between the boss and the real customer
  (S003: "bonus success" against "business success"). Their customer focus is held at
  `EFFORT_FOCUS[effort]` instead of adapting to incentives (docs/ODD.md, process 4). It
  acts through everything focus acts on: the quality of their encounters, the support the
  back office gives the front line, the approval their reports answer to, their evaluation.
- **language**: how they speak of customers (S000: "our" and "each customer" instead of
  "the customer"). "each_customer" slows their own distance drift by the strength of the
  library's language plan (`EACH_CUSTOMER_DRIFT`, scenarios/plans/language.toml), as the
  language intervention does for the people it covers (docs/ODD.md, process 3).

Everything else about a player's employee follows the model: contagion, encounters,
turnover (a player's post can turn over; the student then plays the new hire), the
interventions. A player with no choice yet (a student who joins later) follows the model
until their first choice. Choices are data (`Player`, `Choice`, a timeline's `choices`),
so a session replays exactly from its scenario file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import ConfigDict, Field, model_validator

from eachcustomer.sim.checked import CheckedModel

Effort = Literal["boss", "balanced", "customer"]
Language = Literal["the_customer", "each_customer"]

EFFORT_FOCUS: dict[str, float] = {"boss": 0.1, "balanced": 0.5, "customer": 0.9}
"""The customer focus an effort choice holds: mostly the boss's priorities, half and half,
mostly the customer in front of one (focus is the share of effort on the real customer)."""

EACH_CUSTOMER_DRIFT = 0.5
"""How much "each customer" slows one's own drift: drift rate x (1 - 0.5), the strength of
the library's language plan (tests/test_players.py checks that they agree)."""


class Choice(CheckedModel):
    """What a player does from a given week on."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    effort: Effort = Field(description="boss, balanced or customer")
    language: Language = Field(description="the_customer or each_customer")


class Player(CheckedModel):
    """One employee played by a person: who, where, and their first choice (if any yet)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=24, description="the player's name")
    position: int = Field(ge=0, description="the employee's row in the organization")
    effort: Effort | None = Field(None, description="first choice; none: the model decides")
    language: Language | None = Field(None, description="first choice, with effort")

    @model_validator(mode="after")
    def _both_or_neither(self) -> Player:
        if (self.effort is None) != (self.language is None):
            raise ValueError("give both effort and language, or neither (not playing yet)")
        return self

    @property
    def choice(self) -> Choice | None:
        """The first choice, or None while the model decides for this employee."""
        if self.effort is None or self.language is None:
            return None
        return Choice(effort=self.effort, language=self.language)


def check_players(players: tuple[Player, ...], size: int, where: str = "players") -> None:
    """Positions inside an organization of `size`, each played once; names distinct.

    Raises:
        ValueError: naming the entry (`players.N.position`) and the problem.
    """
    seen_positions: dict[int, int] = {}
    seen_names: dict[str, int] = {}
    for index, player in enumerate(players):
        if player.position >= size:
            raise ValueError(
                f"{where}.{index}.position: {player.position} is not in the organization "
                f"(positions 0 to {size - 1})"
            )
        if player.position in seen_positions:
            raise ValueError(
                f"{where}.{index}.position: {player.position} is already played by "
                f"{where}.{seen_positions[player.position]}"
            )
        key = player.name.casefold()
        if key in seen_names:
            raise ValueError(
                f"{where}.{index}.name: {player.name!r} is already the name of "
                f"{where}.{seen_names[key]}"
            )
        seen_positions[player.position] = index
        seen_names[key] = index


@dataclass
class Seats:
    """Every player of a batch, in the arrays the model holds them with.

    Attributes:
        players: per replication, its players as seated.
        names: per replication, player name -> index into the arrays below.
        row: each player's employee row in the batch.
        focus: the focus each player holds; NaN while the model decides for them.
        each_customer: whether each player speaks of "each customer".
    """

    players: list[tuple[Player, ...]]
    names: list[dict[str, int]]
    row: np.ndarray
    focus: np.ndarray
    each_customer: np.ndarray

    @classmethod
    def of(cls, players: list[tuple[Player, ...]], employee_start: np.ndarray) -> Seats:
        """The players of each replication, their rows offset to the batch's."""
        names: list[dict[str, int]] = []
        rows: list[int] = []
        for copy, group in enumerate(players):
            names.append({p.name: len(rows) + i for i, p in enumerate(group)})
            rows += [int(employee_start[copy]) + p.position for p in group]
        seats = cls(
            [tuple(group) for group in players],
            names,
            np.array(rows, dtype=np.int64),
            np.full(len(rows), np.nan),
            np.zeros(len(rows), dtype=bool),
        )
        for copy, group in enumerate(players):
            seats.choose(copy, {p.name: p.choice for p in group if p.choice is not None})
        return seats

    def choose(self, copy: int, choices: dict[str, Choice]) -> None:
        """Replication `copy`'s players' new choices, by name.

        Raises:
            ValueError: a name that is not a player of that replication.
        """
        for name, choice in choices.items():
            seat = self.names[copy].get(name)
            if seat is None:
                known = ", ".join(map(repr, self.names[copy])) or "none"
                raise ValueError(f"no player named {name!r} (players: {known})")
            self.focus[seat] = EFFORT_FOCUS[choice.effort]
            self.each_customer[seat] = choice.language == "each_customer"

    def seat(self, copy: int, player: Player, first_row: int) -> None:
        """Seat one more player in replication `copy`, whose first employee row is `first_row`.

        One who has chosen already plays at once.
        """
        self.players[copy] = (*self.players[copy], player)
        self.names[copy][player.name] = len(self.row)
        self.row = np.append(self.row, first_row + player.position)
        self.focus = np.append(self.focus, np.nan)
        self.each_customer = np.append(self.each_customer, False)
        if player.choice is not None:
            self.choose(copy, {player.name: player.choice})

    @property
    def playing(self) -> np.ndarray:
        """Players who have chosen (the others still follow the model)."""
        return ~np.isnan(self.focus)
