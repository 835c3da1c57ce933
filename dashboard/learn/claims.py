"""What a lesson says, as checks on the lesson's own run.

Every sentence of a lesson that states a fact about its charts (or its setup) carries one
or more claims in dashboard/learn/lessons.toml: which output or "why it changed" part, which
weeks, which comparison. `check_claim` measures the claim on the run the Learn page draws
(the weekly output table and the "why" totals by band and department) and says whether it
holds, so a lesson's text cannot drift away from what its model shows
(tests/test_lessons.py checks every claim of every lesson).

Claim kinds:

- `value`: outputs (each optionally minus another output, or minus the same output in
  another scenario's run) at a week, as the change between two weeks, or at every week of
  a span, above and/or below a number;
- `ranking`: an output is the highest or lowest of the outputs sharing a prefix, at each
  of the weeks given;
- `order`: outputs in descending order, at each of the weeks given;
- `mechanism`: a "why it changed" part (overall, or for each of some bands or departments)
  pushes up or down, is the largest push up or down, or lies within bounds;
- `sequence`: outputs rise, one after the other, in the listed order;
- `setting`: a parameter of the lesson's scenario has a value, or lies within bounds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

Names = str | tuple[str, ...]
Weeks = int | tuple[int, ...]
Mechanism = Literal["encounters", "contagion", "disposition", "drift", "turnover", "interventions"]
Span = tuple[int, int]


class _Claim(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    says: str = Field(min_length=3, description="the words of the lesson this claim checks")
    item: int | None = Field(
        None, ge=1, description="the 'look_at' entry it checks (1 is the first); none: the story"
    )


def _one_of(**readings: Any) -> None:
    given = [name for name, value in readings.items() if value is not None]
    if len(given) != 1:
        raise ValueError(f"give exactly one of {', '.join(readings)}")


class _Bounded(_Claim):
    above: float | None = None
    below: float | None = None


class ValueClaim(_Bounded):
    """An output (minus `minus`, minus the same in scenario `against`) within bounds.

    Read at one week (`at`), as the change between two weeks (`change`), or at every week
    of a span (`during`).
    """

    kind: Literal["value"]
    output: Names
    minus: str | None = None
    against: str | None = None
    at: int | None = Field(None, ge=0)
    change: Span | None = None
    during: Span | None = None

    @model_validator(mode="after")
    def _readable(self) -> ValueClaim:
        if self.above is None and self.below is None:
            raise ValueError("a value claim needs above = X and/or below = Y")
        _one_of(at=self.at, change=self.change, during=self.during)
        return self


class RankingClaim(_Claim):
    """`output` is the highest or lowest of the outputs whose names start with `among`."""

    kind: Literal["ranking"]
    output: str
    among: str
    is_: Literal["highest", "lowest"] = Field(alias="is")
    at: Weeks | None = None
    change: Span | None = None

    @model_validator(mode="after")
    def _readable(self) -> RankingClaim:
        _one_of(at=self.at, change=self.change)
        return self


class OrderClaim(_Claim):
    """`outputs`, read the same way, from the highest to the lowest."""

    kind: Literal["order"]
    outputs: tuple[str, ...] = Field(min_length=2)
    at: Weeks | None = None
    change: Span | None = None

    @model_validator(mode="after")
    def _readable(self) -> OrderClaim:
        _one_of(at=self.at, change=self.change)
        return self


class MechanismClaim(_Bounded):
    """A part of "why it changed" (mean attitude's change since week 0, by mechanism)."""

    kind: Literal["mechanism"]
    by: Literal["all", "band", "department"]
    group: Names | None = None
    mechanism: Mechanism
    weeks: Span | None = Field(None, description="only overall (by = 'all'); default all weeks")
    is_: Literal["largest push down", "largest push up", "push down", "push up"] | None = Field(
        None, alias="is"
    )

    @model_validator(mode="after")
    def _consistent(self) -> MechanismClaim:
        if (self.by == "all") != (self.group is None):
            raise ValueError("name a group for by = 'band' or 'department', none for 'all'")
        if self.weeks is not None and self.by != "all":
            raise ValueError("the Learn page shows band and department parts since week 0")
        if self.is_ is None and self.above is None and self.below is None:
            raise ValueError("a mechanism claim needs is = ... or above/below")
        return self


class SequenceClaim(_Claim):
    """After week `after`, each output rises `rise` above its value then, in the listed order."""

    kind: Literal["sequence"]
    outputs: tuple[str, ...] = Field(min_length=2)
    after: int = Field(ge=0)
    rise: float = Field(gt=0)


class SettingClaim(_Bounded):
    """A parameter of the lesson's scenario (as loaded) has this value, or lies within bounds.

    A number the text takes from a parameter is filled in (`eachcustomer.dashboard.learn.lessons`),
    not checked; a setting claim checks what the text says about it ("more than one").
    """

    kind: Literal["setting"]
    name: str
    equals: float | None = None

    @model_validator(mode="after")
    def _readable(self) -> SettingClaim:
        if (self.equals is None) == (self.above is None and self.below is None):
            raise ValueError("a setting claim needs equals = X, or above = X and/or below = Y")
        return self


Claim = Annotated[
    ValueClaim | RankingClaim | OrderClaim | MechanismClaim | SequenceClaim | SettingClaim,
    Field(discriminator="kind"),
]


@dataclass(frozen=True)
class LessonRun:
    """What the Learn page draws of a run, and how to get another scenario's run."""

    table: pd.DataFrame
    why: dict[str, Any]
    params: Any
    reference: Callable[[str], LessonRun] | None = None


@dataclass(frozen=True)
class Verdict:
    """Whether a claim holds, and what was measured (for a failing test's message)."""

    holds: bool
    measured: str


def _names(names: Names | None) -> tuple[str, ...]:
    return (names,) if isinstance(names, str) else tuple(names or ())


def _weeks(weeks: Weeks | None) -> tuple[int, ...]:
    return (weeks,) if isinstance(weeks, int) else tuple(weeks or ())


def _series(table: pd.DataFrame, name: str) -> pd.Series:
    """An output by week."""
    if name not in table:
        raise ValueError(f"no output {name!r} in the run")
    return pd.Series(table[name].to_numpy(dtype=float), index=table["week"].astype(int))


def _at(values: pd.Series, week: int) -> float:
    if week not in values.index:
        raise ValueError(f"week {week} is not in the run (weeks 0 to {values.index.max()})")
    return float(values[week])


def _read(values: pd.Series, at: int | None, change: Span | None) -> float:
    """A value at a week, or its change between two weeks."""
    if change is not None:
        return _at(values, change[1]) - _at(values, change[0])
    assert at is not None
    return _at(values, at)


def _within(value: float, bounds: _Bounded) -> bool:
    return (bounds.above is None or value > bounds.above) and (
        bounds.below is None or value < bounds.below
    )


def _shown(values: list[float]) -> str:
    return ", ".join(f"{v:+.3f}" for v in values)


def _value(claim: ValueClaim, run: LessonRun) -> Verdict:
    def readings(this: LessonRun, name: str) -> np.ndarray:
        values = _series(this.table, name)
        if claim.minus is not None:
            values = values - _series(this.table, claim.minus)
        if claim.during is not None:
            span = values.loc[claim.during[0] : claim.during[1]]
            if span.empty:
                raise ValueError(f"weeks {claim.during} are not in the run")
            return span.to_numpy()
        return np.array([_read(values, claim.at, claim.change)])

    measured = []
    for name in _names(claim.output):
        values = readings(run, name)
        if claim.against is not None:
            if run.reference is None:
                raise ValueError("these checks have no runs of other scenarios")
            values = values - readings(run.reference(claim.against), name)
        measured += values.tolist()
    holds = all(_within(v, claim) for v in measured)
    shown = _shown(measured) if len(measured) <= 6 else _shown([min(measured), max(measured)])
    return Verdict(holds, shown)


def _ranking(claim: RankingClaim, run: LessonRun) -> Verdict:
    names = [c for c in run.table.columns if c.startswith(claim.among)]
    if claim.output not in names:
        raise ValueError(f"{claim.output!r} is not among the outputs {claim.among}*")
    series = {n: _series(run.table, n) for n in names}
    pick = max if claim.is_ == "highest" else min
    holds, measured = True, []
    for week in _weeks(claim.at) or (None,):
        values = {n: _read(v, week, claim.change) for n, v in series.items()}
        best = pick(values, key=lambda n: values[n])
        holds = holds and best == claim.output
        measured.append(f"{claim.is_}{'' if week is None else f' at {week}'}: {best}")
    return Verdict(holds, "; ".join(measured))


def _order(claim: OrderClaim, run: LessonRun) -> Verdict:
    series = [_series(run.table, n) for n in claim.outputs]
    holds, measured = True, []
    for week in _weeks(claim.at) or (None,):
        values = [_read(v, week, claim.change) for v in series]
        holds = holds and all(a > b for a, b in zip(values, values[1:], strict=False))
        measured.append(_shown(values))
    return Verdict(holds, "; ".join(measured))


def _mechanism_parts(claim: MechanismClaim, run: LessonRun, group: str | None) -> dict[str, float]:
    """Each mechanism's part of the change in mean attitude (of `group`)."""
    if claim.by == "all":
        first, last = claim.weeks or (1, int(run.table["week"].max()))
        weeks = run.table["week"].between(first, last)
        return {
            c.removeprefix("why_"): float(run.table.loc[weeks, c].fillna(0.0).sum())
            for c in run.table.columns
            if c.startswith("why_")
        }
    why = run.why[claim.by]
    if group not in why["groups"]:
        raise ValueError(f"no {claim.by} {group!r}; the run has {why['groups']}")
    row = why["values"][why["groups"].index(group)]
    return dict(zip(why["mechanisms"], map(float, row), strict=True))


def _mechanism(claim: MechanismClaim, run: LessonRun) -> Verdict:
    holds, measured = True, []
    for group in _names(claim.group) or (None,):
        parts = _mechanism_parts(claim, run, group)
        if claim.mechanism not in parts:
            raise ValueError(f"no mechanism {claim.mechanism!r}; the run has {sorted(parts)}")
        value = parts[claim.mechanism]
        holds = holds and _within(value, claim)
        measured.append(f"{group or 'all'}: {claim.mechanism} {value:+.3f}")
        if claim.is_ in ("largest push down", "largest push up"):
            pick = min if claim.is_ == "largest push down" else max
            largest = pick(parts, key=lambda m: parts[m])
            holds = holds and largest == claim.mechanism and value != 0.0
            measured[-1] += f" ({claim.is_}: {largest})"
        elif claim.is_ == "push down":
            holds = holds and value < 0.0
        elif claim.is_ == "push up":
            holds = holds and value > 0.0
    return Verdict(holds, "; ".join(measured))


def _sequence(claim: SequenceClaim, run: LessonRun) -> Verdict:
    weeks: list[int | None] = []
    for name in claim.outputs:
        values = _series(run.table, name)
        later = values.loc[values.index > claim.after]
        risen = later.index[later >= _at(values, claim.after) + claim.rise]
        weeks.append(int(risen[0]) if len(risen) else None)
    known = [w for w in weeks if w is not None]
    holds = len(known) == len(weeks) and all(a < b for a, b in zip(known, known[1:], strict=False))
    return Verdict(holds, "weeks " + ", ".join("never" if w is None else str(w) for w in weeks))


def _setting(claim: SettingClaim, run: LessonRun) -> Verdict:
    value = float(getattr(run.params, claim.name))
    exact = claim.equals is not None and bool(np.isclose(value, claim.equals))
    holds = exact or (claim.equals is None and _within(value, claim))
    return Verdict(holds, f"{claim.name} = {value:g}")


def check_claim(claim: Any, run: LessonRun) -> Verdict:
    """Whether `claim` holds on `run`; a claim naming something the run lacks is an error.

    Raises:
        ValueError: the claim names an output, week, group or mechanism the run does not have.
    """
    checks: dict[type, Callable[[Any, LessonRun], Verdict]] = {
        ValueClaim: _value,
        RankingClaim: _ranking,
        OrderClaim: _order,
        MechanismClaim: _mechanism,
        SequenceClaim: _sequence,
        SettingClaim: _setting,
    }
    return checks[type(claim)](claim, run)
