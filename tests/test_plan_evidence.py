"""Every lever of the plan library has a strength and a price with a source, or says it is an
assumption that is swept; one price and one strength per lever; culture change is the sum of
its levers (issue 20)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eachcustomer.experiments.loading.plans import NO_PLAN, plan_library

ROOT = Path(__file__).resolve().parents[1]
CALIBRATION = (ROOT / "docs" / "CALIBRATION.md").read_text(encoding="utf-8")
SINGLE_LEVER_OF = {
    "language": "language",
    "incentive_alignment": "aligned_incentives",
    "customer_exposure": "customer_exposure",
    "frontline_support": "frontline_support",
}


def cited_sections(text: str) -> list[str]:
    return re.findall(r"CALIBRATION\.md (\d+\.\d+)", text)


@pytest.mark.parametrize("name", [n for n in plan_library() if n != NO_PLAN])
def test_every_lever_names_its_source_or_says_it_is_a_swept_assumption(name):
    plan = plan_library()[name]
    for item in plan.interventions:
        evidence = plan.evidence.get(item.kind) or plan.evidence.get("bundle")
        assert evidence is not None, f"{name}: no [evidence.{item.kind}]"
        for what in (evidence.strength, evidence.price):
            sourced = what.startswith(("sourced", "calibrated", "the sum of"))
            assert sourced or what.startswith("assumption, swept"), what
            for section in cited_sections(what):
                assert f"### {section} " in CALIBRATION, f"{name}: no section {section}"


def test_culture_change_is_its_levers_at_their_one_strength_and_price():
    library = plan_library()
    bundle = library["culture_change"].interventions
    assert sorted(item.kind for item in bundle) == sorted(SINGLE_LEVER_OF)
    for item in bundle:
        [single] = library[SINGLE_LEVER_OF[item.kind]].interventions
        for field in ("strength", "hours_per_participant_week", "direct_cost_per_participant_week"):
            assert getattr(item, field) == getattr(single, field), (item.kind, field)


def test_a_lever_kind_has_one_price_across_the_library():
    prices: dict[str, set[tuple[float, float]]] = {}
    for plan in plan_library().values():
        for item in plan.interventions:
            key = (item.hours_per_participant_week, item.direct_cost_per_participant_week)
            prices.setdefault(item.kind, set()).add(key)
    assert {kind: len(found) for kind, found in prices.items() if len(found) > 1} == {}
