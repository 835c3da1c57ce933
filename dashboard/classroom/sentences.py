"""What happened to a student in a round, in plain sentences for their phone."""

from __future__ import annotations

from collections.abc import Iterable

from eachcustomer.dashboard.classroom.game import EFFORTS, LANGUAGES, LEVERS, PlayerReport, Role

MOVED = 0.005
"""A change of mean attitude smaller than this reads as "held"."""


def _moved(before: float, after: float) -> str:
    if after - before > MOVED:
        return "warmed"
    if before - after > MOVED:
        return "cooled"
    return "held"


def _feeling(satisfaction: float) -> str:
    if satisfaction > 0.3:
        return "pleased"
    if satisfaction > 0.0:
        return "rather satisfied"
    if satisfaction > -0.3:
        return "rather unhappy"
    return "angry"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def report_sentences(report: PlayerReport, role: Role, levers: Iterable[str] = ()) -> list[str]:
    """The report as sentences, in the order the student reads them: the month's news, what
    they did, their customers, their boss and pay, their own attitude, their neighbours'."""
    said = []
    changed = [LEVERS[lever] for lever in levers if lever in LEVERS]
    if changed:
        said.append("New this month: " + "; ".join(changed) + ".")
    if report.effort in EFFORTS and report.language in LANGUAGES:
        said.append(
            f"Month {report.round}: you gave your effort to {EFFORTS[report.effort]} and "
            f"spoke of {LANGUAGES[report.language]}."
        )
    else:  # no choice sent yet: the employee followed the model's own rules
        said.append(
            f"Month {report.round}: you sent no choice, so you worked as your colleagues "
            f"do (customer focus {report.focus:.2f})."
        )
    if report.encounters == 0:
        steps = _plural(role.distance, "step", "steps")
        said.append(f"You met no customers yourself: your desk is {steps} away from them.")
    else:
        said.append(
            f"You served {_plural(report.encounters, 'customer', 'customers')}: "
            f"{report.good_encounters} went well, {report.hostile_encounters} turned hostile."
        )
    if report.customers_lost:
        left = _plural(report.customers_lost, "customer", "customers")
        said.append(f"{left} you served left for good.")
    if report.customer_satisfaction is not None:
        said.append(
            f"Your customers feel {_feeling(report.customer_satisfaction)} "
            f"(satisfaction {report.customer_satisfaction:+.2f}, from -1 to +1)."
        )
    said.append(
        f"Your boss saw {report.boss_approval:.0%} of what they value in your work; "
        f"your evaluation is {report.evaluation * 100:.0f} out of 100, "
        f"your bonus ${report.bonus:,.0f}."
    )
    own = _moved(report.attitude_before, report.attitude_after)
    said.append(
        f"Your own attitude toward customers {own} "
        f"({report.attitude_before:+.2f} to {report.attitude_after:+.2f})."
    )
    said.append(
        "Your colleagues' attitudes "
        f"{_moved(report.neighbours_before, report.neighbours_after)} "
        f"({report.neighbours_before:+.2f} to {report.neighbours_after:+.2f})."
    )
    if report.new_in_post:
        said.append("The person in your post left this month: you now play the new hire in it.")
    return said
